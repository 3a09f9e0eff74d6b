/**
 * Synth-time benchmark of ClickStackInstrumentation and ClickStackAspect.
 *
 *   ts-node --transpile-only -P test/tsconfig.json scripts/bench.ts \
 *     [--workload inline,asset,bundles] [--n 500] [--runs auto|N] [--max-runs 25] [--ci 0.015] \
 *     [--validation off|on|both] [--bundles 8] [--bundle-mib 12] [--bundle-files 1500] \
 *     [--delivery default,bundle,environment] [--impl auto|lib|build|src] [--before REV] \
 *     [--profile-runs 2] [--node-args "--cpu-prof --cpu-prof-dir=/tmp/prof"] \
 *     [--only construct|aspect] [--strict]
 *
 * The defaults (`npx projen bench` without arguments) take a few minutes on 2 cores. The tables of
 * docs/performance.md: `npx projen bench --n 100,500,1000 --runs 5 --validation both --workload inline,asset,bundles`.
 *
 * Every measurement is one fresh `node` child (scripts/bench-app.ts, transpiled to a temp dir)
 * that builds an app of N functions (half Node.js 22 / half Python 3.13, half x86_64 / half
 * arm64), synthesizes it into a fresh temp outdir, and reports synth seconds (hrtime, inside the
 * child), whole-process seconds up to the end of synth (process.uptime(): node start and module
 * loading included), peak RSS (process.resourceUsage().maxRSS), template bytes, asset manifest
 * entries, cdk.out bytes (each hard-linked file once) and the bytes a deployment would upload
 * (the asset sources of the manifests). Workloads (code kinds):
 *
 * - `inline`: every function inline code (`--n` functions);
 * - `asset`: every function the same 3-file asset directory (`--n` functions);
 * - `bundles`: `--bundles` functions, each its own large directory (`--bundle-mib` MiB in
 *   `--bundle-files` files, half text, half incompressible; generated deterministically once
 *   into .bench/bundles, see scripts/bench-bundles.ts), like functions with vendored packages.
 *
 * Variants: `construct` and `aspect` with the default config delivery for inline and asset;
 * the aspect with each config delivery (`default`, `bundle`, `environment`; the default is a config layer) for bundles.
 * `--delivery` sets the deliveries of every workload (`default` leaves the option unset; the
 * others name a static member of the library's `ConfigDelivery`, such as LAYER; a library
 * without it skips those variants with a message).
 *
 * Per validation mode, workload and N, rounds of `baseline variant1 baseline variant2 ...` are
 * run, so drift hits baseline and instrumented alike; ratios are medians of the ratios of each
 * instrumented run to the baseline run just before it, printed with their 95% confidence
 * interval (bootstrap of the median, seeded). `--runs auto` (the default) runs at least 5 rounds
 * and goes on until every interval of the group is at most `--ci` wide on each side (0.015: two
 * ratios 0.03 apart are told apart) or `--max-runs` rounds were run; `--runs N` runs N rounds.
 *
 * The library's own CPU time per function: `--profile-runs` more runs of each instrumented
 * variant (not timed) profile the measured interval with V8's sampler (node:inspector) and count
 * the samples with a library frame on the stack (its code and what it calls in aws-cdk-lib);
 * that share of the run's CPU time, divided by N, is the "library ms/fn" column, which load on
 * the machine disturbs far less than the whole-process ratios.
 *
 * `--before REV` adds, beside each instrumented variant, the same variant with the library as it
 * was at git revision REV (its src/ transpiled to a temp dir), in the same rounds: before and
 * after on the same machine in the same run.
 *
 * The library is loaded (before the clock starts) from: `lib` the compiled lib/ (what
 * `npx projen compile` wrote); `build` src/ transpiled to plain JS in a temp dir by this script
 * (for when lib/ is older than src/: nothing in the tree is written); `src` src/*.ts through
 * ts-node's require hook. `auto` (default): lib if lib/ is up to date with src/, else build.
 *
 * Results: Markdown tables and the targets check on stdout, progress on stderr, everything
 * (raw samples included) in .bench/results.json. Exits non-zero if a child fails (its stderr
 * is printed), or with --strict if a target is not met.
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ChildConfig, ChildResult, CodeKind, Variant } from './bench-app';
import { BundleSpec, ensureBundles } from './bench-bundles';

const ROOT = path.resolve(__dirname, '..');
const CODE_KINDS: CodeKind[] = ['inline', 'asset', 'bundles'];
const INSTRUMENTED: Exclude<Variant, 'baseline'>[] = ['handwritten', 'construct', 'aspect'];
/** Config deliveries by name: `default` leaves the option unset. */
const DELIVERIES = ['default', 'auto', 'bundle', 'layer', 'environment'] as const;
type Delivery = typeof DELIVERIES[number];
type Mode = 'on' | 'off';
type Impl = 'lib' | 'build' | 'src';

/** One instrumented variant: how the app is instrumented, and its label in the tables. */
interface VariantSpec {
  readonly label: string;
  readonly variant: Exclude<Variant, 'baseline'>;
  /** Static member of the library's ConfigDelivery, or undefined for the default. */
  readonly delivery?: string;
  /** The library of `--before` instead of the current one. */
  readonly before?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Arguments

interface Args {
  ns: number[];
  /** Rounds per group; `auto`: until the confidence intervals are narrow enough. */
  runs: number | 'auto';
  maxRuns: number;
  /** Half-width of the 95% confidence interval of every ratio that `--runs auto` waits for. */
  ci: number;
  /** A git revision whose library runs beside the current one. */
  before?: string;
  profileRuns: number;
  modes: Mode[];
  impl: 'auto' | Impl;
  nodeArgs: string[];
  variants: Exclude<Variant, 'baseline'>[];
  /** --only given: bundles use that variant too (else the aspect). */
  only?: Exclude<Variant, 'baseline'>;
  workloads: CodeKind[];
  bundles: number;
  bundleMiB: number;
  bundleFiles: number;
  bundleCache: string;
  deliveries?: Delivery[];
  strict: boolean;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    ns: [500],
    runs: 'auto',
    maxRuns: 25,
    ci: 0.015,
    profileRuns: 2,
    modes: ['off'],
    impl: 'auto',
    nodeArgs: [],
    variants: [...INSTRUMENTED],
    workloads: [...CODE_KINDS],
    bundles: 8,
    bundleMiB: 12,
    bundleFiles: 1500,
    bundleCache: path.join(ROOT, '.bench', 'bundles'),
    strict: false,
    out: path.join(ROOT, '.bench', 'results.json'),
  };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined) die(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const take = (): string => {
      if (inline !== undefined) return inline;
      return value(i++, flag);
    };
    switch (flag) {
      case '--n':
        args.ns = take().split(',').map(s => Number(s.trim()));
        if (args.ns.some(n => !Number.isInteger(n) || n < 4)) die('--n takes integers >= 4, comma-separated');
        break;
      case '--runs': {
        const v = take();
        args.runs = v === 'auto' ? 'auto' : Number(v);
        if (args.runs !== 'auto' && (!Number.isInteger(args.runs) || args.runs < 1)) die('--runs takes auto or an integer >= 1');
        break;
      }
      case '--max-runs':
        args.maxRuns = Number(take());
        if (!Number.isInteger(args.maxRuns) || args.maxRuns < 5) die('--max-runs takes an integer >= 5');
        break;
      case '--ci':
        args.ci = Number(take());
        if (!(args.ci > 0 && args.ci < 1)) die('--ci takes a number between 0 and 1');
        break;
      case '--before':
        args.before = take();
        break;
      case '--profile-runs':
        args.profileRuns = Number(take());
        if (!Number.isInteger(args.profileRuns) || args.profileRuns < 0) die('--profile-runs takes an integer >= 0');
        break;
      case '--validation': {
        const v = take();
        if (v === 'both') args.modes = ['on', 'off'];
        else if (v === 'on' || v === 'off') args.modes = [v];
        else die('--validation takes on, off or both');
        break;
      }
      case '--impl': {
        const v = take();
        if (v !== 'auto' && v !== 'lib' && v !== 'build' && v !== 'src') die('--impl takes auto, lib, build or src');
        args.impl = v;
        break;
      }
      case '--node-args':
        args.nodeArgs = take().split(/\s+/).filter(Boolean);
        break;
      case '--only': {
        const v = take();
        if (v !== 'construct' && v !== 'aspect' && v !== 'handwritten') die('--only takes construct, aspect or handwritten');
        args.variants = [v];
        args.only = v;
        break;
      }
      case '--workload': {
        const v = take().split(',').map(x => x.trim());
        if (v.length === 0 || v.some(x => !(CODE_KINDS as string[]).includes(x))) die(`--workload takes a comma-separated list of ${CODE_KINDS.join(', ')}`);
        args.workloads = v as CodeKind[];
        break;
      }
      case '--bundles':
        args.bundles = Number(take());
        if (!Number.isInteger(args.bundles) || args.bundles < 1) die('--bundles takes an integer >= 1');
        break;
      case '--bundle-mib':
        args.bundleMiB = Number(take());
        if (!(args.bundleMiB > 0)) die('--bundle-mib takes a number > 0');
        break;
      case '--bundle-files':
        args.bundleFiles = Number(take());
        if (!Number.isInteger(args.bundleFiles) || args.bundleFiles < 4) die('--bundle-files takes an integer >= 4');
        break;
      case '--bundle-cache':
        args.bundleCache = path.resolve(take());
        break;
      case '--delivery': {
        const v = take().split(',').map(x => x.trim().toLowerCase());
        if (v.length === 0 || v.some(x => !(DELIVERIES as readonly string[]).includes(x))) die(`--delivery takes a comma-separated list of ${DELIVERIES.join(', ')}`);
        args.deliveries = v as Delivery[];
        break;
      }
      case '--strict':
        args.strict = true;
        break;
      case '--out':
        args.out = path.resolve(take());
        break;
      case '--help':
      case '-h':
        process.stdout.write(fs.readFileSync(__filename, 'utf8').split('*/')[0] + '*/\n');
        process.exit(0);
      default:
        die(`unknown argument ${a}`);
    }
  }
  return args;
}

function freshDir(dir: string): string {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function die(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Environment

function walk(dir: string, ext: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p, ext));
    else if (e.name.endsWith(ext) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out.sort();
}

/** src/*.ts files that are newer than their lib/*.js, or have none. */
function staleLibFiles(): string[] {
  const srcDir = path.join(ROOT, 'src');
  return walk(srcDir, '.ts').filter(src => {
    const js = path.join(ROOT, 'lib', path.relative(srcDir, src)).replace(/\.ts$/, '.js');
    return !fs.existsSync(js) || fs.statSync(js).mtimeMs < fs.statSync(src).mtimeMs;
  }).map(p => path.relative(ROOT, p));
}

function libHash(): string {
  const h = createHash('sha256');
  for (const f of walk(path.join(ROOT, 'lib'), '.js')) h.update(f).update(fs.readFileSync(f));
  return h.digest('hex').slice(0, 12);
}

function srcHash(): string {
  const h = createHash('sha256');
  for (const f of walk(path.join(ROOT, 'src'), '.ts')) h.update(f).update(fs.readFileSync(f));
  return h.digest('hex').slice(0, 12);
}

function cdkReferencesValidationEnv(): boolean {
  const core = path.join(ROOT, 'node_modules', 'aws-cdk-lib', 'core', 'lib');
  return walk(core, '.js').some(f => fs.readFileSync(f, 'utf8').includes('CDK_VALIDATION'));
}

function readVersion(pkg: string): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

/** The library at git revision `rev`: its src/ extracted under `dir` and transpiled; returns the index.js path. */
function buildRevision(dir: string, rev: string): string {
  const src = path.join(dir, 'checkout');
  fs.mkdirSync(src, { recursive: true });
  const archive = spawnSync('sh', ['-c', `git -C "$0" archive "$1" src | tar -x -C "$2"`, ROOT, rev, src], { encoding: 'utf8' });
  if (archive.status !== 0 || !fs.existsSync(path.join(src, 'src', 'index.ts'))) die(`--before ${rev}: cannot extract src/ at that revision: ${archive.stderr}`);
  return buildFromSrc(path.join(dir, 'build'), path.join(src, 'src'));
}

/** Transpile bench-app.ts to plain JS in `dir`, so the child runs without a TypeScript hook. */
function prepareChildScript(dir: string): string {
  const ts = require(require.resolve('typescript', { paths: [ROOT] })) as typeof import('typescript');
  const source = fs.readFileSync(path.join(__dirname, 'bench-app.ts'), 'utf8');
  const out = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: 'bench-app.ts',
  });
  const file = path.join(dir, 'bench-app.js');
  fs.writeFileSync(file, out.outputText);
  return file;
}

/** Transpile every .ts file of `srcDir` (isolatedModules-safe) to plain JS under `dir`; returns the index.js path. */
function buildFromSrc(dir: string, srcDir = path.join(ROOT, 'src')): string {
  const ts = require(require.resolve('typescript', { paths: [ROOT] })) as typeof import('typescript');
  for (const file of walk(srcDir, '.ts')) {
    const out = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true },
      fileName: file,
    });
    const js = path.join(dir, path.relative(srcDir, file)).replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(js), { recursive: true });
    fs.writeFileSync(js, out.outputText);
  }
  for (const file of walk(srcDir, '.json')) {
    const dest = path.join(dir, path.relative(srcDir, file));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(file, dest);
  }
  return path.join(dir, 'index.js');
}

/** The shared code asset: a 3-file handler directory for both runtimes. */
function prepareAssetDir(dir: string): string {
  const code = path.join(dir, 'handler');
  fs.mkdirSync(code);
  fs.writeFileSync(path.join(code, 'index.js'), "const { greet } = require('./util');\nexports.handler = async (event) => ({ statusCode: 200, body: greet(event) });\n");
  fs.writeFileSync(path.join(code, 'util.js'), 'exports.greet = (event) => JSON.stringify({ hello: event });\n');
  fs.writeFileSync(path.join(code, 'index.py'), 'import json\n\ndef handler(event, context):\n    return {"statusCode": 200, "body": json.dumps(event)}\n');
  return code;
}

// ---------------------------------------------------------------------------------------------
// Running children

interface Sample extends ChildResult {
  readonly mode: Mode;
  readonly n: number;
  readonly code: CodeKind;
  readonly variant: Variant;
  /** `baseline`, or the VariantSpec label. */
  readonly label: string;
  readonly round: number;
  /** For instrumented samples: index (in `samples`) of the baseline run just before. */
  readonly baselineIndex?: number;
  /** Entries the child left in its own TMPDIR (temp dirs nobody deletes). */
  readonly leftInTmp: number;
  /** "Bundling asset" lines the child printed (aws-cdk-lib prints one per bundled asset). */
  readonly bundlingLines: number;
}

type RunResult = ChildResult & { leftInTmp: number; bundlingLines: number };

interface Runner {
  readonly root: string;
  readonly script: string;
  readonly assetDir: string;
  /** The `bundles` workload's directories (generated on first use). */
  bundleDirs?: string[];
  readonly libraryEntry: string;
  /** Where profiled runs leave their whole profile (.bench/profiles). */
  readonly profileDir?: string;
  /** The `--before` library's index.js (a build outside the tree, like `build`). */
  readonly beforeEntry?: string;
  readonly tsNode: boolean;
  /** NODE_PATH for a library built outside the tree, so it finds aws-cdk-lib, constructs, yaml. */
  readonly nodePath?: string;
  readonly nodeArgs: string[];
  seq: number;
}

interface RunOptions {
  readonly delivery?: string;
  readonly before?: boolean;
  readonly profile?: boolean;
}

function runChild(r: Runner, mode: Mode, n: number, code: CodeKind, variant: Variant, opts: RunOptions = {}): RunResult {
  const { delivery, before, profile } = opts;
  const id = `${String(++r.seq).padStart(4, '0')}-${mode}-${n}-${code}-${variant}${delivery ? `-${delivery}` : ''}${before ? '-before' : ''}`;
  const dir = path.join(r.root, id);
  const outdir = path.join(dir, 'cdk.out');
  const tmp = path.join(dir, 'tmp');
  fs.mkdirSync(outdir, { recursive: true });
  fs.mkdirSync(tmp);
  const libraryEntry = before ? r.beforeEntry! : r.libraryEntry;
  const cfg: ChildConfig = {
    root: ROOT, libraryEntry, tsNode: !before && r.tsNode, n, code, variant, delivery, outdir,
    assetDir: r.assetDir, bundleDirs: code === 'bundles' ? r.bundleDirs : undefined, resultFile: path.join(dir, 'result.json'),
    profile, libraryDir: path.dirname(libraryEntry),
    profileFile: profile && r.profileDir ? path.join(r.profileDir, `${id}.cpuprofile`) : undefined,
  };
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp };
  for (const k of ['CDK_VALIDATION', 'CDK_OUTDIR', 'CDK_CONTEXT_JSON', 'CDK_DEFAULT_ACCOUNT', 'CDK_DEFAULT_REGION', 'TS_NODE_PROJECT', 'NODE_OPTIONS']) delete env[k];
  if (mode === 'off') env.CDK_VALIDATION = 'false';
  if (r.nodePath || before) env.NODE_PATH = path.join(ROOT, 'node_modules');
  try {
    const child = spawnSync(process.execPath, [...r.nodeArgs, r.script, JSON.stringify(cfg)], {
      cwd: dir, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
    });
    if (child.error || child.status !== 0 || !fs.existsSync(cfg.resultFile)) {
      process.stderr.write(`\nbench: child ${id} failed (status ${child.status}, signal ${child.signal}${child.error ? `, ${child.error.message}` : ''})\n`);
      process.stderr.write(`--- child stderr ---\n${child.stderr ?? ''}\n--- child stdout ---\n${child.stdout ?? ''}\n`);
      process.exit(1);
    }
    const result = JSON.parse(fs.readFileSync(cfg.resultFile, 'utf8')) as ChildResult;
    const bundlingLines = `${child.stdout ?? ''}${child.stderr ?? ''}`.split('Bundling asset').length - 1;
    return { ...result, leftInTmp: fs.readdirSync(tmp).length, bundlingLines };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Which of `names` are static members of the library's `ConfigDelivery` (the option may not be
 * built yet): one child process that loads the library the way the bench children do.
 */
function probeDeliveries(r: Runner, names: string[]): Set<string> {
  const file = path.join(r.root, 'probe-delivery.js');
  fs.writeFileSync(file, [
    "const path = require('path');",
    'const cfg = JSON.parse(process.argv[2]);',
    "const req = require('module').createRequire(path.join(cfg.root, 'package.json'));",
    "if (cfg.tsNode) req('ts-node').register({ transpileOnly: true, project: path.join(cfg.root, 'test', 'tsconfig.json') });",
    'const lib = req(cfg.libraryEntry);',
    'process.stdout.write(JSON.stringify(cfg.names.filter(n => lib.ConfigDelivery && lib.ConfigDelivery[n] !== undefined)));',
  ].join('\n'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  if (r.nodePath) env.NODE_PATH = r.nodePath;
  const child = spawnSync(process.execPath, [file, JSON.stringify({ root: ROOT, libraryEntry: r.libraryEntry, tsNode: r.tsNode, names })], { env, encoding: 'utf8' });
  if (child.status !== 0) {
    process.stderr.write(`bench: could not load the library to look for ConfigDelivery:\n${child.stderr}\n`);
    process.exit(1);
  }
  return new Set(JSON.parse(child.stdout) as string[]);
}

/** The instrumented variants of one workload. */
function variantsOf(args: Args, code: CodeKind): VariantSpec[] {
  const kinds = code === 'bundles' ? [args.only ?? 'aspect'] : args.variants;
  const deliveries: Delivery[] = args.deliveries ?? (code === 'bundles' ? ['default', 'bundle', 'environment'] : ['default']);
  const out: VariantSpec[] = [];
  for (const variant of kinds) {
    for (const d of deliveries) {
      const spec: VariantSpec = d === 'default' ? { label: variant, variant } : { label: `${variant}/${d}`, variant, delivery: d.toUpperCase() };
      if (args.before !== undefined && variant !== 'handwritten') out.push({ ...spec, label: `${spec.label}@${args.before}`, before: true });
      out.push(spec);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Statistics and report

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * 95% confidence interval of the median of `xs`: 2,000 bootstrap resamples, percentiles 2.5 and
 * 97.5, with a fixed seed (the same samples give the same interval).
 */
export function medianInterval(xs: number[], resamples = 2000): [number, number] {
  if (xs.length < 2) return [xs[0] ?? NaN, xs[0] ?? NaN];
  let seed = 0x9e3779b9;
  const random = () => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const medians: number[] = [];
  for (let i = 0; i < resamples; i++) medians.push(median(xs.map(() => xs[Math.floor(random() * xs.length)])));
  medians.sort((a, b) => a - b);
  return [medians[Math.floor(resamples * 0.025)], medians[Math.ceil(resamples * 0.975) - 1]];
}

interface Row {
  readonly mode: Mode;
  readonly n: number;
  readonly code: CodeKind;
  /** `baseline` or the variant label. */
  readonly variant: string;
  readonly runs: number;
  readonly medianSynthSeconds: number;
  readonly minSynthSeconds: number;
  readonly maxSynthSeconds: number;
  /** Median of pairwise ratios to the baseline run just before (1 for baseline). */
  readonly synthRatio: number;
  /** 95% confidence interval of `synthRatio`. */
  readonly synthRatioInterval: [number, number];
  /** The library's own CPU time per function (profiled runs), ms; undefined when not profiled. */
  readonly libraryMsPerFn?: number;
  /** The library's share of the profiled runs' samples, percent. */
  readonly librarySharePct?: number;
  /** The library functions with the most samples in the profiled runs (summed). */
  readonly libraryTop?: Array<[string, number]>;
  readonly medianCpuSeconds: number;
  readonly cpuRatio: number;
  /** Whole process up to the end of synth (node start and module loading included). */
  readonly medianProcessSeconds: number;
  readonly processRatio: number;
  readonly medianMaxRssMiB: number;
  readonly rssRatio: number;
  readonly templateBytes: number;
  readonly templateBytesPerFnAdded: number;
  readonly assetEntries: number;
  readonly codeAssetEntries: number;
  readonly assetEntriesAdded: number;
  readonly outdirKiB: number;
  readonly outdirRatio: number;
  readonly uploadKiB: number;
  readonly uploadRatio: number;
  readonly bundlingLines: number;
  readonly constructs: number;
  readonly instrumentedFunctions: number;
  readonly leftInTmp: number;
}

/** The library's own cost from profiled runs: its share of each run's CPU time, per function, median over the runs. */
function libraryCost(profiled: Sample[]): Pick<Row, 'libraryMsPerFn' | 'librarySharePct' | 'libraryTop'> {
  const runs = profiled.filter(p => p.profile !== undefined && p.profile.samples > 0);
  if (runs.length === 0) return {};
  const top = new Map<string, number>();
  for (const p of runs) for (const [k, v] of p.profile!.top) top.set(k, (top.get(k) ?? 0) + v);
  return {
    libraryMsPerFn: median(runs.map(p => p.cpuSeconds * 1000 * (p.profile!.librarySamples / p.profile!.samples) / p.n)),
    librarySharePct: median(runs.map(p => 100 * p.profile!.librarySamples / p.profile!.samples)),
    libraryTop: [...top].sort((a, b) => b[1] - a[1]).slice(0, 10),
  };
}

function summarize(samples: Sample[], profiles: Sample[], mode: Mode, n: number, code: CodeKind, label: string): Row | undefined {
  const mine = samples.filter(s => s.mode === mode && s.n === n && s.code === code && s.label === label);
  if (mine.length === 0) return undefined;
  const base = samples.filter(s => s.mode === mode && s.n === n && s.code === code && s.label === 'baseline');
  const pair = (s: Sample, f: (x: Sample) => number) => s.baselineIndex === undefined ? 1 : f(s) / f(samples[s.baselineIndex]);
  const times = mine.map(s => s.synthSeconds);
  const tpl = median(mine.map(s => s.templateBytes));
  const assets = median(mine.map(s => s.assetEntries));
  return {
    mode, n, code, variant: label,
    runs: mine.length,
    medianSynthSeconds: median(times),
    minSynthSeconds: Math.min(...times),
    maxSynthSeconds: Math.max(...times),
    synthRatio: median(mine.map(s => pair(s, x => x.synthSeconds))),
    synthRatioInterval: label === 'baseline' ? [1, 1] : medianInterval(mine.map(s => pair(s, x => x.synthSeconds))),
    ...libraryCost(profiles.filter(p => p.mode === mode && p.n === n && p.code === code && p.label === label)),
    medianCpuSeconds: median(mine.map(s => s.cpuSeconds)),
    cpuRatio: median(mine.map(s => pair(s, x => x.cpuSeconds))),
    medianProcessSeconds: median(mine.map(s => s.processSeconds)),
    processRatio: median(mine.map(s => pair(s, x => x.processSeconds))),
    medianMaxRssMiB: median(mine.map(s => s.maxRssKiB)) / 1024,
    rssRatio: median(mine.map(s => pair(s, x => x.maxRssKiB))),
    templateBytes: tpl,
    templateBytesPerFnAdded: (tpl - median(base.map(s => s.templateBytes))) / n,
    assetEntries: assets,
    codeAssetEntries: median(mine.map(s => s.codeAssetEntries)),
    assetEntriesAdded: assets - median(base.map(s => s.assetEntries)),
    outdirKiB: median(mine.map(s => s.outdirBytes)) / 1024,
    outdirRatio: median(mine.map(s => pair(s, x => x.outdirBytes))),
    uploadKiB: median(mine.map(s => s.uploadBytes)) / 1024,
    uploadRatio: median(mine.map(s => pair(s, x => x.uploadBytes))),
    bundlingLines: median(mine.map(s => s.bundlingLines)),
    constructs: median(mine.map(s => s.constructs)),
    instrumentedFunctions: median(mine.map(s => s.instrumentedFunctions)),
    leftInTmp: Math.max(...mine.map(s => s.leftInTmp)),
  };
}

function table(rows: Row[]): string {
  const lines = [
    '| N | code | variant | runs | median synth s | ratio vs baseline (95% CI) | library ms/fn (share) | peak RSS MiB | RSS ratio | template bytes/fn added | assets | cdk.out KiB |',
    '|---:|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const base = r.variant === 'baseline';
    const ratio = base ? '—' : `${r.synthRatio.toFixed(3)} (${r.synthRatioInterval[0].toFixed(3)}–${r.synthRatioInterval[1].toFixed(3)})`;
    const lib = r.libraryMsPerFn === undefined ? '—' : `${r.libraryMsPerFn.toFixed(3)} (${r.librarySharePct!.toFixed(1)} %)`;
    lines.push(`| ${r.n} | ${r.code} | ${r.variant} | ${r.runs} | ${r.medianSynthSeconds.toFixed(3)} | ${ratio} | ${lib} | ${r.medianMaxRssMiB.toFixed(1)} | ${base ? '—' : r.rssRatio.toFixed(3)} | ${base ? '—' : r.templateBytesPerFnAdded.toFixed(1)} | ${r.assetEntries} | ${r.outdirKiB.toFixed(1)} |`);
  }
  return lines.join('\n');
}

/** The real-app workload: whole-process time, memory, cdk.out and upload bytes. */
function bundlesTable(rows: Row[]): string {
  const lines = [
    '| N | code | variant | runs | median process s | process ratio | synth ratio (95% CI) | library ms/fn | peak RSS MiB | RSS ratio | cdk.out MiB | cdk.out ratio | upload MiB | upload ratio | code assets | "Bundling asset" lines |',
    '|---:|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const ratio = (r: Row, v: number) => r.variant === 'baseline' ? '—' : v.toFixed(3);
  for (const r of rows) {
    const synth = r.variant === 'baseline' ? '—' : `${r.synthRatio.toFixed(3)} (${r.synthRatioInterval[0].toFixed(3)}–${r.synthRatioInterval[1].toFixed(3)})`;
    lines.push(`| ${r.n} | ${r.code} | ${r.variant} | ${r.runs} | ${r.medianProcessSeconds.toFixed(3)} | ${ratio(r, r.processRatio)} | ${synth} | ${r.libraryMsPerFn === undefined ? '—' : r.libraryMsPerFn.toFixed(2)} | ${r.medianMaxRssMiB.toFixed(1)} | ${ratio(r, r.rssRatio)} | ${(r.outdirKiB / 1024).toFixed(1)} | ${ratio(r, r.outdirRatio)} | ${(r.uploadKiB / 1024).toFixed(1)} | ${ratio(r, r.uploadRatio)} | ${r.codeAssetEntries} | ${r.bundlingLines} |`);
  }
  return lines.join('\n');
}

interface Check {
  readonly target: string;
  readonly code: CodeKind;
  readonly variant: string;
  readonly value: string;
  readonly limit: string;
  readonly met: boolean | undefined;
}

/** CPU time: less sensitive than wall time to other processes competing for the cores. */
function cpuTable(rows: Row[]): string {
  const lines = ['| N | code | variant | median CPU s | CPU ratio vs baseline | min–max synth s |', '|---:|---|---|---:|---:|---:|'];
  for (const r of rows) {
    lines.push(`| ${r.n} | ${r.code} | ${r.variant} | ${r.medianCpuSeconds.toFixed(3)} | ${r.variant === 'baseline' ? '—' : r.cpuRatio.toFixed(3)} | ${r.minSynthSeconds.toFixed(2)}–${r.maxSynthSeconds.toFixed(2)} |`);
  }
  return lines.join('\n');
}

function checks(rows: Row[], args: Args): Check[] {
  const find = (n: number, code: CodeKind, variant: string) => rows.find(r => r.mode === 'off' && r.n === n && r.code === code && r.variant === variant);
  const out: Check[] = [];
  const add = (target: string, code: CodeKind, variant: string, limit: string, value: number | undefined, ok: (v: number) => boolean, digits = 3) => {
    out.push({ target, code, variant, limit, value: value === undefined ? 'not measured' : value.toFixed(digits), met: value === undefined ? undefined : ok(value) });
  };
  for (const code of args.workloads.filter(c => c !== 'bundles')) {
    for (const { label: v } of variantsOf(args, code).filter(spec => !spec.before && spec.variant !== 'handwritten')) {
      const r = find(500, code, v);
      const limit = code === 'inline' ? 1.10 : 1.15;
      add('synth ratio @500', code, v, `<= ${limit}`, r?.synthRatio, x => x <= limit);
      add('RSS ratio @500', code, v, '<= 1.10', r?.rssRatio, x => x <= 1.10);
      add('template bytes/fn added @500', code, v, '<= 600', r?.templateBytesPerFnAdded, x => x <= 600, 1);
      // One shared code directory in this bench: at most one new asset either way (the config
      // layer for inline code, the re-staged code asset for asset code).
      add('assets added @500', code, v, code === 'inline' ? '<= 1 (config layer)' : '<= 1 (1 distinct code asset)', r?.assetEntriesAdded, x => x <= 1, 0);
      const r1000 = find(1000, code, v);
      add('time(1000)/time(500)', code, v, '<= 2.2', r && r1000 ? r1000.medianSynthSeconds / r.medianSynthSeconds : undefined, x => x <= 2.2);
    }
  }
  if (args.workloads.includes('bundles')) {
    const n = args.bundles;
    for (const { label: v, delivery } of variantsOf(args, 'bundles').filter(spec => !spec.before)) {
      const r = find(n, 'bundles', v);
      add(`synth ratio @${n} bundles`, 'bundles', v, '<= 1.15', r?.synthRatio, x => x <= 1.15);
      // The default (AUTO: a config layer where a slot is free) must cost nothing noticeable at
      // synth and upload nothing more; BUNDLE uploads each function's code twice by design
      // (docs/config-delivery.md), so only its synth and cdk.out costs have targets.
      const isDefault = delivery === undefined || delivery === 'AUTO';
      if (isDefault || delivery === 'BUNDLE') {
        add(`cdk.out bytes ratio @${n} bundles`, 'bundles', v, '<= 1.05', r?.outdirRatio, x => x <= 1.05);
      }
      if (delivery !== 'BUNDLE') {
        add(`upload bytes ratio @${n} bundles`, 'bundles', v, '<= 1.01', r?.uploadRatio, x => x <= 1.01);
      }
      add(`"Bundling asset" lines @${n} bundles`, 'bundles', v, '0', r?.bundlingLines, x => x === 0, 0);
    }
  }
  return out;
}

function checksTable(cs: Check[]): string {
  const lines = ['| target | code | variant | value | limit | result |', '|---|---|---|---:|---|---|'];
  for (const c of cs) lines.push(`| ${c.target} | ${c.code} | ${c.variant} | ${c.value} | ${c.limit} | ${c.met === undefined ? 'not measured' : c.met ? 'met' : 'NOT met'} |`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const libIndex = path.join(ROOT, 'lib', 'index.js');
  const staleAtStart = fs.existsSync(libIndex) ? staleLibFiles() : ['lib/index.js'];
  const impl: Impl = args.impl === 'auto' ? (staleAtStart.length === 0 ? 'lib' : 'build') : args.impl;
  if (impl === 'lib' && !fs.existsSync(libIndex)) die('lib/index.js does not exist; run `npx projen compile` or use --impl build');
  const stale = impl === 'lib' ? staleAtStart : [];
  const libHashBefore = impl === 'lib' ? libHash() : undefined;

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clickstack-bench-'));
  const cleanup = () => fs.rmSync(root, { recursive: true, force: true });
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

  const libraryEntry = impl === 'lib' ? libIndex : impl === 'build' ? buildFromSrc(path.join(root, 'build')) : path.join(ROOT, 'src', 'index.ts');
  const runner: Runner = {
    root,
    script: prepareChildScript(root),
    assetDir: prepareAssetDir(root),
    libraryEntry,
    beforeEntry: args.before !== undefined ? buildRevision(path.join(root, 'before'), args.before) : undefined,
    profileDir: args.profileRuns > 0 ? freshDir(path.join(path.dirname(args.out), 'profiles')) : undefined,
    tsNode: impl === 'src',
    nodePath: impl === 'build' ? path.join(ROOT, 'node_modules') : undefined,
    nodeArgs: args.nodeArgs,
    seq: 0,
  };
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    awsCdkLib: readVersion('aws-cdk-lib'),
    constructs: readVersion('constructs'),
    cpus: `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown'}`,
    totalMemMiB: Math.round(os.totalmem() / 1024 / 1024),
    impl: impl === 'lib' ? 'lib/index.js (compiled by projen)'
      : impl === 'build' ? `src/ transpiled to JS in a temp dir by the bench${staleAtStart.length ? ` (lib/ older than src/ for ${staleAtStart.join(', ')})` : ''}`
        : 'src/index.ts via ts-node transpile-only',
    srcHash: srcHash(),
    libHash: libHashBefore,
    staleLibFiles: stale,
    cdkValidationEnvReferencedByAwsCdkLibCore: cdkReferencesValidationEnv(),
    args,
  };

  const log = (s: string) => process.stderr.write(s);
  log(`bench: library from ${meta.impl}; aws-cdk-lib ${meta.awsCdkLib}; node ${meta.node}; ${meta.cpus}\n`);
  if (stale.length > 0) log(`bench: WARNING lib/ is older than src/ for: ${stale.join(', ')} (numbers reflect lib/)\n`);
  if (!meta.cdkValidationEnvReferencedByAwsCdkLibCore) log(`bench: aws-cdk-lib ${meta.awsCdkLib} core does not reference CDK_VALIDATION: validation on/off should be identical\n`);

  // Variants per workload; those naming a ConfigDelivery member the library lacks are skipped.
  const skipped: string[] = [];
  const specs = new Map<CodeKind, VariantSpec[]>(args.workloads.map(code => [code, variantsOf(args, code)]));
  const wanted = [...new Set([...specs.values()].flat().map(v => v.delivery).filter((d): d is string => d !== undefined))];
  if (wanted.length > 0) {
    const present = probeDeliveries(runner, wanted);
    for (const [code, list] of specs) {
      specs.set(code, list.filter(v => {
        if (v.delivery === undefined || present.has(v.delivery)) return true;
        skipped.push(`${code} ${v.label}: the library has no ConfigDelivery.${v.delivery} (the configDelivery option is not in this build)`);
        return false;
      }));
    }
    for (const line of skipped) log(`bench: SKIPPED ${line}\n`);
  }
  if (args.workloads.includes('bundles')) {
    const spec: BundleSpec = { count: args.bundles, bytes: Math.round(args.bundleMiB * 1024 * 1024), files: args.bundleFiles, seed: 13 };
    runner.bundleDirs = ensureBundles(args.bundleCache, spec, log);
  }
  const nsOf = (code: CodeKind) => code === 'bundles' ? [args.bundles] : args.ns;

  const samples: Sample[] = [];
  const profiles: Sample[] = [];
  const started = Date.now();
  const loadBefore = os.loadavg()[0];
  const minRuns = args.runs === 'auto' ? 5 : args.runs;
  const maxRuns = args.runs === 'auto' ? args.maxRuns : args.runs;
  /** The widest half-width of the ratios' intervals in one group, so far. */
  const widest = (mode: Mode, n: number, code: CodeKind, variants: VariantSpec[]) => Math.max(...variants.map(v => {
    const ratios = samples.filter(x => x.mode === mode && x.n === n && x.code === code && x.label === v.label)
      .map(x => x.synthSeconds / samples[x.baselineIndex!].synthSeconds);
    const [lo, hi] = medianInterval(ratios);
    return (hi - lo) / 2;
  }));
  for (const mode of args.modes) {
    for (const code of args.workloads) {
      for (const n of nsOf(code)) {
        const variants = specs.get(code)!;
        if (variants.length === 0) continue;
        log(`bench: validation ${mode}, N=${n}, ${code}:`);
        for (let round = 0; round < maxRuns; round++) {
          if (round >= minRuns && widest(mode, n, code, variants) <= args.ci) break;
          for (const { label, variant, delivery, before } of variants) {
            // A B A B: each instrumented run right after its own baseline run.
            const baseIndex = samples.length;
            samples.push({ mode, n, code, variant: 'baseline', label: 'baseline', round, ...runChild(runner, mode, n, code, 'baseline') });
            samples.push({ mode, n, code, variant, label, round, baselineIndex: baseIndex, ...runChild(runner, mode, n, code, variant, { delivery, before }) });
            const b = samples[baseIndex];
            const s = samples[samples.length - 1];
            if (b.instrumentedFunctions !== 0 || s.instrumentedFunctions !== n || s.functions !== n) {
              log(`\nbench: sanity check failed: baseline instrumented ${b.instrumentedFunctions}, ${label} instrumented ${s.instrumentedFunctions} of ${s.functions} (expected ${n})\n`);
              process.exit(1);
            }
            const t = (x: Sample) => (code === 'bundles' ? x.processSeconds : x.synthSeconds).toFixed(2);
            log(` ${t(b)}/${t(s)}`);
          }
        }
        if (args.runs === 'auto') log(` [95% CI half-width ${widest(mode, n, code, variants).toFixed(3)}]`);
        // Profiled runs (not timed): the library's share of the measured interval; the baseline's
        // profile too, to compare what aws-cdk-lib does with and without the instrumentation.
        for (let i = 0; i < args.profileRuns; i++) {
          profiles.push({ mode, n, code, variant: 'baseline', label: 'baseline', round: i, ...runChild(runner, mode, n, code, 'baseline', { profile: true }) });
          for (const { label, variant, delivery, before } of variants) {
            profiles.push({ mode, n, code, variant, label, round: i, ...runChild(runner, mode, n, code, variant, { delivery, before, profile: true }) });
          }
        }
        log('\n');
      }
    }
  }

  const rows: Row[] = [];
  for (const mode of args.modes) {
    for (const code of args.workloads) {
      for (const n of nsOf(code)) {
        for (const label of ['baseline', ...specs.get(code)!.map(v => v.label)]) {
          const r = summarize(samples, profiles, mode, n, code, label);
          if (r) rows.push(r);
        }
      }
    }
  }
  const cs = checks(rows, args);
  const libHashAfter = impl === 'lib' ? libHash() : undefined;
  const srcHashAfter = srcHash();

  const out: string[] = [];
  out.push(`# ClickStack synth benchmark\n`);
  out.push(`library: ${meta.impl}${libHashBefore ? ` (lib hash ${libHashBefore})` : ''}, src hash ${meta.srcHash}; aws-cdk-lib ${meta.awsCdkLib}; node ${meta.node}; ${meta.cpus}; ${meta.totalMemMiB} MiB`);
  out.push(`runs: ${args.runs === 'auto' ? `auto (5 to ${args.maxRuns} rounds, until every 95% CI is within ±${args.ci})` : args.runs} rounds of baseline/instrumented pairs per N, workload and variant, and ${args.profileRuns} profiled run(s) of each instrumented variant; ${((Date.now() - started) / 1000).toFixed(0)} s total; 1-min load average ${loadBefore.toFixed(2)} at start, ${os.loadavg()[0].toFixed(2)} at end on ${os.cpus().length} CPUs`);
  if (Math.max(loadBefore, os.loadavg()[0]) > os.cpus().length * 0.75) out.push(`WARNING: the machine was busy with other work: wall times are noisy; prefer the pairwise ratios and CPU times`);
  if (stale.length > 0) out.push(`WARNING: lib/ older than src/ for ${stale.join(', ')}`);
  if (impl !== 'lib' && srcHashAfter !== meta.srcHash) out.push(`note: src/ changed during the run (${meta.srcHash} -> ${srcHashAfter}); the run used src/ as it was at the start`);
  if (libHashAfter !== libHashBefore) out.push(`WARNING: lib/ changed during the run (${libHashBefore} -> ${libHashAfter}); results mix two builds`);
  if (!meta.cdkValidationEnvReferencedByAwsCdkLibCore) out.push(`note: aws-cdk-lib ${meta.awsCdkLib} does not reference CDK_VALIDATION; "on" and "off" run the same code`);
  for (const line of skipped) out.push(`SKIPPED ${line}`);
  const leaked = rows.filter(r => r.leftInTmp > 0);
  if (leaked.length > 0) out.push(`note: children left temp entries in their TMPDIR (not cleaned by the library): ${leaked.map(r => `${r.n}/${r.code}/${r.variant}: ${r.leftInTmp}`).join(', ')}`);
  for (const mode of args.modes) {
    out.push(`\n## Validation ${mode.toUpperCase()}${mode === 'off' ? ' (CDK_VALIDATION=false)' : ' (default, CDK_VALIDATION unset)'}\n`);
    const small = rows.filter(r => r.mode === mode && r.code !== 'bundles');
    const big = rows.filter(r => r.mode === mode && r.code === 'bundles');
    if (small.length > 0) {
      out.push(table(small));
      out.push(`\nCPU time of the same interval (user+system, process.cpuUsage; less sensitive to other load than wall time):\n`);
      out.push(cpuTable(small));
    }
    if (big.length > 0) {
      out.push(`\nLarge distinct bundles (${args.bundles} functions, ${args.bundleMiB} MiB in ${args.bundleFiles} files each; whole process up to the end of synth; cdk.out counts each hard-linked file once; upload: the asset sources of the manifests):\n`);
      out.push(bundlesTable(big));
    }
  }
  if (args.modes.includes('on') && args.modes.includes('off')) {
    const diffs = rows.filter(r => {
      const other = rows.find(o => o.mode === 'off' && o.n === r.n && o.code === r.code && o.variant === r.variant);
      return r.mode === 'on' && other && (other.templateBytes !== r.templateBytes || other.assetEntries !== r.assetEntries || other.outdirKiB !== r.outdirKiB);
    });
    out.push(`\nvalidation on vs off: ${diffs.length === 0 ? 'identical templates, assets and cdk.out sizes (times differ only by noise unless aws-cdk-lib validates)' : `outputs differ in ${diffs.length} row(s)`}`);
  }
  const profiled = rows.filter(r => r.libraryTop !== undefined && r.libraryTop.length > 0);
  if (profiled.length > 0) {
    out.push(`\n## Where the library's time goes (profiled runs: samples with the function on the stack, summed)\n`);
    for (const r of profiled) {
      out.push(`- ${r.mode} ${r.n} ${r.code} ${r.variant}: ${r.libraryTop!.map(([k, v]) => `${k} ${v}`).join('; ')}`);
    }
  }
  out.push(`\n## Targets (validation off)\n`);
  out.push(args.modes.includes('off') ? checksTable(cs) : 'not measured: run with --validation off or both');
  process.stdout.write(out.join('\n') + '\n');

  fs.mkdirSync(path.dirname(args.out), { recursive: true });
  fs.writeFileSync(args.out, JSON.stringify({ meta: { ...meta, libHashAfter, srcHashAfter }, rows, targets: cs, samples, profiles }, null, 2) + '\n');
  log(`bench: results written to ${path.relative(process.cwd(), args.out) || args.out}\n`);
  if (args.strict && cs.some(c => c.met === false)) process.exit(3);
}

main();
