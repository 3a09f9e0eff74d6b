/**
 * Guard (jest `setupFilesAfterEnv`): no test may remove the checkout it runs from.
 *
 * A projen project created without an `outdir` takes the current directory as its outdir when
 * that directory is already under the temp directory (projen's `determineOutdir`), and projen's
 * `Testing.synth` removes the outdir when it is done: a checkout cloned under `/tmp` was deleted
 * by its own tests. Two checks, so that it cannot happen silently again:
 * - before: `fs.rmSync`, `fs.rmdirSync`, `fs.rm` and `fs.promises.rm` refuse a path that is the
 *   repository root or holds it, and the test that asked fails, naming that path; projen's
 *   `Project.synth` refuses such an outdir before it removes or writes a file there;
 * - after: each test file ends by checking that the root's `package.json` still exists.
 */
import * as path from 'path';

// The module object itself (an `import * as` namespace is a copy whose properties cannot be patched).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs: typeof import('fs') = require('fs');

/** The repository root this guard protects. */
export const ROOT = path.resolve(__dirname, '..');
/** Set on every guarded function (and on `fs` once it is patched). */
export const GUARDED = Symbol.for('clickstack.guard-checkout');

/** True when removing `target` would remove `root` (it is `root` or one of its ancestors). */
export function wouldRemove(target: unknown, root: string): boolean {
  const rel = path.relative(path.resolve(String(target)), root);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * `remove` (a function whose first argument is the path to remove), refusing any path that would
 * remove `root`: a sync or promise-returning call throws or rejects, a callback call gets the error.
 */
export function guarded<F extends (...args: any[]) => any>(remove: F, root: string, style: 'sync' | 'callback' | 'promise'): F {
  const refusal = (target: unknown) => new Error(`guard-checkout: refused to remove ${path.resolve(String(target))}: it is or holds the checkout ${root}. `
    + 'A test removed a path it did not create; give every projen project and App an outdir of its own (fs.mkdtempSync under os.tmpdir())');
  const wrapper = function (this: unknown, target: unknown, ...rest: unknown[]) {
    if (wouldRemove(target, root)) {
      if (style === 'promise') return Promise.reject(refusal(target));
      const callback = rest[rest.length - 1];
      if (style === 'callback' && typeof callback === 'function') return process.nextTick(callback as (e: Error) => void, refusal(target));
      throw refusal(target);
    }
    return remove.call(this, target, ...rest);
  } as unknown as F;
  (wrapper as unknown as Record<symbol, boolean>)[GUARDED] = true;
  return wrapper;
}

const patchable = fs as unknown as Record<string | symbol, unknown>;
if (!patchable[GUARDED]) {
  // Core modules are shared by every test file of a jest worker: patch once.
  patchable[GUARDED] = true;
  patchable.rmSync = guarded(fs.rmSync, ROOT, 'sync');
  patchable.rmdirSync = guarded(fs.rmdirSync, ROOT, 'sync');
  patchable.rm = guarded(fs.rm, ROOT, 'callback');
  patchable.rmdir = guarded(fs.rmdir, ROOT, 'callback');
  (fs.promises as unknown as Record<string, unknown>).rm = guarded(fs.promises.rm, ROOT, 'promise');
  (fs.promises as unknown as Record<string, unknown>).rmdir = guarded(fs.promises.rmdir, ROOT, 'promise');
}

/**
 * A projen `Project.synth` that refuses an outdir which is or holds `root`, before it cleans up or
 * writes anything there (projen removes the files it generated before and writes new ones; under
 * a test run without an outdir, a checkout under the temp directory is taken as the outdir).
 */
export function guardedSynth<F extends (this: { outdir: string }) => void>(synth: F, root: string): F {
  const wrapper = function (this: { outdir: string }) {
    if (wouldRemove(this.outdir, root)) {
      throw new Error(`guard-checkout: refused to synthesize a projen project into ${this.outdir}: it is or holds the checkout ${root}. `
        + 'Give the project an outdir of its own (fs.mkdtempSync under os.tmpdir())');
    }
    return synth.call(this);
  } as F;
  (wrapper as unknown as Record<symbol, boolean>)[GUARDED] = true;
  return wrapper;
}

// projen is loaded only by the test files that use it (it takes most of a second): the guard is
// put on its Project class when a file first loads it, wherever from (the module by its path).
jest.mock('projen/lib/project', () => {
  const actual = jest.requireActual('projen/lib/project');
  actual.Project.prototype.synth = guardedSynth(actual.Project.prototype.synth, ROOT);
  return actual;
});

afterAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'package.json'))) {
    throw new Error(`guard-checkout: ${ROOT}/package.json is gone after ${expect.getState().testPath}: this test file removed the checkout`);
  }
});
