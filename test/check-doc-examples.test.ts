import { extractExamples, inFixture } from '../scripts/check-doc-examples';

// The compile itself (and its control, a broken example that must fail) runs in
// `npx projen check:docs`; here: which blocks are examples and how they are assembled.
describe('docs examples (scripts/check-doc-examples.ts)', () => {
  const md = [
    '# Page', '', '```ts', "import { Stack } from 'aws-cdk-lib';", 'declare const fn: Stack;', 'use(fn);', '```', '',
    '```sh', '```ts this is not an example', '```', '',
    '```typescript nofixture', 'export const x = 1;', '```', '',
    '```ts fixture=cdk-init-app', 'import {', '  ClickStackAspect,', "} from 'cdk-clickstack-lambda';", 'new ClickStackAspect({ endpoint }).applyTo(app);', '```',
    '```python', 'x = 1', '```',
  ].join('\n');

  test('takes ts and typescript blocks with their fixture, and nothing inside other languages\' blocks', () => {
    expect(extractExamples('p.md', md).map(e => [e.where, e.fixture])).toEqual([
      ['p.md:3', 'default'],
      ['p.md:13', undefined],
      ['p.md:17', 'cdk-init-app'],
    ]);
  });

  test('hoists imports (also multi-line) and declares above the fixture and puts the rest at the `/// here` line only', () => {
    const [first, , third] = extractExamples('p.md', md);
    const fixture = () => '// the example goes at /// here, below\nclass S {\n  /// here\n}';
    expect(inFixture(first, fixture)).toBe(
      "import { Stack } from 'aws-cdk-lib';\ndeclare const fn: Stack;\n// the example goes at /// here, below\nclass S {\nuse(fn);\n}");
    expect(inFixture(third, fixture).split('\n').slice(0, 3)).toEqual(['import {', '  ClickStackAspect,', "} from 'cdk-clickstack-lambda';"]);
  });

  test('nofixture compiles the block as it is; a fixture without a `/// here` line is refused', () => {
    const [first, second] = extractExamples('p.md', md);
    expect(inFixture(second, () => 'unused')).toBe('export const x = 1;');
    expect(() => inFixture(first, () => '// mentions /// here only in a comment')).toThrow('p.md:3: fixture default has no "/// here" line');
  });
});
