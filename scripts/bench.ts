/**
 * Synth-time benchmark of ClickStackInstrumentation and ClickStackAspect.
 *
 *   ts-node --transpile-only -P test/tsconfig.json scripts/bench.ts \
 *     [--n 100,500,1000] [--runs 5] [--validation both|on|off] [--impl auto|lib|build|src] \
 *     [--node-args "--cpu-prof --cpu-prof-dir=/tmp/prof"] [--only construct|aspect] [--strict]
 *
 * Every measurement is one fresh `node` child (scripts/bench-app.ts, transpiled to a temp dir)
 * that builds an app of N functions (half Node.js 22 / half Python 3.13, half x86_64 / half
 * arm64, all inline code or all one shared 3-file asset directory), synthesizes it into a fresh
 * temp outdir, and reports synth seconds (hrtime, inside the child), peak RSS
 * (process.resourceUsage().maxRSS), template bytes, asset manifest entries and cdk.out bytes.
 *
 * Per validation mode, N and code kind, rounds of `baseline construct baseline aspect` are run
 * `--runs` times, so drift hits baseline and instrumented alike; ratios are medians of the
 * ratios of each instrumented run to the baseline run just before it.
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

const ROOT = path.resolve(__dirname, '..');
const CODE_KINDS: CodeKind[] = ['inline', 'asset'];
const INSTRUMENTED: Exclude<Variant, 'baseline'>[] = ['construct', 'aspect'];
type Mode = 'on' | 'off';
type Impl = 'lib' | 'build' | 'src';

// ---------------------------------------------------------------------------------------------
// Arguments

interface Args {
  ns: number[];
  runs: number;
  modes: Mode[];
  impl: 'auto' | Impl;
  nodeArgs: string[];
  variants: Exclude<Variant, 'baseline'>[];
  strict: boolean;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    ns: [100, 500, 1000],
    runs: 5,
    modes: ['on', 'off'],
    impl: 'auto',
    nodeArgs: [],
    variants: [...INSTRUMENTED],
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
      case '--runs':
        args.runs = Number(take());
        if (!Number.isInteger(args.runs) || args.runs < 1) die('--runs takes an integer >= 1');
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
        if (v !== 'construct' && v !== 'aspect') die('--only takes construct or aspect');
        args.variants = [v];
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

/** Transpile every src/ .ts file (isolatedModules-safe) to plain JS under `dir`; returns the index.js path. */
function buildFromSrc(dir: string): string {
  const ts = require(require.resolve('typescript', { paths: [ROOT] })) as typeof import('typescript');
  const srcDir = path.join(ROOT, 'src');
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
  readonly round: number;
  /** For instrumented samples: index (in `samples`) of the baseline run just before. */
  readonly baselineIndex?: number;
  /** Entries the child left in its own TMPDIR (temp dirs nobody deletes). */
  readonly leftInTmp: number;
}

interface Runner {
  readonly root: string;
  readonly script: string;
  readonly assetDir: string;
  readonly libraryEntry: string;
  readonly tsNode: boolean;
  /** NODE_PATH for a library built outside the tree, so it finds aws-cdk-lib, constructs, yaml. */
  readonly nodePath?: string;
  readonly nodeArgs: string[];
  seq: number;
}

function runChild(r: Runner, mode: Mode, n: number, code: CodeKind, variant: Variant): ChildResult & { leftInTmp: number } {
  const id = `${String(++r.seq).padStart(4, '0')}-${mode}-${n}-${code}-${variant}`;
  const dir = path.join(r.root, id);
  const outdir = path.join(dir, 'cdk.out');
  const tmp = path.join(dir, 'tmp');
  fs.mkdirSync(outdir, { recursive: true });
  fs.mkdirSync(tmp);
  const cfg: ChildConfig = { root: ROOT, libraryEntry: r.libraryEntry, tsNode: r.tsNode, n, code, variant, outdir, assetDir: r.assetDir, resultFile: path.join(dir, 'result.json') };
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp };
  for (const k of ['CDK_VALIDATION', 'CDK_OUTDIR', 'CDK_CONTEXT_JSON', 'CDK_DEFAULT_ACCOUNT', 'CDK_DEFAULT_REGION', 'TS_NODE_PROJECT', 'NODE_OPTIONS']) delete env[k];
  if (mode === 'off') env.CDK_VALIDATION = 'false';
  if (r.nodePath) env.NODE_PATH = r.nodePath;
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
    return { ...result, leftInTmp: fs.readdirSync(tmp).length };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Statistics and report

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface Row {
  readonly mode: Mode;
  readonly n: number;
  readonly code: CodeKind;
  readonly variant: Variant;
  readonly runs: number;
  readonly medianSynthSeconds: number;
  readonly minSynthSeconds: number;
  readonly maxSynthSeconds: number;
  /** Median of pairwise ratios to the baseline run just before (1 for baseline). */
  readonly synthRatio: number;
  readonly medianCpuSeconds: number;
  readonly cpuRatio: number;
  readonly medianMaxRssMiB: number;
  readonly rssRatio: number;
  readonly templateBytes: number;
  readonly templateBytesPerFnAdded: number;
  readonly assetEntries: number;
  readonly codeAssetEntries: number;
  readonly assetEntriesAdded: number;
  readonly outdirKiB: number;
  readonly constructs: number;
  readonly instrumentedFunctions: number;
  readonly leftInTmp: number;
}

function summarize(samples: Sample[], mode: Mode, n: number, code: CodeKind, variant: Variant): Row | undefined {
  const mine = samples.filter(s => s.mode === mode && s.n === n && s.code === code && s.variant === variant);
  if (mine.length === 0) return undefined;
  const base = samples.filter(s => s.mode === mode && s.n === n && s.code === code && s.variant === 'baseline');
  const pair = (s: Sample, f: (x: Sample) => number) => s.baselineIndex === undefined ? 1 : f(s) / f(samples[s.baselineIndex]);
  const times = mine.map(s => s.synthSeconds);
  const tpl = median(mine.map(s => s.templateBytes));
  const assets = median(mine.map(s => s.assetEntries));
  return {
    mode, n, code, variant,
    runs: mine.length,
    medianSynthSeconds: median(times),
    minSynthSeconds: Math.min(...times),
    maxSynthSeconds: Math.max(...times),
    synthRatio: median(mine.map(s => pair(s, x => x.synthSeconds))),
    medianCpuSeconds: median(mine.map(s => s.cpuSeconds)),
    cpuRatio: median(mine.map(s => pair(s, x => x.cpuSeconds))),
    medianMaxRssMiB: median(mine.map(s => s.maxRssKiB)) / 1024,
    rssRatio: median(mine.map(s => pair(s, x => x.maxRssKiB))),
    templateBytes: tpl,
    templateBytesPerFnAdded: (tpl - median(base.map(s => s.templateBytes))) / n,
    assetEntries: assets,
    codeAssetEntries: median(mine.map(s => s.codeAssetEntries)),
    assetEntriesAdded: assets - median(base.map(s => s.assetEntries)),
    outdirKiB: median(mine.map(s => s.outdirBytes)) / 1024,
    constructs: median(mine.map(s => s.constructs)),
    instrumentedFunctions: median(mine.map(s => s.instrumentedFunctions)),
    leftInTmp: Math.max(...mine.map(s => s.leftInTmp)),
  };
}

function table(rows: Row[]): string {
  const lines = [
    '| N | code | variant | median synth s | ratio vs baseline | peak RSS MiB | RSS ratio | template bytes/fn added | assets | cdk.out KiB |',
    '|---:|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const base = r.variant === 'baseline';
    lines.push(`| ${r.n} | ${r.code} | ${r.variant} | ${r.medianSynthSeconds.toFixed(3)} | ${base ? '—' : r.synthRatio.toFixed(3)} | ${r.medianMaxRssMiB.toFixed(1)} | ${base ? '—' : r.rssRatio.toFixed(3)} | ${base ? '—' : r.templateBytesPerFnAdded.toFixed(1)} | ${r.assetEntries} | ${r.outdirKiB.toFixed(1)} |`);
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

function checks(rows: Row[], variants: Exclude<Variant, 'baseline'>[]): Check[] {
  const find = (n: number, code: CodeKind, variant: Variant) => rows.find(r => r.mode === 'off' && r.n === n && r.code === code && r.variant === variant);
  const out: Check[] = [];
  const add = (target: string, code: CodeKind, variant: string, limit: string, value: number | undefined, ok: (v: number) => boolean, digits = 3) => {
    out.push({ target, code, variant, limit, value: value === undefined ? 'not measured' : value.toFixed(digits), met: value === undefined ? undefined : ok(value) });
  };
  for (const code of CODE_KINDS) {
    for (const v of variants) {
      const r = find(500, code, v);
      add('synth ratio @500', code, v, '<= 1.15', r?.synthRatio, x => x <= 1.15);
      add('RSS ratio @500', code, v, '<= 1.10', r?.rssRatio, x => x <= 1.10);
      add('template bytes/fn added @500', code, v, '<= 600', r?.templateBytesPerFnAdded, x => x <= 600, 1);
      // One shared code directory in this bench: at most one new asset either way (the config
      // layer for inline code, the re-staged code asset for asset code).
      add('assets added @500', code, v, code === 'inline' ? '<= 1 (config layer)' : '<= 1 (1 distinct code asset)', r?.assetEntriesAdded, x => x <= 1, 0);
      const r1000 = find(1000, code, v);
      add('time(1000)/time(500)', code, v, '<= 2.2', r && r1000 ? r1000.medianSynthSeconds / r.medianSynthSeconds : undefined, x => x <= 2.2);
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

  const samples: Sample[] = [];
  const started = Date.now();
  const loadBefore = os.loadavg()[0];
  for (const mode of args.modes) {
    for (const n of args.ns) {
      for (const code of CODE_KINDS) {
        log(`bench: validation ${mode}, N=${n}, ${code}:`);
        for (let round = 0; round < args.runs; round++) {
          for (const variant of args.variants) {
            // A B A B: each instrumented run right after its own baseline run.
            const baseIndex = samples.length;
            samples.push({ mode, n, code, variant: 'baseline', round, ...runChild(runner, mode, n, code, 'baseline') });
            samples.push({ mode, n, code, variant, round, baselineIndex: baseIndex, ...runChild(runner, mode, n, code, variant) });
            const b = samples[baseIndex];
            const s = samples[samples.length - 1];
            if (b.instrumentedFunctions !== 0 || s.instrumentedFunctions !== n || s.functions !== n) {
              log(`\nbench: sanity check failed: baseline instrumented ${b.instrumentedFunctions}, ${variant} instrumented ${s.instrumentedFunctions} of ${s.functions} (expected ${n})\n`);
              process.exit(1);
            }
            log(` ${b.synthSeconds.toFixed(2)}/${s.synthSeconds.toFixed(2)}`);
          }
        }
        log('\n');
      }
    }
  }

  const rows: Row[] = [];
  for (const mode of args.modes) {
    for (const n of args.ns) {
      for (const code of CODE_KINDS) {
        for (const variant of ['baseline', ...args.variants] as Variant[]) {
          const r = summarize(samples, mode, n, code, variant);
          if (r) rows.push(r);
        }
      }
    }
  }
  const cs = checks(rows, args.variants);
  const libHashAfter = impl === 'lib' ? libHash() : undefined;
  const srcHashAfter = srcHash();

  const out: string[] = [];
  out.push(`# ClickStack synth benchmark\n`);
  out.push(`library: ${meta.impl}${libHashBefore ? ` (lib hash ${libHashBefore})` : ''}, src hash ${meta.srcHash}; aws-cdk-lib ${meta.awsCdkLib}; node ${meta.node}; ${meta.cpus}; ${meta.totalMemMiB} MiB`);
  out.push(`runs: ${args.runs} rounds of baseline/instrumented pairs per N, code kind and variant; ${((Date.now() - started) / 1000).toFixed(0)} s total; 1-min load average ${loadBefore.toFixed(2)} at start, ${os.loadavg()[0].toFixed(2)} at end on ${os.cpus().length} CPUs`);
  if (Math.max(loadBefore, os.loadavg()[0]) > os.cpus().length * 0.75) out.push(`WARNING: the machine was busy with other work: wall times are noisy; prefer the pairwise ratios and CPU times`);
  if (stale.length > 0) out.push(`WARNING: lib/ older than src/ for ${stale.join(', ')}`);
  if (impl !== 'lib' && srcHashAfter !== meta.srcHash) out.push(`note: src/ changed during the run (${meta.srcHash} -> ${srcHashAfter}); the run used src/ as it was at the start`);
  if (libHashAfter !== libHashBefore) out.push(`WARNING: lib/ changed during the run (${libHashBefore} -> ${libHashAfter}); results mix two builds`);
  if (!meta.cdkValidationEnvReferencedByAwsCdkLibCore) out.push(`note: aws-cdk-lib ${meta.awsCdkLib} does not reference CDK_VALIDATION; "on" and "off" run the same code`);
  const leaked = rows.filter(r => r.leftInTmp > 0);
  if (leaked.length > 0) out.push(`note: children left temp entries in their TMPDIR (not cleaned by the library): ${leaked.map(r => `${r.n}/${r.code}/${r.variant}: ${r.leftInTmp}`).join(', ')}`);
  for (const mode of args.modes) {
    out.push(`\n## Validation ${mode.toUpperCase()}${mode === 'off' ? ' (CDK_VALIDATION=false)' : ' (default, CDK_VALIDATION unset)'}\n`);
    out.push(table(rows.filter(r => r.mode === mode)));
    out.push(`\nCPU time of the same interval (user+system, process.cpuUsage; less sensitive to other load than wall time):\n`);
    out.push(cpuTable(rows.filter(r => r.mode === mode)));
  }
  if (args.modes.includes('on') && args.modes.includes('off')) {
    const diffs = rows.filter(r => {
      const other = rows.find(o => o.mode === 'off' && o.n === r.n && o.code === r.code && o.variant === r.variant);
      return r.mode === 'on' && other && (other.templateBytes !== r.templateBytes || other.assetEntries !== r.assetEntries || other.outdirKiB !== r.outdirKiB);
    });
    out.push(`\nvalidation on vs off: ${diffs.length === 0 ? 'identical templates, assets and cdk.out sizes (times differ only by noise unless aws-cdk-lib validates)' : `outputs differ in ${diffs.length} row(s)`}`);
  }
  out.push(`\n## Targets (N=500, validation off)\n`);
  out.push(args.modes.includes('off') ? checksTable(cs) : 'not measured: run with --validation off or both');
  process.stdout.write(out.join('\n') + '\n');

  fs.mkdirSync(path.dirname(args.out), { recursive: true });
  fs.writeFileSync(args.out, JSON.stringify({ meta: { ...meta, libHashAfter, srcHashAfter }, rows, targets: cs, samples }, null, 2) + '\n');
  log(`bench: results written to ${path.relative(process.cwd(), args.out) || args.out}\n`);
  if (args.strict && cs.some(c => c.met === false)) process.exit(3);
}

main();
