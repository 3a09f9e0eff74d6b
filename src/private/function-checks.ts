import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { apiVersionWarning } from './api-version';
import { attributeLength, ResourceAttributeList, supportFor } from './environment';
import { runtimeNotes } from './runtime-notes';
import { releaseFor } from './validate';
import { ClickStackOptions, Propagator, TelemetryApiType } from '../options';
import { layerClassOf, RuntimeSupport } from '../runtimes';

/** Why the checks refuse a function; the caller turns it into an InstrumentationRefused. */
export interface CheckRefusal {
  /** `unsupportedOption`: the function's layer cannot honour an option (the aspect skips it). `region`: an error. */
  readonly kind: 'unsupportedOption' | 'region';
  readonly why: string;
}

/** What the per-function checks found: a refusal, or annotations to add once instrumented. */
export interface FunctionChecks {
  readonly refusal?: CheckRefusal;
  /** Adds the check's annotations to the function; call only once it is instrumented. */
  annotate(): void;
}

/** Annotation ids a user can acknowledge (`Annotations.of(scope).acknowledgeWarning(id)`). */
export const WARNING_IDS = {
  extensionLogs: '@clickstack/cdk:extensionLogsReingested',
  plainHttpIngestionKey: '@clickstack/cdk:plainHttpIngestionKey',
  ingestionKeyRegion: '@clickstack/cdk:ingestionKeyRegion',
  otlpPortMismatch: '@clickstack/cdk:otlpPortMismatch',
  apiVersion: '@clickstack/cdk:apiVersionNewer',
} as const;

/** Characters of the `OTEL_RESOURCE_ATTRIBUTES` syntax, which a layer that does not decode cannot carry. */
const ATTRIBUTE_SYNTAX = /[%,=]/;
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Checks of one function against what its layers support (src/layers/language-support.ts),
 * and of the options against the function's region. Changes nothing.
 */
export function checkFunction(fn: lambda.Function, options: ClickStackOptions, support: RuntimeSupport, list: ResourceAttributeList): FunctionChecks {
  const where = fn.node.path;
  const infos: string[] = [];
  const warnings: Array<[string, string]> = [];
  const annotate = () => {
    for (const info of infos) Annotations.of(fn).addInfo(info);
    for (const [id, message] of warnings) Annotations.of(fn).addWarningV2(id, message);
  };
  const refused = (kind: CheckRefusal['kind'], why: string): FunctionChecks => ({ refusal: { kind, why }, annotate: () => undefined });

  const data = supportFor(support, options);
  if (support.kind === 'language' && data) {
    const release = releaseFor(support.family, options);
    const custom = release.layerArn !== undefined;
    const layer = `the OpenTelemetry ${support.family} layer ${release.version ?? release.layerArn}`;

    // Propagators the layer's SDK lacks (a layer of your own: yours to know).
    const propagators = (options.propagators ?? []).map((p: Propagator) => p.name);
    const missing = propagators.filter(p => !data.propagators.includes(p));
    if (!custom && missing.length > 0) {
      return refused('unsupportedOption', `propagators ${missing.join(', ')} are not in ${layer} (it has ${data.propagators.join(', ')}; ${data.unknownPropagator}); remove them from propagators, or bring a layer of your own with ${layerClassOf(support.family)}.fromArn()`);
    }

    for (const [key, value] of list.attributes) {
      if (Token.isUnresolved(value)) continue;
      // The Ruby SDK splits on ',' and '=' and never decodes (language-support.ts, RUBY).
      if (!data.decodesResourceAttributes && ATTRIBUTE_SYNTAX.test(value)) {
        return refused('unsupportedOption', `resource attribute ${key} is ${JSON.stringify(value)}, but ${layer} does not percent-decode OTEL_RESOURCE_ATTRIBUTES, so a value with ',', '=' or '%' would arrive cut or encoded; use a value without them`);
      }
      // The Node.js SDK discards every attribute (service.name too) for one over its limit.
      const max = data.attributeMaxLength;
      const length = attributeLength(value, data);
      if (max !== undefined && (length > max || key.length > max)) {
        return refused('unsupportedOption', `resource attribute ${key} is ${Math.max(key.length, length)} characters long${data.attributeLengthEncoded ? ' percent-encoded' : ''}, but ${layer} discards all of OTEL_RESOURCE_ATTRIBUTES when a key or value is over ${max} characters; shorten it`);
      }
    }
    if (list.shortenedPath) {
      const s = list.shortenedPath;
      infos.push(`[@clickstack/cdk:attributeShortened] cdk.construct.path of ${where} is ${s.from} characters, over the ${s.limit} ${layer} accepts (a longer value would drop every resource attribute): it is sent as an 8-character hash of the whole path, '...', and the last ${s.to - 11} characters of the path (${s.to} in all)`);
    }
  }

  // The guide's first troubleshooting rule: the function's own OpenTelemetry API must not be
  // newer than the layer's (language-support.ts, OTEL_API_VERSIONS).
  if (support.kind === 'language') {
    const newer = apiVersionWarning(fn, support.family, releaseFor(support.family, options).version);
    if (newer) warnings.push([WARNING_IDS.apiVersion, newer]);
  }

  // Attributes known only at deploy time cannot be written into collector.yaml.
  if (options.lambdaTelemetry?.length) {
    const late = list.attributes.filter(([, v]) => Token.isUnresolved(v)).map(([k]) => k);
    if (late.length > 0) {
      infos.push(`[@clickstack/cdk:telemetryLogAttributes] resource attributes ${late.join(', ')} of ${where} are known only at deploy time, so its Telemetry API logs do not get them (its spans, metrics and SDK logs do)`);
    }
  }

  // An ingestion key secret must be in the function's region: the collector's secretsmanager
  // provider builds its client with config.LoadDefaultConfig, i.e. the function's AWS_REGION
  // (open-telemetry/opentelemetry-collector-contrib confmap/provider/secretsmanagerprovider/provider.go,
  // `config.LoadDefaultConfig(ctx)` then `secretsmanager.NewFromConfig(cfg)`: no region option, none
  // taken from the ARN; registered by opentelemetry-lambda collector/internal/collector/collector.go:79 at faa4ca46).
  const secretRegion = options.ingestionKey?._secretRegion();
  const fnRegion = Stack.of(fn).region;
  if (secretRegion !== undefined && secretRegion !== fnRegion) {
    if (!Token.isUnresolved(secretRegion) && !Token.isUnresolved(fnRegion)) {
      return refused('region', `the ingestion key secret is in ${secretRegion}, but the function is in ${fnRegion}, and the collector reads the secret in the function's own region; replicate the secret to ${fnRegion} (replicaRegions) and import the replica, or import a secret of ${fnRegion} with Secret.fromSecretNameV2`);
    }
    warnings.push([WARNING_IDS.ingestionKeyRegion, `the region of the ingestion key secret (${Token.isUnresolved(secretRegion) ? 'known at deploy time' : secretRegion}) or of ${where} (${Token.isUnresolved(fnRegion) ? 'known at deploy time' : fnRegion}) is not known at synth: the collector reads the secret in the function's own region, so deploy the function where the secret is, or a replica of it`]);
  }

  // The key over plain HTTP to another host travels in clear on every export.
  if (options.ingestionKey !== undefined && !Token.isUnresolved(options.endpoint)) {
    const url = new URL(options.endpoint);
    if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname)) {
      warnings.push([WARNING_IDS.plainHttpIngestionKey, `${where} sends the ClickStack ingestion key in clear over plain HTTP to ${url.host} on every export; use an https:// endpoint, or acknowledge this warning when the endpoint is a collector inside the same VPC`]);
    }
  }

  // Extension logs read back the collector's own output (the telemetryapi receiver warns of a
  // loop: open-telemetry/opentelemetry-lambda@faa4ca46 collector/receiver/telemetryapireceiver/receiver.go:228-230).
  if (options.lambdaTelemetry?.includes(TelemetryApiType.EXTENSION)) {
    warnings.push([WARNING_IDS.extensionLogs, `${where} receives EXTENSION logs: the collector's own log lines (its export errors too) are read back by the telemetryapi receiver and exported again; prefer FUNCTION and PLATFORM`]);
  }

  // SnapStart, durable functions and upstream losses (runtime-notes.ts, docs/runtime-notes.md).
  const env = () => (Stack.of(fn).resolve((fn.node.defaultChild as lambda.CfnFunction).environment) as
    { variables?: Record<string, unknown> } | undefined)?.variables ?? {};
  const notes = runtimeNotes(fn, options, support, env);
  infos.push(...notes.infos);
  warnings.push(...notes.warnings);
  return { annotate };
}
