/**
 * End to end: a function synthesized by the library (provided.al2023, collector only) runs in
 * the local Lambda with the collector built from the upstream layer's components; its handler
 * sends OTLP to localhost:4318 during an invoke, and the ClickStack stand-in (sink.ts) checks
 * what arrives. Negative controls: another key gives another header; a wrong key never shows.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { e2eFile } from './file-setup';
import { collectorBinary, testSecretsEnv } from './harness';
import { ClickStackInstrumentation, ClickStackOptions, ConfigDelivery, IngestionKey, TelemetryApiType } from '../../src';
import { functionLayouts, layOut } from './lambda/layout';
import { InitializationType, LocalLambda } from './lambda/local-lambda';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:e2e-key-AbCdEf';
const HANDLER_DIR = path.join(__dirname, 'fixtures', 'provided');

const e2e = e2eFile();

interface Run { readonly lambda: LocalLambda; readonly config: string; readonly invokes: string[]; readonly start: number }

/** Synthesize one instrumented function, lay it out, run init, `invokes` invokes and SHUTDOWN. */
async function runFunction(options: Partial<ClickStackOptions>, secrets: Record<string, string>, mode: InitializationType = 'on-demand', invokes = 1): Promise<Run> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-lambda-'));
  e2e.removeAfter(dir);
  const app = new App({ outdir: path.join(dir, 'cdk.out') });
  const stack = new Stack(app, 'E2e', { env: { account: '123456789012', region: 'eu-west-1' } });
  const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.PROVIDED_AL2023, handler: 'bootstrap', code: lambda.Code.fromAsset(HANDLER_DIR) });
  new ClickStackInstrumentation(stack, 'Otel', { endpoint: e2e.sink().url, ...options, functions: [fn] });
  app.synth();
  const [layout] = functionLayouts(path.join(dir, 'cdk.out'), `${stack.artifactId}.template.json`);
  const root = path.join(dir, 'root');
  const env = layOut(layout, root, { collector: collectorBinary() });
  const uri = env.OPENTELEMETRY_COLLECTOR_CONFIG_URI;
  const config = uri.startsWith('env:') ? env[uri.slice(4)] : fs.readFileSync(uri, 'utf8');
  const local = new LocalLambda({ root, environment: { ...env, ...testSecretsEnv(secrets) }, functionName: 'e2e-fn', initializationType: mode });
  const start = Date.now();
  const ids: string[] = [];
  try {
    await local.start();
    for (let i = 0; i < invokes; i++) {
      const r = await local.invoke({ marker: `m${i}` });
      assert.equal(r.error, undefined, `invoke failed: ${r.error}\n${local.output}`);
      assert.match(r.response, /"otlp":200/, `the handler could not send OTLP to the collector: ${r.response}\n${local.output}`);
      ids.push(r.requestId);
    }
    await local.shutdown();
  } finally {
    await local.close();
  }
  return { lambda: local, config, invokes: ids, start };
}

function since(start: number) {
  return e2e.sink().requests.filter(r => r.receivedAt >= start);
}

void test('on demand: traces and function logs arrive, gzip, with the key, before SHUTDOWN completes', { timeout: 120_000 }, async () => {
  const run = await runFunction({
    ingestionKey: IngestionKey.fromSecret(secretsmanager.Secret.fromSecretCompleteArn(new Stack(), 'K', SECRET_ARN)),
    lambdaTelemetry: [TelemetryApiType.FUNCTION],
    deploymentEnvironment: 'e2e',
    serviceVersion: '1.2.3',
    resourceAttributes: { team: 'observability' },
    configDelivery: ConfigDelivery.LAYER,
  }, { [SECRET_ARN]: 'key-one' }, 'on-demand', 2);
  const local = run.lambda;
  assert.deepEqual(local.registered, [{ name: 'collector', events: ['INVOKE', 'SHUTDOWN'] }]);
  assert.deepEqual(local.initErrors, []);
  const requests = since(run.start);
  const traces = requests.filter(r => r.signal === 'traces');
  assert.ok(traces.length > 0, `no traces at the sink\n${local.output}`);
  for (const r of requests) {
    assert.equal(r.headers.authorization, 'key-one');
    assert.equal(r.gzip, true, 'payload not gzip');
    assert.equal(r.format, 'protobuf');
    assert.ok(r.receivedAt <= local.shutdownCompletedAt!, 'data arrived after SHUTDOWN completed');
  }
  const spans = e2e.sink().spans().filter(s => run.invokes.includes(String(s.attributes['faas.invocation_id'])));
  assert.deepEqual(spans.map(s => s.name).sort(), ['handler m0', 'handler m1']);
  assert.equal(spans[0].resource['service.name'], 'e2e-handler');
  // Telemetry API `function` records: the handler's stdout, with the resource the library promises.
  const logs = e2e.sink().logRecords().filter(l => typeof l.body === 'string' && /^handler: invoked /.test(l.body) && run.invokes.some(id => (l.body as string).includes(id)));
  assert.equal(logs.length, 2, `function logs at the sink: ${JSON.stringify(e2e.sink().logRecords().map(l => l.body))}`);
  for (const l of logs) {
    assert.equal(l.attributes.type, 'function');
    // From the library's config (the `transform` processor, upstream contrib code):
    assert.equal(l.resource['deployment.environment.name'], 'e2e');
    assert.equal(l.resource['service.version'], '1.2.3');
    assert.equal(l.resource.team, 'observability');
    // From the telemetryapi receiver (stand-in, after upstream receiver.go:768-799):
    assert.equal(l.resource['faas.name'], 'e2e-fn');
  }
  // Collector 0.23.0 ships transform (the library's choice there; resource before 0.22.0).
  assert.match(run.config, /transform:/);
});

void test('negative control: another key sends another header, and the first key is absent', { timeout: 120_000 }, async () => {
  const run = await runFunction({ ingestionKey: IngestionKey.unsafePlainText('key-two'), configDelivery: ConfigDelivery.BUNDLE }, {});
  const requests = since(run.start);
  assert.ok(requests.length > 0, `nothing arrived\n${run.lambda.output}`);
  assert.deepEqual([...new Set(requests.map(r => r.headers.authorization))], ['key-two']);
});

void test('negative control: no key, no authorization header', { timeout: 120_000 }, async () => {
  const run = await runFunction({ configDelivery: ConfigDelivery.ENVIRONMENT }, {});
  const requests = since(run.start);
  assert.ok(requests.length > 0, `nothing arrived\n${run.lambda.output}`);
  for (const r of requests) assert.equal(r.headers.authorization, undefined);
});

void test('Managed Instances mode: the collector registers for SHUTDOWN only, gets no INVOKE, and the data arrives', { timeout: 120_000 }, async () => {
  const run = await runFunction({ ingestionKey: IngestionKey.unsafePlainText('key-mi'), configDelivery: ConfigDelivery.LAYER }, {}, 'lambda-managed-instances', 2);
  assert.deepEqual(run.lambda.registered, [{ name: 'collector', events: ['SHUTDOWN'] }]);
  const spans = e2e.sink().spans().filter(s => run.invokes.includes(String(s.attributes['faas.invocation_id'])));
  assert.equal(spans.length, 2, run.lambda.output);
  for (const r of since(run.start)) assert.equal(r.headers.authorization, 'key-mi');
});
