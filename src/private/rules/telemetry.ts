import * as lambda from 'aws-cdk-lib/aws-lambda';
import { telemetrySchemaRefusedOnManagedInstances, TELEMETRY_SCHEMAS_ON_MANAGED_INSTANCES } from '../../layers/language-support';
import { OtelLayerRelease } from '../../layers/releases';
import { TelemetryApiType } from '../../options';
import { Token } from '../cdk';
import { Draft, Finding, Refusal } from '../plan-model';
import { Settings } from '../settings';
import { WARNING_IDS } from './ids';
import { MANAGED_INSTANCES, managedInstancesRefusal } from './managed-instances';

/** The Telemetry API event types a function's collector subscribes to, and what was said about them. */
export interface TelemetryChoice {
  /** Undefined: no `telemetryapi` receiver. */
  readonly types?: readonly string[];
  readonly warnings: ReadonlyArray<readonly [string, string]>;
}

/**
 * Why `lambdaTelemetry` cannot work on a Managed Instances function with this collector release,
 * if it cannot: its `telemetryapi` receiver subscribes with a `schemaVersion` Managed Instances
 * refuse (src/layers/language-support.ts, `telemetryApiSchema`), the receiver's start fails with
 * the refusal, and the extension reports an init error (open-telemetry/opentelemetry-lambda@faa4ca46
 * collector/receiver/telemetryapireceiver/receiver.go:132-136, collector/internal/lifecycle/manager.go:116-123).
 */
export function telemetryOnManagedInstancesProblem(collectorVersion: string | undefined): string | undefined {
  const schema = telemetrySchemaRefusedOnManagedInstances(collectorVersion);
  if (schema === undefined) return undefined;
  return `the telemetryapi receiver of the collector layer ${collectorVersion} subscribes to the Telemetry API with schemaVersion "${schema}", and ${MANAGED_INSTANCES} require "${TELEMETRY_SCHEMAS_ON_MANAGED_INSTANCES.join('" or "')}" (AWS Lambda Telemetry API reference), so the subscription is refused, the collector does not start and the function fails to initialise`;
}

/**
 * Rule: the Telemetry API event types the function's collector subscribes to (`lambdaTelemetry`).
 * On Lambda Managed Instances with a collector release whose receiver subscribes with a schema
 * they refuse, the construct (`by: 'construct'`: the options name this function) refuses it with
 * the reason and the fix; the aspect (options for a whole app) drops only the receiver, with a
 * warning: the function still sends its spans, metrics and SDK logs, which a skip would lose too.
 */
export function telemetryApiRule(
  fn: lambda.Function, settings: Settings, collector: OtelLayerRelease, managedInstances: boolean, by: 'construct' | 'aspect',
): TelemetryChoice | Refusal {
  const types = settings.lambdaTelemetry;
  // A collector that cannot run on Managed Instances at all is refused for that, the real reason
  // (managedInstancesRule), not for its receiver.
  const runsThere = managedInstances && !managedInstancesRefusal(collector.version);
  const problem = types && runsThere ? telemetryOnManagedInstancesProblem(collector.version) : undefined;
  if (!problem) return { types, warnings: [] };
  if (by === 'construct') {
    return {
      kind: 'managedInstances',
      why: `it runs on ${MANAGED_INSTANCES} and has lambdaTelemetry, but ${problem}; instrument it without lambdaTelemetry (a ClickStackInstrumentation of its own), or with ClickStackAspect, which leaves only the telemetryapi receiver out there`,
      summary: `lambdaTelemetry on Lambda Managed Instances, whose Telemetry API refuses the collector layer ${collector.version}'s subscription (see its warning)`,
    };
  }
  return {
    types: undefined,
    warnings: [[WARNING_IDS.telemetryApiDropped, `${fn.node.path} runs on ${MANAGED_INSTANCES}, where lambdaTelemetry is left out (no telemetryapi receiver: its ${types!.join(', ')} Telemetry API records do not reach ClickStack; its spans, metrics and SDK logs do): ${problem}. Acknowledge this warning, or leave the function out of lambdaTelemetry's aspect (a second ClickStackAspect without lambdaTelemetry on its scope)`]],
  };
}

/**
 * Rule, with `lambdaTelemetry`: resource attributes known only at deploy time cannot be written
 * into collector.yaml (the Telemetry API logs go without them), and EXTENSION logs read back the
 * collector's own output (the telemetryapi receiver warns of a loop:
 * open-telemetry/opentelemetry-lambda@faa4ca46 collector/receiver/telemetryapireceiver/receiver.go:228-230).
 */
export function telemetryRule(_fn: lambda.Function, draft: Draft): Finding {
  const types = draft.telemetryApiTypes;
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
