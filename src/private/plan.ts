import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Stack, Token } from './cdk';
import { localDirectoryAsset } from './code-asset';
import { currentEnvironment, handlerOf } from './function-state';
import { CheckRule, Draft, FunctionPlan, isRefusal, PlanResult, Refusal } from './plan-model';
import { apiVersionRule } from './rules/api-version';
import { deliveryRule } from './rules/delivery';
import { edgeRule } from './rules/edge';
import { endpointReference, ENV, environmentRule, otelEnvironment } from './rules/environment';
import { earlyLayers, existingRule } from './rules/existing';
import { keyEnvironmentRule, plainHttpKeyRule, secretRegionRule } from './rules/ingestion-key';
import { layerSupportRule } from './rules/layer-support';
import { layersRule } from './rules/layers';
import { managedInstancesRule, onManagedInstances } from './rules/managed-instances';
import { resourceAttributeList, telemetryLogAttributes } from './rules/resource-attributes';
import { collectorOnlyFamily, runtimeRule } from './rules/runtime';
import { runtimeNotesRule } from './rules/runtime-notes';
import { telemetryApiRule, telemetryRule } from './rules/telemetry';
import { Settings } from './settings';
import { findSharedScope } from './shared';
import { CollectorConfigInput, renderCollectorConfig } from '../collector-config';
import { logResourceProcessor, otlpHttpExporterType } from '../layers/language-support';

/** Who plans: the construct or aspect that instruments, as users find it in messages, and which of the two it is. */
export interface PlanContext {
  readonly owner: string;
  /**
   * `construct`: the options name the function, so an option it cannot honour refuses it;
   * `aspect`: options for a whole app, so where only `lambdaTelemetry` cannot work, it is left out
   * with a warning (src/private/rules/telemetry.ts).
   */
  readonly by: 'construct' | 'aspect';
}

/**
 * The checks of a function whose runtime and layers are known, in the order they run: each may
 * refuse the function (the first refusal wins, and nothing is said) or add notes, which are
 * emitted in this order once the function is instrumented. A new rule is a file under rules/
 * and one line here.
 */
const CHECKS: readonly CheckRule[] = [
  layerSupportRule, // options the language layer's SDK cannot honour
  apiVersionRule, // a bundled OpenTelemetry API newer than the layer's
  secretRegionRule, // the key's secret in another region
  plainHttpKeyRule, // the key over plain HTTP
  telemetryRule, // lambdaTelemetry: late attributes, EXTENSION logs
  runtimeNotesRule, // SnapStart, durable functions, upstream losses
  managedInstancesRule, // a collector release that cannot run on Managed Instances
];

/**
 * Plan the instrumentation of one function: read the function and the settings, decide
 * everything, change nothing (it may fill the stack's caches: src/private/shared.ts). The steps,
 * in order: what refuses a function outright, someone else's instrumentation, what its runtime
 * gets, the checks, the collector configuration, idempotence, where the configuration goes, and
 * the environment.
 */
export function planFunction(fn: lambda.Function, settings: Settings, context: PlanContext): PlanResult {
  const path = fn.node.path;
  const refused = (refusal: Refusal): PlanResult => ({ outcome: 'refused', refusal, message: `cannot instrument ${path}: ${refusal.why}` });

  // 1. Functions that can take neither layers nor this key.
  const early = edgeRule(fn) ?? keyEnvironmentRule(fn, settings.ingestionKey);
  if (early) return refused(early);

  // 2. Someone else's instrumentation, on every runtime and architecture alike: judged before
  // any runtime or architecture rule, so that a function that belongs to another vendor is
  // reported as that vendor's (a Datadog-instrumented Ruby function on arm64 is Datadog's, not
  // the Ruby layer's arm64 problem). A function this library instrumented already carries its
  // wrapper and config variable: idempotence judges it (step 6).
  const currentEnv = once(() => currentEnvironment(fn));
  const ownLayers = once(() => earlyLayers(fn));
  const previous = findSharedScope(fn)?.plans.get(fn);
  const existing = previous ? undefined : existingRule(fn, currentEnv(), ownLayers() ?? []);
  if (existing) return refused(existing);

  // 3. What the runtime and architecture get: layers, their ARNs, what their SDK understands.
  const runtime = runtimeRule(fn, settings);
  if (isRefusal(runtime)) return refused(runtime);
  const choice = layersRule(fn, settings, runtime.support, runtime.arch);
  if (isRefusal(choice)) return refused(choice);
  const managedInstances = onManagedInstances(fn);
  const telemetry = telemetryApiRule(fn, settings, choice.collector, managedInstances, context.by);
  if (isRefusal(telemetry)) return refused(telemetry);
  const draft: Draft = {
    settings,
    path,
    support: runtime.support,
    arch: runtime.arch,
    language: choice.language,
    collector: choice.collector,
    layerSupport: choice.layerSupport,
    attributes: resourceAttributeList(fn, settings, choice.layerSupport),
    code: once(() => localDirectoryAsset(fn)),
    managedInstances,
    telemetryApiTypes: telemetry.types,
    environment: currentEnv,
    ownLayers,
  };

  // 4. The checks.
  const infos: string[] = [];
  const warnings: Array<readonly [string, string]> = [...telemetry.warnings];
  const summary: string[] = [];
  for (const check of CHECKS) {
    const found = check(fn, draft);
    if (isRefusal(found)) return refused(found);
    infos.push(...found?.infos ?? []);
    warnings.push(...found?.warnings ?? []);
    summary.push(...found?.summary ?? []);
  }

  // 5. The collector configuration and the variables it needs.
  const key = settings.ingestionKey?._reference();
  const endpoint = endpointReference(settings.endpoint);
  const collectorVersion = choice.collector.version;
  const collector: CollectorConfigInput = {
    endpoint: endpoint.value,
    authorization: key?.headerValue,
    telemetryApiTypes: draft.telemetryApiTypes,
    debug: settings.debug,
    exporterType: otlpHttpExporterType(collectorVersion),
    logResourceAttributes: telemetryLogAttributes(draft.telemetryApiTypes, draft.attributes.attributes),
    logResourceProcessor: logResourceProcessor(collectorVersion),
    managedInstances: draft.managedInstances,
  };
  const configYaml = renderCollectorConfig(collector);
  const otel = otelEnvironment(draft);
  const configEnv = { ...endpoint.environment, ...key?.environment };
  const wrapper = runtime.support.kind === 'language' ? runtime.support.wrapper : undefined;

  // 6. Idempotence: the same effective instrumentation is a no-op, another one an error. Tokens
  // are resolved (a new token for the same value must compare equal); plain strings are not.
  const stack = Stack.of(fn);
  const resolveIfToken = (v: string): unknown => Token.isUnresolved(v) ? stack.resolve(v) : v;
  const fingerprint = JSON.stringify({
    layers: choice.layers.map(l => l.arn !== undefined ? resolveIfToken(l.arn) : l.name),
    config: configYaml,
    env: Object.entries({ ...otel, ...configEnv }).map(([k, v]) => [k, resolveIfToken(v)]),
    wrapper,
    delivery: settings.configDelivery,
  });
  if (previous) {
    if (previous.fingerprint === fingerprint) return { outcome: 'unchanged', owner: previous.owner };
    return refused({ kind: 'conflict', why: `it is already instrumented by ${previous.owner} with other options than ${context.owner}; instrument each function once, or give both the same options` });
  }

  // 7. Where the configuration goes.
  const delivery = deliveryRule(fn, draft, configYaml);
  if (isRefusal(delivery)) return refused(delivery);

  // 8. The environment, within Lambda's budget.
  const ours: Record<string, string> = {
    ...(wrapper !== undefined ? { [ENV.wrapper]: wrapper } : {}),
    [ENV.configUri]: delivery.configUri,
    ...otel,
    ...configEnv,
    ...delivery.environment,
  };
  const environment = environmentRule(draft, ours, delivery.environment);
  if (isRefusal(environment)) return refused(environment);

  const plan: FunctionPlan = {
    outcome: 'instrument',
    path,
    owner: context.owner,
    support: runtime.support,
    collectorOnlyFamily: runtime.support.kind === 'collectorOnly' ? collectorOnlyFamily(fn) : undefined,
    layerSupport: choice.layerSupport,
    layers: choice.layers,
    collectorVersion,
    managedInstances: draft.managedInstances,
    attributes: draft.attributes.attributes,
    collector,
    configYaml,
    delivery,
    code: delivery.kind === 'bundle' ? draft.code() : undefined,
    environment: environment.set,
    kept: environment.kept,
    ingestionKey: settings.ingestionKey,
    notes: { infos, warnings, summary },
    handler: handlerOf(fn),
    fingerprint,
  };
  return plan;
}

/** A getter that computes its value on first use only. */
function once<T>(compute: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value;
  };
}
