import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IngestionKey } from '../../ingestion-key';
import { Stack, Token } from '../cdk';
import { Draft, Finding, Refusal } from '../plan-model';
import { WARNING_IDS } from './ids';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Rule: a key whose secret belongs to a stack of another environment cannot be referenced at all
 * (src/ingestion-key.ts, `_refusal`).
 */
export function keyEnvironmentRule(fn: lambda.Function, key: IngestionKey | undefined): Refusal | undefined {
  const why = key?._refusal(fn);
  return why ? { kind: 'region', why } : undefined;
}

/**
 * Rule: an ingestion key secret must be in the function's region: the collector's secretsmanager
 * provider builds its client with config.LoadDefaultConfig, i.e. the function's AWS_REGION
 * (open-telemetry/opentelemetry-collector-contrib confmap/provider/secretsmanagerprovider/provider.go,
 * `config.LoadDefaultConfig(ctx)` then `secretsmanager.NewFromConfig(cfg)`: no region option, none
 * taken from the ARN; registered by opentelemetry-lambda collector/internal/collector/collector.go:79 at faa4ca46).
 * Refused when both regions are known and differ; a warning when either is known only at deploy time.
 */
export function secretRegionRule(fn: lambda.Function, draft: Draft): Finding {
  const secretRegion = draft.settings.ingestionKey?._secretRegion();
  const fnRegion = Stack.of(fn).region;
  if (secretRegion === undefined || secretRegion === fnRegion) return undefined;
  if (!Token.isUnresolved(secretRegion) && !Token.isUnresolved(fnRegion)) {
    return { kind: 'region', why: `the ingestion key secret is in ${secretRegion}, but the function is in ${fnRegion}, and the collector reads the secret in the function's own region; replicate the secret to ${fnRegion} (replicaRegions) and import the replica, or import a secret of ${fnRegion} with Secret.fromSecretNameV2` };
  }
  return { warnings: [[WARNING_IDS.ingestionKeyRegion, `the region of the ingestion key secret (${Token.isUnresolved(secretRegion) ? 'known at deploy time' : secretRegion}) or of ${draft.path} (${Token.isUnresolved(fnRegion) ? 'known at deploy time' : fnRegion}) is not known at synth: the collector reads the secret in the function's own region, so deploy the function where the secret is, or a replica of it`]] };
}

/** Rule: the key over plain HTTP to another host travels in clear on every export. */
export function plainHttpKeyRule(_fn: lambda.Function, draft: Draft): Finding {
  const { ingestionKey, endpoint } = draft.settings;
  if (ingestionKey === undefined || Token.isUnresolved(endpoint)) return undefined;
  const url = new URL(endpoint);
  if (url.protocol !== 'http:' || LOOPBACK.test(url.hostname)) return undefined;
  return { warnings: [[WARNING_IDS.plainHttpIngestionKey, `${draft.path} sends the ClickStack ingestion key in clear over plain HTTP to ${url.host} on every export; use an https:// endpoint, or acknowledge this warning when the endpoint is a collector inside the same VPC`]] };
}
