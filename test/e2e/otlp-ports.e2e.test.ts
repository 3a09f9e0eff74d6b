/**
 * Issue 23, end to end: a collector-only function whose code brings its own SDK gets no OTLP
 * endpoint from the library, so each exporter uses its default: the upstream JavaScript gRPC
 * exporter goes to localhost:4317 and the HTTP/protobuf one to localhost:4318, both served by the
 * collector, and both arrive at the ClickStack stand-in. Negative control: the endpoint the
 * library used to set (http://localhost:4318) sends the gRPC exporter to the HTTP port, and
 * nothing arrives.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { e2eFile } from './file-setup';
import { collectorBinary, REPO } from './harness';
import { ClickStackInstrumentation, IngestionKey } from '../../src';
import { functionLayouts, layOut } from './lambda/layout';
import { LocalLambda } from './lambda/local-lambda';

const HANDLER_DIR = path.join(__dirname, 'fixtures', 'sdk-default');

const e2e = e2eFile();

interface Outcome { readonly env: Record<string, string>; readonly responses: string[]; readonly spans: string[]; readonly output: string }

/** One collector-only function, synthesized by the library, run for two invokes with `exporter`. */
async function run(exporter: 'grpc' | 'http', environment: Record<string, string> = {}): Promise<Outcome> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-ports-'));
  e2e.removeAfter(dir);
  const app = new App({ outdir: path.join(dir, 'cdk.out') });
  const stack = new Stack(app, 'Ports', { env: { account: '123456789012', region: 'eu-west-1' } });
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.PROVIDED_AL2023, handler: 'bootstrap', code: lambda.Code.fromAsset(HANDLER_DIR), environment,
  });
  new ClickStackInstrumentation(stack, 'Otel', { endpoint: e2e.sink().url, ingestionKey: IngestionKey.unsafePlainText(`key-${exporter}`), functions: [fn] });
  app.synth();
  const [layout] = functionLayouts(path.join(dir, 'cdk.out'), `${stack.artifactId}.template.json`);
  const root = path.join(dir, 'root');
  const env = layOut(layout, root, { collector: collectorBinary() });
  const local = new LocalLambda({
    root,
    functionName: `ports-${exporter}`,
    initializationType: 'on-demand',
    environment: { ...env, E2E_EXPORTER: exporter, E2E_NODE_MODULES: path.join(REPO, 'node_modules') },
  });
  const start = Date.now();
  const responses: string[] = [];
  const ids: string[] = [];
  try {
    await local.start();
    for (const marker of ['a', 'b']) {
      const r = await local.invoke({ marker });
      assert.equal(r.error, undefined, `invoke failed: ${r.error}\n${local.output}`);
      responses.push(r.response);
      ids.push(r.requestId);
    }
    await local.shutdown();
  } finally {
    await local.close();
  }
  const spans = e2e.sink().spans()
    .filter(s => ids.includes(String(s.attributes['faas.invocation_id'])))
    .filter(() => e2e.sink().requests.some(q => q.receivedAt >= start && q.headers.authorization === `key-${exporter}`))
    .map(s => s.name).sort();
  return { env, responses, spans, output: local.output };
}

void test('the library sets no endpoint and no protocol on a collector-only function, and OTEL_EXPORTER_OTLP_INSECURE=true', { timeout: 120_000 }, async () => {
  const { env } = await run('http');
  assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, undefined);
  assert.equal(env.OTEL_EXPORTER_OTLP_PROTOCOL, undefined);
  assert.equal(env.OTEL_EXPORTER_OTLP_INSECURE, 'true');
});

void test('the gRPC exporter at its default endpoint (localhost:4317) arrives', { timeout: 120_000 }, async () => {
  const out = await run('grpc');
  assert.deepEqual(out.responses, ['{"otlp":"ok"}', '{"otlp":"ok"}'], out.output);
  assert.deepEqual(out.spans, ['grpc a', 'grpc b'], out.output);
});

void test('the HTTP/protobuf exporter at its default endpoint (localhost:4318) arrives', { timeout: 120_000 }, async () => {
  const out = await run('http');
  assert.deepEqual(out.responses, ['{"otlp":"ok"}', '{"otlp":"ok"}'], out.output);
  assert.deepEqual(out.spans, ['http a', 'http b'], out.output);
});

void test('negative control: the endpoint the library used to set sends gRPC to the HTTP port, and nothing arrives', { timeout: 120_000 }, async () => {
  const out = await run('grpc', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' });
  assert.equal(out.env.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://localhost:4318');
  for (const r of out.responses) assert.match(r, /"otlp":"failed/, out.output);
  assert.deepEqual(out.spans, [], out.output);
});
