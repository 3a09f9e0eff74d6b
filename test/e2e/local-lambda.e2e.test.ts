/**
 * The local Lambda keeps AWS's documented rules (each cited beside the rule in
 * lambda/local-lambda.ts): the Telemetry API subscription's schema versions, the Managed
 * Instances schema, buffering bounds and destination host; an extension's registered name is its
 * file name; no INVOKE registration on Managed Instances; SIGTERM to the runtime at shutdown. Each
 * refusal has its accepted twin that changes one thing.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { InitializationType, LocalLambda, LocalLambdaInitError, subscribeRefusal } from './lambda/local-lambda';

const GOOD = {
  schemaVersion: '2022-12-13',
  types: ['platform'],
  buffering: { maxItems: 1000, maxBytes: 262144, timeoutMs: 25 },
  destination: { protocol: 'HTTP', URI: 'http://sandbox.localdomain:4243/' },
};

void test('Telemetry API subscribe: schema versions, the Managed Instances schema, buffering bounds, the destination host', () => {
  assert.equal(subscribeRefusal(GOOD, 'on-demand'), undefined);
  for (const v of ['2025-01-29', '2022-12-13', '2022-07-01']) assert.equal(subscribeRefusal({ ...GOOD, schemaVersion: v }, 'on-demand'), undefined, v);
  assert.match(subscribeRefusal({ ...GOOD, schemaVersion: '2023-01-01' }, 'on-demand')!, /schemaVersion/);
  // "Lambda Managed Instances require 2025-01-29".
  assert.match(subscribeRefusal(GOOD, 'lambda-managed-instances')!, /Managed Instances require schemaVersion 2025-01-29/);
  assert.equal(subscribeRefusal({ ...GOOD, schemaVersion: '2025-01-29' }, 'lambda-managed-instances'), undefined);
  // Buffering: the bounds themselves are accepted, one past them refused.
  const buffering = (b: object) => subscribeRefusal({ ...GOOD, buffering: { ...GOOD.buffering, ...b } }, 'on-demand');
  for (const ok of [{ maxItems: 10_000 }, { maxBytes: 1_048_576 }, { timeoutMs: 30_000 }]) assert.equal(buffering(ok), undefined, JSON.stringify(ok));
  const outside = [{ maxItems: 999 }, { maxItems: 10_001 }, { maxBytes: 262_143 }, { maxBytes: 1_048_577 }, { timeoutMs: 24 }, { timeoutMs: 30_001 }];
  for (const bad of outside) {
    assert.match(buffering(bad)!, /buffering\./, JSON.stringify(bad));
  }
  // The listener is sandbox.localdomain: loopback addresses and AWS_SAM_LOCAL's "http://:port/" are refused.
  for (const uri of ['http://127.0.0.1:4243/', 'http://localhost:4243/', 'http://:4243/']) {
    assert.match(subscribeRefusal({ ...GOOD, destination: { protocol: 'HTTP', URI: uri } }, 'on-demand')!, /sandbox\.localdomain/, uri);
  }
});

const roots: string[] = [];
after(() => { for (const r of roots) fs.rmSync(r, { recursive: true, force: true }); });

/** A root with one extension `file` that registers as `name` for `events`, and a runtime that notes SIGTERM. */
function layout(file: string, name: string, events: string[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-local-'));
  roots.push(root);
  fs.mkdirSync(path.join(root, 'opt', 'extensions'), { recursive: true });
  fs.mkdirSync(path.join(root, 'var', 'task'), { recursive: true });
  fs.writeFileSync(path.join(root, 'opt', 'extensions', file), `#!${process.execPath}
const api = process.env.AWS_LAMBDA_RUNTIME_API;
(async () => {
  const r = await fetch('http://' + api + '/2020-01-01/extension/register', { method: 'POST', headers: { 'Lambda-Extension-Name': ${JSON.stringify(name)} }, body: JSON.stringify({ events: ${JSON.stringify(events)} }) });
  if (r.status !== 200) { console.log('register refused: ' + await r.text()); process.exit(1); }
  const id = r.headers.get('lambda-extension-identifier');
  for (;;) {
    const e = await (await fetch('http://' + api + '/2020-01-01/extension/event/next', { headers: { 'Lambda-Extension-Identifier': id } })).json();
    if (e.eventType === 'SHUTDOWN') process.exit(0);
  }
})();
`, { mode: 0o755 });
  fs.writeFileSync(path.join(root, 'var', 'task', 'bootstrap'), `#!${process.execPath}
process.on('SIGTERM', () => { console.log('runtime: SIGTERM'); process.exit(0); });
const api = process.env.AWS_LAMBDA_RUNTIME_API;
(async () => { for (;;) {
  const n = await fetch('http://' + api + '/2018-06-01/runtime/invocation/next');
  await fetch('http://' + api + '/2018-06-01/runtime/invocation/' + n.headers.get('lambda-runtime-aws-request-id') + '/response', { method: 'POST', body: '{}' });
} })();
`, { mode: 0o755 });
  return root;
}

async function run(root: string, mode: InitializationType): Promise<LocalLambda> {
  const lambda = new LocalLambda({ root, environment: {}, initializationType: mode });
  try {
    await lambda.start();
    await lambda.invoke({});
    await lambda.shutdown();
  } finally {
    await lambda.close();
  }
  return lambda;
}

void test('Extensions API: the registered name must be the extension\'s file name', { timeout: 60_000 }, async () => {
  await assert.rejects(run(layout('ext-a', 'ext-b', ['SHUTDOWN']), 'on-demand'), (e: unknown) => e instanceof LocalLambdaInitError && /registration refused: ext-b/.test(e.reason));
  const ok = await run(layout('ext-a', 'ext-a', ['SHUTDOWN']), 'on-demand');
  assert.deepEqual(ok.registered, [{ name: 'ext-a', events: ['SHUTDOWN'] }]);
});

void test('Managed Instances: registering for INVOKE is refused; SHUTDOWN only is accepted', { timeout: 60_000 }, async () => {
  await assert.rejects(run(layout('ext', 'ext', ['INVOKE', 'SHUTDOWN']), 'lambda-managed-instances'), (e: unknown) => e instanceof LocalLambdaInitError && /no INVOKE event/.test(e.reason));
  const ok = await run(layout('ext', 'ext', ['SHUTDOWN']), 'lambda-managed-instances');
  assert.deepEqual(ok.registered, [{ name: 'ext', events: ['SHUTDOWN'] }]);
  // On demand, the same registration with INVOKE is accepted.
  await run(layout('ext', 'ext', ['INVOKE', 'SHUTDOWN']), 'on-demand');
});

void test('Shutdown: the runtime gets SIGTERM, the extension SHUTDOWN, and both exit by themselves', { timeout: 60_000 }, async () => {
  const lambda = await run(layout('ext', 'ext', ['INVOKE', 'SHUTDOWN']), 'on-demand');
  assert.deepEqual(lambda.runtimeSignals, ['SIGTERM']);
  assert.match(lambda.output, /\[runtime\] runtime: SIGTERM/);
  assert.deepEqual(lambda.killedAtDeadline, []);
});
