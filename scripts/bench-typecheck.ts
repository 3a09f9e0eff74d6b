/**
 * The type-check cost of the library in an app that imports only aws-cdk-lib submodules (issue
 * 19): test/apps/subpath-app.ts (ten functions, `aws-cdk-lib/core` and `aws-cdk-lib/aws-lambda`)
 * run the default way, `node -r ts-node/register main.ts` with type-checking and the tsconfig of
 * `cdk init app --language typescript`, in three variants, each its own project under
 * .bench/typecheck:
 *
 * - `baseline`: the app alone;
 * - `library`: the app with `ClickStackAspect` from the built package (lib/, as npm installs it);
 * - `root-import`: the same package with lib/aspect.d.ts importing the `aws-cdk-lib` root, as it did
 *   before issue 19 (the only declaration that did).
 *
 * Rounds alternate the variants; each process reports its own wall time (process.uptime at exit)
 * and peak RSS (process.resourceUsage().maxRSS). Both the ratio of the medians and the median of
 * the per-round ratios to the baseline are printed; the check uses the ratio of the medians, which
 * a loaded machine disturbs less. `tsc --noEmit --extendedDiagnostics` on each variant adds the
 * counts that do not depend on load: files, lines of declarations, types the checker creates.
 * Needs a built lib/ (`npx projen compile`).
 *
 * Usage: `npx projen bench:typecheck [--runs 5]`. Last line: `N passed, N failed` (the `library`
 * variant within 1.10 of the baseline in time and in RSS).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const DIR = path.join(ROOT, '.bench', 'typecheck');
const TARGET = 1.10;
type Variant = 'baseline' | 'library' | 'root-import';
const VARIANTS: Variant[] = ['baseline', 'library', 'root-import'];

/**
 * tsconfig.json of `cdk init app --language typescript` (aws-cdk-cli's init template), with the
 * `dom` lib for `console` in place of @types/node, which this repository does not install (the
 * same for every variant; without @types/node the baseline is smaller, so the ratios are if
 * anything larger than in a real app).
 */
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['es2022', 'dom'], declaration: true,
    strict: true, noImplicitAny: true, strictNullChecks: true, noImplicitThis: true, alwaysStrict: true,
    noUnusedLocals: false, noUnusedParameters: false, noImplicitReturns: true, noFallthroughCasesInSwitch: false,
    inlineSourceMap: true, inlineSources: true, experimentalDecorators: true, strictPropertyInitialization: false,
    typeRoots: ['./node_modules/@types'],
  },
  exclude: ['node_modules', 'cdk.out'],
};

function link(target: string, at: string): void {
  fs.mkdirSync(path.dirname(at), { recursive: true });
  fs.rmSync(at, { recursive: true, force: true });
  fs.symlinkSync(target, at, 'dir');
}

/**
 * A copy of the package (package.json and lib/), optionally with aspect.d.ts importing the root;
 * installed as `cdk-clickstack-lambda` by a symlink, named apart so that jest's module map sees
 * no second package of the same name.
 */
function packageCopy(name: string, rootImport: boolean): string {
  const dir = path.join(DIR, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(path.join(ROOT, 'lib'), path.join(dir, 'lib'), { recursive: true });
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `${pkg.name}-${name}`, version: pkg.version, main: pkg.main, types: pkg.types }, null, 2));
  if (rootImport) {
    const file = path.join(dir, 'lib', 'aspect.d.ts');
    const text = fs.readFileSync(file, 'utf8');
    const patched = text.replace(/from 'aws-cdk-lib\/core'/g, "from 'aws-cdk-lib'");
    if (patched === text) throw new Error(`${file} has no aws-cdk-lib/core import to turn into a root import`);
    fs.writeFileSync(file, patched);
  }
  return dir;
}

function prepare(): Record<Variant, string> {
  if (!fs.existsSync(path.join(ROOT, 'lib', 'index.d.ts'))) throw new Error('lib/index.d.ts is missing: run npx projen compile first');
  fs.mkdirSync(DIR, { recursive: true });
  // Shared dependencies, as one `npm install` would give them (the repository's own copies).
  for (const dep of ['aws-cdk-lib', 'constructs', 'typescript', 'ts-node', 'yaml', '@types/node']) {
    const from = path.join(ROOT, 'node_modules', dep);
    if (fs.existsSync(from)) link(from, path.join(DIR, 'node_modules', dep));
  }
  const packages = { library: packageCopy('pkg-library', false), rootImport: packageCopy('pkg-root-import', true) };
  fs.writeFileSync(path.join(DIR, 'measure.js'),
    "process.on('exit', () => process.stderr.write(`\\nMEASURE ${JSON.stringify({ ms: process.uptime() * 1000, rssKiB: process.resourceUsage().maxRSS })}\\n`));\n");
  const dirs = {} as Record<Variant, string>;
  for (const v of VARIANTS) {
    const dir = path.join(DIR, v);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `typecheck-${v}`, private: true }));
    fs.copyFileSync(path.join(ROOT, 'test', 'apps', 'subpath-app.ts'), path.join(dir, 'app.ts'));
    const withLibrary = v !== 'baseline';
    if (withLibrary) link(v === 'library' ? packages.library : packages.rootImport, path.join(dir, 'node_modules', 'cdk-clickstack-lambda'));
    fs.writeFileSync(path.join(dir, 'main.ts'), [
      "import { App } from 'aws-cdk-lib/core';",
      ...withLibrary ? ["import { ClickStackAspect } from 'cdk-clickstack-lambda';"] : [],
      "import { subpathApp } from './app';",
      '',
      "const app = new App({ outdir: 'cdk.out' });",
      'subpathApp(app);',
      ...withLibrary ? ["new ClickStackAspect({ endpoint: 'https://clickstack.example.com:4318' }).applyTo(app);"] : [],
      'const template = app.synth().stacks[0].template;',
      "const instrumented = Object.values<any>(template.Resources).filter(r => r.Properties?.Environment?.Variables?.OPENTELEMETRY_COLLECTOR_CONFIG_URI).length;",
      'console.log(`instrumented ${instrumented}`);',
      '',
    ].join('\n'));
    dirs[v] = dir;
  }
  return dirs;
}

interface Sample { readonly ms: number; readonly rssKiB: number; readonly instrumented: number }

function run(dir: string): Sample {
  const env = { ...process.env };
  delete env.TS_NODE_TRANSPILE_ONLY;
  delete env.TS_NODE_PROJECT;
  const r = spawnSync(process.execPath, ['-r', '../measure.js', '-r', 'ts-node/register', 'main.ts'], { cwd: dir, env, encoding: 'utf8' });
  const m = /MEASURE (\{.*\})/.exec(r.stderr ?? '');
  if (r.status !== 0 || !m) throw new Error(`${dir}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  const instrumented = Number(/instrumented (\d+)/.exec(r.stdout)?.[1] ?? NaN);
  return { ...JSON.parse(m[1]), instrumented };
}

/** The load-independent counts of `tsc --extendedDiagnostics`, and its check time. */
function tscCounts(dir: string): Record<string, number> {
  const r = spawnSync(process.execPath, [require.resolve('typescript/lib/tsc.js'), '--noEmit', '-p', '.', '--extendedDiagnostics'], { cwd: dir, encoding: 'utf8' });
  const out: Record<string, number> = {};
  for (const key of ['Files', 'Lines of Definitions', 'Types', 'Memory used', 'Check time']) {
    const m = new RegExp(`^${key}:\\s+([\\d.]+)`, 'm').exec(r.stdout ?? '');
    if (!m) throw new Error(`${dir}: no "${key}" in tsc --extendedDiagnostics:\n${r.stdout}\n${r.stderr}`);
    out[key] = Number(m[1]);
  }
  return out;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function main(): void {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 5;
  const dirs = prepare();
  const cdk = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'aws-cdk-lib', 'package.json'), 'utf8')).version;
  const ts = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'typescript', 'package.json'), 'utf8')).version;
  console.log(`type-check workload: test/apps/subpath-app.ts (10 functions), ts-node with type-checking, aws-cdk-lib ${cdk}, typescript ${ts}, ${runs} rounds`);
  run(dirs.baseline); // warm the file cache
  const samples: Record<Variant, Sample[]> = { 'baseline': [], 'library': [], 'root-import': [] };
  for (let i = 0; i < runs; i++) {
    // Rotate the order so that no variant always runs first.
    const order = VARIANTS.map((_, k) => VARIANTS[(k + i) % VARIANTS.length]);
    for (const v of order) samples[v].push(run(dirs[v]));
    console.log(`round ${i + 1}: ${VARIANTS.map(v => `${v} ${(samples[v][i].ms / 1000).toFixed(2)} s ${(samples[v][i].rssKiB / 1024).toFixed(0)} MiB`).join(', ')}`);
  }
  const med = (v: Variant, key: 'ms' | 'rssKiB') => median(samples[v].map(x => x[key]));
  const ratio = (v: Variant, key: 'ms' | 'rssKiB') => med(v, key) / med('baseline', key);
  const pairwise = (v: Variant, key: 'ms' | 'rssKiB') => median(samples[v].map((x, i) => x[key] / samples.baseline[i][key]));
  console.log('\n| variant | median s | time ratio (of medians; median of pairs) | median peak RSS MiB | RSS ratio | functions instrumented |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const v of VARIANTS) {
    const base = v === 'baseline';
    const time = base ? '—' : `${ratio(v, 'ms').toFixed(3)}; ${pairwise(v, 'ms').toFixed(3)}`;
    console.log(`| ${v} | ${(med(v, 'ms') / 1000).toFixed(2)} | ${time} | ${(med(v, 'rssKiB') / 1024).toFixed(0)} | ${base ? '—' : ratio(v, 'rssKiB').toFixed(3)} | ${median(samples[v].map(x => x.instrumented))} |`);
  }
  const counts = Object.fromEntries(VARIANTS.map(v => [v, tscCounts(dirs[v])])) as Record<Variant, Record<string, number>>;
  console.log('\n`tsc --noEmit --extendedDiagnostics`, once per variant:\n');
  console.log('| variant | files | lines of declarations | types | memory used KiB | check time s |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const v of VARIANTS) {
    const c = counts[v];
    console.log(`| ${v} | ${c.Files} | ${c['Lines of Definitions']} | ${c.Types} | ${c['Memory used']} | ${c['Check time']} |`);
  }
  const typesRatio = counts.library.Types / counts.baseline.Types;
  const checks = [
    [`library time ratio ${ratio('library', 'ms').toFixed(3)}`, ratio('library', 'ms') <= TARGET],
    [`library RSS ratio ${ratio('library', 'rssKiB').toFixed(3)}`, ratio('library', 'rssKiB') <= TARGET],
    [`library types ratio ${typesRatio.toFixed(3)}`, typesRatio <= TARGET],
    ['library instruments the ten functions', samples.library.every(x => x.instrumented === 10)],
  ] as const;
  for (const [name, ok] of checks) console.log(`${ok ? 'ok  ' : 'FAIL'} ${name} (target ${TARGET.toFixed(2)})`);
  const failed = checks.filter(([, ok]) => !ok).length;
  console.log(`${checks.length - failed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main();
