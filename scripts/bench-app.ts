/**
 * Child-process entry point of scripts/bench.ts: builds ONE app, synthesizes it once, and writes
 * what it measured as JSON to the result file named in its config. Not meant to be run by hand.
 *
 *   node bench-app.js '<json ChildConfig>'
 *
 * bench.ts transpiles this file to plain JS in a temp dir, so no TypeScript hook is active in the
 * child while it is measured (unless the library itself is loaded from src/ with ts-node).
 */
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';

/**
 * `handwritten`: no library; the app itself gives each function what the library gives it with
 * the default options (the same variables, the two upstream layers and one shared config layer):
 * what the output alone costs aws-cdk-lib, the floor under the library's ratio.
 */
export type Variant = 'baseline' | 'construct' | 'aspect' | 'handwritten';
export type CodeKind = 'inline' | 'asset' | 'bundles';

export interface ChildConfig {
  /** The project root (/work/main): modules are resolved from there. */
  readonly root: string;
  /** Absolute path of the library's index (lib/index.js, a temp build's index.js, or src/index.ts). */
  readonly libraryEntry: string;
  /** Register ts-node (transpile-only, test/tsconfig.json) first: the entry is TypeScript. */
  readonly tsNode: boolean;
  readonly n: number;
  readonly code: CodeKind;
  readonly variant: Variant;
  /** Fresh, empty cloud assembly directory. */
  readonly outdir: string;
  /** The shared handler directory (code kind `asset`). */
  readonly assetDir: string;
  /** One distinct code directory per function (code kind `bundles`; `n` of them). */
  readonly bundleDirs?: string[];
  /**
   * Name of a static member of the library's `ConfigDelivery` class (`AUTO`, `BUNDLE`, `LAYER`,
   * `ENVIRONMENT`), passed as `configDelivery`; absent: the option is not set (the default).
   * By name, so this file compiles against a library without the option.
   */
  readonly delivery?: string;
  /** Where to write the ChildResult JSON. */
  readonly resultFile: string;
  /**
   * Profile the measured interval (V8's sampling profiler through node:inspector, started right
   * before the clock and stopped right after synth) and report which share of the samples has a
   * frame of the library (a file under `libraryDir`) on the stack. Slows the run: profiled runs
   * are not timed runs.
   */
  readonly profile?: boolean;
  /** The directory of the library's files, for `profile`. */
  readonly libraryDir?: string;
  /** Also write the whole profile there (a .cpuprofile file, for DevTools or a closer look). */
  readonly profileFile?: string;
}

/** What the profile of the measured interval says about the library's own work. */
export interface ProfileResult {
  /** Samples taken in the measured interval. */
  readonly samples: number;
  /** Samples with a frame of the library on the stack (its own code and what it calls). */
  readonly librarySamples: number;
  /** The library's functions with the most samples on the stack (inclusive), `name file:line`. */
  readonly top: Array<[string, number]>;
}

export interface ChildResult {
  /** Seconds from before `new App()` to after `app.synth()`, process.hrtime. */
  readonly synthSeconds: number;
  /**
   * Seconds from the process start to after `app.synth()` (process.uptime()): the whole `node
   * app.js` process as the CDK CLI runs it, module loading included, measurement excluded.
   */
  readonly processSeconds: number;
  /** CPU seconds (user + system, all threads) of the same interval, process.cpuUsage(). */
  readonly cpuSeconds: number;
  /** process.resourceUsage().maxRSS right after synth, KiB. */
  readonly maxRssKiB: number;
  /** Size of the stack's template file. */
  readonly templateBytes: number;
  /** Entries (files + dockerImages) over every *.assets.json, the template itself included. */
  readonly assetEntries: number;
  /** Same, without the stack template entries: the code and layer assets. */
  readonly codeAssetEntries: number;
  /** Recursive size of the cloud assembly directory, each file (inode) counted once. */
  readonly outdirBytes: number;
  /**
   * Bytes a deployment would upload: the sum of the sizes of every file asset source in the
   * *.assets.json manifests (a directory counted by the size of its files, before zipping).
   */
  readonly uploadBytes: number;
  /** Constructs in the app after synth. */
  readonly constructs: number;
  /** Lambda functions in the template, and those with OPENTELEMETRY_COLLECTOR_CONFIG_URI set. */
  readonly functions: number;
  readonly instrumentedFunctions: number;
  /** Annotations of the stack, by level. */
  readonly messages: Record<string, number>;
  /** process.env.CDK_VALIDATION as the child saw it. */
  readonly cdkValidationEnv: string | null;
  /** With `profile`: the library's share of the measured interval. */
  readonly profile?: ProfileResult;
}

const STACK_NAME = 'Bench';
const ENDPOINT = 'https://otel.example.com:4318';
const NODE_INLINE = 'exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event) });';
const PYTHON_INLINE = 'import json\n\ndef handler(event, context):\n    return {"statusCode": 200, "body": json.dumps(event)}\n';

/**
 * Apparent size of the files under `dir` (`du -sb` without `-l`): a file with several hard links
 * in the tree is counted once. `seen` holds the `dev:ino` of the files already counted.
 */
function dirBytes(dir: string, seen = new Set<string>()): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      total += dirBytes(p, seen);
      continue;
    }
    const st = fs.lstatSync(p);
    const id = `${st.dev}:${st.ino}`;
    if (st.nlink > 1 && seen.has(id)) continue;
    seen.add(id);
    total += st.size;
  }
  return total;
}

/** Size of a file, or of every file under a directory (links and duplicates counted each time, as the CLI zips them). */
function sourceBytes(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const entry of fs.readdirSync(p)) total += sourceBytes(path.join(p, entry));
  return total;
}

function main(): void {
  const cfg = JSON.parse(process.argv[2]) as ChildConfig;
  const req = createRequire(path.join(cfg.root, 'package.json'));
  if (cfg.tsNode) {
    req('ts-node').register({ transpileOnly: true, project: path.join(cfg.root, 'test', 'tsconfig.json') });
  }

  // Load everything before the clock starts (aws-cdk-lib exports are lazy: touch what is used).
  const cdk = req('aws-cdk-lib') as typeof import('aws-cdk-lib');
  const lambda = req('aws-cdk-lib/aws-lambda') as typeof import('aws-cdk-lib/aws-lambda');
  const lib = req(cfg.libraryEntry);
  const { App, Stack, Aspects, AspectPriority } = cdk;
  const { Function: LambdaFunction, Runtime, Architecture, Code } = lambda;
  const { ClickStackInstrumentation, ClickStackAspect } = lib;
  if (typeof ClickStackInstrumentation !== 'function' || typeof ClickStackAspect !== 'function') {
    throw new Error(`the library at ${cfg.libraryEntry} does not export ClickStackInstrumentation and ClickStackAspect`);
  }
  const options: Record<string, unknown> = { endpoint: ENDPOINT };
  if (cfg.delivery !== undefined) {
    // By name: the bench compiles and runs against a library without the option (bench.ts
    // probes for it first and skips the variant with a message).
    const value = (lib as any).ConfigDelivery?.[cfg.delivery];
    if (value === undefined) throw new Error(`the library at ${cfg.libraryEntry} has no ConfigDelivery.${cfg.delivery}`);
    options.configDelivery = value;
  }
  if (cfg.code === 'bundles' && cfg.bundleDirs?.length !== cfg.n) {
    throw new Error(`code kind bundles needs ${cfg.n} bundle directories, got ${cfg.bundleDirs?.length ?? 0}`);
  }

  // A collection before the clock (with --expose-gc): every run starts from the same heap.
  (globalThis as { gc?: () => void }).gc?.();
  const profiler = cfg.profile ? startProfiler() : undefined;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const app = new App({ outdir: cfg.outdir, context: { '@aws-cdk/core:stackResourceLimit': 0 } });
  const stack = new Stack(app, STACK_NAME, { env: { account: '123456789012', region: 'us-east-1' } });
  const fns: InstanceType<typeof LambdaFunction>[] = [];
  for (let i = 0; i < cfg.n; i++) {
    // Every (runtime, architecture) pair gets a quarter of the functions.
    const node = i % 2 === 0;
    const arm = Math.floor(i / 2) % 2 === 1;
    fns.push(new LambdaFunction(stack, `Fn${i}`, {
      runtime: node ? Runtime.NODEJS_22_X : Runtime.PYTHON_3_13,
      architecture: arm ? Architecture.ARM_64 : Architecture.X86_64,
      handler: 'index.handler',
      code: cfg.code === 'asset' ? Code.fromAsset(cfg.assetDir)
        : cfg.code === 'bundles' ? Code.fromAsset(cfg.bundleDirs![i])
          : Code.fromInline(node ? NODE_INLINE : PYTHON_INLINE),
    }));
  }
  if (cfg.variant === 'handwritten') {
    const { LayerVersion } = lambda;
    const arn = (name: string) => `arn:aws:lambda:us-east-1:184161586896:layer:${name}:1`;
    const config = new LayerVersion(stack, 'Config', { code: Code.fromAsset(cfg.assetDir), description: 'collector.yaml' });
    const layers = new Map<string, InstanceType<typeof LayerVersion> | ReturnType<typeof LayerVersion.fromLayerVersionArn>>();
    const layer = (name: string) => layers.get(name) ?? layers.set(name, LayerVersion.fromLayerVersionArn(stack, name, arn(name))).get(name)!;
    fns.forEach((fn, i) => {
      const node = i % 2 === 0;
      const arm = Math.floor(i / 2) % 2 === 1;
      fn.addLayers(layer(node ? 'opentelemetry-nodejs-0_23_0' : 'opentelemetry-python-0_21_0'), layer(`opentelemetry-collector-${arm ? 'arm64' : 'amd64'}-0_23_0`), config);
      const env: Record<string, string> = {
        AWS_LAMBDA_EXEC_WRAPPER: '/opt/otel-handler',
        OPENTELEMETRY_COLLECTOR_CONFIG_URI: '/opt/clickstack/collector.yaml',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_PROPAGATORS: 'tracecontext,baggage',
        OTEL_TRACES_SAMPLER: 'parentbased_always_on',
        ...(node ? {} : { OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED: 'true' }),
      };
      for (const [k, v] of Object.entries(env)) fn.addEnvironment(k, v);
    });
  } else if (cfg.variant === 'construct') {
    new ClickStackInstrumentation(stack, 'ClickStack', { ...options, functions: fns });
  } else if (cfg.variant === 'aspect') {
    Aspects.of(stack).add(new ClickStackAspect(options), { priority: AspectPriority.MUTATING });
  }
  const assembly = app.synth();
  const t1 = process.hrtime.bigint();
  const processSeconds = process.uptime();
  const cpu = process.cpuUsage(c0);
  const maxRssKiB = process.resourceUsage().maxRSS;
  const rawProfile = profiler?.();
  if (rawProfile && cfg.profileFile) fs.writeFileSync(cfg.profileFile, JSON.stringify(rawProfile));
  const profile = rawProfile ? summarizeProfile(rawProfile, cfg.libraryDir ?? path.dirname(cfg.libraryEntry)) : undefined;

  // Everything below is outside the measurement.
  const artifact = assembly.getStackByName(STACK_NAME);
  const templatePath = path.join(cfg.outdir, artifact.templateFile);
  const templateBytes = fs.statSync(templatePath).size;
  let assetEntries = 0;
  let codeAssetEntries = 0;
  let uploadBytes = 0;
  for (const f of fs.readdirSync(cfg.outdir).filter(name => name.endsWith('.assets.json'))) {
    const manifest = JSON.parse(fs.readFileSync(path.join(cfg.outdir, f), 'utf8'));
    for (const entry of Object.values<any>(manifest.files ?? {})) {
      assetEntries++;
      if (!String(entry.source?.path ?? '').endsWith('.template.json')) codeAssetEntries++;
      if (entry.source?.path !== undefined) uploadBytes += sourceBytes(path.resolve(cfg.outdir, entry.source.path));
    }
    const images = Object.keys(manifest.dockerImages ?? {}).length;
    assetEntries += images;
    codeAssetEntries += images;
  }
  const template = JSON.parse(fs.readFileSync(templatePath, 'utf8'));
  const lambdas = Object.values<any>(template.Resources ?? {}).filter(r => r.Type === 'AWS::Lambda::Function');
  const instrumented = lambdas.filter(r => r.Properties?.Environment?.Variables?.OPENTELEMETRY_COLLECTOR_CONFIG_URI !== undefined);
  const messages: Record<string, number> = {};
  for (const m of artifact.messages) messages[m.level] = (messages[m.level] ?? 0) + 1;
  const errors = artifact.messages.filter(m => m.level === 'error');
  if (errors.length > 0) {
    throw new Error(`synth produced ${errors.length} error annotation(s), first: ${errors[0].id}: ${JSON.stringify(errors[0].entry.data)}`);
  }

  const result: ChildResult = {
    synthSeconds: Number(t1 - t0) / 1e9,
    processSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssKiB,
    templateBytes,
    assetEntries,
    codeAssetEntries,
    outdirBytes: dirBytes(cfg.outdir),
    uploadBytes,
    constructs: app.node.findAll().length,
    functions: lambdas.length,
    instrumentedFunctions: instrumented.length,
    messages,
    cdkValidationEnv: process.env.CDK_VALIDATION ?? null,
    profile,
  };
  fs.writeFileSync(cfg.resultFile, JSON.stringify(result));
}

interface CpuProfile {
  readonly nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  readonly samples: number[];
}

/**
 * Start V8's sampling profiler in this thread (node:inspector, synchronous for an in-process
 * session); returns the function that stops it and hands the profile back.
 */
function startProfiler(): () => CpuProfile {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const inspector = require('inspector') as typeof import('inspector');
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object): any => {
    let result: any;
    let error: Error | null = null;
    session.post(method, params ?? {}, (err, res) => { error = err; result = res; });
    if (error) throw error;
    return result;
  };
  post('Profiler.enable');
  post('Profiler.setSamplingInterval', { interval: 200 });
  post('Profiler.start');
  return () => {
    const { profile } = post('Profiler.stop');
    session.disconnect();
    return profile as CpuProfile;
  };
}

/**
 * Samples with a library frame on the stack: counted by samples, not by the time between them,
 * which on a busy machine includes time the thread was not running.
 */
function summarizeProfile(profile: CpuProfile, libraryDir: string): ProfileResult {
  const prefix = `file://${libraryDir}`;
  const isLibrary = (url: string) => (url.startsWith(prefix) || url.startsWith(libraryDir)) && !url.includes('node_modules');
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  let librarySamples = 0;
  const inclusive = new Map<string, number>();
  for (const leaf of profile.samples) {
    const seen = new Set<string>();
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (!isLibrary(frame.url)) continue;
      seen.add(`${frame.functionName || '(anonymous)'} ${path.relative(libraryDir, frame.url.replace(/^file:\/\//, ''))}:${frame.lineNumber + 1}`);
    }
    if (seen.size > 0) librarySamples++;
    for (const k of seen) inclusive.set(k, (inclusive.get(k) ?? 0) + 1);
  }
  const top = [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 15);
  return { samples: profile.samples.length, librarySamples, top };
}

main();
