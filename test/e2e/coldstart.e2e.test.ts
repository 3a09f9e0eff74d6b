/**
 * The cold-start bench's measurement (coldstart/, `npx projen bench:coldstart`): the local
 * Lambda's timeline is off unless asked; on, it puts each phase where it happened (extension and
 * runtime processes that sleep known times before registering, before their first request, in the
 * handler and after INVOKE are measured at least that long); the phases and statistics are
 * computed as documented; and a bench run with the collector under test measures the collector's
 * init and refuses a run that proves nothing (an instrumented function whose data never reaches
 * ClickStack, a collector that starts late).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { CONFIGURATIONS, measureRun, synthesizeConfiguration } from './coldstart/bench';
import { phases } from './coldstart/phases';
import { comparison, comparisonTable, row, RunRecord, table, TABLE_HEADER } from './coldstart/report';
import { cell, paired, quantile, summarize } from './coldstart/stats';
import { e2eFile } from './file-setup';
import { collectorBinary } from './harness';
import { LocalLambda, TimelineEntry } from './lambda/local-lambda';

const e2e = e2eFile();
const roots: string[] = [];
after(() => { for (const r of roots) fs.rmSync(r, { recursive: true, force: true }); });

void test('phases: extension and runtime init, whole init, each invoke to its response and to the last extension\'s next /event/next', () => {
  const t: TimelineEntry[] = [
    { at: 1000, mark: 'init.start' },
    { at: 1010, mark: 'process.start', who: 'extension collector' },
    { at: 1050, mark: 'extension.register', who: 'collector' },
    { at: 1060, mark: 'telemetry.subscribe', who: 'collector' },
    { at: 1200, mark: 'extension.next', who: 'collector' },
    { at: 1210, mark: 'process.start', who: 'runtime' },
    { at: 1500, mark: 'runtime.next' },
    { at: 2000, mark: 'invoke.start', requestId: 'a' },
    { at: 2100, mark: 'invoke.response', requestId: 'a' },
    { at: 2101, mark: 'runtime.next' },
    { at: 2130, mark: 'extension.next', who: 'collector' },
    { at: 3000, mark: 'invoke.start', requestId: 'b' },
    { at: 3004, mark: 'invoke.response', requestId: 'b' },
    { at: 3030, mark: 'extension.next', who: 'collector' },
    { at: 4000, mark: 'shutdown.start' },
    { at: 4100, mark: 'extension.next', who: 'collector' },
  ];
  const p = phases(t);
  assert.deepEqual(p.extensions, { collector: { startToRegister: 40, registerToReady: 150, total: 190 } });
  assert.equal(p.runtimeInit, 290);
  assert.equal(p.init, 500);
  assert.deepEqual(p.invokes, [{ requestId: 'a', response: 100, end: 130 }, { requestId: 'b', response: 4, end: 30 }]);
  // Without extensions an invoke ends with its response; an /event/next after SHUTDOWN began is not the invoke's.
  const bare = t.filter(e => !e.who?.includes('collector'));
  assert.deepEqual(phases(bare).invokes.map(i => i.end), [100, 4]);
  const late = t.filter(e => !(e.mark === 'extension.next' && e.at === 3030));
  assert.equal(phases(late).invokes[1].end, 4, 'an /event/next after SHUTDOWN began was taken for the invoke\'s end');
  // A timeline that was off has no marks: refused, not read as zeros.
  assert.throws(() => phases([]), /timeline: no init\.start/);
});

void test('statistics: quartiles, paired differences, cells; a row pairs each round and leaves out warm-up runs and runs that proved nothing; an option against the configuration it changes', () => {
  assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
  assert.equal(quantile([1, 2, 3, 4, 5], 0.25), 2);
  assert.deepEqual(summarize([10, 20, 30, 40, 50]), { n: 5, median: 30, p25: 20, p75: 40 });
  assert.deepEqual(paired([5, 7], [1, 2]), [4, 5]);
  assert.throws(() => paired([1], [1, 2]), /paired/);
  assert.equal(cell(summarize([100, 120, 140, 160])), '130 [115 – 145]');
  assert.equal(cell(summarize([1.25, 2.5, 3.75]), true), '+2.5 [+1.9 – +3.1]');
  assert.equal(cell(summarize([-20, -20, -20])), '-20 [-20 – -20]');
  assert.equal(cell(summarize([5, 7])), '6.0', 'two values give no spread to speak of');

  const config = CONFIGURATIONS.find(c => c.id === 'nodejs')!;
  const rec = (variant: 'instrumented' | 'uninstrumented', round: number, init: number, problem?: string, configuration = 'nodejs'): RunRecord => ({
    configuration,
    variant,
    round,
    runtimeInit: init,
    init: init + (variant === 'instrumented' ? 30 : 0),
    first: { requestId: 'x', response: 10, end: 10 },
    warmResponse: 1,
    warmEnd: 1,
    warm: [],
    ...(variant === 'instrumented' ? { collector: { startToRegister: 10, registerToReady: 20, total: 30 } } : {}),
    ...(problem ? { problem } : {}),
  });
  const records = [
    rec('uninstrumented', -1, 1000), rec('instrumented', -1, 9000), // warm-up: left out
    rec('uninstrumented', 0, 100), rec('instrumented', 0, 300),
    rec('instrumented', 1, 320), rec('uninstrumented', 1, 110),
    rec('uninstrumented', 2, 90), rec('instrumented', 2, 5000, 'no traces'), // proved nothing: the round is left out
    rec('uninstrumented', 3, 100), rec('instrumented', 3, 280),
  ];
  const r = row(config, records);
  assert.equal(r.rounds, 3);
  assert.deepEqual(r.runtimeInitAdded, summarize([200, 210, 180]));
  assert.deepEqual(r.initAdded, summarize([230, 240, 210]));
  assert.equal(r.collectorInit.median, 30);
  const md = table([r]).split('\n');
  assert.equal(md[0], `| ${TABLE_HEADER.join(' | ')} |`);
  assert.equal(md[2], '| Node.js (`nodejs20.x`) | 30 [30 – 30] (10) | 100 → 300 | +200 [+190 – +205] | +230 [+220 – +235] | 0.0 [0.0 – 0.0] | 0.0 [0.0 – 0.0] | 0.0 [0.0 – 0.0] |');
  assert.match(table([row(config, [])]).split('\n')[2], /no valid round/);

  // nodejs-all against nodejs: instrumented runs only, round by round (round 2 of nodejs proved nothing).
  const all = CONFIGURATIONS.find(c => c.id === 'nodejs-all')!;
  assert.equal(all.against, 'nodejs');
  const more = [rec('instrumented', 0, 400, undefined, 'nodejs-all'), rec('instrumented', 1, 380, undefined, 'nodejs-all'),
    rec('instrumented', 2, 390, undefined, 'nodejs-all'), rec('instrumented', 3, 330, undefined, 'nodejs-all'), rec('uninstrumented', 0, 1, undefined, 'nodejs-all')];
  const c = comparison(all, config, [...records, ...more]);
  assert.equal(c.rounds, 3);
  assert.deepEqual(c.init, summarize([100, 60, 50]));
  assert.match(comparisonTable([c]).split('\n')[2], /^\| Node\.js, `nodejsEnabledInstrumentations`: all 30 the layer accepts \| Node\.js \(`nodejs20\.x`\) \| \+60 \[\+55 – \+80\] \|/);
});

/** A root with one extension and one runtime that sleep the given milliseconds (node scripts). */
function sleepyLayout(d: { beforeRegister: number; beforeFirstNext: number; afterInvoke: number; runtimeInit: number; handler: number }): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-coldstart-'));
  roots.push(root);
  fs.mkdirSync(path.join(root, 'opt', 'extensions'), { recursive: true });
  fs.mkdirSync(path.join(root, 'var', 'task'), { recursive: true });
  const sleep = 'const sleep = ms => new Promise(r => setTimeout(r, ms));';
  fs.writeFileSync(path.join(root, 'opt', 'extensions', 'ext'), `#!${process.execPath}
${sleep}
const api = process.env.AWS_LAMBDA_RUNTIME_API;
(async () => {
  await sleep(${d.beforeRegister});
  const r = await fetch('http://' + api + '/2020-01-01/extension/register', { method: 'POST', headers: { 'Lambda-Extension-Name': 'ext' }, body: JSON.stringify({ events: ['INVOKE', 'SHUTDOWN'] }) });
  const id = r.headers.get('lambda-extension-identifier');
  await sleep(${d.beforeFirstNext});
  for (;;) {
    const e = await (await fetch('http://' + api + '/2020-01-01/extension/event/next', { headers: { 'Lambda-Extension-Identifier': id } })).json();
    if (e.eventType === 'SHUTDOWN') process.exit(0);
    await sleep(${d.afterInvoke});
  }
})();
`, { mode: 0o755 });
  fs.writeFileSync(path.join(root, 'var', 'task', 'bootstrap'), `#!${process.execPath}
${sleep}
const api = process.env.AWS_LAMBDA_RUNTIME_API;
(async () => {
  await sleep(${d.runtimeInit});
  for (;;) {
    const n = await fetch('http://' + api + '/2018-06-01/runtime/invocation/next');
    await sleep(${d.handler});
    await fetch('http://' + api + '/2018-06-01/runtime/invocation/' + n.headers.get('lambda-runtime-aws-request-id') + '/response', { method: 'POST', body: '{}' });
  }
})();
`, { mode: 0o755 });
  return root;
}

async function runLocal(root: string, timeline: boolean, invokes: number): Promise<LocalLambda> {
  const lambda = new LocalLambda({ root, environment: {}, timeline });
  try {
    await lambda.start();
    for (let i = 0; i < invokes; i++) await lambda.invoke({});
    await lambda.shutdown();
  } finally {
    await lambda.close();
  }
  return lambda;
}

void test('the local Lambda\'s timeline: off by default; on, each known delay is measured where it happens', { timeout: 60_000 }, async () => {
  const delays = { beforeRegister: 300, beforeFirstNext: 400, afterInvoke: 250, runtimeInit: 350, handler: 200 };
  const off = await runLocal(sleepyLayout(delays), false, 1);
  assert.deepEqual(off.timeline, []);

  const on = await runLocal(sleepyLayout(delays), true, 2);
  // Each mark in the order it first happened (the extension subscribes to nothing).
  assert.deepEqual([...new Set(on.timeline.map(e => e.mark))], [
    'init.start', 'process.start', 'extension.register', 'extension.next', 'runtime.next', 'invoke.start', 'invoke.response', 'shutdown.start',
  ]);
  assert.deepEqual(on.timeline.filter(e => e.mark === 'process.start').map(e => e.who), ['extension ext', 'runtime']);
  const p = phases(on.timeline);
  const ext = p.extensions.ext;
  // Lower bounds only: a sleep is never shorter than asked, a loaded machine only adds.
  assert.ok(ext.startToRegister >= delays.beforeRegister, `start → register ${ext.startToRegister} ms < ${delays.beforeRegister}`);
  assert.ok(ext.registerToReady >= delays.beforeFirstNext, `register → ready ${ext.registerToReady} ms < ${delays.beforeFirstNext}`);
  assert.ok(p.runtimeInit >= delays.runtimeInit, `runtime init ${p.runtimeInit} ms < ${delays.runtimeInit}`);
  assert.ok(p.init >= ext.total + p.runtimeInit, `init ${p.init} ms is less than the extension's and the runtime's (${ext.total} + ${p.runtimeInit})`);
  assert.equal(p.invokes.length, 2);
  for (const inv of p.invokes) {
    assert.ok(inv.response >= delays.handler, `response ${inv.response} ms < ${delays.handler}`);
    // The extension sleeps after INVOKE, concurrently with the handler: the invoke ends after both.
    assert.ok(inv.end >= Math.max(delays.handler, delays.afterInvoke), `end ${inv.end} ms`);
  }
});

void test('bench run with the collector under test: its init measured, the data at ClickStack; a run that sends nothing or a collector that starts late is seen', { timeout: 180_000 }, async () => {
  const config = CONFIGURATIONS.find(c => c.id === 'collector')!;
  const instrumented = synthesizeConfiguration(config, true, e2e.sink().url);
  const uninstrumented = synthesizeConfiguration(config, false, e2e.sink().url);
  e2e.removeAfter(instrumented.dir);
  e2e.removeAfter(uninstrumented.dir);
  const base = { config, warm: 2, collector: collectorBinary(), sink: e2e.sink(), round: 0 };

  const withIt = await measureRun({ ...base, variant: 'instrumented', synthesized: instrumented });
  assert.equal(withIt.problem, undefined);
  assert.ok(withIt.collector && withIt.collector.startToRegister > 0 && withIt.collector.registerToReady > 0, JSON.stringify(withIt.collector));
  assert.equal(withIt.warm.length, 2);
  // The collector ends each invoke after platform.runtimeDone reached it, which the Telemetry API
  // delivers in a batch opened by platform.start and held for the 25 ms its lifecycle subscription
  // asks for (open-telemetry/opentelemetry-lambda@faa4ca46 collector/internal/telemetryapi/client.go:53-56;
  // the local Lambda honours timeoutMs): never before 25 ms, always after the response.
  for (const w of withIt.warm) assert.ok(w.end >= 25 && w.end > w.response, `invoke end ${w.end} ms, response ${w.response} ms`);
  const without = await measureRun({ ...base, variant: 'uninstrumented', synthesized: uninstrumented });
  assert.equal(without.problem, undefined);
  assert.equal(without.collector, undefined);
  for (const w of without.warm) assert.equal(w.end, w.response);

  // Negative control: the handler's OTLP goes nowhere, so nothing reaches ClickStack: the run proves nothing.
  const lost = await measureRun({ ...base, variant: 'instrumented', synthesized: instrumented, envOverride: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' } });
  assert.match(lost.problem ?? '', /no traces reached the ClickStack stand-in/);

  // A collector that starts 700 ms late (a wrapper that sleeps, then execs it) is measured so.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-coldstart-bin-'));
  roots.push(dir);
  const late = path.join(dir, 'collector');
  fs.writeFileSync(late, `#!/bin/sh\nsleep 0.7\nexec "${collectorBinary()}" "$@"\n`, { mode: 0o755 });
  const slow = await measureRun({ ...base, variant: 'instrumented', synthesized: instrumented, collector: late });
  assert.equal(slow.problem, undefined);
  assert.ok(slow.collector!.startToRegister >= 700, `start → register ${slow.collector!.startToRegister} ms`);
  assert.ok(slow.init >= 700 + slow.runtimeInit, `init ${slow.init} ms`);
});
