/**
 * The language runtimes of the e2e tests, installed from the registries into the e2e cache
 * (`.cache/e2e/runtimes/<language>`, ignored): a second run reuses them, CI installs them from
 * nothing. Each install is keyed by the files that pin it (a copy of them is kept in the cache;
 * a change reinstalls). See test/e2e/runtimes/README.md for where each version was read.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CACHE } from '../harness';

export const RUNTIMES = path.join(__dirname);
export const RUNTIME_CACHE = path.join(CACHE, 'runtimes');

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): void {
  const t0 = Date.now();
  // Without the test runner's NODE_OPTIONS (`--require ts-node/register/transpile-only`): an
  // install in an E2E_CACHE outside the checkout cannot resolve ts-node, and needs no hook.
  const { NODE_OPTIONS: _hook, ...clean } = env;
  const r = spawnSync(cmd, args, { cwd, env: clean, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 20 * 60_000 });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: ${r.error?.message ?? `exit ${r.status}`}\n${(r.stdout ?? '').slice(-3000)}\n${(r.stderr ?? '').slice(-3000)}`);
  }
  console.log(`# runtimes: ${cmd} ${args.slice(0, 3).join(' ')} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** True when every pin file in `dir` equals its copy in `cacheDir` (and the install finished). */
function upToDate(dir: string, cacheDir: string, pins: string[]): boolean {
  if (!fs.existsSync(path.join(cacheDir, '.installed'))) return false;
  return pins.every(p => fs.existsSync(path.join(cacheDir, p)) && fs.readFileSync(path.join(dir, p)).equals(fs.readFileSync(path.join(cacheDir, p))));
}

function install(dir: string, cacheDir: string, pins: string[], doInstall: () => void): void {
  if (upToDate(dir, cacheDir, pins)) return;
  fs.rmSync(cacheDir, { recursive: true, force: true });
  fs.mkdirSync(cacheDir, { recursive: true });
  for (const p of pins) fs.copyFileSync(path.join(dir, p), path.join(cacheDir, p));
  doInstall();
  fs.writeFileSync(path.join(cacheDir, '.installed'), new Date().toISOString());
}

export interface NodejsRuntime {
  /** node_modules with the layer's packages and aws-lambda-ric. */
  readonly nodeModules: string;
  /** The loader and exec wrapper (this repository's), laid out at /opt. */
  readonly layerDir: string;
  /** The runtime interface client's entry point (`aws-lambda-ric <handler>`). */
  readonly ric: string;
}

/**
 * Node.js: `npm ci` of runtimes/nodejs/package-lock.json (the layer's packages at the layer's
 * versions, and aws-lambda-ric, whose native part builds with node-gyp, cmake, autoconf,
 * automake, libtool and g++).
 */
export function nodejsRuntime(): NodejsRuntime {
  const dir = path.join(RUNTIMES, 'nodejs');
  const cacheDir = path.join(RUNTIME_CACHE, 'nodejs');
  // Two make jobs for aws-lambda-ric's native build (curl, aws-lambda-cpp, node-gyp): the machine's two cores.
  install(dir, cacheDir, ['package.json', 'package-lock.json'], () => run('npm', ['ci', '--no-audit', '--no-fund'], cacheDir, { ...process.env, MAKEFLAGS: '-j2', JOBS: '2' }));
  const nodeModules = path.join(cacheDir, 'node_modules');
  return { nodeModules, layerDir: path.join(dir, 'layer'), ric: path.join(nodeModules, 'aws-lambda-ric', 'bin', 'index.mjs') };
}

export interface PythonRuntime {
  /** The layer's packages (what the layer holds at /opt/python), with bin/opentelemetry-instrument. */
  readonly layerPackages: string;
  /** Our otel-handler, otel-instrument and otel_wrapper.py, laid out at /opt and /opt/python. */
  readonly layerDir: string;
  /** awslambdaric (what Lambda holds at /var/runtime). */
  readonly runtimeDir: string;
  readonly python: string;
}

/**
 * Python: the layer's requirements into a target folder as its Dockerfile does (`pip install -r
 * requirements.txt -t python`, then nodeps-requirements.txt with --no-deps, boto* and urllib3*
 * removed), and awslambdaric into another (a manylinux wheel: its native part comes built).
 */
export function pythonRuntime(): PythonRuntime {
  const dir = path.join(RUNTIMES, 'python');
  const cacheDir = path.join(RUNTIME_CACHE, 'python');
  const python = process.env.E2E_PYTHON ?? 'python3';
  const layerPackages = path.join(cacheDir, 'opt', 'python');
  const runtimeDir = path.join(cacheDir, 'runtime');
  install(dir, cacheDir, ['requirements.txt', 'nodeps-requirements.txt', 'runtime-requirements.txt'], () => {
    const pip = (args: string[]) => run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', ...args], cacheDir);
    pip(['-r', 'requirements.txt', '-t', layerPackages]);
    const tmp = path.join(cacheDir, 'tmp');
    pip(['-r', 'nodeps-requirements.txt', '-t', tmp, '--no-deps']);
    fs.cpSync(tmp, layerPackages, { recursive: true });
    fs.rmSync(tmp, { recursive: true, force: true });
    for (const f of fs.readdirSync(layerPackages)) if (/^(boto|urllib3)/.test(f)) fs.rmSync(path.join(layerPackages, f), { recursive: true, force: true });
    pip(['-r', 'runtime-requirements.txt', '-t', runtimeDir]);
  });
  return { layerPackages, layerDir: path.join(dir, 'layer'), runtimeDir, python };
}

export interface JavaRuntime {
  /** The runtime interface client and aws-lambda-java-core (what Lambda holds in /var/runtime/lib). */
  readonly runtimeLib: string;
  /** The unmodified agent jar of the Java agent layer. */
  readonly agentJar: string;
  /** Our otel-handler, laid out at /opt. */
  readonly agentLayerDir: string;
  /** The function's code: the compiled handler and its lib/ (the OpenTelemetry API). */
  readonly functionCode: string;
  readonly java: string;
}

/**
 * Java (agent mode): the agent jar, the runtime interface client and the function's API jars with
 * `mvn dependency:copy-dependencies` (a local Maven repository in the cache), and the handler
 * compiled with the machine's javac.
 */
export function javaRuntime(): JavaRuntime {
  const dir = path.join(RUNTIMES, 'java');
  const cacheDir = path.join(RUNTIME_CACHE, 'java');
  const pins = ['runtime/pom.xml', 'agent/pom.xml', 'function/pom.xml', 'function/src/e2e/Handler.java'];
  const functionCode = path.join(cacheDir, 'function', 'code');
  fs.mkdirSync(cacheDir, { recursive: true });
  const pinned = (p: string) => path.join(cacheDir, 'pins', p);
  const stale = !fs.existsSync(path.join(cacheDir, '.java-installed')) || pins.some(p => !fs.existsSync(pinned(p)) || !fs.readFileSync(path.join(dir, p)).equals(fs.readFileSync(pinned(p))));
  if (stale) {
    fs.rmSync(path.join(cacheDir, '.java-installed'), { force: true });
    for (const part of ['runtime', 'agent', 'function']) {
      fs.rmSync(path.join(cacheDir, part, 'lib'), { recursive: true, force: true });
      run('mvn', ['-q', '-B', `-Dmaven.repo.local=${path.join(cacheDir, 'm2')}`, 'dependency:copy-dependencies',
        `-DoutputDirectory=${path.join(cacheDir, part, 'lib')}`, '-DincludeScope=runtime'], path.join(dir, part));
    }
    fs.rmSync(functionCode, { recursive: true, force: true });
    fs.mkdirSync(functionCode, { recursive: true });
    run('javac', ['--release', '11', '-d', functionCode, '-cp', `${path.join(cacheDir, 'runtime', 'lib', '*')}:${path.join(cacheDir, 'function', 'lib', '*')}`,
      path.join(dir, 'function', 'src', 'e2e', 'Handler.java')], dir);
    fs.cpSync(path.join(cacheDir, 'function', 'lib'), path.join(functionCode, 'lib'), { recursive: true });
    for (const p of pins) { fs.mkdirSync(path.dirname(pinned(p)), { recursive: true }); fs.copyFileSync(path.join(dir, p), pinned(p)); }
    fs.writeFileSync(path.join(cacheDir, '.java-installed'), new Date().toISOString());
  }
  const agentLib = path.join(cacheDir, 'agent', 'lib');
  return {
    runtimeLib: path.join(cacheDir, 'runtime', 'lib'),
    agentJar: path.join(agentLib, fs.readdirSync(agentLib).find(f => f.startsWith('opentelemetry-javaagent-'))!),
    agentLayerDir: path.join(dir, 'agent', 'layer'),
    functionCode,
    java: 'java',
  };
}

/** `ts-node test/e2e/runtimes/setup.ts [nodejs] [python]`: install (or reuse) the runtimes, with times. */
if (require.main === module) {
  const all: Record<string, () => unknown> = { nodejs: nodejsRuntime, python: pythonRuntime, java: javaRuntime };
  const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(all);
  let failed = 0;
  for (const name of names) {
    const t0 = Date.now();
    try {
      all[name]();
      console.log(`e2e runtimes: ${name} ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (${path.join(RUNTIME_CACHE, name)})`);
    } catch (e) {
      failed++;
      console.log(`e2e runtimes: ${name} failed after ${((Date.now() - t0) / 1000).toFixed(1)} s: ${(e as Error).message}`);
    }
  }
  process.exit(failed === 0 ? 0 : 1);
}
