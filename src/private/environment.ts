import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Stack, Token } from './cdk';
import { releaseFor } from './validate';
import { shortHash } from '../config-delivery';
import { LATEST_VERSIONS } from '../layers/catalog';
import { languageSupport, LanguageLayerSupport } from '../layers/language-support';
import { ClickStackOptions, JavaInstrumentation, Propagator, TraceSampler } from '../options';
import { LanguageFamily, RuntimeSupport } from '../runtimes';

/** Environment variables this library sets. */
export const ENV = {
  wrapper: 'AWS_LAMBDA_EXEC_WRAPPER',
  configUri: 'OPENTELEMETRY_COLLECTOR_CONFIG_URI',
  otlpEndpoint: 'OTEL_EXPORTER_OTLP_ENDPOINT',
  otlpProtocol: 'OTEL_EXPORTER_OTLP_PROTOCOL',
  otlpInsecure: 'OTEL_EXPORTER_OTLP_INSECURE',
  serviceName: 'OTEL_SERVICE_NAME',
  propagators: 'OTEL_PROPAGATORS',
  sampler: 'OTEL_TRACES_SAMPLER',
  samplerArg: 'OTEL_TRACES_SAMPLER_ARG',
  resourceAttributes: 'OTEL_RESOURCE_ATTRIBUTES',
  logLevel: 'OTEL_LOG_LEVEL',
  extensionLogLevel: 'OPENTELEMETRY_EXTENSION_LOG_LEVEL',
  javaFastStartup: 'OTEL_JAVA_AGENT_FAST_STARTUP_ENABLED',
  nodeEnabled: 'OTEL_NODE_ENABLED_INSTRUMENTATIONS',
  pythonDisabled: 'OTEL_PYTHON_DISABLED_INSTRUMENTATIONS',
  endpoint: 'CLICKSTACK_OTLP_ENDPOINT',
} as const;

/** The language layers send OTLP/HTTP to the collector extension on localhost. */
export const LOCAL_OTLP_ENDPOINT = 'http://localhost:4318';
export const DEFAULT_SAMPLER = TraceSampler.PARENT_BASED_ALWAYS_ON;
export const DEFAULT_PROPAGATORS = [Propagator.TRACECONTEXT, Propagator.BAGGAGE];

/**
 * Percent-encode a resource attribute value: what the `key=value,...` syntax needs, `%`, `,` and
 * `=` (the OpenTelemetry spec: "The ',' and '=' characters in keys and values MUST be
 * percent-encoded"; open-telemetry/opentelemetry-js@v2.10.0 EnvDetector.ts:60-62), plus what the
 * layer's SDK needs (`also`, from src/layers/language-support.ts). Everything else is passed as it
 * is, so that the Ruby SDK, which does not decode, reads the same text as the others.
 */
export function encodeAttributeValue(value: string, also?: LanguageLayerSupport['attributeEncodeAlso']): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    const encode = ch === '%' || ch === ',' || ch === '='
      || (also === 'plus' && ch === '+')
      || (also === 'non-baggage-octet' && (code < 0x21 || code > 0x7e || ch === '"' || ch === ';' || ch === '\\'));
    out += encode ? [...Buffer.from(ch, 'utf8')].map(b => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('') : ch;
  }
  return out;
}

/** The length the layer's SDK checks against its limit: decoded, or as sent. */
export function attributeLength(value: string, data: LanguageLayerSupport): number {
  return data.attributeLengthEncoded ? encodeAttributeValue(value, data.attributeEncodeAlso).length : value.length;
}

/** What the function's language layer supports: its release's data, or the family's newest release's for a layer of your own (assumed to bundle the same SDK). */
export function supportFor(support: RuntimeSupport, options: ClickStackOptions): LanguageLayerSupport | undefined {
  if (support.kind !== 'language') return undefined;
  const release = releaseFor(support.family, options);
  return languageSupport(support.family, release.version ?? LATEST_VERSIONS[support.family as LanguageFamily]);
}

/**
 * `cdk.construct.path` within the layer's limit: whole, or an 8-character hash of the whole
 * path, `...`, and the longest end of the path that fits.
 */
function shortenPath(path: string, max: number, length: (v: string) => number): string {
  if (length(path) <= max) return path;
  const prefix = `${shortHash(path).slice(0, 8)}...`;
  const chars = [...path];
  let keep = Math.min(chars.length, max - prefix.length);
  while (keep > 0 && length(prefix + chars.slice(chars.length - keep).join('')) > max) keep--;
  return prefix + chars.slice(chars.length - keep).join('');
}

/** One function's resource attributes (values not encoded), and what was shortened. */
export interface ResourceAttributeList {
  readonly attributes: ReadonlyArray<readonly [string, string]>;
  /** Set when cdk.construct.path was shortened to fit the SDK's length limit. */
  readonly shortenedPath?: { readonly from: number; readonly to: number; readonly limit: number };
}

/** The resource attributes of one function, in order. */
export function resourceAttributeList(fn: lambda.Function, options: ClickStackOptions, support?: RuntimeSupport): ResourceAttributeList {
  const attributes: Array<[string, string]> = [];
  if (options.deploymentEnvironment !== undefined) attributes.push(['deployment.environment.name', options.deploymentEnvironment]);
  if (options.serviceVersion !== undefined) attributes.push(['service.version', options.serviceVersion]);
  for (const [k, v] of Object.entries(options.resourceAttributes ?? {}).sort(([a], [b]) => a.localeCompare(b))) attributes.push([k, v]);
  let shortenedPath: ResourceAttributeList['shortenedPath'];
  if (options.includeCdkMetadata) {
    attributes.push(['cdk.stack.name', Stack.of(fn).stackName]);
    // The Node.js SDK drops the whole variable for a value over its limit (language-support.ts).
    const data = support ? supportFor(support, options) : undefined;
    const limit = data?.attributeMaxLength;
    const path = fn.node.path;
    const value = data && limit !== undefined ? shortenPath(path, limit, v => attributeLength(v, data)) : path;
    if (value !== path) shortenedPath = { from: path.length, to: value.length, limit: limit! };
    attributes.push(['cdk.construct.path', value]);
  }
  return { attributes, shortenedPath };
}

/** `OTEL_RESOURCE_ATTRIBUTES` for one function, or undefined when there are none. */
function resourceAttributes(list: ResourceAttributeList, options: ClickStackOptions, support: RuntimeSupport): string | undefined {
  const { attributes } = list;
  if (attributes.length === 0) return undefined;
  const also = supportFor(support, options)?.attributeEncodeAlso;
  // A value known only at deploy time cannot be encoded here: it is passed as it is (docs/options.md:
  // such a value must not contain ',', '=' or '%').
  return attributes.map(([k, v]) => `${k}=${Token.isUnresolved(v) ? v : encodeAttributeValue(v, also)}`).join(',');
}

/**
 * The attributes the `telemetryapi` logs get through the collector's `resource` processor:
 * those with a value known at synth (`$` doubled: a literal `$` for the collector), only when
 * the receiver is on.
 */
export function telemetryLogAttributes(options: ClickStackOptions, list: ResourceAttributeList): Array<[string, string]> | undefined {
  if (!options.lambdaTelemetry?.length) return undefined;
  return list.attributes
    .filter(([, v]) => !Token.isUnresolved(v))
    .map(([k, v]) => [k, v.replace(/\$/g, '$$$$')]);
}

/** The OTEL_* variables for one function (the SDK's settings), before the user's own win. */
export function otelEnvironment(options: ClickStackOptions, support: RuntimeSupport, list: ResourceAttributeList): Record<string, string> {
  const sampler = options.sampler ?? DEFAULT_SAMPLER;
  const env: Record<string, string> = {
    ...(support.kind === 'language' ? {
      [ENV.otlpEndpoint]: LOCAL_OTLP_ENDPOINT,
      // The collector serves OTLP/HTTP on 4318; the Java wrapper's SDK would speak gRPC there
      // (opentelemetry-java@v1.64.0 OtlpConfigUtil.java:45-50 reads otel.exporter.otlp.protocol,
      // default grpc). The Java agent, Python (layer default) and Ruby (configurator.rb:186-198, its
      // only protocol) read the same value; the Node.js layer does not consult it (http/json only).
      [ENV.otlpProtocol]: 'http/protobuf',
    } : {
      // Code that brings its own SDK (.NET, Go, Rust, custom runtimes) gets no endpoint: each
      // SDK's default port then matches the protocol it speaks, gRPC on 4317 and OTLP/HTTP on
      // 4318, both served by the collector (src/private/otlp-ports.ts cites each SDK). Go's
      // exporters default to TLS on those ports; this makes them plaintext, as the collector's
      // receivers are (otlpconfig/envconfig.go WithBool("INSECURE")). Not set when the function
      // names an endpoint of its own (instrument.ts), whose scheme then decides.
      [ENV.otlpInsecure]: 'true',
    }),
    [ENV.propagators]: (options.propagators ?? DEFAULT_PROPAGATORS).map(p => p.name).join(','),
    [ENV.sampler]: sampler.name,
  };
  if (sampler.argument !== undefined) env[ENV.samplerArg] = sampler.argument;
  if (options.serviceName !== undefined) env[ENV.serviceName] = options.serviceName;
  const attributes = resourceAttributes(list, options, support);
  if (attributes !== undefined) env[ENV.resourceAttributes] = attributes;
  if (options.debug) {
    // The extension's own logger: open-telemetry/opentelemetry-lambda@faa4ca46
    // collector/internal/logging/logger.go:24 (every collector release, collector/README.md:186).
    env[ENV.extensionLogLevel] = 'debug';
    // The SDK's debug switch, only where the layer's SDK reads one (OTEL_LOG_LEVEL: Node.js and
    // Ruby; OTEL_JAVAAGENT_DEBUG: the Java agent; none for Python and the Java wrapper).
    Object.assign(env, supportFor(support, options)?.debugVariables ?? {});
  }
  const family = support.kind === 'language' ? support.family : undefined;
  if (family === 'javaagent' && options.javaAgentFastStartup && (options.javaInstrumentation ?? JavaInstrumentation.AGENT) === JavaInstrumentation.AGENT) {
    env[ENV.javaFastStartup] = 'true';
  }
  if (family === 'nodejs' && options.nodejsEnabledInstrumentations) env[ENV.nodeEnabled] = options.nodejsEnabledInstrumentations.join(',');
  if (family === 'python' && options.pythonDisabledInstrumentations) env[ENV.pythonDisabled] = options.pythonDisabledInstrumentations.join(',');
  return env;
}
