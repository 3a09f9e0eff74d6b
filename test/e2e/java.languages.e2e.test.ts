/**
 * Java end to end, agent mode: a java17 function synthesized by the library runs under the Java
 * agent layer 0.21.0's agent (opentelemetry-javaagent 2.30.0 from Maven Central, our otel-handler:
 * runtimes/java) and the Java runtime interface client, with the real collector, into the
 * ClickStack stand-in. Negative controls: the agent speaking gRPC to the HTTP port delivers
 * nothing; without the library's OTEL_RESOURCE_PROVIDERS_AWS_ENABLED=true the resource of spans,
 * metrics and logs has no cloud.* or faas.* attribute (issue 27).
 */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { e2eFile } from './file-setup';
import { FUNCTION_NAME, fullSpans, javaAgentLanguage, RESOURCE_ATTRIBUTES, requestsSince, runFunction, seconds, SPAN_KIND_SERVER, synthesize, traceparent } from './languages';
import { ClickStackOptions, IngestionKey, Propagator, TraceSampler } from '../../src';

const KEY = 'e2e-java-key';
let runtime: ReturnType<typeof javaAgentLanguage>;

const e2e = e2eFile(() => {
  const t0 = Date.now();
  runtime = javaAgentLanguage();
  console.log(`# java runtime ready in ${seconds(Date.now() - t0)}`);
});

function synth(options: Partial<ClickStackOptions>) {
  const s = synthesize(e2e.sink().url, lambda.Runtime.JAVA_17, 'e2e.Handler::handleRequest', runtime.functionCode, { ingestionKey: IngestionKey.unsafePlainText(KEY), ...options });
  e2e.removeAfter(s.dir);
  return s;
}

/** An API Gateway proxy event (the handler's type), the marker in its body. */
function apiEvent(marker: string, headers: Record<string, string> = {}) {
  return { httpMethod: 'POST', path: '/e2e', resource: '/e2e', body: marker, headers };
}

/** What the agent's Lambda resource provider puts on the resource (contrib aws-resources LambdaResource.java:41-64). */
const LAMBDA_RESOURCE: Record<string, string> = {
  'cloud.provider': 'aws',
  'cloud.platform': 'aws_lambda',
  'cloud.region': 'eu-west-1',
  'faas.name': FUNCTION_NAME,
  'faas.version': '$LATEST',
};

/** The resources of the spans, metric points and log records of one service since `since`. */
function resourcesOf(service: string, since: number) {
  const of = (r: Record<string, unknown>) => r['service.name'] === service;
  return {
    spans: fullSpans(e2e.sink(), since).filter(sp => of(sp.resource)).map(sp => sp.resource),
    metrics: e2e.sink().dataPoints().filter(p => of(p.resource)).map(p => p.resource),
    logs: e2e.sink().logRecords().filter(l => of(l.resource)).map(l => l.resource),
  };
}

const OPTIONS: Partial<ClickStackOptions> = {
  serviceName: 'orders-java',
  deploymentEnvironment: 'e2e',
  resourceAttributes: RESOURCE_ATTRIBUTES,
  sampler: TraceSampler.parentBasedTraceIdRatio(1),
  propagators: [Propagator.TRACECONTEXT, Propagator.BAGGAGE],
  debug: true,
};

void test('Java agent: one SERVER span per invoke (cold + 2 warm), resource decoded, traceparent continued, metrics and logs, the key', { timeout: 240_000 }, async () => {
  const s = synth(OPTIONS);
  assert.equal(s.layout.environment.AWS_LAMBDA_EXEC_WRAPPER, '/opt/otel-handler');
  assert.equal(s.layout.environment.OTEL_JAVAAGENT_DEBUG, 'true');
  const parent = traceparent();
  const run = await runFunction(s, runtime, {
    events: [apiEvent('m0', { traceparent: parent.header }), apiEvent('m1'), apiEvent('m2')],
    timeoutMs: 60_000,
    initTimeoutMs: 120_000,
  }, e2e.sink());
  console.log(`# java agent: init ${seconds(run.initMs)}, invokes ${run.invokeMs.map(seconds).join(', ')}`);
  const ids = run.results.map(r => r.requestId);
  const server = fullSpans(e2e.sink(), run.start).filter(sp => sp.kind === SPAN_KIND_SERVER);
  assert.equal(server.length, 3, `SERVER spans: ${JSON.stringify(server.map(x => x.name))}\n${run.lambda.output.slice(-4000)}`);
  assert.deepEqual(server.map(sp => sp.attributes['faas.invocation_id']).sort(), [...ids].sort());
  for (const sp of server) {
    // An API Gateway event: the agent's aws-lambda-events-2.2 instrumentation names the span
    // "<method> <resource>" and sets faas.trigger=http (a plain Map event gets the function name
    // from aws-lambda-core-1.0).
    assert.equal(sp.name, 'POST /e2e');
    assert.equal(sp.scope, 'io.opentelemetry.aws-lambda-events-2.2');
    assert.equal(sp.attributes['faas.trigger'], 'http');
    assert.equal(sp.attributes['cloud.account.id'], '123456789012');
    assert.equal(sp.attributes['cloud.resource_id'], `arn:aws:lambda:eu-west-1:123456789012:function:${FUNCTION_NAME}`);
    assert.equal(sp.resource['service.name'], 'orders-java');
    assert.equal(sp.resource['deployment.environment.name'], 'e2e');
    for (const [k, v] of Object.entries(RESOURCE_ATTRIBUTES)) assert.equal(sp.resource[k], v, `resource attribute ${k}`);
    // The agent's AWS resource providers are off by default (ResourceProviderPropertiesCustomizer.java:41-50
    // at v2.30.0); the library turns them on (OTEL_RESOURCE_PROVIDERS_AWS_ENABLED), so the Lambda
    // resource is on every span (before issue 27, cloud.* and faas.* were span attributes only).
    for (const [k, v] of Object.entries(LAMBDA_RESOURCE)) assert.equal(sp.resource[k], v, `span resource ${k}`);
  }
  const byId = new Map(server.map(sp => [sp.attributes['faas.invocation_id'], sp]));
  const cold = byId.get(ids[0])!;
  assert.equal(cold.traceId, parent.traceId);
  assert.equal(cold.parentSpanId, parent.spanId);
  assert.notEqual(byId.get(ids[1])!.traceId, parent.traceId);
  assert.equal(JSON.parse(JSON.parse(run.results[0].response).body).spanId, cold.spanId);

  const points = e2e.sink().dataPoints().filter(p => p.metric === 'e2e.invocations' && p.resource['service.name'] === 'orders-java');
  assert.ok(points.length > 0, 'no e2e.invocations metric points');
  // java.util.logging records, bridged by the agent.
  const logs = e2e.sink().logRecords().filter(l => ids.some(id => String(l.body).includes(id)));
  assert.equal(logs.length, 3, `log records: ${JSON.stringify(e2e.sink().logRecords().map(l => l.body))}`);
  assert.equal(logs[0].resource['team.name'], RESOURCE_ATTRIBUTES['team.name']);
  // The Lambda resource on metrics and logs too: what ClickStack's service and resource views read.
  const resources = resourcesOf('orders-java', run.start);
  for (const [signal, list] of Object.entries(resources)) {
    assert.ok(list.length > 0, `no ${signal}`);
    for (const r of list) for (const [k, v] of Object.entries(LAMBDA_RESOURCE)) assert.equal(r[k], v, `${signal} resource ${k}`);
  }
  const requests = requestsSince(e2e.sink(), run.start);
  assert.deepEqual([...new Set(requests.map(r => r.signal))].sort(), ['logs', 'metrics', 'traces']);
  for (const r of requests) assert.equal(r.headers.authorization, KEY);
});

void test('Java agent: always_off sends no span, while metrics still arrive', { timeout: 240_000 }, async () => {
  const s = synth({ ...OPTIONS, serviceName: 'orders-java-off', sampler: TraceSampler.ALWAYS_OFF, debug: false });
  const run = await runFunction(s, runtime, {
    events: [apiEvent('off0', { traceparent: traceparent().header }), apiEvent('off1')], timeoutMs: 60_000, initTimeoutMs: 120_000,
  }, e2e.sink());
  assert.deepEqual(fullSpans(e2e.sink(), run.start).filter(sp => sp.resource['service.name'] === 'orders-java-off'), []);
  assert.ok(e2e.sink().dataPoints().some(p => p.resource['service.name'] === 'orders-java-off'), 'no metrics: the run proves nothing');
  for (const r of run.results) assert.equal(JSON.parse(JSON.parse(r.response).body).sampled, false);
});

void test('negative control: the Java agent speaking gRPC (OTEL_EXPORTER_OTLP_PROTOCOL=grpc) to the HTTP port delivers nothing', { timeout: 240_000 }, async () => {
  // What the Java wrapper does without the library's OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
  // (its SDK defaults to grpc), reproduced with the agent, whose layer can be assembled here.
  const s = synth({ ...OPTIONS, serviceName: 'orders-java-grpc', debug: false });
  assert.equal(s.layout.environment.OTEL_EXPORTER_OTLP_PROTOCOL, 'http/protobuf');
  const run = await runFunction(s, runtime, {
    events: [apiEvent('grpc0')], envOverride: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, timeoutMs: 60_000, initTimeoutMs: 120_000,
  }, e2e.sink());
  assert.equal(run.results.length, 1);
  assert.deepEqual(requestsSince(e2e.sink(), run.start).filter(r => r.signal === 'traces'), []);
  assert.deepEqual(fullSpans(e2e.sink(), run.start).filter(sp => sp.resource['service.name'] === 'orders-java-grpc'), []);
});

void test('negative control: the Java agent without OTEL_RESOURCE_PROVIDERS_AWS_ENABLED=true (its default) puts no Lambda resource on spans, metrics or logs', { timeout: 240_000 }, async () => {
  const s = synth({ ...OPTIONS, serviceName: 'orders-java-noresource', debug: false });
  assert.equal(s.layout.environment.OTEL_RESOURCE_PROVIDERS_AWS_ENABLED, 'true');
  assert.equal(s.layout.environment.OTEL_JAVA_DISABLED_RESOURCE_PROVIDERS, 'io.opentelemetry.contrib.aws.resource.Ec2ResourceProvider');
  const run = await runFunction(s, runtime, {
    events: [apiEvent('nr0'), apiEvent('nr1')], envOverride: { OTEL_RESOURCE_PROVIDERS_AWS_ENABLED: 'false' }, timeoutMs: 60_000, initTimeoutMs: 120_000,
  }, e2e.sink());
  const resources = resourcesOf('orders-java-noresource', run.start);
  for (const [signal, list] of Object.entries(resources)) {
    assert.ok(list.length > 0, `no ${signal}: the run proves nothing`);
    for (const r of list) for (const k of Object.keys(LAMBDA_RESOURCE)) assert.equal(r[k], undefined, `${signal} resource ${k}`);
  }
});
