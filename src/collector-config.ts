import { stringify } from 'yaml';

/** What varies between collector configurations. */
export interface CollectorConfigInput {
  /** The OTLP/HTTP endpoint, literal or a `${env:...}` reference. */
  readonly endpoint: string;
  /** The `authorization` header value, literal or a `${...}` reference. */
  readonly authorization?: string;
  /** Telemetry API event types to receive as logs; none: no `telemetryapi` receiver. */
  readonly telemetryApiTypes?: readonly string[];
  /** Collector logs at debug level and a `debug` exporter in every pipeline. */
  readonly debug?: boolean;
  /**
   * Type name of the OTLP/HTTP exporter: `otlp_http` for collectors that have it, `otlphttp`
   * (a deprecated alias there) for older ones and layers of your own (src/layers/language-support.ts).
   * @default 'otlphttp'
   */
  readonly exporterType?: 'otlp_http' | 'otlphttp';
  /**
   * Resource attributes (key, literal value) the `telemetryapi` logs get through the `resource`
   * processor; used only with `telemetryApiTypes`.
   */
  readonly logResourceAttributes?: ReadonlyArray<readonly [string, string]>;
  /**
   * Which processor adds `logResourceAttributes`: `transform` (OTTL, `set(...) where ... == nil`)
   * on collector layers that ship it, `resource` (`action: insert`) on older ones and layers of
   * your own (src/layers/language-support.ts, `transformProcessor`). Same effect: an attribute the
   * record's resource already has is kept.
   * @default 'resource'
   */
  readonly logResourceProcessor?: 'resource' | 'transform';
  /**
   * The function runs on Lambda Managed Instances (a capacity provider): no `decouple` processor.
   * There the collector registers for SHUTDOWN only and gets no INVOKE event
   * (open-telemetry/opentelemetry-lambda@faa4ca46, layer-collector/0.23.0,
   * collector/internal/lifecycle/manager.go:72-77), so `decouple`, which forwards only between
   * FunctionInvoked and FunctionFinished (collector/processor/decoupleprocessor/processor.go:107-119),
   * would hold everything until SHUTDOWN, its 200-item channel (factory.go:50, processor.go:129)
   * blocking the receivers long before. Upstream's own converter leaves it out there
   * (collector/internal/confmap/converter/decoupleafterbatchconverter/converter.go:49-53).
   * `batch` instead: the environment is not frozen between invokes there, so its timer runs.
   * @default false
   */
  readonly managedInstances?: boolean;
}

type Signal = 'traces' | 'metrics' | 'logs';

interface Pipeline {
  readonly receivers: string[];
  readonly processors: string[];
  readonly exporters: string[];
}

/** The collector configuration, typed after the upstream Lambda collector's components. */
interface CollectorConfig {
  readonly receivers: {
    readonly otlp: { readonly protocols: Record<'grpc' | 'http', { readonly endpoint: string }> };
    readonly telemetryapi?: { readonly types: string[] };
  };
  readonly processors: {
    readonly batch?: {};
    readonly decouple?: {};
    readonly resource?: { readonly attributes: Array<{ readonly key: string; readonly value: string; readonly action: 'insert' }> };
    readonly transform?: { readonly log_statements: Array<{ readonly context: 'resource'; readonly statements: string[] }> };
  };
  /** The OTLP/HTTP exporter under `otlp_http` or `otlphttp`, and `debug`. */
  readonly exporters: Record<string, {
    readonly endpoint?: string;
    readonly compression?: 'gzip';
    readonly headers?: { readonly authorization: string };
    readonly verbosity?: 'detailed';
  }>;
  readonly service: {
    readonly telemetry?: { readonly logs: { readonly level: 'debug' } };
    readonly pipelines: Record<Signal, Pipeline>;
  };
}

/** OTLP receiver ports on localhost, where the language layers send. */
export const OTLP_GRPC_ENDPOINT = 'localhost:4317';
export const OTLP_HTTP_ENDPOINT = 'localhost:4318';

/**
 * Build the typed configuration. `decouple` is last in every pipeline (upstream no longer adds
 * it), with no `batch` before it; on Lambda Managed Instances `batch` in its place
 * (`managedInstances`).
 *
 * No `batch` before `decouple`: the lifecycle calls FunctionFinished once it has seen
 * platform.runtimeDone (open-telemetry/opentelemetry-lambda@faa4ca46
 * collector/internal/lifecycle/manager.go:170-179; the same at every catalog release), and from
 * then on `decouple` forwards nothing until the next INVOKE or SHUTDOWN
 * (collector/processor/decoupleprocessor/processor.go:79-119). What the SDK flushes before the
 * handler returns reaches `batch` within the invoke, but `batch` passes it on only when its 200 ms
 * timer fires (go.opentelemetry.io/collector/processor/batchprocessor v0.157.0 factory.go:20),
 * after runtimeDone: so every invoke's spans, metrics and flushed logs left during a later invoke
 * or at SHUTDOWN (measured with the layer's collector built from faa4ca46; docs/runtime-notes.md).
 * Without it, the receiver hands the data to `decouple`'s channel before it answers the SDK, and
 * the forwarder drains the channel before FunctionFinished returns (processor.go:97-100, 111-114):
 * it leaves within the invoke. Upstream's README describes `decouple` alone as the way to export
 * "before the Lambda environment is frozen", and `batch` with it as a trade-off for frequently
 * invoked functions, "at the expense of delaying the export" (collector/README.md:192-208;
 * decoupleprocessor/README.md:14: "up to a maximum of 5 minutes"). The converter that would
 * append `decouple` after a `batch` (decoupleafterbatchconverter) is not wired into the collector
 * at any catalog release (internal/collector/collector.go:80-84 at faa4ca46: the queue converter
 * only), and it appends nothing where there is no `batch`.
 */
export function collectorConfig(input: CollectorConfigInput): CollectorConfig {
  const telemetryApi = input.telemetryApiTypes !== undefined && input.telemetryApiTypes.length > 0;
  const otlpHttp = input.exporterType ?? 'otlphttp';
  const exporters = input.debug ? [otlpHttp, 'debug'] : [otlpHttp];
  // The telemetryapi receiver builds its resource from the Lambda environment only
  // (open-telemetry/opentelemetry-lambda@faa4ca46 collector/receiver/telemetryapireceiver/receiver.go:772-799:
  // service.name, faas.*, cloud region; never OTEL_RESOURCE_ATTRIBUTES). A processor adds the
  // function's identity, only where an attribute is absent, so that the SDK's own logs in the same
  // pipeline keep what they carry; first, so `decouple` stays last. The `resource` processor
  // (`action: insert`; compiled into every collector layer release we know:
  // collector/lambdacomponents/default.go:71 at faa4ca46, :69 at 0.19.0) is deprecated since
  // layer 0.22.0 (collector/README.md:6-8 at faa4ca46) in favour of `transform`, which 0.19.0-0.21.0 lack.
  // The `transform` processor (compiled in since layer-collector/0.22.0: lambda@247d46c7
  // collector/lambdacomponents/default.go:28,73; contrib transformprocessor v0.151.0 in
  // collector/go.mod:149) does the same with OTTL in the `resource` context: set only where the
  // attribute is absent (nil), as `insert` does.
  const attrs = telemetryApi && (input.logResourceAttributes?.length ?? 0) > 0 ? input.logResourceAttributes! : undefined;
  const processorName = input.logResourceProcessor ?? 'resource';
  const logResource = attrs !== undefined && processorName === 'resource'
    ? { attributes: attrs.map(([key, value]) => ({ key, value, action: 'insert' as const })) }
    : undefined;
  const logTransform = attrs !== undefined && processorName === 'transform'
    ? { log_statements: [{ context: 'resource' as const, statements: attrs.map(([key, value]) => `set(attributes[${ottlString(key)}], ${ottlString(value)}) where attributes[${ottlString(key)}] == nil`) }] }
    : undefined;
  const logProcessor = logResource ? ['resource'] : logTransform ? ['transform'] : [];
  const tail = input.managedInstances ? ['batch'] : ['decouple'];
  const pipeline = (signal: Signal): Pipeline => ({
    receivers: signal === 'logs' && telemetryApi ? ['otlp', 'telemetryapi'] : ['otlp'],
    processors: signal === 'logs' ? [...logProcessor, ...tail] : [...tail],
    exporters,
  });
  return {
    receivers: {
      otlp: { protocols: { grpc: { endpoint: OTLP_GRPC_ENDPOINT }, http: { endpoint: OTLP_HTTP_ENDPOINT } } },
      ...(telemetryApi ? { telemetryapi: { types: [...input.telemetryApiTypes!] } } : {}),
    },
    processors: {
      ...(input.managedInstances ? { batch: {} } : { decouple: {} }),
      ...(logResource ? { resource: logResource } : {}),
      ...(logTransform ? { transform: logTransform } : {}),
    },
    exporters: {
      [otlpHttp]: {
        endpoint: input.endpoint,
        compression: 'gzip',
        ...(input.authorization !== undefined ? { headers: { authorization: input.authorization } } : {}),
      },
      ...(input.debug ? { debug: { verbosity: 'detailed' as const } } : {}),
    },
    service: {
      ...(input.debug ? { telemetry: { logs: { level: 'debug' as const } } } : {}),
      pipelines: { traces: pipeline('traces'), metrics: pipeline('metrics'), logs: pipeline('logs') },
    },
  };
}

/** An OTTL string literal: double quotes, with `\` and `"` escaped. */
function ottlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const rendered = new Map<string, string>();

/** Render `collector.yaml`; identical inputs give identical bytes (memoized per process). */
export function renderCollectorConfig(input: CollectorConfigInput): string {
  const key = JSON.stringify([input.endpoint, input.authorization, input.telemetryApiTypes, input.debug ?? false, input.exporterType ?? 'otlphttp', input.logResourceAttributes ?? [], input.managedInstances ?? false, input.logResourceProcessor ?? 'resource']);
  let yaml = rendered.get(key);
  if (yaml === undefined) {
    yaml = '# Generated by cdk-clickstack-lambda. Do not edit.\n' + stringify(collectorConfig(input), { lineWidth: 0, aliasDuplicateObjects: false });
    rendered.set(key, yaml);
  }
  return yaml;
}
