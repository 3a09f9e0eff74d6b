import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Stack, Token } from './cdk';
import { ClickStackOptions, JavaInstrumentation, Propagator, TraceSampler } from '../options';
import { RuntimeSupport } from '../runtimes';

/** Environment variables this library sets. */
export const ENV = {
  wrapper: 'AWS_LAMBDA_EXEC_WRAPPER',
  configUri: 'OPENTELEMETRY_COLLECTOR_CONFIG_URI',
  otlpEndpoint: 'OTEL_EXPORTER_OTLP_ENDPOINT',
  serviceName: 'OTEL_SERVICE_NAME',
  propagators: 'OTEL_PROPAGATORS',
  sampler: 'OTEL_TRACES_SAMPLER',
  samplerArg: 'OTEL_TRACES_SAMPLER_ARG',
  resourceAttributes: 'OTEL_RESOURCE_ATTRIBUTES',
  logLevel: 'OTEL_LOG_LEVEL',
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
 * Percent-encode a resource attribute value as the OpenTelemetry SDKs decode it: everything
 * but unreserved characters, so `,`, `=`, `%`, spaces and non-ASCII survive.
 */
export function encodeAttributeValue(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `OTEL_RESOURCE_ATTRIBUTES` for one function, or undefined when there are none. */
export function resourceAttributes(fn: lambda.Function, options: ClickStackOptions): string | undefined {
  const attributes: Array<[string, string]> = [];
  if (options.deploymentEnvironment !== undefined) attributes.push(['deployment.environment.name', options.deploymentEnvironment]);
  if (options.serviceVersion !== undefined) attributes.push(['service.version', options.serviceVersion]);
  for (const [k, v] of Object.entries(options.resourceAttributes ?? {}).sort(([a], [b]) => a.localeCompare(b))) attributes.push([k, v]);
  if (options.includeCdkMetadata) {
    attributes.push(['cdk.stack.name', Stack.of(fn).stackName]);
    attributes.push(['cdk.construct.path', fn.node.path]);
  }
  if (attributes.length === 0) return undefined;
  // A value known only at deploy time cannot be encoded here: it is passed as it is.
  return attributes.map(([k, v]) => `${k}=${Token.isUnresolved(v) ? v : encodeAttributeValue(v)}`).join(',');
}

/** The OTEL_* variables for one function (the SDK's settings), before the user's own win. */
export function otelEnvironment(fn: lambda.Function, options: ClickStackOptions, support: RuntimeSupport): Record<string, string> {
  const sampler = options.sampler ?? DEFAULT_SAMPLER;
  const env: Record<string, string> = {
    [ENV.otlpEndpoint]: LOCAL_OTLP_ENDPOINT,
    [ENV.propagators]: (options.propagators ?? DEFAULT_PROPAGATORS).map(p => p.name).join(','),
    [ENV.sampler]: sampler.name,
  };
  if (sampler.argument !== undefined) env[ENV.samplerArg] = sampler.argument;
  if (options.serviceName !== undefined) env[ENV.serviceName] = options.serviceName;
  const attributes = resourceAttributes(fn, options);
  if (attributes !== undefined) env[ENV.resourceAttributes] = attributes;
  if (options.debug) env[ENV.logLevel] = 'debug';
  const family = support.kind === 'language' ? support.family : undefined;
  if (family === 'javaagent' && options.javaAgentFastStartup && (options.javaInstrumentation ?? JavaInstrumentation.AGENT) === JavaInstrumentation.AGENT) {
    env[ENV.javaFastStartup] = 'true';
  }
  if (family === 'nodejs' && options.nodejsEnabledInstrumentations) env[ENV.nodeEnabled] = options.nodejsEnabledInstrumentations.join(',');
  if (family === 'python' && options.pythonDisabledInstrumentations) env[ENV.pythonDisabled] = options.pythonDisabledInstrumentations.join(',');
  return env;
}
