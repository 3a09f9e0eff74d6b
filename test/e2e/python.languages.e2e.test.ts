/**
 * Python end to end: a python3.11 function synthesized by the library runs under the Python
 * layer 0.21.0's SDK (the layer's requirements from PyPI, our otel-handler and otel_wrapper.py:
 * runtimes/python) and awslambdaric, with the real collector, into the ClickStack stand-in.
 * Negative controls: OTEL_PROPAGATORS=b3 (which the library refuses for Python, so it is put into
 * the synthesized environment by hand) fails at init; without the library's
 * OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED=true no log record arrives (issue 27). When the
 * SDK's log records leave (timing.ts): one invoke late, at SHUTDOWN or never without a flush;
 * within the invoke when the handler calls force_flush() (the positive control); lambdaTelemetry
 * FUNCTION lines.
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { e2eFile } from './file-setup';
import {
  FUNCTION_NAME, fullSpans, LanguageRuntime, logDeliveries, logTiming, NOT_LOST, PYTHON_CODE, pythonLanguage, RESOURCE_ATTRIBUTES,
  requestsSince, runFunction, seconds, SPAN_KIND_SERVER, spanDeliveries, synthesize, traceparent, WITHIN_EACH,
} from './languages';
import { tally } from './timing';
import { ClickStackOptions, IngestionKey, Propagator, TelemetryApiType, TraceSampler } from '../../src';

const KEY = 'e2e-python-key';
/** Idle time after the invokes: well past the SDK's log batch delay (OTEL_BLRP_SCHEDULE_DELAY, 1000 ms by default). */
const LOG_IDLE_MS = 3_000;
/** Idle time between invokes: past the SDK's log batch delay, with room to spare. */
const LOG_GAP_MS = 2_000;
let runtime: LanguageRuntime;

const e2e = e2eFile(() => {
  const t0 = Date.now();
  runtime = pythonLanguage();
  console.log(`# python runtime ready in ${seconds(Date.now() - t0)}`);
});

function synth(options: Partial<ClickStackOptions>) {
  const s = synthesize(e2e.sink().url, lambda.Runtime.PYTHON_3_11, 'app.handler', PYTHON_CODE, { ingestionKey: IngestionKey.unsafePlainText(KEY), ...options });
  e2e.removeAfter(s.dir);
  return s;
}

const OPTIONS: Partial<ClickStackOptions> = {
  serviceName: 'orders-python',
  deploymentEnvironment: 'e2e',
  resourceAttributes: RESOURCE_ATTRIBUTES,
  sampler: TraceSampler.parentBasedTraceIdRatio(1),
  propagators: [Propagator.TRACECONTEXT, Propagator.BAGGAGE],
  debug: true,
};

/** The function's `logging` records of these invokes (the handler logs one line with its request id). */
const logsOf = (ids: string[], service: string) => e2e.sink().logRecords().filter(l => l.resource['service.name'] === service && ids.some(id => String(l.body).includes(id)));


void test('Python: one SERVER span per invoke (cold + 2 warm), resource decoded, traceparent continued, metrics, logs, the key', { timeout: 180_000 }, async () => {
  const s = synth(OPTIONS);
  assert.equal(s.layout.environment.AWS_LAMBDA_EXEC_WRAPPER, '/opt/otel-handler');
  assert.equal(s.layout.environment.OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED, 'true');
  const parent = traceparent();
  const run = await runFunction(s, runtime, {
    events: [{ marker: 'm0', headers: { traceparent: parent.header } }, { marker: 'm1' }, { marker: 'm2' }],
    // Log records leave on the SDK's batch schedule (opentelemetry-sdk 1.44.0: 1000 ms), not at
    // the end of the invoke (opentelemetry-lambda#2537): the environment idles past it first.
    idleBeforeShutdownMs: LOG_IDLE_MS,
  }, e2e.sink());
  console.log(`# python: init ${seconds(run.initMs)}, invokes ${run.invokeMs.map(seconds).join(', ')}`);
  const ids = run.results.map(r => r.requestId);

  const server = fullSpans(e2e.sink(), run.start).filter(sp => sp.kind === SPAN_KIND_SERVER);
  assert.equal(server.length, 3, `SERVER spans: ${JSON.stringify(server.map(x => x.name))}\n${run.lambda.output.slice(-4000)}`);
  assert.deepEqual(server.map(sp => sp.attributes['faas.invocation_id']).sort(), [...ids].sort());
  for (const sp of server) {
    // opentelemetry-instrumentation-aws-lambda 0.65b0 opentelemetry/instrumentation/aws_lambda/__init__.py:379-380:
    // named after the function (lambda_context.function_name).
    assert.equal(sp.name, FUNCTION_NAME);
    assert.equal(sp.scope, 'opentelemetry.instrumentation.aws_lambda');
    assert.equal(sp.attributes['cloud.account.id'], '123456789012');
    assert.equal(sp.resource['service.name'], 'orders-python');
    assert.equal(sp.resource['deployment.environment.name'], 'e2e');
    for (const [k, v] of Object.entries(RESOURCE_ATTRIBUTES)) assert.equal(sp.resource[k], v, `resource attribute ${k}`);
    // From the otel-instrument behaviour (LAMBDA_RESOURCE_ATTRIBUTES).
    assert.equal(sp.resource['cloud.provider'], 'aws');
    assert.equal(sp.resource['cloud.region'], 'eu-west-1');
    assert.equal(sp.resource['faas.name'], FUNCTION_NAME);
  }
  const byId = new Map(server.map(sp => [sp.attributes['faas.invocation_id'], sp]));
  const cold = byId.get(ids[0])!;
  assert.equal(cold.traceId, parent.traceId);
  assert.equal(cold.parentSpanId, parent.spanId);
  assert.notEqual(byId.get(ids[1])!.traceId, parent.traceId);
  assert.equal(JSON.parse(run.results[0].response).spanId, cold.spanId);

  const points = e2e.sink().dataPoints().filter(p => p.metric === 'e2e.invocations' && p.resource['service.name'] === 'orders-python');
  assert.ok(points.length > 0, `no e2e.invocations metric points\n${run.lambda.output.slice(-3000)}`);
  assert.equal(points[0].resource['owner.name'], RESOURCE_ATTRIBUTES['owner.name']);

  // The handler's logging.warning records, through the SDK's LoggingHandler, which it attaches only
  // with OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED=true (opentelemetry-sdk 1.44.0
  // opentelemetry/sdk/_configuration/__init__.py:647-655): the library sets it (issue 27; before,
  // no log arrived).
  const logs = logsOf(ids, 'orders-python');
  assert.equal(logs.length, 3, `log records: ${JSON.stringify(e2e.sink().logRecords().map(l => l.body))}`);
  for (const id of ids) assert.ok(logs.some(l => String(l.body) === `invoked ${id} marker=${['m0', 'm1', 'm2'][ids.indexOf(id)]}`), `no log record for ${id}`);
  for (const l of logs) {
    assert.equal(l.resource['deployment.environment.name'], 'e2e');
    assert.equal(l.resource['faas.name'], FUNCTION_NAME);
    for (const [k, v] of Object.entries(RESOURCE_ATTRIBUTES)) assert.equal(l.resource[k], v, `log resource attribute ${k}`);
  }
  const requests = requestsSince(e2e.sink(), run.start);
  assert.deepEqual([...new Set(requests.map(r => r.signal))].sort(), ['logs', 'metrics', 'traces']);
  // When they left: the SDK exported them on its schedule, after the invokes, while the
  // environment was idle; the layer's decouple forwards only between INVOKE and
  // platform.runtimeDone and after SHUTDOWN (open-telemetry/opentelemetry-lambda@faa4ca46
  // collector/processor/decoupleprocessor/processor.go:79-119), so it held them until SHUTDOWN,
  // although the environment sat idle for LOG_IDLE_MS first. In Lambda an environment that is
  // frozen, then reclaimed, sends them only at its SHUTDOWN.
  const when = logDeliveries(e2e.sink(), run, 'sdk');
  console.log(`# python: the log record of each invoke left ${when.join(', ')}`);
  assert.ok(!when.includes('within its invoke'), `a log record left within its invoke: ${when.join(', ')}`);
  assert.equal(when[2], 'at SHUTDOWN', `the last invoke's log record: ${when[2]}`);
  // Spans and metrics: flushed before the handler returns, they leave within the invoke.
  assert.deepEqual(spanDeliveries(e2e.sink(), run), WITHIN_EACH);
  for (const r of requests) {
    assert.equal(r.headers.authorization, KEY);
    assert.equal(r.gzip, true);
  }
});

void test('Python logs, three invokes LOG_GAP_MS apart then SHUTDOWN at once: a record leaves during the next invoke, the last one never; spans leave within their invoke', { timeout: 120_000 }, async () => {
  // The layer's aws-lambda instrumentation flushes the tracer and meter providers only
  // (opentelemetry-instrumentation-aws-lambda 0.65b0 aws_lambda/__init__.py:415-437;
  // opentelemetry-lambda#2537): the SDK exports a record 1000 ms after its batch's first
  // (opentelemetry-sdk 1.44.0 sdk/_logs/_internal/export/__init__.py:53), outside any invoke, and
  // decouple holds it until the next INVOKE (open-telemetry/opentelemetry-lambda@faa4ca46
  // collector/processor/decoupleprocessor/processor.go:79-119). SHUTDOWN right after the last
  // invoke: the runtime gets SIGTERM before the SDK's timer fires, and that record is lost.
  const s = synth({ ...OPTIONS, serviceName: 'orders-python-gap', debug: false });
  const { run, logs: when, spans } = await logTiming(s, runtime, e2e.sink(), 'sdk', { gapMs: LOG_GAP_MS });
  console.log(`# python, ${LOG_GAP_MS} ms between invokes: the log record of each invoke left ${when.join(', ')}`);
  assert.deepEqual(when, ['during a later invoke', 'during a later invoke', 'never'], run.lambda.output.slice(-3000));
  assert.deepEqual(spans, WITHIN_EACH);
});

void test('Python logs: force_flush() on the logger provider before the handler returns (the sdkLogsNotFlushed warning\'s advice) sends every record within its invoke, SHUTDOWN at once', { timeout: 120_000 }, async () => {
  // Positive control of the test above: the same SDK, the handler flushes (runtimes/python/function/app.py).
  const s = synth({ ...OPTIONS, serviceName: 'orders-python-flush', debug: false });
  const { run, logs: when } = await logTiming(s, runtime, e2e.sink(), 'sdk', { flushLogs: true });
  console.log(`# python, force_flush(): the log record of each invoke left ${when.join(', ')}`);
  assert.deepEqual(when, WITHIN_EACH, run.lambda.output.slice(-3000));
});

void test('Python logs through lambdaTelemetry FUNCTION (the runtime\'s log lines, three invokes then SHUTDOWN at once): none is lost, but each leaves within its invoke only if it reaches the collector before platform.runtimeDone', { timeout: 120_000 }, async () => {
  // As for Node.js: the line and the end of the invoke reach the collector through two Telemetry API
  // subscriptions (25 ms buffers); decouple holds a line that arrives after platform.runtimeDone.
  const s = synth({ ...OPTIONS, serviceName: 'orders-python-fn', debug: false, lambdaTelemetry: [TelemetryApiType.FUNCTION] });
  const { run, logs: when } = await logTiming(s, runtime, e2e.sink(), 'function');
  console.log(`# python, lambdaTelemetry FUNCTION: the log line of each invoke left ${when.join(', ')} (${JSON.stringify(tally(when))})`);
  for (const w of when) assert.ok(NOT_LOST.includes(w), `a log line: ${w}\n${run.lambda.output.slice(-3000)}`);
  assert.deepEqual(run.lambda.killedAtDeadline, [], 'the collector did not exit by itself after SHUTDOWN');
});

void test('Python: always_off sends no span, while metrics still arrive', { timeout: 120_000 }, async () => {
  const s = synth({ ...OPTIONS, serviceName: 'orders-python-off', sampler: TraceSampler.ALWAYS_OFF, debug: false });
  const run = await runFunction(s, runtime, { events: [{ marker: 'off0', headers: { traceparent: traceparent().header } }, { marker: 'off1' }] }, e2e.sink());
  assert.deepEqual(fullSpans(e2e.sink(), run.start).filter(sp => sp.resource['service.name'] === 'orders-python-off'), []);
  assert.ok(e2e.sink().dataPoints().some(p => p.resource['service.name'] === 'orders-python-off'), 'no metrics: the run proves nothing');
  for (const r of run.results) assert.equal(JSON.parse(r.response).sampled, false);
});

void test('negative control: Python without OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED=true (the SDK\'s default) sends no log record, while spans and metrics arrive', { timeout: 120_000 }, async () => {
  const s = synth({ ...OPTIONS, serviceName: 'orders-python-nologs', debug: false });
  const run = await runFunction(s, runtime, {
    events: [{ marker: 'n0' }, { marker: 'n1' }],
    envOverride: { OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED: 'false' },
    // The positive run's idle (three times the SDK's batch schedule), then SHUTDOWN, at which
    // decouple forwards what it held: the positive run's records arrive by then.
    idleBeforeShutdownMs: LOG_IDLE_MS,
  }, e2e.sink());
  const ids = run.results.map(r => r.requestId);
  assert.equal(fullSpans(e2e.sink(), run.start).filter(sp => sp.kind === SPAN_KIND_SERVER && sp.resource['service.name'] === 'orders-python-nologs').length, 2, 'no spans: the run proves nothing');
  assert.ok(e2e.sink().dataPoints().some(p => p.resource['service.name'] === 'orders-python-nologs'), 'no metrics: the run proves nothing');
  assert.deepEqual(run.lambda.killedAtDeadline, [], 'the collector did not exit by itself after SHUTDOWN');
  assert.deepEqual(logsOf(ids, 'orders-python-nologs'), []);
  assert.deepEqual(e2e.sink().logRecords().filter(l => l.resource['service.name'] === 'orders-python-nologs'), []);
});

void test('negative control: Python with OTEL_PROPAGATORS=b3 fails at init', { timeout: 120_000 }, async () => {
  const s = synth({ ...OPTIONS, serviceName: 'orders-python-b3', debug: false });
  await assert.rejects(
    runFunction(s, runtime, { events: [{ marker: 'b3' }], envOverride: { OTEL_PROPAGATORS: 'b3' }, initTimeoutMs: 15_000 }, e2e.sink()),
    (e: Error) => {
      assert.match(e.message, /the runtime exited during init/);
      assert.match(e.message, /Propagator b3 not found/);
      return true;
    });
});
