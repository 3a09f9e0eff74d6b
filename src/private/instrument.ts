import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { renderCollectorConfig } from '../collector-config';
import { planConfigDelivery, sharedScope, shortHash } from '../config-delivery';
import { LAYER_CATALOG, OTEL_LAYER_ACCOUNT } from '../layers/catalog';
import { CollectorLayer, JavaAgentLayer, NodejsLayer, OtelLayerRelease, PythonLayer, RubyLayer } from '../layers/releases';
import { CollectorArch, LayerResolutionError, resolveLayerArn } from '../layers/resolve';
import { ClickStackOptions, Propagator, TraceSampler } from '../options';
import { LanguageFamily, layerClassOf, runtimeSupport } from '../runtimes';

/** Lambda's limits. */
export const MAX_LAYERS = 5;
export const MAX_ENVIRONMENT_BYTES = 4096;

/** Environment variables this library sets. */
export const ENV = {
  wrapper: 'AWS_LAMBDA_EXEC_WRAPPER',
  configUri: 'OPENTELEMETRY_COLLECTOR_CONFIG_URI',
  otlpEndpoint: 'OTEL_EXPORTER_OTLP_ENDPOINT',
  serviceName: 'OTEL_SERVICE_NAME',
  propagators: 'OTEL_PROPAGATORS',
  sampler: 'OTEL_TRACES_SAMPLER',
  samplerArg: 'OTEL_TRACES_SAMPLER_ARG',
  endpoint: 'CLICKSTACK_OTLP_ENDPOINT',
} as const;

/** The language layers send OTLP/HTTP to the collector extension on localhost. */
export const LOCAL_OTLP_ENDPOINT = 'http://localhost:4318';
export const DEFAULT_SAMPLER = TraceSampler.PARENT_BASED_ALWAYS_ON;
export const DEFAULT_PROPAGATORS = [Propagator.TRACECONTEXT, Propagator.BAGGAGE];

const MARKER_ID = 'ClickStackInstrumented';

/** Why a function was refused: the aspect warns on some kinds and errors on others. */
export type RefusalKind = 'containerImage' | 'runtime' | 'region' | 'conflict' | 'budget';

/** A function that cannot be instrumented, with a message that names it and the fix. */
export class InstrumentationRefused extends Error {
  constructor(public readonly kind: RefusalKind, message: string) {
    super(message);
  }
}

/** The outcome for one function. */
export interface InstrumentationOutcome {
  /** `instrumented` now, or `unchanged` because the same instrumentation was already applied. */
  readonly status: 'instrumented' | 'unchanged';
  /** `language` (layer + wrapper + collector) or `collectorOnly`. */
  readonly mode: 'language' | 'collectorOnly';
  /** Layer ARNs added (resolved for display). */
  readonly layers: string[];
  /** Where the collector config lives: `bundle` or `layer`. */
  readonly configDelivery: 'bundle' | 'layer';
  /** Construct path of whatever instrumented the function first. */
  readonly owner: string;
}

/** Marks an instrumented function, with what was applied, for idempotence. */
class InstrumentationMarker extends Construct {
  constructor(scope: Construct, id: string, public readonly fingerprint: string, public readonly outcome: InstrumentationOutcome) {
    super(scope, id);
  }
}

/** The outcome recorded on a function instrumented by this library, if any. */
export function instrumentationOf(fn: lambda.Function): InstrumentationOutcome | undefined {
  const marker = fn.node.tryFindChild(MARKER_ID);
  return marker instanceof InstrumentationMarker ? marker.outcome : undefined;
}

/** Checks of the options that do not depend on a function. Throws with the fix. */
export function validateOptions(options: ClickStackOptions, owner: string): void {
  const endpoint = options.endpoint;
  if (endpoint === undefined || endpoint === null || (!Token.isUnresolved(endpoint) && `${endpoint}`.trim() === '')) {
    throw new Error(`${owner}: endpoint is required, such as https://otel.example.com:4318`);
  }
  if (Token.isUnresolved(endpoint)) return;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`${owner}: endpoint '${endpoint}' is not a URL; give the ClickStack OTLP/HTTP endpoint, such as https://otel.example.com:4318`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`${owner}: endpoint '${endpoint}' must use https:// or http://, not ${url.protocol}// (the collector exports OTLP over HTTP)`);
  }
  if (url.username || url.password) {
    throw new Error(`${owner}: endpoint must not contain credentials, they would be stored in plain text; pass the key with ingestionKey: IngestionKey.fromSecret(...)`);
  }
  if (url.search || url.hash) {
    throw new Error(`${owner}: endpoint '${endpoint}' must not have a query or fragment; the collector appends /v1/traces, /v1/metrics and /v1/logs to it`);
  }
  if (/\/v1\/(traces|metrics|logs)\/?$/.test(url.pathname)) {
    throw new Error(`${owner}: endpoint '${endpoint}' ends in a signal path; give the base URL (the collector appends /v1/traces, /v1/metrics and /v1/logs)`);
  }
}

function releaseFor(family: LanguageFamily | 'collector', options: ClickStackOptions): OtelLayerRelease {
  switch (family) {
    case 'collector': return options.collectorLayer ?? CollectorLayer.LATEST;
    case 'nodejs': return options.nodejsLayer ?? NodejsLayer.LATEST;
    case 'python': return options.pythonLayer ?? PythonLayer.LATEST;
    case 'javaagent': return options.javaAgentLayer ?? JavaAgentLayer.LATEST;
    case 'ruby': return options.rubyLayer ?? RubyLayer.LATEST;
  }
}

function checkRelease(release: OtelLayerRelease, expected: string, owner: string): void {
  if (release._family !== expected) {
    throw new Error(`${owner}: got a ${release._family} layer release where a ${layerClassOf(expected as any)} is expected`);
  }
  if (release.layerArn === undefined && LAYER_CATALOG[release._family][release.version!] === undefined) {
    throw new Error(`${owner}: unknown ${release._family} layer version ${release.version}`);
  }
}

/** Checks of the layer releases in the options. */
export function validateReleases(options: ClickStackOptions, owner: string): void {
  for (const family of ['collector', 'nodejs', 'python', 'javaagent', 'ruby'] as const) {
    checkRelease(releaseFor(family, options), family, owner);
  }
}

/** Layer ARNs are reused for every function of a stack: one imported layer construct per ARN. */
function importedLayer(scope: Construct, arn: string, idHint: string): lambda.ILayerVersion {
  const holder = sharedScope(scope);
  const id = `Layer${idHint}`;
  return holder.node.tryFindChild(id) as lambda.ILayerVersion ?? lambda.LayerVersion.fromLayerVersionArn(holder, id, arn);
}

function layerIdHint(release: OtelLayerRelease, arch: CollectorArch): string {
  if (release.layerArn !== undefined) {
    return `Custom${shortHash(release.layerArn).slice(0, 12)}`;
  }
  return `${release._family}${release._family === 'collector' ? arch : ''}${release.version!.replace(/\./g, 'x')}`;
}

function envBytes(variables: Record<string, unknown>): number {
  let bytes = 0;
  for (const [k, v] of Object.entries(variables)) {
    bytes += Buffer.byteLength(k);
    // Values known only at deploy time are not counted.
    if (typeof v === 'string') bytes += Buffer.byteLength(v);
  }
  return bytes;
}

/** The function's current environment variables and layers, resolved. */
function currentState(fn: lambda.Function): { env: Record<string, unknown>; layers: unknown[] } {
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  const stack = Stack.of(fn);
  const env = (stack.resolve(cfn.environment) as { variables?: Record<string, unknown> } | undefined)?.variables ?? {};
  const layers = (stack.resolve(cfn.layers) as unknown[] | undefined) ?? [];
  return { env, layers };
}

function isOtelLayer(layer: unknown): boolean {
  const text = typeof layer === 'string' ? layer : JSON.stringify(layer);
  return text.includes(`:${OTEL_LAYER_ACCOUNT}:layer:opentelemetry-`) || text.includes('ClickStackLayerArns');
}

/**
 * Instrument one function. The single implementation behind `ClickStackInstrumentation` and
 * `ClickStackAspect`. Throws `InstrumentationRefused` (naming the function and the fix) for
 * any function that cannot be instrumented, before changing anything.
 */
export function instrumentFunction(fn: lambda.Function, options: ClickStackOptions, owner: string): InstrumentationOutcome {
  const where = fn.node.path;
  const refuse = (kind: RefusalKind, why: string) => new InstrumentationRefused(kind, `cannot instrument ${where}: ${why}`);

  // 1. What the runtime and architecture get.
  const arch: CollectorArch = fn.architecture.name === lambda.Architecture.ARM_64.name ? 'arm64' : 'amd64';
  const support = runtimeSupport(fn.runtime, fn.architecture.name, family => releaseFor(family, options).layerArn !== undefined);
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

  // 3. Collector config and the environment it needs.
  const configEnv: Record<string, string> = {};
  let endpoint = options.endpoint;
  if (Token.isUnresolved(endpoint)) {
    configEnv[ENV.endpoint] = endpoint;
    endpoint = `\${env:${ENV.endpoint}}`;
  } else {
    endpoint = endpoint.replace(/\$/g, '$$$$');
  }
  const key = options.ingestionKey;
  const stack = Stack.of(fn);
  const yaml = (authorization?: string) => renderCollectorConfig({ endpoint, authorization });

  // 4. Idempotence: the same effective instrumentation is a no-op, a different one an error.
  const fingerprint = JSON.stringify({
    layers: stack.resolve(layerArns),
    config: yaml(key ? `key:${key._fingerprint(fn)}` : undefined),
    env: stack.resolve(configEnv),
    serviceName: options.serviceName,
    sampler: [options.sampler?.name, options.sampler?.argument],
    propagators: options.propagators?.map(p => p.name),
  });
  const previous = fn.node.tryFindChild(MARKER_ID);
  if (previous instanceof InstrumentationMarker) {
    if (previous.fingerprint === fingerprint) return { ...previous.outcome, status: 'unchanged' };
    throw refuse('conflict', `it is already instrumented by ${previous.outcome.owner} with other options than ${owner}; instrument each function once, or give both the same options`);
  }

  // 5. Conflicts with what the function already has.
  const state = currentState(fn);
  const userWrapper = state.env[ENV.wrapper];
  if (support.kind === 'language' && userWrapper !== undefined && userWrapper !== support.wrapper) {
    throw refuse('conflict', `it already sets ${ENV.wrapper}=${JSON.stringify(userWrapper)}, but the OpenTelemetry ${support.family} layer needs ${support.wrapper}; remove your wrapper, or chain it from a wrapper of your own that ends by running ${support.wrapper}`);
  }
  const existingOtel = state.layers.filter(isOtelLayer);
  if (existingOtel.length > 0) {
    throw refuse('conflict', `it already has an OpenTelemetry layer (${existingOtel.map(l => JSON.stringify(l)).join(', ')}); remove it and let the instrumentation add the right one`);
  }
  const delivery = planConfigDelivery(fn);
  const added = layerArns.length + (delivery.kind === 'layer' ? 1 : 0);
  if (state.layers.length + added > MAX_LAYERS) {
    throw refuse('budget', `Lambda allows ${MAX_LAYERS} layers and it already has ${state.layers.length} (${state.layers.map(l => JSON.stringify(l)).join(', ')}); instrumentation adds ${added}. Remove ${state.layers.length + added - MAX_LAYERS} of its layers`);
  }

  // 6. The environment: ours, except where the user set an OTEL_* value already.
  const bound = key?._bind(fn);
  if (bound) {
    Object.assign(configEnv, bound.environment);
  }
  const ours: Record<string, string> = {
    ...(support.kind === 'language' ? { [ENV.wrapper]: support.wrapper } : {}),
    [ENV.configUri]: delivery.configUri,
    [ENV.otlpEndpoint]: LOCAL_OTLP_ENDPOINT,
    [ENV.propagators]: (options.propagators ?? DEFAULT_PROPAGATORS).map(p => p.name).join(','),
    [ENV.sampler]: (options.sampler ?? DEFAULT_SAMPLER).name,
    ...((options.sampler ?? DEFAULT_SAMPLER).argument !== undefined ? { [ENV.samplerArg]: (options.sampler ?? DEFAULT_SAMPLER).argument! } : {}),
    ...(options.serviceName !== undefined ? { [ENV.serviceName]: options.serviceName } : {}),
    ...configEnv,
  };
  const toSet = Object.entries(ours).filter(([name]) => !(name.startsWith('OTEL_') && name in state.env));
  const finalEnv = { ...state.env, ...Object.fromEntries(toSet) };
  const bytes = envBytes(finalEnv);
  if (bytes > MAX_ENVIRONMENT_BYTES) {
    throw refuse('budget', `its environment variables would take ${bytes} bytes with instrumentation, over Lambda's ${MAX_ENVIRONMENT_BYTES}; shorten or remove some of its variables`);
  }

  // 7. Apply: nothing above changed the function.
  const layers = releases.map((r, i) => importedLayer(fn, layerArns[i], layerIdHint(r, arch)));
  const configLayer = delivery.apply(yaml(bound?.headerValue));
  if (configLayer) layers.push(configLayer);
  fn.addLayers(...layers);
  for (const [name, value] of toSet) fn.addEnvironment(name, value);
  fn.node.addValidation({ validate: () => validateFinalState(fn, support.kind === 'language' ? support.wrapper : undefined) });

  if (support.kind === 'collectorOnly') {
    Annotations.of(fn).addInfo(`[@clickstack/cdk:collectorOnly] ${fn.runtime.name} has no OpenTelemetry language layer: the collector layer was added, but the code must send telemetry itself to ${LOCAL_OTLP_ENDPOINT}; ${support.sdkHint}`);
  }
  const outcome: InstrumentationOutcome = {
    status: 'instrumented',
    mode: support.kind,
    layers: layerArns.map(a => Token.isUnresolved(a) ? JSON.stringify(stack.resolve(a)) : a),
    configDelivery: delivery.kind,
    owner,
  };
  new InstrumentationMarker(fn, MARKER_ID, fingerprint, outcome);
  return outcome;
}

/** Synth-time checks of what other code did to the function after instrumentation. */
function validateFinalState(fn: lambda.Function, wrapper: string | undefined): string[] {
  const errors: string[] = [];
  const { env } = currentState(fn);
  if (wrapper !== undefined && env[ENV.wrapper] !== wrapper) {
    errors.push(`${ENV.wrapper} of ${fn.node.path} was changed to ${JSON.stringify(env[ENV.wrapper])} after instrumentation; the OpenTelemetry layer needs ${wrapper}`);
  }
  const bytes = envBytes(env);
  if (bytes > MAX_ENVIRONMENT_BYTES) {
    errors.push(`the environment variables of ${fn.node.path} take ${bytes} bytes, over Lambda's ${MAX_ENVIRONMENT_BYTES}; shorten or remove some of them`);
  }
  return errors;
}
