// The Node.js layer's loader, as small as it can be: what the upstream layer's init.mjs and
// wrapper.ts do (open-telemetry/opentelemetry-lambda@faa4ca46 nodejs/packages/layer/src/init.mjs,
// src/wrapper.ts, src/loader.mjs), written from reading them, with the npm packages the layer
// bundles (../package.json). Loaded by ./otel-handler through `NODE_OPTIONS=--import`.
// Where it differs from upstream: test/e2e/runtimes/README.md.
import { createRequire, register } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
const api = require('@opentelemetry/api');
const core = require('@opentelemetry/core');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { AwsInstrumentation } = require('@opentelemetry/instrumentation-aws-sdk');
const { AwsLambdaInstrumentation } = require('@opentelemetry/instrumentation-aws-lambda');

const env = process.env;
const list = v => (v ?? '').split(',').map(s => s.trim()).filter(Boolean);

// wrapper.ts:598-600: the diag logger's level from OTEL_LOG_LEVEL.
const logLevel = core.diagLogLevelFromString(core.getStringFromEnv('OTEL_LOG_LEVEL'));
api.diag.setLogger(new api.DiagConsoleLogger(), logLevel);
const debug = logLevel === api.DiagLogLevel.DEBUG;

// wrapper.ts:50, :92-109, :111-265: dns, http and net unless OTEL_NODE_ENABLED_INSTRUMENTATIONS
// names others, less OTEL_NODE_DISABLED_INSTRUMENTATIONS; each from its own package. Upstream
// names each class; here the package's export whose name ends in "Instrumentation".
function selectedInstrumentations() {
  const on = new Set(env.OTEL_NODE_ENABLED_INSTRUMENTATIONS ? list(env.OTEL_NODE_ENABLED_INSTRUMENTATIONS) : ['dns', 'http', 'net']);
  for (const name of list(env.OTEL_NODE_DISABLED_INSTRUMENTATIONS)) on.delete(name);
  return [...on].map(name => {
    const mod = require(`@opentelemetry/instrumentation-${name}`);
    const cls = Object.keys(mod).find(k => k.endsWith('Instrumentation') && typeof mod[k] === 'function');
    return new mod[cls]();
  });
}

// wrapper.ts:267-283: aws-sdk and aws-lambda always, then the selected ones.
const instrumentations = [
  new AwsInstrumentation({ suppressInternalInstrumentation: true }),
  new AwsLambdaInstrumentation({}),
  ...selectedInstrumentations(),
];
// wrapper.ts:573-586 (init): patch before any provider exists.
registerInstrumentations({ instrumentations });

// wrapper.ts:52-57, :285-321: OTEL_PROPAGATORS from the layer's own map; unknown names are
// dropped with a warning; unset means tracecontext and baggage.
function propagator() {
  const { AWSXRayPropagator } = require('@opentelemetry/propagator-aws-xray');
  const { AWSXRayLambdaPropagator } = require('@opentelemetry/propagator-aws-xray-lambda');
  const known = {
    tracecontext: () => new core.W3CTraceContextPropagator(),
    baggage: () => new core.W3CBaggagePropagator(),
    xray: () => new AWSXRayPropagator(),
    'xray-lambda': () => new AWSXRayLambdaPropagator(),
  };
  const names = env.OTEL_PROPAGATORS?.trim() ? [...new Set(list(env.OTEL_PROPAGATORS.toLowerCase()))] : ['tracecontext', 'baggage'];
  const propagators = names.flatMap(n => {
    if (n === 'none') return [];
    if (!known[n]) { api.diag.warn(`Invalid propagator "${n}" specified in the environment variable OTEL_PROPAGATORS`); return []; }
    return [known[n]()];
  });
  return new core.CompositePropagator({ propagators });
}

// wrapper.ts:508-511: the resource.
const { detectResources, envDetector, processDetector } = require('@opentelemetry/resources');
const { awsLambdaDetector } = require('@opentelemetry/resource-detector-aws');
const resource = detectResources({ detectors: [awsLambdaDetector, envDetector, processDetector] });

// wrapper.ts:323-407: traces. OTEL_TRACES_EXPORTER: none -> no provider; otlp and console;
// unset -> OTLP/HTTP. Debug adds the console exporter. The sampler comes from the SDK's own
// reading of OTEL_TRACES_SAMPLER (NodeTracerProvider's defaults).
let tracerProvider;
const tracesExporter = env.OTEL_TRACES_EXPORTER?.trim() ? env.OTEL_TRACES_EXPORTER : '';
if (!tracesExporter.includes('none')) {
  const trace = require('@opentelemetry/sdk-trace-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
  const spanProcessors = [];
  for (const n of list(tracesExporter.toLowerCase())) {
    if (n === 'otlp') spanProcessors.push(new trace.BatchSpanProcessor(new OTLPTraceExporter()));
    else if (n === 'console') spanProcessors.push(new trace.SimpleSpanProcessor(new trace.ConsoleSpanExporter()));
    else api.diag.warn(`Invalid exporter "${n}" specified in the environment variable OTEL_TRACES_EXPORTER`);
  }
  if (spanProcessors.length === 0) spanProcessors.push(new trace.BatchSpanProcessor(new OTLPTraceExporter()));
  if (debug) spanProcessors.push(new trace.SimpleSpanProcessor(new trace.ConsoleSpanExporter()));
  tracerProvider = new trace.NodeTracerProvider({ resource, spanProcessors });
  tracerProvider.register({ propagator: propagator() });
}

// wrapper.ts:409-448: metrics unless OTEL_METRICS_EXPORTER=none, a periodic OTLP/HTTP reader.
let meterProvider;
if (env.OTEL_METRICS_EXPORTER !== 'none') {
  const { MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');
  const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-http');
  meterProvider = new MeterProvider({ resource, readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter() })] });
  api.metrics.setGlobalMeterProvider(meterProvider);
}

// wrapper.ts:450-506: logs unless OTEL_LOGS_EXPORTER=none, batched OTLP/HTTP; debug adds the console.
let loggerProvider;
if (env.OTEL_LOGS_EXPORTER !== 'none') {
  const { logs } = require('@opentelemetry/api-logs');
  const sdkLogs = require('@opentelemetry/sdk-logs');
  const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-http');
  const processors = [new sdkLogs.BatchLogRecordProcessor({ exporter: new OTLPLogExporter() })];
  if (debug) processors.push(new sdkLogs.SimpleLogRecordProcessor({ exporter: new sdkLogs.ConsoleLogRecordExporter() }));
  loggerProvider = new sdkLogs.LoggerProvider({ resource, processors });
  logs.setGlobalLoggerProvider(loggerProvider);
}

// wrapper.ts:527-536: register the same instrumentations again, now with the providers.
registerInstrumentations({ instrumentations, tracerProvider, meterProvider, loggerProvider });
api.diag.debug('OpenTelemetry wrapper init completed');

// loader.mjs: the import-in-the-middle hook for an ES module handler (or on nodejs24.x and
// later). Upstream also reads package.json "type"; here a `.mjs` handler file only.
const handler = env._HANDLER ?? '';
const handlerFile = path.resolve(env.LAMBDA_TASK_ROOT ?? '.', path.dirname(handler), path.basename(handler).split('.')[0]);
const nodeMajor = Number(/nodejs(\d+)\.x/.exec(env.AWS_EXECUTION_ENV ?? '')?.[1] ?? 0);
if (fs.existsSync(`${handlerFile}.mjs`) || nodeMajor >= 24) register('import-in-the-middle/hook.mjs', import.meta.url);
