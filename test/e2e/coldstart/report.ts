/**
 * The cold-start bench's figures and their Markdown (what `npx projen bench:coldstart` prints and
 * docs/performance.md holds): each configuration against its uninstrumented twin, each option
 * against the configuration it changes, the machine, the method and the limits.
 */
import { ExtensionInit, InvokePhases } from './phases';
import { cell, markdownTable, ms, paired, Summary, summarize } from './stats';

/** What the report needs of a configuration (bench.ts adds the language and the options). */
export interface ConfigurationTitle {
  readonly id: string;
  /** The table's first column. */
  readonly title: string;
  /** The configuration this one changes one option of (the second table), if any. */
  readonly against?: string;
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


/** One row of the table: every figure of a configuration over its rounds. */
export interface Row {
  readonly config: ConfigurationTitle;
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
export function row(config: ConfigurationTitle, records: RunRecord[]): Row {
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

/** One option's effect: the instrumented runs of a configuration against those of the one it changes, round by round. */
export interface Comparison {
  readonly config: ConfigurationTitle;
  readonly against: ConfigurationTitle;
  readonly rounds: number;
  readonly init: Summary;
  readonly firstInvoke: Summary;
  readonly warmResponse: Summary;
  readonly warmEnd: Summary;
}

/** Pair each measured instrumented run of `config` with that of `against` in the same round. */
export function comparison(config: ConfigurationTitle, against: ConfigurationTitle, records: RunRecord[]): Comparison {
  const runs = (id: string) => records.filter(r => r.configuration === id && r.variant === 'instrumented' && r.round >= 0 && !r.problem);
  const mine = runs(config.id);
  const theirs = runs(against.id);
  const rounds = mine.map(r => r.round).filter(n => theirs.some(t => t.round === n)).sort((a, b) => a - b);
  const pick = (list: RunRecord[]) => rounds.map(n => list.find(r => r.round === n)!);
  const a = pick(mine);
  const b = pick(theirs);
  const diff = (f: (r: RunRecord) => number) => summarize(paired(a.map(f), b.map(f)));
  return {
    config,
    against,
    rounds: rounds.length,
    init: diff(r => r.init),
    firstInvoke: diff(r => r.first.response),
    warmResponse: diff(r => r.warmResponse),
    warmEnd: diff(r => r.warmEnd),
  };
}

export const COMPARISON_HEADER = ['option', 'against', 'whole init ms', 'first invoke ms', 'warm invoke ms: response', 'warm invoke ms: end of invoke'];

export function comparisonTable(list: Comparison[]): string {
  return markdownTable(COMPARISON_HEADER, list.map(c => [
    c.rounds === 0 ? `${c.config.title} (no valid round)` : c.config.title,
    c.against.title,
    cell(c.init, true),
    cell(c.firstInvoke, true),
    cell(c.warmResponse, true),
    cell(c.warmEnd, true),
  ]), 2);
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
    'the interquartile range in brackets; the second table pairs the instrumented runs of a configuration with those of',
    'the configuration it changes one option of, in the same round. The handlers: `provided.al2023`,',
    'test/e2e/fixtures/provided/bootstrap (a Node.js script that posts one span as OTLP/JSON to localhost:4318 before it',
    'answers, as an SDK flushes at the end of an invoke; in the baseline nothing listens and the post is refused at',
    'once); Node.js, Python and Java, the e2e functions of test/e2e/runtimes (the active span, one counter point, one',
    'log line through the OpenTelemetry API, which the baseline loads too, as a bundle would), under the layers\' SDKs',
    'assembled from the registries at the layer releases\' versions. The key is plain text and the endpoint the loopback',
    'ClickStack stand-in.',
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

export function report(rows: Row[], comparisons: Comparison[], m: Machine, rounds: number, warm: number, warmup: number): string {
  const state = quiet(m) ? 'measured' : 'preliminary, the machine was not quiet';
  return [
    `### Cold start: ${m.collector} (${state})`,
    '',
    `${m.date}; ${m.cores} cores (${m.cpu}); load average (1, 5, 15 min) ${loadText(m.loadStart)} at the start, ${loadText(m.loadEnd)} at the end;`,
    `${m.node}, ${m.python}, ${m.java}. \`npx projen bench:coldstart --rounds ${rounds} --warm ${warm} --warmup ${warmup}\`.`,
    '',
    table(rows),
    '',
    ...(comparisons.length > 0 ? ['What each option changes (its instrumented runs against those of the configuration it changes, round by round):', '', comparisonTable(comparisons), ''] : []),
    method(rounds, warm, warmup),
    '',
    'Limits:',
    '',
    LIMITS,
  ].join('\n');
}

