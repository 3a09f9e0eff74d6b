// The e2e Node.js function (CommonJS). It reads the active span the layer's aws-lambda
// instrumentation opened, records one counter point, emits one log record through the
// OpenTelemetry API (resolved through NODE_PATH, as a user's bundle would carry its own copy) and
// prints one console line (a `function` record of the Telemetry API). An event with `flushLogs`
// calls forceFlush() on the global logger provider before returning (the sdkLogsNotFlushed
// warning's advice).
const api = require('@opentelemetry/api');
const { logs } = require('@opentelemetry/api-logs');

const counter = api.metrics.getMeter('e2e-function').createCounter('e2e.invocations');
const logger = logs.getLogger('e2e-function');

exports.handler = async (event, context) => {
  const span = api.trace.getActiveSpan();
  const sc = span?.spanContext();
  counter.add(1, { marker: String(event.marker) });
  logger.emit({ body: `invoked ${context.awsRequestId} marker=${event.marker}`, attributes: { marker: String(event.marker) } });
  console.log(`console ${context.awsRequestId} marker=${event.marker}`);
  if (event.flushLogs) await logs.getLoggerProvider().forceFlush();
  return { marker: event.marker, traceId: sc?.traceId, spanId: sc?.spanId, sampled: sc ? (sc.traceFlags & 1) === 1 : undefined };
};
