import { Annotations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ARM_64, Lazy, Stack, Token } from './cdk';
import { ENV, otelEnvironment, resourceAttributeList, supportFor, telemetryLogAttributes } from './environment';
import { describeOtelLayer, existingInstrumentation, handlerOf, LAMBDA_AT_EDGE, migrationHint, servesLambdaAtEdge } from './existing';
import { checkFunction, WARNING_IDS } from './function-checks';
import { MANAGED_INSTANCES, onManagedInstances } from './managed-instances';
import { ENDPOINT_VARIABLES, otlpPortMismatches } from './otlp-ports';
import { collectorOnlyFamily, StackReport } from './report';
import { releaseFor } from './validate';
import { describeVendors, findVendors } from './vendors';
import { renderCollectorConfig } from '../collector-config';
import { findSharedScope, planConfigDelivery, sharedScope, shortHash } from '../config-delivery';
import { COLLECTOR_SUPPORT, LanguageLayerSupport, logResourceProcessor, otlpHttpExporterType } from '../layers/language-support';
import { OtelLayerRelease } from '../layers/releases';
import { CollectorArch, LayerResolutionError, resolveLayerArn } from '../layers/resolve';
import { ClickStackOptions, JavaInstrumentation } from '../options';
import { RuntimeSupport, runtimeSupport } from '../runtimes';

/** Lambda's limits. */
export const MAX_LAYERS = 5;
export const MAX_ENVIRONMENT_BYTES = 4096;

/** Why a function was refused: the aspect warns on some kinds and errors on others. */
export type RefusalKind = 'containerImage' | 'runtime' | 'edge' | 'existing' | 'unsupportedOption' | 'userFile' | 'region' | 'conflict' | 'budget' | 'managedInstances';

/** Refusals the aspect turns into a warning and a skip: the function stays as it was. */
export const SKIPPABLE_REFUSALS: ReadonlySet<RefusalKind> = new Set<RefusalKind>(['containerImage', 'runtime', 'edge', 'existing', 'unsupportedOption', 'userFile', 'managedInstances']);

/** A function that cannot be instrumented, with a message that names it and the fix. */
export class InstrumentationRefused extends Error {
  /**
   * @param summary how the aspect's summary names the reason, when more precise than the kind's
   *   (`already instrumented by Datadog`)
   */
  constructor(public readonly kind: RefusalKind, message: string, public readonly summary?: string) {
    super(message);
  }
}

/** The construct path of whatever instrumented `fn`, if this library did. */
export function instrumentedBy(fn: lambda.Function): string | undefined {
  return findSharedScope(fn)?.instrumented.get(fn)?.owner;
}

/** Layer ARNs are reused for every function of a stack: one imported layer construct per ARN, in the stack's `sharedScope`. */
function importedLayer(holder: Construct, release: OtelLayerRelease, arch: CollectorArch, arn: string): lambda.ILayerVersion {
  const hint = release.layerArn !== undefined
    ? `Custom${shortHash(release.layerArn).slice(0, 12)}`
    : `${release._family}${release._family === 'collector' ? arch : ''}${release.version!.replace(/\./g, 'x')}`;
  const id = `Layer${hint}`;
  return holder.node.tryFindChild(id) as lambda.ILayerVersion ?? lambda.LayerVersion.fromLayerVersionArn(holder, id, arn);
}

/** Bytes Lambda counts for environment variables; values known only at deploy time are not counted. */
function envBytes(variables: Record<string, unknown>): number {
  let bytes = 0;
  for (const [k, v] of Object.entries(variables)) {
    bytes += Buffer.byteLength(k);
    if (typeof v === 'string') bytes += Buffer.byteLength(v);
  }
  return bytes;
}

/**
 * The function's current environment variables, resolved. (Its layers are read before synth only
 * where that does not freeze the list, see `canReadLayersEarly`; they are always checked again at
 * synth, in `validateFinalState`.)
 */
function currentEnvironment(fn: lambda.Function): Record<string, unknown> {
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  return (Stack.of(fn).resolve(cfn.environment) as { variables?: Record<string, unknown> } | undefined)?.variables ?? {};
}

/**
 * Append layers to the function without reading its layer list now: the function's own list
 * (including layers added later) is resolved at synth, followed by ours. Lambda's 5-layer
 * budget is checked then, with every layer known. Returns the function's own list, unresolved.
 */
function appendLayers(fn: lambda.Function, layers: lambda.ILayerVersion[]): string[] | undefined {
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  const own = cfn.layers;
  const ours = layers.map(l => l.layerVersionArn);
  const stack = Stack.of(fn);
  cfn.layers = Token.asList(Lazy.uncachedAny({
    // Most functions have no layers of their own: nothing to resolve then.
    produce: () => [...(own === undefined ? [] : stack.resolve(own) as unknown[] | undefined ?? []), ...ours],
  }));
  return own;
}

/**
 * Instrument one function. The single implementation behind `ClickStackInstrumentation` and
 * `ClickStackAspect`; the options must have passed `validateOptions`. Throws
 * `InstrumentationRefused` (naming the function and the fix) for any function that cannot be
 * instrumented, before changing anything.
 */
export function instrumentFunction(fn: lambda.Function, options: ClickStackOptions, owner: string): void {
  const where = fn.node.path;
  const refuse = (kind: RefusalKind, why: string, summary?: string) => new InstrumentationRefused(kind, `cannot instrument ${where}: ${why}`, summary);
  const stack = Stack.of(fn);
  if (servesLambdaAtEdge(fn)) throw refuse('edge', `${LAMBDA_AT_EDGE}; leave it out of the instrumentation`);
  const keyRefusal = options.ingestionKey?._refusal(fn);
  if (keyRefusal) throw refuse('region', keyRefusal);

  // 1. What the runtime and architecture get.
  const arch: CollectorArch = fn.architecture.name === ARM_64 ? 'arm64' : 'amd64';
  const java = options.javaInstrumentation ?? JavaInstrumentation.AGENT;
  const support = runtimeSupport(fn.runtime, fn.architecture.name,
    family => releaseFor(family, options).layerArn !== undefined,
    java.kind === 'wrapper' ? java.wrapper : undefined);
  if (support.kind === 'refused') {
    throw refuse(support.containerImage ? 'containerImage' : 'runtime', support.reason);
  }

  // 2. Layers: language (if any) then collector.
  const releases = support.kind === 'language' ? [releaseFor(support.family, options), releaseFor('collector', options)] : [releaseFor('collector', options)];
  let layerArns: string[];
  try {
    layerArns = releases.map(r => resolveLayerArn(fn, r, arch));
  } catch (e) {
    if (e instanceof LayerResolutionError) throw refuse('region', e.message);
    throw e;
  }
  const attributes = resourceAttributeList(fn, options, support); // computed once, used thrice
  const checks = checkFunction(fn, options, support, attributes); // what the layers support (language-support.ts)
  if (checks.refusal) throw refuse(checks.refusal.kind, checks.refusal.why);
  // Lambda Managed Instances: known now when the function is already on its capacity provider
  // (always so for the aspect, which runs at synth); checked again at synth (validateFinalState).
  const managed = onManagedInstances(fn);
  const collectorRelease = releaseFor('collector', options);
  if (managed) {
    const why = managedInstancesRefusal(collectorRelease.version);
    if (why) throw refuse('managedInstances', why);
  }

  // 3. Collector config and the environment it needs.
  const configEnv: Record<string, string> = {};
  let endpoint = options.endpoint;
  if (Token.isUnresolved(endpoint)) {
    configEnv[ENV.endpoint] = endpoint;
    endpoint = `\${env:${ENV.endpoint}}`;
  } else {
    endpoint = endpoint.replace(/\$/g, '$$$$'); // `$$` is a literal `$` for the collector
  }
  const key = options.ingestionKey;
  const yaml = (authorization?: string) => renderCollectorConfig({
    endpoint,
    authorization,
    telemetryApiTypes: options.lambdaTelemetry,
    debug: options.debug,
    exporterType: otlpHttpExporterType(collectorRelease.version),
    logResourceAttributes: telemetryLogAttributes(options, attributes),
    logResourceProcessor: logResourceProcessor(collectorRelease.version),
    managedInstances: managed,
  });
  const otel = otelEnvironment(options, support, attributes);

  // 4. Idempotence: the same effective instrumentation is a no-op, a different one an error.
  // Tokens are resolved (a new token for the same value must compare equal); plain strings are not.
  const resolveIfToken = (v: string): unknown => Token.isUnresolved(v) ? stack.resolve(v) : v;
  const fingerprint = JSON.stringify({
    layers: layerArns.map(resolveIfToken),
    config: yaml(key ? `key:${key._fingerprint(fn)}` : undefined),
    env: Object.entries({ ...configEnv, ...otel }).map(([k, v]) => [k, resolveIfToken(v)]),
    wrapper: support.kind === 'language' ? support.wrapper : undefined,
    delivery: options.configDelivery?.mode ?? 'auto',
  });
  const shared = sharedScope(fn);
  const previous = shared.instrumented.get(fn);
  if (previous) {
    if (previous.fingerprint === fingerprint) return;
    throw refuse('conflict', `it is already instrumented by ${previous.owner} with other options than ${owner}; instrument each function once, or give both the same options`);
  }

  // 5. Someone else's instrumentation (an exec wrapper or collector config this library did not
  // set, even one equal to ours; another vendor's marks; an OpenTelemetry or ADOT layer): never
  // stacked on, whatever the runtime.
  const userEnv = currentEnvironment(fn);
  const existing = existingInstrumentation(fn, userEnv);
  if (existing) throw refuse('existing', existing.why, existing.vendors ? `already instrumented by ${existing.vendors} (see its warning)` : undefined);
  const delivery = planConfigDelivery(fn, options.configDelivery, refuse);

  // 6. The environment: ours, except where the user set an OTEL_* value already.
  const bound = key?._reference();
  const configYaml = yaml(bound?.headerValue);
  const deliveryEnv = delivery.environment(configYaml);
  Object.assign(configEnv, bound?.environment);
  const ours: Record<string, string> = {
    ...(support.kind === 'language' ? { [ENV.wrapper]: support.wrapper } : {}),
    [ENV.configUri]: delivery.configUri,
    ...otel,
    ...configEnv,
    ...deliveryEnv,
  };
  // OTEL_EXPORTER_OTLP_INSECURE goes with the default endpoints only: beside an endpoint of the
  // user's own it would turn an https:// endpoint to plaintext in Go's exporters.
  const ownEndpoint = ENDPOINT_VARIABLES.some(name => name in userEnv);
  const toSet = Object.entries(ours).filter(([name]) => !(name.startsWith('OTEL_') && name in userEnv) && !(ownEndpoint && name === ENV.otlpInsecure));
  const kept = Object.keys(ours).filter(name => name.startsWith('OTEL_') && name in userEnv && userEnv[name] !== ours[name]);
  const bytes = envBytes({ ...userEnv, ...Object.fromEntries(toSet) });
  if (bytes > MAX_ENVIRONMENT_BYTES) {
    const config = Object.keys(deliveryEnv).length > 0 ? ` (the collector configuration in ${Object.keys(deliveryEnv).join(', ')} takes ${envBytes(deliveryEnv)} of them: configDelivery ConfigDelivery.BUNDLE or LAYER puts it elsewhere)` : '';
    throw refuse('budget', `its environment variables would take ${bytes} bytes with instrumentation, over Lambda's ${MAX_ENVIRONMENT_BYTES}${config}; shorten or remove some of its variables`);
  }

  // 7. Apply: nothing above changed the function.
  key?._grant(fn);
  const layers = releases.map((r, i) => importedLayer(shared, r, arch, layerArns[i]));
  const configLayer = delivery.apply(configYaml);
  if (configLayer) layers.push(configLayer);
  const ownLayers = appendLayers(fn, layers);
  // removeInEdge: should the function turn out to serve as Lambda@Edge (a distribution defined
  // after instrumentation), aws-cdk-lib drops these instead of failing in prepare, and our
  // synth-time validation names the problem.
  for (const [name, value] of toSet) fn.addEnvironment(name, value, { removeInEdge: true });
  const handler = handlerOf(fn);
  fn.node.addValidation({
    validate: () => {
      warnOtlpPortMismatch(fn, support, supportFor(support, options));
      return [
        ...validateFinalState(fn, support.kind === 'language' ? support.wrapper : undefined, ownLayers, layers.length, handler),
        ...validateManagedInstances(fn, managed, collectorRelease.version),
      ];
    },
  });

  checks.annotate();
  if (kept.length > 0) {
    Annotations.of(fn).addInfo(`[@clickstack/cdk:userValueKept] ${where} keeps its own ${kept.join(', ')} instead of the instrumentation's`);
  }
  // What the code of a collector-only function must do is said once per stack, in its summary.
  if (support.kind === 'collectorOnly') StackReport.of(stack).collectorOnly.set(fn, collectorOnlyFamily(fn));
  shared.instrumented.set(fn, { fingerprint, owner });
}

const portChecked = new WeakSet<lambda.Function>();

/**
 * At synth, on the final environment (a variable may be added after instrumentation): a warning
 * when the function's SDK would speak one protocol to the port of the other (otlp-ports.ts).
 */
function warnOtlpPortMismatch(fn: lambda.Function, support: RuntimeSupport, data: LanguageLayerSupport | undefined): void {
  if (portChecked.has(fn)) return;
  portChecked.add(fn);
  const env = Object.fromEntries(Object.entries(currentEnvironment(fn)).filter((e): e is [string, string] => typeof e[1] === 'string'));
  for (const mismatch of otlpPortMismatches(env, support, fn.runtime.name, data)) {
    Annotations.of(fn).addWarningV2(WARNING_IDS.otlpPortMismatch, `${fn.node.path} sends nothing the collector accepts: ${mismatch}; set OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_PROTOCOL to a matching pair, or remove both to use the SDK's defaults`);
  }
}

/**
 * Why the collector layer release cannot run on Lambda Managed Instances, if it cannot
 * (src/layers/language-support.ts, `managedInstances`); nothing for a layer of your own.
 */
function managedInstancesRefusal(collectorVersion: string | undefined): string | undefined {
  if (collectorVersion === undefined || COLLECTOR_SUPPORT[collectorVersion]?.managedInstances !== false) return undefined;
  return `it runs on ${MANAGED_INSTANCES}, but the collector layer ${collectorVersion} predates Managed Instances support (opentelemetry-lambda#2083, first in 0.20.0): its extension registers for INVOKE events, which Managed Instances reject, and the collector stops at start; use CollectorLayer.LATEST (or V0_20_0 or later)`;
}

/**
 * Synth-time check that the collector config matches where the function runs: whether it is on
 * Lambda Managed Instances is decided when it is instrumented; a function put on a capacity
 * provider after that (`capacityProvider.addFunction(fn)` after `ClickStackInstrumentation`)
 * has a config with `decouple`, which holds its telemetry until shutdown there.
 */
function validateManagedInstances(fn: lambda.Function, decided: boolean, collectorVersion: string | undefined): string[] {
  const now = onManagedInstances(fn);
  if (now === decided) return [];
  const where = fn.node.path;
  if (!now) return [`${where} was instrumented for ${MANAGED_INSTANCES}, but it no longer has a capacity provider configuration; instrument it after its configuration is final`];
  const layer = managedInstancesRefusal(collectorVersion);
  if (layer) return [`cannot instrument ${where}: ${layer}`];
  return [`${where} was put on a capacity provider (${MANAGED_INSTANCES}) after it was instrumented, so its collector configuration has the decouple processor, which on Managed Instances holds every span, metric and log until the environment shuts down; call capacityProvider.addFunction(fn) before instrumenting it, or instrument it with ClickStackAspect (which runs at synth)`];
}

/**
 * Synth-time checks of the final function: wrapper, environment and layer budgets, and someone
 * else's instrumentation added after ours (a vendor whose extension binds the collector's ports
 * included: never accepted).
 */
function validateFinalState(
  fn: lambda.Function, wrapper: string | undefined, ownLayers: string[] | undefined, added: number, handlerAtInstrumentation: unknown,
): string[] {
  const errors: string[] = [];
  const where = fn.node.path;
  const env = currentEnvironment(fn);
  if (wrapper !== undefined && env[ENV.wrapper] !== wrapper) {
    errors.push(`${ENV.wrapper} of ${where} was changed to ${JSON.stringify(env[ENV.wrapper])} after instrumentation; the OpenTelemetry layer needs ${wrapper}`);
  }
  if (wrapper === undefined && env[ENV.wrapper] !== undefined) {
    errors.push(`${ENV.wrapper} of ${where} was set to ${JSON.stringify(env[ENV.wrapper])} after instrumentation: someone else's instrumentation would run beside the collector; remove it, or leave the function out of the instrumentation`);
  }
  const bytes = envBytes(env);
  if (bytes > MAX_ENVIRONMENT_BYTES) {
    errors.push(`the environment variables of ${where} take ${bytes} bytes, over Lambda's ${MAX_ENVIRONMENT_BYTES}; shorten or remove some of them`);
  }
  if (servesLambdaAtEdge(fn)) {
    errors.push(`${where} is instrumented, but ${LAMBDA_AT_EDGE}; remove it from the instrumentation (the aspect skips such functions by itself)`);
  }
  const own = ((ownLayers === undefined ? undefined : Stack.of(fn).resolve(ownLayers) as unknown[] | undefined) ?? []).map(l => typeof l === 'string' ? l : JSON.stringify(l));
  const handler = handlerOf(fn);
  const vendors = findVendors(env, handler === handlerAtInstrumentation ? undefined : handler, own);
  if (vendors.length > 0) {
    errors.push(`${where} got someone else's instrumentation after ClickStack's: ${describeVendors(vendors)}`);
  }
  const otel = own.filter(l => !vendors.some(v => v.layers.includes(l))).map(describeOtelLayer).filter((d): d is string => d !== undefined);
  if (otel.length > 0) {
    errors.push(`${where} already has ${otel.join(', ')} besides the instrumentation's: it would run two SDKs and two collectors; ${migrationHint(otel.join(', '))}`);
  }
  if (own.length + added > MAX_LAYERS) {
    errors.push(`Lambda allows ${MAX_LAYERS} layers; ${where} has ${own.length} of its own (${own.join(', ')}) and instrumentation adds ${added}. Remove ${own.length + added - MAX_LAYERS} of its layers`);
  }
  return errors;
}
