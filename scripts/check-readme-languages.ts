/**
 * The README's usage blocks in the other languages are code that runs, not hand-written prose:
 *
 * - TypeScript (```ts fixture=stack): compiled by jsii-rosetta (strict) like every README block,
 *   and the body of the TypeScript ReadmeStack of the bindings apps (test/bindings/typescript).
 * - Python, Java and Go: each block's body is the region between `README:start` and `README:end`
 *   of that language's ReadmeStack in test/bindings (dedented), and each of its import lines is a
 *   line of that file; `npx projen bindings:test` builds and runs those apps and compares the
 *   stack they synthesize with the TypeScript one.
 * - C#: no .NET toolchain is available to the project's CI, so the block is jsii-rosetta's own
 *   translation of the TypeScript block (from the tablet, `.jsii.tabl.json`, which rosetta writes
 *   after compiling the TypeScript), blank-line runs collapsed.
 *
 *   npx projen check:readme-languages   # after `npx projen rosetta`; "N passed, N failed" last
 *
 * The block-to-app checks also run in jest (test/readme-languages.test.ts), without the tablet.
 */
import * as fs from 'fs';
import * as path from 'path';

export type Language = 'typescript' | 'python' | 'java' | 'go' | 'csharp';

/** Where each language's README block lives as running code. */
export const APP_FILES: Record<Exclude<Language, 'csharp'>, string> = {
  typescript: 'test/bindings/typescript/readme-stack.ts',
  python: 'test/bindings/python/readme_stack.py',
  java: 'test/bindings/java/src/main/java/io/github/clickstack/bindingsapp/ReadmeStack.java',
  go: 'test/bindings/go/readme_stack.go',
};

const FENCE: Record<Language, RegExp> = {
  typescript: /^```ts fixture=stack$/,
  python: /^```python$/,
  java: /^```java$/,
  go: /^```go$/,
  csharp: /^```csharp$/,
};

/** The one block of each language in the README (the TypeScript one: the `fixture=stack` block). */
export function readmeBlocks(markdown: string): Record<Language, string> {
  const lines = markdown.split('\n');
  const out: Partial<Record<Language, string>> = {};
  for (const lang of Object.keys(FENCE) as Language[]) {
    const starts = lines.flatMap((l, i) => FENCE[lang].test(l) ? [i] : []);
    if (starts.length !== 1) throw new Error(`README.md: expected one ${lang} usage block, found ${starts.length}`);
    const end = lines.findIndex((l, i) => i > starts[0] && l === '```');
    out[lang] = lines.slice(starts[0] + 1, end).join('\n');
  }
  return out as Record<Language, string>;
}

/** A block's leading import lines (`import`, `from ... import`, Go's `import (...)`, `using`) and the rest. */
export function splitImports(code: string): { imports: string[]; body: string } {
  const lines = code.split('\n');
  const imports: string[] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    if (line === 'import (') {
      for (i++; i < lines.length && lines[i] !== ')'; i++) imports.push(lines[i].trim());
      continue;
    }
    if (/^(import |from \S+ import |using )/.test(line)) { imports.push(line.trim()); continue; }
    break;
  }
  return { imports, body: lines.slice(i).join('\n') };
}

/** The lines between the `README:start` and `README:end` comment lines of a file, dedented. */
export function markedRegion(file: string, text: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex(l => /^\s*(\/\/|#) README:start$/.test(l));
  const end = lines.findIndex(l => /^\s*(\/\/|#) README:end$/.test(l));
  if (start < 0 || end < start) throw new Error(`${file}: no README:start ... README:end region`);
  const region = lines.slice(start + 1, end);
  const indent = Math.min(...region.filter(l => l.trim()).map(l => /^[ \t]*/.exec(l)![0].length));
  return region.map(l => l.slice(indent)).join('\n');
}

/** What differs between a README block and its app file; empty when the block is the app's code. */
export function compareWithApp(lang: Exclude<Language, 'csharp'>, block: string, appFile: string, appText: string): string[] {
  const problems: string[] = [];
  const { imports, body } = splitImports(block);
  const region = markedRegion(appFile, appText);
  if (body.trim() !== region.trim()) {
    problems.push(`README.md ${lang} block differs from ${appFile} (README:start ... README:end):\n--- README\n${body.trim()}\n--- ${appFile}\n${region.trim()}`);
  }
  // TypeScript's imports name the package; the app imports the checkout's lib/ (rosetta compiles the README's).
  if (lang !== 'typescript') {
    const appLines = new Set(appText.split('\n').map(l => l.trim()));
    for (const imp of imports) if (!appLines.has(imp)) problems.push(`README.md ${lang} block imports \`${imp}\`, which ${appFile} does not`);
  }
  return problems;
}

const collapse = (code: string) => code.replace(/\n{3,}/g, '\n\n').trim();

/** The C# block against rosetta's translation of the TypeScript block, from the tablet. */
export function compareCsharp(blocks: Record<Language, string>, tablet: any): string[] {
  const source = blocks.typescript.trim();
  const snippet = Object.values<any>(tablet.snippets ?? {}).find(s => s.translations?.$?.source?.trim() === source);
  if (!snippet) return ['the tablet (.jsii.tabl.json) has no snippet for the README\'s TypeScript usage block: run `npx projen rosetta` after compile'];
  const translated = collapse(snippet.translations.csharp?.source ?? '');
  return collapse(blocks.csharp) === translated ? [] : [`README.md csharp block is not jsii-rosetta's translation of the TypeScript block; rosetta gives:\n${translated}`];
}

function main(): void {
  const root = path.resolve(__dirname, '..');
  const blocks = readmeBlocks(fs.readFileSync(path.join(root, 'README.md'), 'utf8'));
  let passed = 0, failed = 0;
  const report = (name: string, problems: string[]) => {
    if (problems.length === 0) { passed++; console.log(`PASS readme ${name}`); return; }
    failed++;
    console.log(`FAIL readme ${name}`);
    for (const p of problems) console.log(`  ${p.replace(/\n/g, '\n  ')}`);
  };
  for (const lang of Object.keys(APP_FILES) as Array<keyof typeof APP_FILES>) {
    const file = APP_FILES[lang];
    report(`${lang} block is the code of ${file}`, compareWithApp(lang, blocks[lang], file, fs.readFileSync(path.join(root, file), 'utf8')));
  }
  const tabletFile = path.join(root, '.jsii.tabl.json');
  report('csharp block is jsii-rosetta\'s translation of the TypeScript block', fs.existsSync(tabletFile)
    ? compareCsharp(blocks, JSON.parse(fs.readFileSync(tabletFile, 'utf8')))
    : ['no .jsii.tabl.json: run `npx projen compile && npx projen rosetta` first']);
  // Control: the translation check must refuse a C# block with one changed character.
  const control = fs.existsSync(tabletFile) ? compareCsharp({ ...blocks, csharp: blocks.csharp.replace('ApplyTo', 'Applyto') }, JSON.parse(fs.readFileSync(tabletFile, 'utf8'))) : [];
  report('control: a C# block with one changed letter is refused', control.length === 1 ? [] : ['the changed block was accepted']);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

if (require.main === module) main();
