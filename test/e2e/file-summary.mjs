// A node:test reporter that prints one line per test file: `e2e: <file>: N passed, N failed`.
// run.ts adds it beside the spec reporter, so every run (the stand-in or the real collector) ends
// with its results file by file. Plain JavaScript: node loads reporters itself, before ts-node.
import path from 'node:path';

export default async function* fileSummary(source) {
  const perFile = new Map();
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (event.data.details?.type === 'suite') continue;
    const file = event.data.file ?? '(no file)';
    const row = perFile.get(file) ?? { pass: 0, fail: 0 };
    if (event.type === 'test:pass') row.pass += 1;
    else row.fail += 1;
    perFile.set(file, row);
  }
  for (const [file, row] of [...perFile].sort(([a], [b]) => a.localeCompare(b))) {
    yield `e2e: ${path.basename(file)}: ${row.pass} passed, ${row.fail} failed\n`;
  }
}
