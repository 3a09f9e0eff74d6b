/**
 * What every end-to-end test file that runs functions shares: the collector built, ports 4317 and
 * 4318 free, the ClickStack stand-in started before its tests and stopped after them, and the
 * temp folders it made removed at the end.
 */
import * as fs from 'node:fs';
import { after, before } from 'node:test';
import { assertPortsFree, collectorBinary } from './harness';
import { OtlpSink } from './sink';

export interface E2eFile {
  /** The ClickStack stand-in (started in the file's `before`). */
  readonly sink: () => OtlpSink;
  /** Remove `dir`, a folder the test made, after the file's tests. */
  readonly removeAfter: (dir: string) => void;
}

/** Register the file's `before` (after `setup`, such as a language runtime) and `after` hooks. */
export function e2eFile(setup?: () => void | Promise<void>): E2eFile {
  let sink: OtlpSink | undefined;
  const temps: string[] = [];
  before(async () => {
    collectorBinary();
    await assertPortsFree([4317, 4318]);
    await setup?.();
    sink = new OtlpSink();
    await sink.start();
  });
  after(async () => {
    await sink?.stop();
    for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
  });
  return {
    sink: () => {
      if (!sink) throw new Error('the ClickStack stand-in starts in the file\'s before() hook');
      return sink;
    },
    removeAfter: dir => { temps.push(dir); },
  };
}
