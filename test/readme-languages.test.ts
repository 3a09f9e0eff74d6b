import * as fs from 'fs';
import * as path from 'path';
import { APP_FILES, compareCsharp, compareWithApp, markedRegion, readmeBlocks, splitImports } from '../scripts/check-readme-languages';

// The README's usage blocks in Python, Java and Go are the code of the bindings apps that
// `npx projen bindings:test` builds, runs and compares; the C# block is rosetta's translation
// (checked after rosetta by `npx projen check:readme-languages`, part of every build).
const root = path.join(__dirname, '..');
const blocks = readmeBlocks(fs.readFileSync(path.join(root, 'README.md'), 'utf8'));
const app = (lang: keyof typeof APP_FILES) => fs.readFileSync(path.join(root, APP_FILES[lang]), 'utf8');

describe('the README\'s usage block of each language is code that CI runs', () => {
  test.each(Object.keys(APP_FILES) as Array<keyof typeof APP_FILES>)('%s: the block is the README:start..end region of its bindings app, with its imports', lang => {
    expect(compareWithApp(lang, blocks[lang], APP_FILES[lang], app(lang))).toEqual([]);
  });

  test('controls: a changed body, and an import the app does not have, are refused', () => {
    const changed = blocks.python.replace('"clickstack/ingestion-key"', '"clickstack/other"');
    expect(compareWithApp('python', changed, APP_FILES.python, app('python'))[0]).toMatch(/^README.md python block differs from test\/bindings\/python\/readme_stack.py/);
    const extraImport = `import io.github.clickstack.cdkclickstacklambda.Missing;\n${blocks.java}`;
    expect(compareWithApp('java', extraImport, APP_FILES.java, app('java'))).toEqual([
      'README.md java block imports `import io.github.clickstack.cdkclickstacklambda.Missing;`, which test/bindings/java/src/main/java/io/github/clickstack/bindingsapp/ReadmeStack.java does not',
    ]);
  });

  test('imports are split off in every language\'s form; the region is dedented', () => {
    expect(splitImports('import (\n\t"a"\n\tb "c"\n)\n\nx := 1')).toEqual({ imports: ['"a"', 'b "c"'], body: 'x := 1' });
    expect(splitImports('from a import b\nimport c\n\n# note\nd()')).toEqual({ imports: ['from a import b', 'import c'], body: '# note\nd()' });
    expect(splitImports('using A.B;\n\nvar x = 1;').imports).toEqual(['using A.B;']);
    expect(markedRegion('f', 'x\n    // README:start\n    a(\n      b)\n    // README:end\n')).toBe('a(\n  b)');
    expect(() => markedRegion('f', 'no markers')).toThrow('f: no README:start ... README:end region');
  });

  test('the C# check compares with the tablet\'s translation of the TypeScript block, blank-line runs aside', () => {
    const tablet = { snippets: { s: { translations: { $: { source: blocks.typescript }, csharp: { source: blocks.csharp.replace('\n\n', '\n\n\n') } } } } };
    expect(compareCsharp(blocks, tablet)).toEqual([]);
    expect(compareCsharp({ ...blocks, csharp: blocks.csharp.replace('ApplyTo', 'Applyto') }, tablet)).toHaveLength(1);
    expect(compareCsharp(blocks, { snippets: {} })[0]).toMatch(/has no snippet for the README's TypeScript usage block/);
  });
});
