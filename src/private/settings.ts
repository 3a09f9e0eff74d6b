import { ConfigDelivery } from '../delivery';
import { IngestionKey } from '../ingestion-key';
import { LayerFamily } from '../layers/catalog';
import { CollectorLayer, JavaAgentLayer, JavaWrapperLayer, NodejsLayer, OtelLayerRelease, PythonLayer, RubyLayer } from '../layers/releases';
import { ClickStackOptions, JavaInstrumentation, Propagator, TraceSampler } from '../options';

/** Defaults the documentation promises (`@default` of ClickStackOptions). */
export const DEFAULT_SAMPLER = TraceSampler.PARENT_BASED_ALWAYS_ON;
export const DEFAULT_PROPAGATORS = [Propagator.TRACECONTEXT, Propagator.BAGGAGE];

/**
 * The options of one `ClickStackInstrumentation` or `ClickStackAspect`, with every default
 * applied: read from `ClickStackOptions` once (src/private/validate.ts, after the options are
 * checked), then only this is read when planning each function.
 */
export interface Settings {
  readonly endpoint: string;
  readonly ingestionKey?: IngestionKey;
  readonly serviceName?: string;
  readonly sampler: TraceSampler;
  /** `OTEL_PROPAGATORS` names, in order. */
  readonly propagators: readonly string[];
  /** The release each layer family gets. */
  readonly releases: Readonly<Record<LayerFamily, OtelLayerRelease>>;
  /** The Java wrapper script, when Java functions get the wrapper layer instead of the agent. */
  readonly javaWrapper?: string;
  /** `OTEL_JAVA_AGENT_FAST_STARTUP_ENABLED` for Java agent functions. */
  readonly javaAgentFastStartup: boolean;
  readonly nodejsEnabledInstrumentations?: readonly string[];
  readonly pythonDisabledInstrumentations?: readonly string[];
  /** Telemetry API event types; undefined when off (never empty). */
  readonly lambdaTelemetry?: readonly string[];
  readonly debug: boolean;
  /** Resource attributes every function gets, in order (values not encoded). */
  readonly attributes: ReadonlyArray<readonly [string, string]>;
  /** Add `cdk.stack.name` and `cdk.construct.path`. */
  readonly includeCdkMetadata: boolean;
  /** `ConfigDelivery` mode: `auto`, `bundle`, `layer` or `environment`. */
  readonly configDelivery: string;
}

/** The settings of options that passed `validateOptions`. */
export function settingsOf(options: ClickStackOptions): Settings {
  const java = options.javaInstrumentation ?? JavaInstrumentation.AGENT;
  const attributes: Array<readonly [string, string]> = [];
  if (options.deploymentEnvironment !== undefined) attributes.push(['deployment.environment.name', options.deploymentEnvironment]);
  if (options.serviceVersion !== undefined) attributes.push(['service.version', options.serviceVersion]);
  for (const [k, v] of Object.entries(options.resourceAttributes ?? {}).sort(([a], [b]) => a.localeCompare(b))) attributes.push([k, v]);
  return {
    endpoint: options.endpoint,
    ingestionKey: options.ingestionKey,
    serviceName: options.serviceName,
    sampler: options.sampler ?? DEFAULT_SAMPLER,
    propagators: (options.propagators ?? DEFAULT_PROPAGATORS).map(p => p.name),
    releases: releasesOf(options),
    javaWrapper: java.kind === 'wrapper' ? java.wrapper : undefined,
    javaAgentFastStartup: (options.javaAgentFastStartup ?? false) && java === JavaInstrumentation.AGENT,
    nodejsEnabledInstrumentations: options.nodejsEnabledInstrumentations,
    pythonDisabledInstrumentations: options.pythonDisabledInstrumentations,
    lambdaTelemetry: options.lambdaTelemetry?.length ? options.lambdaTelemetry : undefined,
    debug: options.debug ?? false,
    attributes,
    includeCdkMetadata: options.includeCdkMetadata ?? false,
    // By name, not identity: the static instances of a second copy of this library are equal too.
    configDelivery: (options.configDelivery ?? ConfigDelivery.AUTO).mode,
  };
}

/** The release of each layer family the options choose. */
export function releasesOf(options: ClickStackOptions): Record<LayerFamily, OtelLayerRelease> {
  return {
    collector: options.collectorLayer ?? CollectorLayer.LATEST,
    nodejs: options.nodejsLayer ?? NodejsLayer.LATEST,
    python: options.pythonLayer ?? PythonLayer.LATEST,
    javaagent: options.javaAgentLayer ?? JavaAgentLayer.LATEST,
    javawrapper: options.javaWrapperLayer ?? JavaWrapperLayer.LATEST,
    ruby: options.rubyLayer ?? RubyLayer.LATEST,
  };
}
