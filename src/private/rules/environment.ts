import { LayerSwitch } from '../../layers/language-support';
import { Token } from '../cdk';
import { Draft, Refusal } from '../plan-model';
import { ENDPOINT_VARIABLES } from './otlp-ports';
import { resourceAttributesValue } from './resource-attributes';

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

/** Lambda's limits. */
export const MAX_LAYERS = 5;
export const MAX_ENVIRONMENT_BYTES = 4096;

/** The OTEL_* variables for one function (the SDK's settings), before the user's own win. */
export function otelEnvironment(draft: Draft): Record<string, string> {
  const { settings, support } = draft;
  const sampler = settings.sampler;
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
      // 4318, both served by the collector (src/private/rules/otlp-ports.ts cites each SDK). Go's
      // exporters default to TLS on those ports; this makes them plaintext, as the collector's
      // receivers are (otlpconfig/envconfig.go WithBool("INSECURE")). Not set when the function
      // names an endpoint of its own (environmentRule), whose scheme then decides.
      [ENV.otlpInsecure]: 'true',
    }),
    [ENV.propagators]: settings.propagators.join(','),
    [ENV.sampler]: sampler.name,
  };
  if (sampler.argument !== undefined) env[ENV.samplerArg] = sampler.argument;
  if (settings.serviceName !== undefined) env[ENV.serviceName] = settings.serviceName;
  const attributes = resourceAttributesValue(draft.attributes.attributes, draft.layerSupport);
  if (attributes !== undefined) env[ENV.resourceAttributes] = attributes;
  if (settings.debug) {
    // The extension's own logger: open-telemetry/opentelemetry-lambda@faa4ca46
    // collector/internal/logging/logger.go:24 (every collector release, collector/README.md:186).
    env[ENV.extensionLogLevel] = 'debug';
    // The SDK's debug switch, only where the layer's SDK reads one (OTEL_LOG_LEVEL: Node.js and
    // Ruby; OTEL_JAVAAGENT_DEBUG: the Java agent; none for Python and the Java wrapper).
    Object.assign(env, draft.layerSupport?.debugVariables ?? {});
  }
  // What the layer leaves off and the library turns on (src/layers/language-support.ts,
  // `switches`: Python's logs, the Java agent's Lambda resource), unless the function configures it.
  for (const s of draft.layerSupport?.switches ?? []) {
    if (!configuresItself(s, draft.environment())) Object.assign(env, s.variables);
  }
  const family = support.kind === 'language' ? support.family : undefined;
  if (family === 'javaagent' && settings.javaAgentFastStartup) env[ENV.javaFastStartup] = 'true';
  if (family === 'nodejs' && settings.nodejsEnabledInstrumentations) env[ENV.nodeEnabled] = settings.nodejsEnabledInstrumentations.join(',');
  if (family === 'python' && settings.pythonDisabledInstrumentations) env[ENV.pythonDisabled] = settings.pythonDisabledInstrumentations.join(',');
  return env;
}

/**
 * The function sets one of the switch's variables (or of those that mean it configures the same
 * thing), or names one of its system properties in `JAVA_TOOL_OPTIONS`.
 */
export function configuresItself(s: LayerSwitch, userEnv: Readonly<Record<string, unknown>>): boolean {
  if ([...Object.keys(s.variables), ...s.unless ?? []].some(name => name in userEnv)) return true;
  const javaOptions = userEnv.JAVA_TOOL_OPTIONS;
  return typeof javaOptions === 'string' && (s.unlessSystemProperties ?? []).some(p => javaOptions.includes(`-D${p}=`));
}

/** What the function's environment gets: the variables to set, in order, and the user's own values kept. */
export interface EnvironmentChoice {
  readonly set: ReadonlyArray<readonly [string, string]>;
  readonly kept: readonly string[];
}

/**
 * Rule: our variables, except where the user set an `OTEL_*` value already, within Lambda's 4 KB
 * of environment variables (refused with the byte count otherwise). `delivery` are the variables
 * of the configuration's delivery, named in the refusal.
 */
export function environmentRule(
  draft: Draft, ours: Readonly<Record<string, string>>, delivery: Readonly<Record<string, string>>,
): EnvironmentChoice | Refusal {
  const userEnv = draft.environment();
  // OTEL_EXPORTER_OTLP_INSECURE goes with the default endpoints only: beside an endpoint of the
  // user's own it would turn an https:// endpoint to plaintext in Go's exporters.
  const ownEndpoint = ENDPOINT_VARIABLES.some(name => name in userEnv);
  const set = Object.entries(ours).filter(([name]) => !(name.startsWith('OTEL_') && name in userEnv) && !(ownEndpoint && name === ENV.otlpInsecure));
  const kept = Object.keys(ours).filter(name => name.startsWith('OTEL_') && name in userEnv && userEnv[name] !== ours[name]);
  const bytes = envBytes({ ...userEnv, ...Object.fromEntries(set) });
  if (bytes > MAX_ENVIRONMENT_BYTES) {
    const config = Object.keys(delivery).length > 0 ? ` (the collector configuration in ${Object.keys(delivery).join(', ')} takes ${envBytes(delivery)} of them: configDelivery ConfigDelivery.BUNDLE or LAYER puts it elsewhere)` : '';
    return { kind: 'budget', why: `its environment variables would take ${bytes} bytes with instrumentation, over Lambda's ${MAX_ENVIRONMENT_BYTES}${config}; shorten or remove some of its variables` };
  }
  return { set, kept };
}

/** Bytes Lambda counts for environment variables; values known only at deploy time are not counted. */
export function envBytes(variables: Readonly<Record<string, unknown>>): number {
  let bytes = 0;
  for (const [k, v] of Object.entries(variables)) {
    bytes += Buffer.byteLength(k);
    if (typeof v === 'string') bytes += Buffer.byteLength(v);
  }
  return bytes;
}

/** The collector's endpoint in collector.yaml, and the variable that carries it when it is a token. */
export function endpointReference(endpoint: string): { readonly value: string; readonly environment: Record<string, string> } {
  if (Token.isUnresolved(endpoint)) return { value: `\${env:${ENV.endpoint}}`, environment: { [ENV.endpoint]: endpoint } };
  return { value: endpoint.replace(/\$/g, '$$$$'), environment: {} }; // `$$` is a literal `$` for the collector
}
