/**
 * Node.js end to end: a nodejs20.x function synthesized by the library runs under the Node.js
 * layer 0.23.0's SDK (npm packages at the layer's versions, our loader: runtimes/nodejs) and
 * aws-lambda-ric, with the real collector, into the ClickStack stand-in. Negative control: a
 * resource attribute over 255 characters (which the library refuses, so it is put into the
 * synthesized environment by hand) loses every resource attribute. When the SDK's log records
 * leave (timing.ts): one invoke late, at SHUTDOWN or never without a flush; within the invoke
 * when the handler calls forceFlush() (the positive control); lambdaTelemetry FUNCTION lines.
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { e2eFile } from './file-setup';
import {
  FUNCTION_NAME, fullSpans, LanguageRuntime, logDeliveries, logTiming, NODEJS_CODE, nodejsLanguage, NOT_LOST, RESOURCE_ATTRIBUTES,
  requestsSince, runFunction, seconds, SPAN_KIND_SERVER, spanDeliveries, synthesize, traceparent, WITHIN_EACH,
} from './languages';
import { tally } from './timing';
import { ClickStackOptions, IngestionKey, Propagator, TelemetryApiType, TraceSampler } from '../../src';

/** Idle time after the invokes: well past the SDK's log batch delay (OTEL_BLRP_SCHEDULE_DELAY, 1000 ms by default). */
const LOG_IDLE_MS = 3_000;

/** Idle time between invokes: past the SDK's log batch delay (1000 ms at @opentelemetry/sdk-logs 0.221.0), with room to spare. */
const LOG_GAP_MS = 2_000;
const KEY = 'e2e-node-key';
let runtime: LanguageRuntime;

const e2e = e2eFile(() => {
  const t0 = Date.now();
  runtime = nodejsLanguage();
  console.log(`# nodejs runtime ready in ${seconds(Date.now() - t0)}`);
});

function synth(options: Partial<ClickStackOptions>) {
  const s = synthesize(e2e.sink().url, lambda.Runtime.NODEJS_20_X, 'index.handler', NODEJS_CODE, { ingestionKey: IngestionKey.unsafePlainText(KEY), ...options });
  e2e.removeAfter(s.dir);
  return s;
}

const OPTIONS: Partial<ClickStackOptions> = {
  serviceName: 'orders-node',
  deploymentEnvironment: 'e2e',
  resourceAttributes: RESOURCE_ATTRIBUTES,
  sampler: TraceSampler.parentBasedTraceIdRatio(1),
  propagators: [Propagator.TRACECONTEXT, Propagator.BAGGAGE],
  debug: true,
};

void test('Node.js: one SERVER span per invoke (cold + 2 warm), resource decoded, traceparent continued, metrics and logs, the key', { timeout: 180_000 }, async () => {
  const s = synth(OPTIONS);
  const env = s.layout.environment;
  assert.equal(env.AWS_LAMBDA_EXEC_WRAPPER, '/opt/otel-handler');
  assert.equal(env.OTEL_TRACES_SAMPLER, 'parentbased_traceidratio');
  const parent = traceparent();
  const run = await runFunction(s, runtime, {
    events: [{ marker: 'm0', headers: { traceparent: parent.header } }, { marker: 'm1' }, { marker: 'm2' }],
    // Logs are not flushed at the end of an invoke (instrumentation-aws-lambda 0.73.0 flushes the
    // tracer and meter providers only): the SDK sends them on its batch schedule, after the invoke.
    idleBeforeShutdownMs: LOG_IDLE_MS,
  }, e2e.sink());
  console.log(`# nodejs: init ${seconds(run.initMs)}, invokes ${run.invokeMs.map(seconds).join(', ')}`);
  const ids = run.results.map(r => r.requestId);

  const server = fullSpans(e2e.sink(), run.start).filter(sp => sp.kind === SPAN_KIND_SERVER);
  assert.equal(server.length, 3, `SERVER spans: ${JSON.stringify(server.map(x => x.name))}\n${run.lambda.output.slice(-4000)}`);
  assert.deepEqual(server.map(sp => sp.attributes['faas.invocation_id']).sort(), [...ids].sort());
  for (const sp of server) {
    // instrumentation-aws-lambda 0.73.0 build/src/instrumentation.js:257-265: named after the function.
    assert.equal(sp.name, FUNCTION_NAME);
    assert.equal(sp.scope, '@opentelemetry/instrumentation-aws-lambda');
    assert.equal(sp.attributes['cloud.account.id'], '123456789012');
    assert.equal(sp.resource['service.name'], 'orders-node');
    assert.equal(sp.resource['deployment.environment.name'], 'e2e');
    for (const [k, v] of Object.entries(RESOURCE_ATTRIBUTES)) assert.equal(sp.resource[k], v, `resource attribute ${k}`);
    // awsLambdaDetector (resource-detector-aws 2.21.0), on AWS_EXECUTION_ENV=AWS_Lambda_*.
    assert.equal(sp.resource['cloud.provider'], 'aws');
    assert.equal(sp.resource['cloud.platform'], 'aws_lambda');
    assert.equal(sp.resource['cloud.region'], 'eu-west-1');
    assert.equal(sp.resource['faas.name'], FUNCTION_NAME);
  }
  const byId = new Map(server.map(sp => [sp.attributes['faas.invocation_id'], sp]));
  const cold = byId.get(ids[0])!;
  assert.equal(cold.attributes['faas.coldstart'], true);
  assert.equal(byId.get(ids[1])!.attributes['faas.coldstart'], false);
  // The incoming traceparent is continued: same trace, the caller's span as parent.
  assert.equal(cold.traceId, parent.traceId);
  assert.equal(cold.parentSpanId, parent.spanId);
  assert.notEqual(byId.get(ids[1])!.traceId, parent.traceId);
  // What the handler saw as its active span is the span that arrived.
  assert.equal(JSON.parse(run.results[0].response).spanId, cold.spanId);

  const points = e2e.sink().dataPoints().filter(p => p.metric === 'e2e.invocations' && p.resource['service.name'] === 'orders-node');
  assert.ok(points.length > 0, 'no e2e.invocations metric points');
  assert.equal(points[0].resource['team.name'], RESOURCE_ATTRIBUTES['team.name']);
  const logs = e2e.sink().logRecords().filter(l => ids.some(id => String(l.body).includes(id)));
  assert.equal(logs.length, 3);
  assert.equal(logs[0].resource['owner.name'], RESOURCE_ATTRIBUTES['owner.name']);
  // What happens under the layer's decouple: the SDK exports the last invoke's log record on its
  // batch schedule, outside any invoke, so decouple holds it until SHUTDOWN (open-telemetry/opentelemetry-lambda@faa4ca46
  // collector/processor/decoupleprocessor/processor.go:79-119), although the environment sat idle
  // for LOG_IDLE_MS first. No layer or SDK setting changes it (issue 27); forceFlush() does (below).
  const when = logDeliveries(e2e.sink(), run, 'sdk');
  console.log(`# nodejs: the log record of each invoke left ${when.join(', ')}`);
  assert.equal(when[2], 'at SHUTDOWN', `the last invoke's log record: ${when[2]}`);
  // Spans and metrics: flushed before the handler returns, they leave within the invoke.
  assert.deepEqual(spanDeliveries(e2e.sink(), run), ['within its invoke', 'within its invoke', 'within its invoke']);

  const requests = requestsSince(e2e.sink(), run.start);
  assert.deepEqual([...new Set(requests.map(r => r.signal))].sort(), ['logs', 'metrics', 'traces']);
  for (const r of requests) assert.equal(r.headers.authorization, KEY);
  // debug: the SDK's console exporter and the collector's debug exporter both wrote.
  assert.match(run.lambda.output, /\[runtime\].*traceId: '[0-9a-f]{32}'/s);
});

void test('Node.js: always_off sends no span, while metrics and logs still arrive', { timeout: 120_000 }, async () => {
  const s = synth({ ...OPTIONS, serviceName: 'orders-node-off', sampler: TraceSampler.ALWAYS_OFF, debug: false });
  assert.equal(s.layout.environment.OTEL_TRACES_SAMPLER, 'always_off');
  const run = await runFunction(s, runtime, {
    events: [{ marker: 'off0', headers: { traceparent: traceparent().header } }, { marker: 'off1' }],
    idleBeforeShutdownMs: LOG_IDLE_MS,
  }, e2e.sink());
  assert.deepEqual(fullSpans(e2e.sink(), run.start).filter(sp => sp.resource['service.name'] === 'orders-node-off'), []);
  assert.ok(e2e.sink().dataPoints().some(p => p.resource['service.name'] === 'orders-node-off'), 'no metrics: the run proves nothing');
  for (const r of run.results) assert.equal(JSON.parse(r.response).sampled, false);
});

void test('Node.js logs, three invokes LOG_GAP_MS apart then SHUTDOWN at once: a record leaves during the next invoke, the last one never; spans leave within their invoke', { timeout: 120_000 }, async () => {
  // The layer flushes the tracer and meter providers when the handler returns, not the logger
  // provider (instrumentation-aws-lambda 0.73.0 build/src/instrumentation.js:470-483;
  // opentelemetry-lambda#2537): the SDK exports a record 1000 ms after its batch's first
  // (@opentelemetry/sdk-logs 0.221.0 BatchLogRecordProcessorBase.js:101-106), outside any invoke,
  // and decouple holds it until the next INVOKE (open-telemetry/opentelemetry-lambda@faa4ca46
  // collector/processor/decoupleprocessor/processor.go:79-119). SHUTDOWN right after the last
  // invoke: the runtime gets SIGTERM before the SDK's timer fires, and that record is lost.
  const s = synth({ ...OPTIONS, serviceName: 'orders-node-gap', debug: false });
  const { run, logs: when, spans } = await logTiming(s, runtime, e2e.sink(), 'sdk', { gapMs: LOG_GAP_MS });
  console.log(`# nodejs, ${LOG_GAP_MS} ms between invokes: the log record of each invoke left ${when.join(', ')}`);
  assert.deepEqual(when, ['during a later invoke', 'during a later invoke', 'never'], run.lambda.output.slice(-3000));
  assert.deepEqual(spans, WITHIN_EACH);
});

void test('Node.js logs: forceFlush() on the logger provider before the handler returns (the sdkLogsNotFlushed warning\'s advice) sends every record within its invoke, SHUTDOWN at once', { timeout: 120_000 }, async () => {
  // Positive control of the test above: the same SDK, the handler flushes (runtimes/nodejs/function/index.js).
  const s = synth({ ...OPTIONS, serviceName: 'orders-node-flush', debug: false });
  const { run, logs: when } = await logTiming(s, runtime, e2e.sink(), 'sdk', { flushLogs: true });
  console.log(`# nodejs, forceFlush(): the log record of each invoke left ${when.join(', ')}`);
  assert.deepEqual(when, WITHIN_EACH, run.lambda.output.slice(-3000));
});

void test('Node.js logs through lambdaTelemetry FUNCTION (console lines, three invokes then SHUTDOWN at once): none is lost, but each leaves within its invoke only if it reaches the collector before platform.runtimeDone', { timeout: 120_000 }, async () => {
  // The line reaches the collector through the Telemetry API (buffered 25 ms: the receiver's
  // subscription, receiver/telemetryapireceiver), the end of the invoke through the lifecycle's own
  // subscription (platform.runtimeDone): which comes first is a race, and decouple holds a line that
  // loses it until the next INVOKE or SHUTDOWN. Lambda sends the buffered records before SHUTDOWN.
  const s = synth({ ...OPTIONS, serviceName: 'orders-node-fn', debug: false, lambdaTelemetry: [TelemetryApiType.FUNCTION] });
  const { run, logs: when } = await logTiming(s, runtime, e2e.sink(), 'function');
  console.log(`# nodejs, lambdaTelemetry FUNCTION: the console line of each invoke left ${when.join(', ')} (${JSON.stringify(tally(when))})`);
  for (const w of when) assert.ok(NOT_LOST.includes(w), `a console line: ${w}\n${run.lambda.output.slice(-3000)}`);
  assert.deepEqual(run.lambda.killedAtDeadline, [], 'the collector did not exit by itself after SHUTDOWN');
});

void test('negative control: Node.js with a resource attribute over 255 characters loses every resource attribute', { timeout: 120_000 }, async () => {
  const s = synth({ ...OPTIONS, serviceName: 'orders-node-long', debug: false });
  // The library refuses such a value at synth; put it into the synthesized environment by hand.
  const long = `${s.layout.environment.OTEL_RESOURCE_ATTRIBUTES},note=${'x'.repeat(256)}`;
  const run = await runFunction(s, runtime, { events: [{ marker: 'long0' }], envOverride: { OTEL_RESOURCE_ATTRIBUTES: long } }, e2e.sink());
  const server = fullSpans(e2e.sink(), run.start).filter(sp => sp.kind === SPAN_KIND_SERVER);
  assert.equal(server.length, 1, run.lambda.output.slice(-4000));
  const resource = server[0].resource;
  for (const k of ['deployment.environment.name', 'note', ...Object.keys(RESOURCE_ATTRIBUTES)]) assert.equal(resource[k], undefined, `${k} survived`);
  // service.name survives: the library sets it in OTEL_SERVICE_NAME, which EnvDetector reads apart.
  assert.equal(resource['service.name'], 'orders-node-long');
  // The detector's own attributes are still there: only the variable was lost.
  assert.equal(resource['cloud.provider'], 'aws');
});

void test('negative control twin: 255 characters are kept', { timeout: 120_000 }, async () => {
  const s = synth({ ...OPTIONS, serviceName: 'orders-node-255', debug: false, resourceAttributes: { ...RESOURCE_ATTRIBUTES, note: 'x'.repeat(255) } });
  const run = await runFunction(s, runtime, { events: [{ marker: 'ok0' }] }, e2e.sink());
  const server = fullSpans(e2e.sink(), run.start).filter(sp => sp.kind === SPAN_KIND_SERVER);
  assert.equal(server.length, 1, run.lambda.output.slice(-4000));
  assert.equal(server[0].resource.note, 'x'.repeat(255));
  assert.equal(server[0].resource['team.name'], RESOURCE_ATTRIBUTES['team.name']);
});
