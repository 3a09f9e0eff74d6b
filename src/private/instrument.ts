import { Annotations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ARM_64, Lazy, Stack, Token } from './cdk';
import { ENV, LOCAL_OTLP_ENDPOINT, otelEnvironment, resourceAttributeList, telemetryLogAttributes } from './environment';
import { describeOtelLayer, existingInstrumentation, LAMBDA_AT_EDGE, migrationHint, servesLambdaAtEdge } from './existing';
import { checkFunction } from './function-checks';
import { MANAGED_INSTANCES, onManagedInstances } from './managed-instances';
import { releaseFor } from './validate';
import { renderCollectorConfig } from '../collector-config';
import { findSharedScope, planConfigDelivery, sharedScope, shortHash } from '../config-delivery';
import { COLLECTOR_SUPPORT, logResourceProcessor, otlpHttpExporterType } from '../layers/language-support';
import { OtelLayerRelease } from '../layers/releases';
import { CollectorArch, LayerResolutionError, resolveLayerArn } from '../layers/resolve';
import { ClickStackOptions, JavaInstrumentation } from '../options';
import { runtimeSupport } from '../runtimes';

/** Lambda's limits. */
export const MAX_LAYERS = 5;
export const MAX_ENVIRONMENT_BYTES = 4096;

/** Why a function was refused: the aspect warns on some kinds and errors on others. */
export type RefusalKind = 'containerImage' | 'runtime' | 'edge' | 'existing' | 'unsupportedOption' | 'userFile' | 'region' | 'conflict' | 'budget' | 'managedInstances';

/** Refusals the aspect turns into a warning and a skip: the function stays as it was. */
export const SKIPPABLE_REFUSALS: ReadonlySet<RefusalKind> = new Set<RefusalKind>(['containerImage', 'runtime', 'edge', 'existing', 'unsupportedOption', 'userFile', 'managedInstances']);

/** A function that cannot be instrumented, with a message that names it and the fix. */
export class InstrumentationRefused extends Error {
  constructor(public readonly kind: RefusalKind, message: string) {
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
  const refuse = (kind: RefusalKind, why: string) => new InstrumentationRefused(kind, `cannot instrument ${where}: ${why}`);
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
  // set, even one equal to ours; an OpenTelemetry or ADOT layer): never stacked on.
  const userEnv = currentEnvironment(fn);
  const existing = existingInstrumentation(fn, userEnv, support.kind === 'language');
  if (existing) throw refuse('existing', existing);
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
  const toSet = Object.entries(ours).filter(([name]) => !(name.startsWith('OTEL_') && name in userEnv));
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
  fn.node.addValidation({
    validate: () => [
      ...validateFinalState(fn, support.kind === 'language' ? support.wrapper : undefined, ownLayers, layers.length),
      ...validateManagedInstances(fn, managed, collectorRelease.version),
    ],
  });

  checks.annotate();
  if (kept.length > 0) {
    Annotations.of(fn).addInfo(`[@clickstack/cdk:userValueKept] ${where} keeps its own ${kept.join(', ')} instead of the instrumentation's`);
  }
  if (support.kind === 'collectorOnly') {
    Annotations.of(fn).addInfo(`[@clickstack/cdk:collectorOnly] ${fn.runtime.name} has no OpenTelemetry language layer: the collector layer was added, but the code must send telemetry itself over OTLP/HTTP (OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf; the .NET SDK defaults to gRPC) to ${LOCAL_OTLP_ENDPOINT}; ${support.sdkHint}`);
  }
  shared.instrumented.set(fn, { fingerprint, owner });
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

/** Synth-time checks of the final function: wrapper, environment and layer budgets. */
function validateFinalState(fn: lambda.Function, wrapper: string | undefined, ownLayers: string[] | undefined, added: number): string[] {
  const errors: string[] = [];
  const where = fn.node.path;
  const env = currentEnvironment(fn);
  if (wrapper !== undefined && env[ENV.wrapper] !== wrapper) {
    errors.push(`${ENV.wrapper} of ${where} was changed to ${JSON.stringify(env[ENV.wrapper])} after instrumentation; the OpenTelemetry layer needs ${wrapper}`);
  }
  const bytes = envBytes(env);
  if (bytes > MAX_ENVIRONMENT_BYTES) {
    errors.push(`the environment variables of ${where} take ${bytes} bytes, over Lambda's ${MAX_ENVIRONMENT_BYTES}; shorten or remove some of them`);
  }
  if (servesLambdaAtEdge(fn)) {
    errors.push(`${where} is instrumented, but ${LAMBDA_AT_EDGE}; remove it from the instrumentation (the aspect skips such functions by itself)`);
  }
  const own = ((ownLayers === undefined ? undefined : Stack.of(fn).resolve(ownLayers) as unknown[] | undefined) ?? []).map(l => typeof l === 'string' ? l : JSON.stringify(l));
  const otel = own.map(describeOtelLayer).filter((d): d is string => d !== undefined);
  if (otel.length > 0) {
    errors.push(`${where} already has ${otel.join(', ')} besides the instrumentation's: it would run two SDKs and two collectors; ${migrationHint(otel.join(', '))}`);
  }
  if (own.length + added > MAX_LAYERS) {
    errors.push(`Lambda allows ${MAX_LAYERS} layers; ${where} has ${own.length} of its own (${own.join(', ')}) and instrumentation adds ${added}. Remove ${own.length + added - MAX_LAYERS} of its layers`);
  }
  return errors;
}
