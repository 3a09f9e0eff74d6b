/**
 * `npx projen e2e`: build the collector (test/e2e/collector, Go module and build caches in
 * .cache/e2e), then run test/e2e/*.e2e.test.ts with node's test runner, and print
 * `e2e: N passed, N failed` last (the .ci/run convention). Arguments: test files to run instead
 * of all; `--skip-build` to use the binary already built.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CACHE, COLLECTOR_BIN, REPO } from './harness';

function buildCollector(): void {
  const t0 = Date.now();
  const env = {
    ...process.env,
    GOMODCACHE: path.join(CACHE, 'gomod'),
    GOCACHE: path.join(CACHE, 'gobuild'),
    GOFLAGS: '-mod=mod -buildvcs=false',
    CGO_ENABLED: '0',
  };
  const r = spawnSync('go', ['build', '-trimpath', '-o', COLLECTOR_BIN, '.'], { cwd: path.join(REPO, 'test', 'e2e', 'collector'), env, stdio: 'inherit', timeout: 40 * 60_000 });
  if (r.status !== 0) {
    console.log(`e2e: collector build failed (${r.error?.message ?? `exit ${r.status}`})`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  const mb = (fs.statSync(COLLECTOR_BIN).size / 1e6).toFixed(1);
  console.log(`e2e: collector built in ${((Date.now() - t0) / 1000).toFixed(1)} s (${mb} MB, ${COLLECTOR_BIN})`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (!args.includes('--skip-build')) buildCollector();
  const files = args.filter(a => !a.startsWith('--'));
  const tests = files.length > 0 ? files : fs.readdirSync(__dirname).filter(f => f.endsWith('.e2e.test.ts')).sort().map(f => path.join(__dirname, f));
  const t0 = Date.now();
  // Each test file runs in its own process; ts-node reaches them through NODE_OPTIONS.
  const child = spawn(process.execPath, ['--test', '--test-reporter=spec', ...tests], {
    cwd: REPO,
    env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ts-node/register/transpile-only`.trim(), TS_NODE_PROJECT: path.join(REPO, 'test', 'tsconfig.json') },
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

void main();
