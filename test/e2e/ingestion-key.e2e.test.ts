/**
 * End to end: the two forms of the `authorization` header, as ClickStack receives them.
 *
 * - `IngestionKey.fromSecret(secret, field).asBearerToken()`: collector.yaml holds
 *   `Bearer ${secretsmanager:<arn>#<field>}`; the collector (built from the upstream layer's
 *   components, confmap v1.63.0) expands the reference inside the longer string at start, and the
 *   ClickStack stand-in must see `authorization: Bearer <key>` on every request.
 * - Negative control: the same secret without `asBearerToken()` must arrive as exactly `<key>`,
 *   no prefix; so the harness tells the two forms apart.
 * - Every other key kind with the prefix (a secret whose ARN is a token, a plain-text key with a
 *   `$`, a plain-text key that is a token) is loaded with `collector print-config` and resolves
 *   to `Bearer <key>`.
 *
 * The secrets come from the test secretsmanager provider (test/e2e/collector/testsecrets), never AWS.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { e2eFile } from './file-setup';
import { collectorBinary, printConfig, testSecretsEnv } from './harness';
import { ClickStackInstrumentation, ConfigDelivery, IngestionKey } from '../../src';
import { functionLayouts, layOut } from './lambda/layout';
import { LocalLambda } from './lambda/local-lambda';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:managed-telemetry-key-AbCdEf';
const API_KEY = 'mt-api-key-0123456789';
const SECRETS = { [SECRET_ARN]: JSON.stringify({ apiKey: API_KEY }) };

const e2e = e2eFile();

interface Laid { readonly env: Record<string, string>; readonly root: string; readonly parameters: Record<string, string> }

/** Synthesize one `provided.al2023` function instrumented with `key(stack)` and lay it out. */
function layOutFunction(key: (stack: Stack) => IngestionKey, parameters: Record<string, string> = {}): Laid {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-key-'));
  e2e.removeAfter(dir);
  const app = new App({ outdir: path.join(dir, 'cdk.out') });
  const stack = new Stack(app, 'Key', { env: { account: '123456789012', region: 'eu-west-1' } });
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.PROVIDED_AL2023,
    handler: 'bootstrap',
    code: lambda.Code.fromAsset(path.join(__dirname, 'fixtures', 'provided')),
  });
  new ClickStackInstrumentation(stack, 'Otel', { endpoint: e2e.sink().url, ingestionKey: key(stack), functions: [fn], configDelivery: ConfigDelivery.BUNDLE });
  app.synth();
  const [layout] = functionLayouts(path.join(dir, 'cdk.out'), `${stack.artifactId}.template.json`, { refs: parameters });
  const root = path.join(dir, 'root');
  return { env: layOut(layout, root, { collector: collectorBinary() }), root, parameters };
}

/** Init, two invokes and SHUTDOWN in the local Lambda; the authorization values the stand-in saw. */
async function headersAtSink(laid: Laid): Promise<string[]> {
  const local = new LocalLambda({ root: laid.root, environment: { ...laid.env, ...testSecretsEnv(SECRETS) }, functionName: 'key-fn' });
  const start = Date.now();
  try {
    await local.start();
    for (const marker of ['k0', 'k1']) {
      const r = await local.invoke({ marker });
      assert.equal(r.error, undefined, `invoke failed: ${r.error}\n${local.output}`);
      assert.match(r.response, /"otlp":200/, `the handler could not send OTLP to the collector: ${r.response}\n${local.output}`);
    }
    await local.shutdown();
  } finally {
    await local.close();
  }
  assert.deepEqual(local.initErrors, [], local.output);
  const requests = e2e.sink().requests.filter(r => r.receivedAt >= start);
  assert.ok(requests.some(r => r.signal === 'traces'), `no traces at the sink\n${local.output}`);
  return requests.map(r => String(r.headers.authorization));
}

const fromSecret = (s: Stack) => IngestionKey.fromSecret(secretsmanager.Secret.fromSecretCompleteArn(s, 'Secret', SECRET_ARN), 'apiKey');

void test('asBearerToken() with a secret: ClickStack receives `authorization: Bearer <key>` on every request', { timeout: 120_000 }, async () => {
  const laid = layOutFunction(s => fromSecret(s).asBearerToken());
  const config = fs.readFileSync(laid.env.OPENTELEMETRY_COLLECTOR_CONFIG_URI, 'utf8');
  assert.match(config, /authorization: Bearer \$\{secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:managed-telemetry-key-AbCdEf#apiKey\}/);
  assert.ok(!config.includes(API_KEY), 'the key itself is in collector.yaml');
  const seen = await headersAtSink(laid);
  assert.deepEqual([...new Set(seen)], [`Bearer ${API_KEY}`]);
});

void test('negative control: the same secret as it is arrives as exactly the key, without the prefix', { timeout: 120_000 }, async () => {
  const seen = await headersAtSink(layOutFunction(fromSecret));
  assert.deepEqual([...new Set(seen)], [API_KEY]);
});

void test('every other key kind with asBearerToken() resolves to `Bearer <key>` in the collector', { timeout: 120_000 }, async t => {
  const cases: Array<{ name: string; key: (s: Stack) => IngestionKey; parameters?: Record<string, string>; expected: string }> = [
    { name: 'a secret of the stack (its ARN a token, through CLICKSTACK_INGESTION_KEY_SECRET_ARN)', key: s => IngestionKey.fromSecret(new secretsmanager.Secret(s, 'Owned')).asBearerToken(), expected: 'Bearer owned-secret-key' },
    { name: 'a plain-text key with a $', key: () => IngestionKey.unsafePlainText('pl$in-key').asBearerToken(), expected: 'Bearer pl$in-key' },
    { name: 'a plain-text key that is a token (through CLICKSTACK_INGESTION_KEY)', key: s => IngestionKey.unsafePlainText(new CfnParameter(s, 'KeyParam', { noEcho: true }).valueAsString).asBearerToken(), parameters: { KeyParam: 'param-key-42' }, expected: 'Bearer param-key-42' },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const laid = layOutFunction(c.key, c.parameters ?? {});
      // The owned secret's ARN resolves to a placeholder ARN at layout: that id gets the default secret.
      const r = await printConfig(laid.env.OPENTELEMETRY_COLLECTOR_CONFIG_URI, { ...laid.env, ...testSecretsEnv(SECRETS, 'owned-secret-key') });
      assert.ok(r.ok, r.output);
      const exporter = Object.values(r.config.exporters as Record<string, any>).find(e => e.headers);
      assert.deepEqual(exporter.headers, [{ name: 'authorization', value: c.expected }]);
    });
  }
});
