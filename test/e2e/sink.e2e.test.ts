/** The ClickStack stand-in decodes what ClickStack's OTLP/HTTP endpoint accepts, and refuses the rest. */
import * as assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as zlib from 'node:zlib';
import { encodeOtlp, OtlpSink } from './sink';

const sink = new OtlpSink();
before(async () => { await sink.start(); });
after(async () => { await sink.stop(); });

const resource = { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] };
const traces = {
  resourceSpans: [{
    resource,
    scopeSpans: [{ spans: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'span-1', startTimeUnixNano: '1', endTimeUnixNano: '2' }] }],
  }],
};
const logs = { resourceLogs: [{ resource, scopeLogs: [{ logRecords: [{ body: { stringValue: 'line-1' }, attributes: [{ key: 'type', value: { stringValue: 'function' } }] }] }] }] };
const metrics = { resourceMetrics: [{ resource, scopeMetrics: [{ metrics: [{ name: 'm1', sum: { dataPoints: [{ asInt: '7' }], aggregationTemporality: 2, isMonotonic: true } }] }] }] };

async function post(path: string, body: Buffer | string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(`${sink.url}${path}`, { method: 'POST', headers, body, signal: AbortSignal.timeout(5_000) });
  await res.arrayBuffer();
  return res.status;
}

void test('protobuf, plain and gzip, and JSON are decoded; headers are recorded', async () => {
  const protoTraces = encodeOtlp('traces', {
    resourceSpans: [{ ...traces.resourceSpans[0], scopeSpans: [{ spans: [{ ...traces.resourceSpans[0].scopeSpans[0].spans[0], traceId: Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex'), spanId: Buffer.from('b7ad6b7169203331', 'hex') }] }] }],
  });
  assert.equal(await post('/v1/traces', protoTraces, { 'content-type': 'application/x-protobuf', 'authorization': 'k1' }), 200);
  assert.equal(await post('/v1/logs', zlib.gzipSync(encodeOtlp('logs', logs)), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }), 200);
  assert.equal(await post('/v1/metrics', zlib.gzipSync(JSON.stringify(metrics)), { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 200);
  assert.equal(await post('/v1/traces', JSON.stringify(traces), { 'content-type': 'application/json' }), 200);

  assert.deepEqual(sink.requests.map(r => [r.signal, r.format, r.gzip]), [
    ['traces', 'protobuf', false], ['logs', 'protobuf', true], ['metrics', 'json', true], ['traces', 'json', false],
  ]);
  assert.equal(sink.requests[0].headers.authorization, 'k1');
  const spans = sink.spans();
  assert.deepEqual(spans.map(s => [s.name, s.traceId, s.resource['service.name']]), [
    ['span-1', '0af7651916cd43dd8448eb211c80319c', 'svc'], ['span-1', '0af7651916cd43dd8448eb211c80319c', 'svc'],
  ]);
  assert.deepEqual(sink.logRecords().map(l => [l.body, l.attributes.type]), [['line-1', 'function']]);
  assert.deepEqual(sink.dataPoints().map(p => [p.metric, Number(p.value)]), [['m1', 7]]);
});

void test('negative controls: unknown path, unknown content type and a broken body are refused', async () => {
  const before_ = sink.requests.length;
  assert.equal(await post('/v1/profiles', '{}', { 'content-type': 'application/json' }), 404);
  assert.equal(await post('/v1/traces', 'x', { 'content-type': 'text/plain' }), 415);
  assert.equal(await post('/v1/traces', Buffer.from([0xff, 0xff, 0xff]), { 'content-type': 'application/x-protobuf' }), 400);
  assert.equal(await post('/v1/logs', 'not gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 400);
  assert.equal(sink.requests.length, before_);
  assert.equal(sink.rejected.length, 4);
});
