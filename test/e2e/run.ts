/**
 * `npx projen e2e`: build a collector, then run test/e2e/*.e2e.test.ts against it with node's test
 * runner, and print `e2e: N passed, N failed` last (the .ci/run convention). Which collector:
 *
 *   (default)                 the stand-in build, test/e2e/collector (upstream core and contrib
 *                             modules, our Lambda components), into <cache>/bin/collector
 *   E2E_UPSTREAM_SRC=<tree>   the layer's real collector, built from an opentelemetry-lambda source
 *                             tree with only the forced changes (upstream.ts), into <cache>/upstream/
 *   E2E_COLLECTOR_BIN=<file>  any binary, not built (E2E_VALIDATE_BIN=<file>: the one the corpus
 *                             runs `e2e-load` with; default: the same binary)
 *
 * Caches (Go module and build caches, binaries) live in E2E_CACHE (default .cache/e2e);
 * E2E_GOMODCACHE moves the Go module cache alone. Arguments: test files to run instead of all;
 * `--skip-build` to use the binaries already built; `--build-only` to build and stop.
 */
import { spawn, spawnSync } from 'child_process';
import * as dns from 'dns';
import * as fs from 'fs';
import * as path from 'path';
import { CACHE, REPO } from './harness';
import { buildUpstream, catalogCollectorPin, checkSourceTree } from './upstream';

const STANDIN_BIN = path.join(CACHE, 'bin', 'collector');
const UPSTREAM_DIR = path.join(CACHE, 'upstream');

function goEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GOMODCACHE: process.env.E2E_GOMODCACHE ?? path.join(CACHE, 'gomod'),
    GOCACHE: path.join(CACHE, 'gobuild'),
    GOFLAGS: '-mod=mod -buildvcs=false',
    CGO_ENABLED: '0',
  };
}

function failBuild(what: string, e: unknown): never {
  console.log(`e2e: ${what} failed (${(e as Error)?.message ?? e})`);
  console.log('e2e: 0 passed, 1 failed');
  process.exit(1);
}

function buildStandIn(): void {
  const t0 = Date.now();
  const r = spawnSync('go', ['build', '-trimpath', '-o', STANDIN_BIN, '.'], { cwd: path.join(REPO, 'test', 'e2e', 'collector'), env: goEnv(), stdio: 'inherit', timeout: 40 * 60_000 });
  if (r.status !== 0) failBuild('stand-in collector build', r.error ?? `exit ${r.status}`);
  const mb = (fs.statSync(STANDIN_BIN).size / 1e6).toFixed(1);
  console.log(`e2e: stand-in collector built in ${((Date.now() - t0) / 1000).toFixed(1)} s (${mb} MB, ${STANDIN_BIN})`);
}

/** The binaries the tests run, built unless `skipBuild`; their paths go to the tests' environment (and to the cold-start bench). */
export function collectorUnderTest(skipBuild: boolean): { bin: string; validator: string; label: string } {
  if (process.env.E2E_COLLECTOR_BIN) {
    const bin = path.resolve(process.env.E2E_COLLECTOR_BIN);
    return { bin, validator: path.resolve(process.env.E2E_VALIDATE_BIN ?? bin), label: `given binary ${bin}` };
  }
  const src = process.env.E2E_UPSTREAM_SRC;
  if (src) {
    const pin = catalogCollectorPin();
    const check = checkSourceTree(path.resolve(src), pin);
    console.log(`e2e: the real collector from ${path.resolve(src)} (the catalog pins ${pin.tag}, collector layer ${pin.version}):`);
    for (const l of check.lines) console.log(`  ${l}`);
    if (!check.ok) console.log(`e2e: WARNING: this source tree is not at the catalog's collector ${pin.tag}; the results are for whatever it is`);
    const out = { bin: path.join(UPSTREAM_DIR, 'collector'), validator: path.join(UPSTREAM_DIR, 'collector-validate') };
    if (!skipBuild) {
      const t0 = Date.now();
      try {
        buildUpstream(path.resolve(src), UPSTREAM_DIR, goEnv(), line => console.log(line));
      } catch (e) {
        failBuild('real collector build', e);
      }
      console.log(`e2e: real collector built in ${((Date.now() - t0) / 1000).toFixed(1)} s (${(fs.statSync(out.bin).size / 1e6).toFixed(1)} MB, ${out.bin})`);
    }
    return { ...out, label: `the real collector (${pin.tag} source${check.ok ? '' : ', NOT at the catalog\'s commit'})` };
  }
  if (!skipBuild) buildStandIn();
  return { bin: STANDIN_BIN, validator: STANDIN_BIN, label: 'the stand-in build (test/e2e/collector)' };
}

/**
 * The collector's Telemetry API listeners bind sandbox.localdomain, as in Lambda (upstream
 * receiver.go:830-836, internal/telemetryapi/listener.go:61-68; the stand-ins too). Without
 * AWS_SAM_LOCAL (which also changes the subscription's URI, refused by the local Lambda as by
 * Lambda), the name must resolve to loopback: a hosts entry (.ci/run adds it when it can).
 */
export async function checkSandboxHost(): Promise<void> {
  const address = await dns.promises.lookup('sandbox.localdomain').then(a => a.address, () => undefined);
  if (address === undefined || !/^127\./.test(address)) {
    failBuild('checking sandbox.localdomain', `it resolves to ${address ?? 'nothing'}; the collector's Telemetry API listeners bind it as in Lambda: add "127.0.0.1 sandbox.localdomain" to /etc/hosts (test/e2e/README.md)`);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const under = collectorUnderTest(args.includes('--skip-build'));
  if (args.includes('--build-only')) return;
  await checkSandboxHost();
  console.log(`e2e: collector under test: ${under.label}`);
  const files = args.filter(a => !a.startsWith('--'));
  const tests = files.length > 0 ? files : fs.readdirSync(__dirname).filter(f => f.endsWith('.e2e.test.ts')).sort().map(f => path.join(__dirname, f));
  const t0 = Date.now();
  // Each test file runs in its own process; ts-node reaches them through NODE_OPTIONS.
  const child = spawn(process.execPath, ['--test', '--test-reporter=spec', '--test-reporter-destination=stdout', `--test-reporter=${path.join(__dirname, 'file-summary.mjs')}`, '--test-reporter-destination=stdout', ...tests], {
    cwd: REPO,
    env: { ...process.env, E2E_COLLECTOR_BIN: under.bin, E2E_VALIDATE_BIN: under.validator, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ts-node/register/transpile-only`.trim(), TS_NODE_PROJECT: path.join(REPO, 'test', 'tsconfig.json') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', d => { out += d; process.stdout.write(d); });
  const kill = () => child.kill('SIGTERM');
  process.on('SIGINT', kill); process.on('SIGTERM', kill);
  const timer = setTimeout(() => { console.log('e2e: tests did not finish within 30 minutes, killing them'); kill(); }, 30 * 60_000);
  const code: number = await new Promise(resolve => child.on('close', c => resolve(c ?? 1)));
  clearTimeout(timer);
  // spec reporter summary: "ℹ pass N" / "ℹ fail N"
  const pass = Number(/pass (\d+)/.exec(out.split('\n').filter(l => /\bpass \d+/.test(l)).pop() ?? '')?.[1] ?? 0);
  let fail = Number(/fail (\d+)/.exec(out.split('\n').filter(l => /\bfail \d+/.test(l)).pop() ?? '')?.[1] ?? 0);
  if (code !== 0 && fail === 0) fail = 1;
  console.log(`e2e: tests ran in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`e2e: ${pass} passed, ${fail} failed`);
  process.exit(code === 0 && fail === 0 ? 0 : 1);
}

// The cold-start bench (coldstart/bench.ts) imports the collector build from here.
if (require.main === module) void main();
