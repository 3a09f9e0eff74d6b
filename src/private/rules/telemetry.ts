import * as lambda from 'aws-cdk-lib/aws-lambda';
import { TelemetryApiType } from '../../options';
import { Token } from '../cdk';
import { Draft, Finding } from '../plan-model';
import { WARNING_IDS } from './ids';

/**
 * Rule, with `lambdaTelemetry`: resource attributes known only at deploy time cannot be written
 * into collector.yaml (the Telemetry API logs go without them), and EXTENSION logs read back the
 * collector's own output (the telemetryapi receiver warns of a loop:
 * open-telemetry/opentelemetry-lambda@faa4ca46 collector/receiver/telemetryapireceiver/receiver.go:228-230).
 */
export function telemetryRule(_fn: lambda.Function, draft: Draft): Finding {
  const types = draft.settings.lambdaTelemetry;
  if (!types) return undefined;
  const infos: string[] = [];
  const late = draft.attributes.attributes.filter(([, v]) => Token.isUnresolved(v)).map(([k]) => k);
  if (late.length > 0) {
    infos.push(`[@clickstack/cdk:telemetryLogAttributes] resource attributes ${late.join(', ')} of ${draft.path} are known only at deploy time, so its Telemetry API logs do not get them (its spans, metrics and SDK logs do)`);
  }
  const warnings: Array<[string, string]> = [];
  if (types.includes(TelemetryApiType.EXTENSION)) {
    warnings.push([WARNING_IDS.extensionLogs, `${draft.path} receives EXTENSION logs: the collector's own log lines (its export errors too) are read back by the telemetryapi receiver and exported again; prefer FUNCTION and PLATFORM`]);
  }
  return { infos, warnings };
}
