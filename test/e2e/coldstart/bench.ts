/**
 * `npx projen bench:coldstart`: what instrumentation costs at cold start and per invoke, measured
 * with the local Lambda of test/e2e (README.md beside this file). Per configuration, a function
 * synthesized by the library and the same function synthesized without it run in alternation,
 * several rounds; the local Lambda's timeline gives the collector's init, the runtime's init (the
 * language layer's wrapper and SDK start), the whole init, and each invoke's time to the
 * response and to its end. Prints a ready-to-paste Markdown section (method, machine, table,
 * limits) and `coldstart: N passed, N failed` last (configurations measured and checked).
 *
 *   --rounds N     measured rounds (default 10)
 *   --warm N       warm invokes per run (default 10)
 *   --warmup N     unmeasured runs of each variant first (default 1)
 *   --only a,b     configurations by id (collector, telemetry, debug, nodejs, nodejs-all, python,
 *                  python-nobotocore, python-noboto, java, java-fast)
 *   --skip-build   use the collector already built (as `npx projen e2e -- --skip-build`)
 *   --out FILE     also write the Markdown there; the raw runs go to .bench/coldstart-<time>.json
 *
 * The collector under test is chosen as for `npx projen e2e`: the stand-in build by default,
 * E2E_UPSTREAM_SRC=<opentelemetry-lambda tree> for the layer's real collector, E2E_COLLECTOR_BIN
 * for any binary. It binds localhost:4317 and 4318: run it under `flock /tmp/e2e.lock`.
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ClickStackOptions, IngestionKey, TelemetryApiType } from '../../../src';
import { LANGUAGE_SUPPORT } from '../../../src/layers/language-support';
import { assertPortsFree, REPO } from '../harness';
import {
  javaAgentLanguage, LanguageRuntime, NODEJS_CODE, nodejsLanguage, PROVIDED_CODE, providedLanguage, PYTHON_CODE, pythonLanguage,
  requestsSince, runFunction, Synthesized, synthesize,
} from '../languages';
import { collectorUnderTest, checkSandboxHost } from '../run';
import { OtlpSink } from '../sink';
import { ExtensionInit, InvokePhases, phases } from './phases';
import { cell, markdownTable, median, ms, paired, Summary, summarize } from './stats';

export type LanguageId = 'provided' | 'nodejs' | 'python' | 'java';

export interface LanguageSpec {
  readonly id: LanguageId;
  readonly runtime: lambda.Runtime;
  readonly handler: string;
  /** The function's code directory (may install the runtime first). */
  readonly code: () => string;
  /** The runtime as the local Lambda runs it (installs it on first use). */
  readonly local: () => LanguageRuntime;
  readonly event: (marker: string) => unknown;
  readonly initTimeoutMs: number;
}

function once<T>(f: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: f() }).v;
}

const javaLocal = once(javaAgentLanguage);

export const LANGUAGES: Record<LanguageId, LanguageSpec> = {
  provided: {
    id: 'provided',
    runtime: lambda.Runtime.PROVIDED_AL2023,
    handler: 'bootstrap',
    code: () => PROVIDED_CODE,
    local: once(providedLanguage),
    event: marker => ({ marker }),
    initTimeoutMs: 60_000,
  },
  nodejs: {
    id: 'nodejs',
    runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler',
    code: () => NODEJS_CODE,
    local: once(nodejsLanguage),
    event: marker => ({ marker }),
    initTimeoutMs: 60_000,
  },
  python: {
    id: 'python',
    runtime: lambda.Runtime.PYTHON_3_11,
    handler: 'app.handler',
    code: () => PYTHON_CODE,
    local: once(pythonLanguage),
    event: marker => ({ marker }),
    initTimeoutMs: 60_000,
  },
  java: {
    id: 'java',
    runtime: lambda.Runtime.JAVA_17,
    handler: 'e2e.Handler::handleRequest',
    code: () => javaLocal().functionCode,
    local: javaLocal,
    // An API Gateway proxy event: the e2e Java handler's type.
    event: marker => ({ httpMethod: 'POST', path: '/e2e', resource: '/e2e', body: marker, headers: {} }),
    initTimeoutMs: 180_000,
  },
};

export interface Configuration {
  readonly id: string;
  /** The table's first column. */
  readonly title: string;
  readonly language: LanguageId;
  /** The library's options beyond the endpoint and the key. */
  readonly options: Partial<ClickStackOptions>;
}

/** Every name the Node.js layer 0.23.0 accepts in OTEL_NODE_ENABLED_INSTRUMENTATIONS (the library's own list). */
const NODE_ACCEPTED = LANGUAGE_SUPPORT.nodejs['0.23.0'].nodeInstrumentations!.accepted;

export const CONFIGURATIONS: Configuration[] = [
  { id: 'collector', title: 'collector only (`provided.al2023`)', language: 'provided', options: {} },
  { id: 'telemetry', title: 'collector, `lambdaTelemetry: [PLATFORM, FUNCTION]`', language: 'provided', options: { lambdaTelemetry: [TelemetryApiType.PLATFORM, TelemetryApiType.FUNCTION] } },
  { id: 'debug', title: 'collector, `debug: true`', language: 'provided', options: { debug: true } },
  { id: 'nodejs', title: 'Node.js (`nodejs20.x`)', language: 'nodejs', options: {} },
  {
    id: 'nodejs-all',
    title: `Node.js, \`nodejsEnabledInstrumentations\`: all ${NODE_ACCEPTED.length} the layer accepts`,
    language: 'nodejs',
    options: { nodejsEnabledInstrumentations: [...NODE_ACCEPTED] },
  },
  { id: 'python', title: 'Python (`python3.11`)', language: 'python', options: {} },
  { id: 'python-nobotocore', title: 'Python, `pythonDisabledInstrumentations: [\'botocore\']`', language: 'python', options: { pythonDisabledInstrumentations: ['botocore'] } },
  {
    // What keeps botocore and boto3 out of the process: opentelemetry-instrumentation-botocore
    // 0.65b0 (the Python layer 0.21.0's) has a second entry point, `aiobotocore`, that imports the
    // same module, which imports botocore at its top (its wheel's entry_points.txt;
    // opentelemetry/instrumentation/botocore/__init__.py:113, package.py:4-8: either library
    // satisfies its dependency check); opentelemetry-instrumentation-boto3sqs's entry point is
    // named `boto3` and imports boto3 and botocore (boto3sqs/__init__.py:24-25). The SDK skips by
    // entry point name (opentelemetry-instrumentation 0.65b0 auto_instrumentation/_load.py:91).
    id: 'python-noboto',
    title: 'Python, `pythonDisabledInstrumentations: [\'botocore\', \'aiobotocore\', \'boto3\']`',
    language: 'python',
    options: { pythonDisabledInstrumentations: ['botocore', 'aiobotocore', 'boto3'] },
  },
  { id: 'java', title: 'Java agent (`java17`)', language: 'java', options: {} },
  { id: 'java-fast', title: 'Java agent, `javaAgentFastStartup: true`', language: 'java', options: { javaAgentFastStartup: true } },
];

export const KEY = 'coldstart-bench-key';

/** Synthesize `config`'s function, instrumented or not (endpoint: the sink; a plain-text key). */
export function synthesizeConfiguration(config: Configuration, instrumented: boolean, sinkUrl: string): Synthesized {
  const lang = LANGUAGES[config.language];
  const options = instrumented ? { ingestionKey: IngestionKey.unsafePlainText(KEY), ...config.options } : false;
  return synthesize(sinkUrl, lang.runtime, lang.handler, lang.code(), options);
}

export type Variant = 'instrumented' | 'uninstrumented';

/** One run: a fresh environment, init, one cold invoke, the warm ones, SHUTDOWN. */
export interface RunRecord {
  readonly configuration: string;
  readonly variant: Variant;
  /** 0-based measured round; -1 for a warm-up run. */
  readonly round: number;
  /** The collector extension's init (instrumented runs). */
  readonly collector?: ExtensionInit;
  readonly runtimeInit: number;
  readonly init: number;
  readonly first: InvokePhases;
  /** Medians over the warm invokes. */
  readonly warmResponse: number;
  readonly warmEnd: number;
  readonly warm: InvokePhases[];
  /** Why the run proves nothing (no data reached ClickStack, a collector where none belongs), or undefined. */
  readonly problem?: string;
}

export interface MeasureOptions {
  readonly config: Configuration;
  readonly variant: Variant;
  readonly synthesized: Synthesized;
  readonly warm: number;
  readonly collector: string;
  readonly sink: OtlpSink;
  readonly round: number;
  /** Change the synthesized environment (the tests' negative control). */
  readonly envOverride?: Record<string, string>;
}

/** Run `synthesized` once with the timeline on, and check the run proves something. */
export async function measureRun(o: MeasureOptions): Promise<RunRecord> {
  const lang = LANGUAGES[o.config.language];
  const events = [lang.event('cold'), ...Array.from({ length: o.warm }, (_x, i) => lang.event(`warm${i}`))];
  const run = await runFunction(o.synthesized, lang.local(), {
    events, timeline: true, collector: o.collector, initTimeoutMs: lang.initTimeoutMs, timeoutMs: 60_000, envOverride: o.envOverride,
  }, o.sink);
  fs.rmSync(run.root, { recursive: true, force: true });
  const p = phases(run.lambda.timeline);
  const [first, ...warm] = p.invokes;
  const collector = p.extensions.collector;
  const signals = new Set(requestsSince(o.sink, run.start).map(r => r.signal));
  let problem: string | undefined;
  if (o.variant === 'instrumented') {
    if (!collector) problem = 'the collector did not register';
    else if (!signals.has('traces')) problem = `no traces reached the ClickStack stand-in (got: ${[...signals].join(', ') || 'nothing'})`;
  } else if (Object.keys(p.extensions).length > 0 || signals.size > 0) {
    problem = `the uninstrumented function ran extensions (${Object.keys(p.extensions).join(', ')}) or sent data (${[...signals].join(', ')})`;
  }
  return {
    configuration: o.config.id,
    variant: o.variant,
    round: o.round,
    ...(collector ? { collector } : {}),
    runtimeInit: p.runtimeInit,
    init: p.init,
    first,
    warmResponse: median(warm.map(w => w.response)),
    warmEnd: median(warm.map(w => w.end)),
    warm,
    ...(problem ? { problem: `${problem}\n${run.lambda.output.slice(-3000)}` } : {}),
  };
}

/** One row of the table: every figure of a configuration over its rounds. */
export interface Row {
  readonly config: Configuration;
  readonly rounds: number;
  readonly collectorInit: Summary;
  readonly collectorStartToRegister: Summary;
  readonly runtimeInitWithout: Summary;
  readonly runtimeInitWith: Summary;
  readonly runtimeInitAdded: Summary;
  readonly initAdded: Summary;
  readonly firstInvokeAdded: Summary;
  readonly warmResponseAdded: Summary;
  readonly warmEndAdded: Summary;
}

/** Pair each measured instrumented run with the uninstrumented run of the same round. */
export function row(config: Configuration, records: RunRecord[]): Row {
  const measured = records.filter(r => r.configuration === config.id && r.round >= 0 && !r.problem);
  const rounds = [...new Set(measured.map(r => r.round))].sort((a, b) => a - b)
    .filter(n => measured.some(r => r.round === n && r.variant === 'instrumented') && measured.some(r => r.round === n && r.variant === 'uninstrumented'));
  const of = (variant: Variant) => rounds.map(n => measured.find(r => r.round === n && r.variant === variant)!);
  const withRuns = of('instrumented');
  const without = of('uninstrumented');
  const added = (f: (r: RunRecord) => number) => summarize(paired(withRuns.map(f), without.map(f)));
  return {
    config,
    rounds: rounds.length,
    collectorInit: summarize(withRuns.filter(r => r.collector).map(r => r.collector!.total)),
    collectorStartToRegister: summarize(withRuns.filter(r => r.collector).map(r => r.collector!.startToRegister)),
    runtimeInitWithout: summarize(without.map(r => r.runtimeInit)),
    runtimeInitWith: summarize(withRuns.map(r => r.runtimeInit)),
    runtimeInitAdded: added(r => r.runtimeInit),
    initAdded: added(r => r.init),
    firstInvokeAdded: added(r => r.first.response),
    warmResponseAdded: added(r => r.warmResponse),
    warmEndAdded: added(r => r.warmEnd),
  };
}

export const TABLE_HEADER = [
  'configuration',
  'collector init ms (start → register)',
  'runtime init ms, without → with',
  'wrapper init added ms',
  'whole init added ms',
  'first invoke added ms',
  'warm invoke added ms: response',
  'warm invoke added ms: end of invoke',
];

export function table(rows: Row[]): string {
  return markdownTable(TABLE_HEADER, rows.map(r => [
    r.rounds === 0 ? `${r.config.title} (no valid round)` : r.config.title,
    r.collectorInit.n === 0 ? '–' : `${cell(r.collectorInit)} (${ms(r.collectorStartToRegister.median)})`,
    `${ms(r.runtimeInitWithout.median)} → ${ms(r.runtimeInitWith.median)}`,
    cell(r.runtimeInitAdded, true),
    cell(r.initAdded, true),
    cell(r.firstInvokeAdded, true),
    cell(r.warmResponseAdded, true),
    cell(r.warmEndAdded, true),
  ]));
}

export interface Machine {
  readonly date: string;
  readonly cores: number;
  readonly cpu: string;
  readonly loadStart: number[];
  readonly loadEnd: number[];
  readonly node: string;
  readonly python: string;
  readonly java: string;
  readonly collector: string;
}

/** The paragraph that says how the figures were taken (docs/performance.md quotes it). */
export function method(rounds: number, warm: number, warmup: number): string {
  return [
    'Each configuration is one function synthesized by the library and the same function synthesized without it (the',
    'baseline), run in the local Lambda of test/e2e: a fresh environment per run (the collector started as the extension',
    `\`collector\`, then the runtime, under \`AWS_LAMBDA_EXEC_WRAPPER\` when instrumented), one cold invoke, ${warm} warm`,
    `invokes, SHUTDOWN. ${rounds} rounds alternate the order (baseline first in the first round, instrumented first in the`,
    `next), after ${warmup} unmeasured run(s) of each. The times come from the local Lambda's timeline (when each request`,
    'reached its APIs): **collector init** is the extension\'s process start to its first `/extension/event/next` (in',
    'brackets the spread, in parentheses the part from process start to its register request); **runtime init** the',
    'runtime\'s process start (the exec wrapper\'s, when set) to its first `/runtime/invocation/next`, and **wrapper init',
    'added** its difference: the language layer\'s wrapper and SDK start; **whole init added** is from the start of init',
    'to the runtime\'s first `/invocation/next` (extensions first, then the runtime, as Lambda runs them): what Init',
    'Duration grows by; **first invoke added** is the cold invoke to its response; **warm invoke added** is per run the',
    'median over its warm invokes, to the response and to the end of the invoke (the collector\'s next `/event/next`,',
    'after it saw `platform.runtimeDone` and its exporters were answered: what Lambda waits for and bills). Each',
    '"added" figure is the median over the rounds of the instrumented run minus the baseline run of the same round, with',
    'the interquartile range in brackets. The handlers: `provided.al2023`, test/e2e/fixtures/provided/bootstrap (a',
    'Node.js script that posts one span as OTLP/JSON to localhost:4318 before it answers, as an SDK flushes at the end of',
    'an invoke; in the baseline nothing listens and the post is refused at once); Node.js, Python and Java, the e2e',
    'functions of test/e2e/runtimes (the active span, one counter point, one log line through the OpenTelemetry API,',
    'which the baseline loads too, as a bundle would), under the layers\' SDKs assembled from the registries at the layer',
    'releases\' versions. The key is plain text and the endpoint the loopback ClickStack stand-in.',
  ].join('\n');
}

export const LIMITS = [
  '- A local emulator on a shared 2-core machine is not Lambda: no microVM, no CPU share in proportion to the memory',
  '  size (a 128 MB function gets a fraction of a vCPU there; here every process gets what the machine has), no freeze',
  '  between invokes, the page cache warm (a new Lambda sandbox reads the layers from its disk). Read the differences',
  '  and their ratios to the baseline, not the absolute times, and never as a promise for Lambda.',
  '- The Telemetry API subscription is answered at once here; in Lambda it is a call to the Lambda service. The',
  '  `lambdaTelemetry` row measures the receiver\'s own work only: it can neither confirm nor rule out the 3.5–4 s that',
  '  upstream reports for it ([opentelemetry-lambda#2100](https://github.com/open-telemetry/opentelemetry-lambda/issues/2100)).',
  '- A key in Secrets Manager (`IngestionKey.fromSecret`) adds a `GetSecretValue` call to the collector\'s start, and',
  '  every export crosses the network to ClickStack, adding its round trip to the end of each invoke; neither is here.',
  '- The language layers are stood in by their SDK packages at the layer releases\' versions (test/e2e/runtimes/README.md);',
  '  the Java runtime starts with `-XX:TieredStopAtLevel=1`, as Lambda\'s `java17` and `java21` do by default, so',
  '  `javaAgentFastStartup` adds `-Xverify:none` (deprecated since JDK 13) to what the runtime already does.',
].join('\n');

function loadText(l: number[]): string {
  return l.map(x => x.toFixed(2)).join(' / ');
}

/** A run under load is a preliminary figure: the 1-minute load average at the start above half the cores. */
export function quiet(m: Machine): boolean {
  return m.loadStart[0] <= m.cores / 2;
}

export function report(rows: Row[], m: Machine, rounds: number, warm: number, warmup: number): string {
  const state = quiet(m) ? 'measured' : 'preliminary, the machine was not quiet';
  return [
    `### Cold start: ${m.collector} (${state})`,
    '',
    `${m.date}; ${m.cores} cores (${m.cpu}); load average (1, 5, 15 min) ${loadText(m.loadStart)} at the start, ${loadText(m.loadEnd)} at the end;`,
    `${m.node}, ${m.python}, ${m.java}. \`npx projen bench:coldstart --rounds ${rounds} --warm ${warm} --warmup ${warmup}\`.`,
    '',
    table(rows),
    '',
    method(rounds, warm, warmup),
    '',
    'Limits:',
    '',
    LIMITS,
  ].join('\n');
}

function versionOf(cmd: string, args: string[], pick: (out: string) => string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? pick(`${r.stdout ?? ''}${r.stderr ?? ''}`.trim()) : `${cmd}: unknown`;
}

function collectorText(bin: string, label: string): string {
  const bytes = fs.readFileSync(bin);
  const sha = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
  return `${label}, ${(bytes.length / 1e6).toFixed(1)} MB, sha256 ${sha}…`;
}

interface Args { rounds: number; warm: number; warmup: number; only?: string[]; skipBuild: boolean; out?: string }

function parseArgs(argv: string[]): Args {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const int = (name: string, d: number) => {
    const v = value(name);
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} ${v}: a whole number is needed`);
    return n;
  };
  const only = value('--only')?.split(',').map(s => s.trim()).filter(Boolean);
  for (const id of only ?? []) {
    if (!CONFIGURATIONS.some(c => c.id === id)) throw new Error(`--only ${id}: not a configuration (${CONFIGURATIONS.map(c => c.id).join(', ')})`);
  }
  return { rounds: Math.max(1, int('--rounds', 10)), warm: Math.max(1, int('--warm', 10)), warmup: int('--warmup', 1), only, skipBuild: argv.includes('--skip-build'), out: value('--out') };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const loadStart = os.loadavg();
  // The collector, built as `npx projen e2e` builds it (run.ts).
  const under = collectorUnderTest(args.skipBuild);
  await checkSandboxHost();
  await assertPortsFree([4317, 4318]);
  const configs = CONFIGURATIONS.filter(c => !args.only || args.only.includes(c.id));
  const log = (line: string) => process.stderr.write(`# ${line}\n`);
  for (const id of new Set(configs.map(c => c.language))) {
    const t0 = Date.now();
    LANGUAGES[id].local();
    log(`${id} runtime ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const sink = new OtlpSink();
  await sink.start();
  const synthesized = new Map<string, Synthesized>();
  const records: RunRecord[] = [];
  const errors = new Map<string, string[]>();
  let failed = 0;
  try {
    for (const c of configs) {
      synthesized.set(`${c.id}/instrumented`, synthesizeConfiguration(c, true, sink.url));
      synthesized.set(`${c.id}/uninstrumented`, synthesizeConfiguration(c, false, sink.url));
    }
    const once1 = async (c: Configuration, variant: Variant, round: number) => {
      let r: RunRecord;
      try {
        r = await measureRun({ config: c, variant, synthesized: synthesized.get(`${c.id}/${variant}`)!, warm: args.warm, collector: under.bin, sink, round });
      } catch (e) {
        const message = (e as Error).message;
        errors.set(c.id, [...errors.get(c.id) ?? [], message]);
        log(`${round < 0 ? 'warm-up' : `round ${round + 1}/${args.rounds}`} ${c.id} ${variant}: FAILED ${message.split('\n')[0]}`);
        return;
      }
      records.push(r);
      const col = r.collector ? `collector ${ms(r.collector.total)} ms, ` : '';
      log(`${round < 0 ? 'warm-up' : `round ${round + 1}/${args.rounds}`} ${c.id} ${variant}: ${col}runtime init ${ms(r.runtimeInit)} ms, init ${ms(r.init)} ms, first ${ms(r.first.response)} ms, warm ${ms(r.warmResponse)}/${ms(r.warmEnd)} ms${r.problem ? `: PROBLEM ${r.problem.split('\n')[0]}` : ''}`);
    };
    for (let w = 0; w < args.warmup; w++) {
      for (const c of configs) for (const v of ['uninstrumented', 'instrumented'] as const) await once1(c, v, -1);
    }
    for (let round = 0; round < args.rounds; round++) {
      const order: Variant[] = round % 2 === 0 ? ['uninstrumented', 'instrumented'] : ['instrumented', 'uninstrumented'];
      for (const c of configs) for (const v of order) await once1(c, v, round);
    }
  } finally {
    await sink.stop();
    for (const s of synthesized.values()) fs.rmSync(s.dir, { recursive: true, force: true });
  }
  const machine: Machine = {
    date: new Date().toISOString().slice(0, 10),
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    loadStart,
    loadEnd: os.loadavg(),
    node: `Node.js ${process.version}`,
    python: versionOf(process.env.E2E_PYTHON ?? 'python3', ['--version'], o => o.split('\n')[0]),
    java: versionOf('java', ['-version'], o => o.split('\n').find(l => /version/.test(l))?.replace(/^.*version "([^"]+)".*$/, 'Java $1') ?? 'Java'),
    collector: collectorText(under.bin, under.label),
  };
  const rows = configs.map(c => row(c, records));
  for (const c of configs) {
    const problems = [...records.filter(r => r.configuration === c.id && r.problem).map(r => r.problem!), ...errors.get(c.id) ?? []];
    const r = rows.find(x => x.config.id === c.id)!;
    if (problems.length > 0 || r.rounds < args.rounds) {
      failed++;
      log(`${c.id}: ${problems.length} run(s) failed or proved nothing, ${r.rounds}/${args.rounds} rounds paired${problems[0] ? `; the first:\n${problems[0]}` : ''}`);
    }
  }
  const markdown = report(rows, machine, args.rounds, args.warm, args.warmup);
  const benchDir = path.join(REPO, '.bench');
  fs.mkdirSync(benchDir, { recursive: true });
  const json = path.join(benchDir, `coldstart-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(json, JSON.stringify({ machine, args, records }, null, 2));
  if (args.out) fs.writeFileSync(args.out, `${markdown}\n`);
  console.log(markdown);
  console.log('');
  console.log(`coldstart: raw runs in ${path.relative(REPO, json)}`);
  console.log(`coldstart: ${configs.length - failed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

if (require.main === module) {
  main().catch(e => {
    console.log(`coldstart: ${(e as Error).stack ?? e}`);
    console.log('coldstart: 0 passed, 1 failed');
    process.exit(1);
  });
}
