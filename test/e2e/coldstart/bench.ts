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
 *   --report FILE  print the Markdown of those raw runs again, without running anything
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
import { phases } from './phases';
import { comparison, ConfigurationTitle, Machine, report, row, RunRecord, Variant } from './report';
import { median, ms } from './stats';

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

export interface Configuration extends ConfigurationTitle {
  readonly language: LanguageId;
  /** The library's options beyond the endpoint and the key. */
  readonly options: Partial<ClickStackOptions>;
}

/** Every name the Node.js layer 0.23.0 accepts in OTEL_NODE_ENABLED_INSTRUMENTATIONS (the library's own list). */
const NODE_ACCEPTED = LANGUAGE_SUPPORT.nodejs['0.23.0'].nodeInstrumentations!.accepted;

export const CONFIGURATIONS: Configuration[] = [
  { id: 'collector', title: 'collector only (`provided.al2023`)', language: 'provided', options: {} },
  { id: 'telemetry', against: 'collector', title: 'collector, `lambdaTelemetry: [PLATFORM, FUNCTION]`', language: 'provided', options: { lambdaTelemetry: [TelemetryApiType.PLATFORM, TelemetryApiType.FUNCTION] } },
  { id: 'debug', against: 'collector', title: 'collector, `debug: true`', language: 'provided', options: { debug: true } },
  { id: 'nodejs', title: 'Node.js (`nodejs20.x`)', language: 'nodejs', options: {} },
  {
    id: 'nodejs-all',
    against: 'nodejs',
    title: `Node.js, \`nodejsEnabledInstrumentations\`: all ${NODE_ACCEPTED.length} the layer accepts`,
    language: 'nodejs',
    options: { nodejsEnabledInstrumentations: [...NODE_ACCEPTED] },
  },
  { id: 'python', title: 'Python (`python3.11`)', language: 'python', options: {} },
  { id: 'python-nobotocore', against: 'python', title: 'Python, `pythonDisabledInstrumentations: [\'botocore\']`', language: 'python', options: { pythonDisabledInstrumentations: ['botocore'] } },
  {
    // What keeps botocore and boto3 out of the process: opentelemetry-instrumentation-botocore
    // 0.65b0 (the Python layer 0.21.0's) has a second entry point, `aiobotocore`, that imports the
    // same module, which imports botocore at its top (its wheel's entry_points.txt;
    // opentelemetry/instrumentation/botocore/__init__.py:113, package.py:4-8: either library
    // satisfies its dependency check); opentelemetry-instrumentation-boto3sqs's entry point is
    // named `boto3` and imports boto3 and botocore (boto3sqs/__init__.py:24-25). The SDK skips by
    // entry point name (opentelemetry-instrumentation 0.65b0 auto_instrumentation/_load.py:91).
    id: 'python-noboto',
    against: 'python',
    title: 'Python, `pythonDisabledInstrumentations: [\'botocore\', \'aiobotocore\', \'boto3\']`',
    language: 'python',
    options: { pythonDisabledInstrumentations: ['botocore', 'aiobotocore', 'boto3'] },
  },
  { id: 'java', title: 'Java agent (`java17`)', language: 'java', options: {} },
  { id: 'java-fast', against: 'java', title: 'Java agent, `javaAgentFastStartup: true`', language: 'java', options: { javaAgentFastStartup: true } },
];

export const KEY = 'coldstart-bench-key';

/** Synthesize `config`'s function, instrumented or not (endpoint: the sink; a plain-text key). */
export function synthesizeConfiguration(config: Configuration, instrumented: boolean, sinkUrl: string): Synthesized {
  const lang = LANGUAGES[config.language];
  const options = instrumented ? { ingestionKey: IngestionKey.unsafePlainText(KEY), ...config.options } : false;
  return synthesize(sinkUrl, lang.runtime, lang.handler, lang.code(), options);
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

/** The Markdown of a bench run, and a line per configuration that failed (a run failed or proved nothing, a round unpaired). */
export function render(configs: Configuration[], records: RunRecord[], errors: Map<string, string[]>, machine: Machine, args: Pick<Args, 'rounds' | 'warm' | 'warmup'>) {
  const rows = configs.map(c => row(c, records));
  const failures: string[] = [];
  for (const c of configs) {
    const problems = [...records.filter(r => r.configuration === c.id && r.problem).map(r => r.problem!), ...errors.get(c.id) ?? []];
    const r = rows.find(x => x.config.id === c.id)!;
    if (problems.length > 0 || r.rounds < args.rounds) {
      failures.push(`${c.id}: ${problems.length} run(s) failed or proved nothing, ${r.rounds}/${args.rounds} rounds paired${problems[0] ? `; the first:\n${problems[0]}` : ''}`);
    }
  }
  const comparisons = configs.filter(c => c.against && configs.some(x => x.id === c.against))
    .map(c => comparison(c, configs.find(x => x.id === c.against)!, records));
  return { markdown: report(rows, comparisons, machine, args.rounds, args.warm, args.warmup), failures };
}

/** `--report FILE`: the Markdown of a run already made, from its raw runs (.bench/coldstart-*.json). */
function reportFrom(file: string): void {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  const records: RunRecord[] = raw.records;
  const configs = CONFIGURATIONS.filter(c => records.some(r => r.configuration === c.id));
  const { markdown, failures } = render(configs, records, new Map(Object.entries(raw.errors ?? {})), raw.machine, raw.args);
  console.log(markdown);
  for (const f of failures) console.log(`coldstart: ${f.split('\n')[0]}`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--report')) return reportFrom(argv[argv.indexOf('--report') + 1]);
  const args = parseArgs(argv);
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
  const { markdown, failures } = render(configs, records, errors, machine, args);
  for (const f of failures) log(f);
  failed = failures.length;
  const benchDir = path.join(REPO, '.bench');
  fs.mkdirSync(benchDir, { recursive: true });
  const json = path.join(benchDir, `coldstart-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(json, JSON.stringify({ machine, args, records, errors: Object.fromEntries(errors) }, null, 2));
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
