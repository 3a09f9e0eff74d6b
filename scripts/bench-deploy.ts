/**
 * What a deployment of instrumented functions costs, per config delivery: what the CDK CLI
 * uploads (objects and bytes after zipping, from the asset manifests), what a CDK Pipeline
 * publishes (its asset-publishing actions and CodeBuild projects), what a later deployment uploads
 * after a configuration change and after one function's code changed, beside `cdk.out` bytes and
 * the synth time.
 *
 *   ts-node --transpile-only -P test/tsconfig.json scripts/bench-deploy.ts \
 *     [--bundles 8] [--bundle-mib 12] [--bundle-files 1500] [--rounds 3] [--out .bench/deploy.json]
 *
 * The app: `--bundles` functions (half Node.js 22, half Python 3.13; half x86_64, half arm64), each
 * its own code directory of `--bundle-mib` MiB in `--bundle-files` files (scripts/bench-bundles.ts:
 * half source-like text, half incompressible bytes, generated once into .bench/bundles), with
 * `ClickStackAspect` and each `configDelivery` (`default`: the option unset), and without it
 * (`baseline`). The library is loaded from src/ (this file runs under ts-node).
 *
 * Every figure but the synth time is deterministic: the same bundles give the same asset hashes,
 * the same zips and the same pipeline. Bytes after zipping are computed as the CDK CLI zips a
 * directory asset (aws-cdk 2.1115.1, lib/index.js `writeZipFile`: every file, `**` sorted, into
 * `archiver("zip")` 7.0.1, whose compress-commons 6.0.2 deflates each file at zlib level 1,
 * ZLIB_BEST_SPEED: lib/archivers/zip/zip-archive-output-stream.js:113-114): each file's deflated
 * size plus the zip format's fixed records (a local header of 30 bytes plus the name, a data
 * descriptor of 16, a central directory entry of 46 plus the name, the end record of 22). Checked
 * byte for byte against archiver 7.0.1's zips of two bench bundles and test/fixtures/handler.
 * The synth time is one in-process `app.synth()` per round, rounds alternating the variants: a
 * rough figure on a shared machine.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { App, Aspects, AspectPriority, Stack, Stage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { BundleSpec, ensureBundles } from './bench-bundles';
import { ClickStackAspect, ClickStackOptions, ConfigDelivery } from '../src';

const ROOT = path.resolve(__dirname, '..');
const ENV = { account: '123456789012', region: 'us-east-1' };
const ENDPOINT = 'https://otel.example.com:4318';

/** A variant: its label, and the delivery (`undefined`: uninstrumented; `default`: the option unset). */
const VARIANTS: ReadonlyArray<readonly [string, 'none' | 'default' | 'BUNDLE' | 'LAYER' | 'ENVIRONMENT']> = [
  ['baseline', 'none'],
  ['aspect, default (AUTO)', 'default'],
  ['aspect, BUNDLE', 'BUNDLE'],
  ['aspect, LAYER', 'LAYER'],
  ['aspect, ENVIRONMENT', 'ENVIRONMENT'],
];
type Delivery = typeof VARIANTS[number][1];

interface Args {
  bundles: number;
  bundleMiB: number;
  bundleFiles: number;
  rounds: number;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { bundles: 8, bundleMiB: 12, bundleFiles: 1500, rounds: 3, out: path.join(ROOT, '.bench', 'deploy.json') };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[++i];
    const number = (min: number) => {
      const n = Number(value);
      if (!Number.isFinite(n) || n < min) throw new Error(`${argv[i - 1]} takes a number >= ${min}`);
      return n;
    };
    switch (argv[i - 1]) {
      case '--bundles': args.bundles = number(1); break;
      case '--bundle-mib': args.bundleMiB = number(0.01); break;
      case '--bundle-files': args.bundleFiles = number(3); break;
      case '--rounds': args.rounds = number(1); break;
      case '--out': args.out = path.resolve(value); break;
      default: throw new Error(`unknown argument ${argv[i - 1]}`);
    }
  }
  return args;
}

// ---------------------------------------------------------------------------------------------
// The apps

function options(delivery: Delivery, extra: Partial<ClickStackOptions> = {}): ClickStackOptions {
  return { endpoint: ENDPOINT, ...(delivery === 'none' || delivery === 'default' ? {} : { configDelivery: ConfigDelivery[delivery] }), ...extra };
}

/** The functions, in `scope`, one per code directory. */
function addFunctions(scope: Stack, dirs: readonly string[]): void {
  dirs.forEach((dir, i) => {
    new lambda.Function(scope, `Fn${i}`, {
      runtime: i % 2 === 0 ? lambda.Runtime.NODEJS_22_X : lambda.Runtime.PYTHON_3_13,
      architecture: Math.floor(i / 2) % 2 === 1 ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(dir),
    });
  });
}

function instrument(scope: Stack | Stage, delivery: Delivery, extra: Partial<ClickStackOptions> = {}): void {
  if (delivery !== 'none') Aspects.of(scope).add(new ClickStackAspect(options(delivery, extra)), { priority: AspectPriority.MUTATING });
}

/** One synthesized app: its asset manifests' file assets (id, absolute source), the outdir and the synth time. */
interface Synth {
  readonly outdir: string;
  readonly assets: ReadonlyArray<{ readonly id: string; readonly source: string; readonly template: boolean }>;
  readonly seconds: number;
}

function synthPlain(dirs: readonly string[], delivery: Delivery, extra: Partial<ClickStackOptions> = {}): Synth {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'clickstack-deploy-'));
  const t0 = process.hrtime.bigint();
  const app = new App({ outdir });
  const stack = new Stack(app, 'Bench', { env: ENV });
  addFunctions(stack, dirs);
  instrument(stack, delivery, extra);
  app.synth();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { outdir, assets: fileAssets(outdir), seconds };
}

/** Every file asset of every asset manifest under `dir` (nested assemblies too). */
function fileAssets(dir: string): Synth['assets'] {
  const out: Array<Synth['assets'][number]> = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name.startsWith('assembly-')) out.push(...fileAssets(p));
    if (!entry.isFile() || !entry.name.endsWith('.assets.json')) continue;
    const manifest = JSON.parse(fs.readFileSync(p, 'utf8'));
    for (const [id, asset] of Object.entries<any>(manifest.files ?? {})) {
      const source = path.resolve(dir, asset.source.path);
      out.push({ id, source, template: asset.source.path.endsWith('.template.json') });
    }
  }
  return out;
}

/** The CDK Pipeline app: a pipeline that deploys a Stage with the functions. What it publishes. */
function synthPipeline(dirs: readonly string[], delivery: Delivery): { assetActions: number; assetProjects: number; fileAssets: number } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'clickstack-deploy-pipeline-'));
  try {
    const app = new App({ outdir });
    const pipelineStack = new Stack(app, 'Pipeline', { env: ENV });
    const pipeline = new pipelines.CodePipeline(pipelineStack, 'Pipeline', {
      synth: new pipelines.ShellStep('Synth', {
        input: pipelines.CodePipelineSource.connection('owner/repo', 'main', { connectionArn: 'arn:aws:codeconnections:us-east-1:123456789012:connection/abc' }),
        commands: ['npm ci', 'npx cdk synth'],
      }),
    });
    const stage = new Stage(app, 'Prod', { env: ENV });
    const api = new Stack(stage, 'Api');
    addFunctions(api, dirs);
    // On the Stage before addStage(), which synthesizes it (docs/real-apps.md).
    instrument(api, delivery);
    pipeline.addStage(stage);
    app.synth();
    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'Pipeline.template.json'), 'utf8'));
    const resources = Object.entries<any>(template.Resources);
    const cp = resources.find(([, r]) => r.Type === 'AWS::CodePipeline::Pipeline')![1];
    const assetsStage = (cp.Properties.Stages as any[]).find(s => s.Name === 'Assets');
    const projects = resources.filter(([id, r]) => r.Type === 'AWS::CodeBuild::Project' && /Assets/.test(id)).length;
    return { assetActions: assetsStage?.Actions.length ?? 0, assetProjects: projects, fileAssets: fileAssets(path.join(outdir, 'assembly-Prod')).filter(a => !a.template).length };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Measuring

const zipCache = new Map<string, number>();

/** Bytes of the zip the CDK CLI makes of an asset (see the file comment); a file asset: its size. */
function zippedBytes(id: string, source: string): number {
  const cached = zipCache.get(id);
  if (cached !== undefined) return cached;
  let bytes: number;
  if (!fs.statSync(source).isDirectory()) {
    bytes = fs.statSync(source).size;
  } else {
    bytes = 22;
    for (const rel of listFiles(source)) {
      const name = Buffer.byteLength(rel);
      const data = fs.readFileSync(path.join(source, rel));
      const compressed = data.length === 0 ? 0 : zlib.deflateRawSync(data, { level: 1 }).length;
      bytes += 30 + name + compressed + (data.length === 0 ? 0 : 16) + 46 + name;
    }
  }
  zipCache.set(id, bytes);
  return bytes;
}

/** Files under `dir`, relative, `/`-separated, symbolic links followed, in the order of a sorted walk. */
function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync(path.join(dir, prefix)).sort()) {
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    const st = fs.statSync(path.join(dir, rel));
    if (st.isDirectory()) out.push(...listFiles(dir, rel));
    else if (st.isFile()) out.push(rel);
  }
  return out;
}

/** Apparent bytes of the files under `dir`, each hard-linked file once (by device and inode, as GNU find prints them). */
function dirBytes(dir: string): number {
  const sizes = new Map<string, number>();
  for (const line of execFileSync('find', [dir, '-type', 'f', '-printf', '%D:%i %s\\n'], { encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n')) {
    const [id, size] = line.split(' ');
    if (size !== undefined) sizes.set(id, Number(size));
  }
  return [...sizes.values()].reduce((a, b) => a + b, 0);
}

/** Objects and zipped bytes of the assets of `after` that `before` did not have (what a redeployment uploads). */
function uploadedAfter(before: Synth, after: Synth): { objects: number; bytes: number } {
  const had = new Set(before.assets.map(a => a.id));
  const fresh = after.assets.filter(a => !a.template && !had.has(a.id));
  return { objects: fresh.length, bytes: fresh.reduce((n, a) => n + zippedBytes(a.id, a.source), 0) };
}

interface Row {
  readonly variant: string;
  readonly codeObjects: number;
  readonly templateObjects: number;
  readonly zippedBytes: number;
  readonly sourceBytes: number;
  readonly pipelineAssetActions: number;
  readonly pipelineAssetProjects: number;
  readonly configChange?: { objects: number; bytes: number };
  readonly codeChange: { objects: number; bytes: number };
  readonly outdirBytes: number;
  readonly synthSeconds: number[];
}

function sourceBytes(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.size;
  return fs.readdirSync(p).reduce((n, e) => n + sourceBytes(path.join(p, e)), 0);
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const spec: BundleSpec = { count: args.bundles, bytes: Math.round(args.bundleMiB * 1024 * 1024), files: args.bundleFiles, seed: 13 };
  const dirs = ensureBundles(path.join(ROOT, '.bench', 'bundles'), spec, line => process.stderr.write(line));
  // One function's code changed: a copy of its directory with one more line in one file.
  const changed = fs.mkdtempSync(path.join(os.tmpdir(), 'clickstack-deploy-changed-'));
  fs.cpSync(dirs[0], changed, { recursive: true });
  fs.appendFileSync(path.join(changed, 'index.js'), '// changed\n');
  const changedDirs = [changed, ...dirs.slice(1)];

  const rows: Row[] = [];
  const seconds = new Map<string, number[]>(VARIANTS.map(([label]) => [label, []]));
  const firsts = new Map<string, Synth>();
  for (let round = 0; round < args.rounds; round++) {
    for (const [label, delivery] of VARIANTS) {
      const s = synthPlain(dirs, delivery);
      seconds.get(label)!.push(s.seconds);
      if (round === 0) firsts.set(label, s);
      else fs.rmSync(s.outdir, { recursive: true, force: true });
      process.stderr.write(`bench:deploy: round ${round + 1}/${args.rounds}, ${label}: ${s.seconds.toFixed(2)} s\n`);
    }
  }
  for (const [label, delivery] of VARIANTS) {
    const first = firsts.get(label)!;
    const code = first.assets.filter(a => !a.template);
    const pipeline = synthPipeline(dirs, delivery);
    const configChanged = delivery === 'none' ? undefined : synthPlain(dirs, delivery, { endpoint: 'https://otel-2.example.com:4318' });
    const codeChanged = synthPlain(changedDirs, delivery);
    rows.push({
      variant: label,
      codeObjects: code.length,
      templateObjects: first.assets.length - code.length,
      zippedBytes: code.reduce((n, a) => n + zippedBytes(a.id, a.source), 0),
      sourceBytes: code.reduce((n, a) => n + sourceBytes(a.source), 0),
      pipelineAssetActions: pipeline.assetActions,
      pipelineAssetProjects: pipeline.assetProjects,
      configChange: configChanged ? uploadedAfter(first, configChanged) : undefined,
      codeChange: uploadedAfter(first, codeChanged),
      outdirBytes: dirBytes(first.outdir),
      synthSeconds: seconds.get(label)!,
    });
    for (const s of [first, configChanged, codeChanged]) if (s) fs.rmSync(s.outdir, { recursive: true, force: true });
    process.stderr.write(`bench:deploy: measured ${label}\n`);
  }
  fs.rmSync(changed, { recursive: true, force: true });

  const mib = (b: number) => (b / 1024 / 1024).toFixed(2);
  const size = (b: number) => b === 0 ? '0' : b < 1024 * 1024 ? `${b} B` : `${mib(b)} MiB`;
  const base = rows[0];
  const range = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
  const lines = [
    `${args.bundles} functions, each its own ${args.bundleMiB} MiB directory of ${args.bundleFiles} files; aws-cdk-lib ${require('aws-cdk-lib/package.json').version}; ${args.rounds} round(s)`,
    '',
    '| variant | objects uploaded (code and layers) | zipped bytes uploaded | ratio | CDK Pipeline asset actions | asset CodeBuild projects | after a config change: objects, zipped bytes | after one function\'s code change: objects, zipped bytes | cdk.out MiB | synth s (min–max, rough) |',
    '|---|---:|---:|---:|---:|---:|---|---|---:|---:|',
    ...rows.map(r => `| ${r.variant} | ${r.codeObjects} | ${size(r.zippedBytes)} | ${(r.zippedBytes / base.zippedBytes).toFixed(3)} | ${r.pipelineAssetActions} | ${r.pipelineAssetProjects} | ${r.configChange ? `${r.configChange.objects}, ${size(r.configChange.bytes)}` : '-'} | ${r.codeChange.objects}, ${size(r.codeChange.bytes)} | ${mib(r.outdirBytes)} | ${range(r.synthSeconds)} |`),
    '',
    `Each row also uploads ${base.templateObjects} template object(s). Source bytes before zipping: ${rows.map(r => `${r.variant} ${mib(r.sourceBytes)} MiB`).join('; ')}.`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  fs.mkdirSync(path.dirname(args.out), { recursive: true });
  fs.writeFileSync(args.out, JSON.stringify({ args, rows }, undefined, 2) + '\n');
}

main();
