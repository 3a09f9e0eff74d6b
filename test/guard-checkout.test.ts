import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GUARDED, ROOT, guarded, guardedSynth, wouldRemove } from './guard-checkout';

// The guard is tested on a stand-in root the test made, never on the checkout itself: a broken
// guard must not be able to delete anything here.
describe('guard-checkout', () => {
  let base: string;
  let root: string;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-'));
    root = path.join(base, 'checkout');
    fs.mkdirSync(path.join(root, 'test'), { recursive: true });
    fs.writeFileSync(path.join(root, 'package.json'), '{}');
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  test('the root and every folder that holds it would remove it; its contents and siblings would not', () => {
    expect(wouldRemove(root, root)).toBe(true);
    expect(wouldRemove(`${root}/`, root)).toBe(true);
    expect(wouldRemove(base, root)).toBe(true);
    expect(wouldRemove('/', root)).toBe(true);
    expect(wouldRemove(path.join(root, 'test'), root)).toBe(false);
    expect(wouldRemove(path.join(base, 'checkout-other'), root)).toBe(false);
    expect(wouldRemove(path.join(base, 'check'), root)).toBe(false);
  });

  test('a guarded rmSync refuses the root and its parent, and removes anything else', () => {
    const rmSync = guarded(fs.rmSync, root, 'sync');
    expect(() => rmSync(root, { recursive: true, force: true })).toThrow(`guard-checkout: refused to remove ${root}`);
    expect(() => rmSync(base, { recursive: true, force: true })).toThrow('it is or holds the checkout');
    expect(fs.existsSync(path.join(root, 'package.json'))).toBe(true);
    rmSync(path.join(root, 'test'), { recursive: true });
    expect(fs.existsSync(path.join(root, 'test'))).toBe(false);
  });

  test('guarded callback and promise removals report the refusal and keep the root', async () => {
    const rm = guarded(fs.rm, root, 'callback');
    const err = await new Promise<Error | null>(resolve => rm(root, { recursive: true }, resolve));
    expect(err?.message).toContain('refused to remove');
    await expect(guarded(fs.promises.rm, root, 'promise')(root, { recursive: true })).rejects.toThrow('refused to remove');
    expect(fs.existsSync(path.join(root, 'package.json'))).toBe(true);
  });

  test('a guarded projen synth refuses an outdir that is the root, before it writes there; another outdir synthesizes', () => {
    const calls: string[] = [];
    const synth = guardedSynth(function (this: { outdir: string }) { calls.push(this.outdir); }, root);
    expect(() => synth.call({ outdir: root })).toThrow(`guard-checkout: refused to synthesize a projen project into ${root}`);
    expect(() => synth.call({ outdir: base })).toThrow('it is or holds the checkout');
    expect(calls).toEqual([]);
    synth.call({ outdir: path.join(base, 'elsewhere') });
    expect(calls).toEqual([path.join(base, 'elsewhere')]);
  });

  test('projen loaded by a test file has the guarded synth (a project without an outdir under a temp-dir checkout cannot write there)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Project } = require('projen/lib/project');
    expect(Project.prototype.synth[GUARDED]).toBe(true);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { javascript } = require('projen');
    expect(Object.getPrototypeOf(javascript.NodeProject.prototype.constructor.prototype).synth).toBe(Project.prototype.synth);
  });

  test('the suite runs with fs guarded for this checkout', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const realFs = require('fs');
    for (const fn of [realFs.rmSync, realFs.rmdirSync, realFs.rm, realFs.rmdir, realFs.promises.rm, realFs.promises.rmdir]) {
      expect(fn[GUARDED]).toBe(true);
    }
    expect(fs.existsSync(path.join(ROOT, 'package.json'))).toBe(true);
  });
});
