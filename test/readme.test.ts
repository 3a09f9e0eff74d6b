import * as fs from 'fs';
import * as path from 'path';

// The README is the package page on npm, PyPI, NuGet, Maven Central and Construct Hub (jsii puts it
// into the .jsii assembly): short, for users, and the way into docs/.
const root = path.join(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

describe('README.md', () => {
  test('stays under 15 KB', () => {
    expect(Buffer.byteLength(readme)).toBeLessThan(15 * 1024);
  });

  test('the two commands that try it from a clone are on the first screen (first 25 lines)', () => {
    const first = readme.split('\n').slice(0, 25).join('\n');
    expect(first).toContain('npm ci && npx projen example');
    expect(first).toMatch(/^npm test\b/m);
  });

  test('the quick start is a whole file (rosetta nofixture) and the aspect one-liner uses only what cdk init has', () => {
    expect(readme).toMatch(/```ts nofixture\nimport /);
    expect(readme).toContain('```ts fixture=cdk-init-app\n');
    const fixture = fs.readFileSync(path.join(root, 'rosetta', 'cdk-init-app.ts-fixture'), 'utf8');
    expect(fixture.split('\n').filter(l => l && !/^\/\/(?!\/)/.test(l))).toEqual([
      "import * as cdk from 'aws-cdk-lib';", 'const app = new cdk.App();', '/// here',
    ]);
  });

  test('links every page of docs/, and every docs/ link it has exists', () => {
    const pages = fs.readdirSync(path.join(root, 'docs')).filter(f => f.endsWith('.md') && f !== 'README.md');
    const linked = [...readme.matchAll(/\]\(\.\/docs\/([a-z-]+\.md)(#[a-z0-9-]+)?\)/g)].map(m => m[1]);
    expect([...new Set(linked)].sort()).toEqual(pages.sort());
  });

  test('every relative link of docs/*.md points at a file that exists', () => {
    const docs = path.join(root, 'docs');
    const broken: string[] = [];
    for (const page of fs.readdirSync(docs).filter(f => f.endsWith('.md'))) {
      const text = fs.readFileSync(path.join(docs, page), 'utf8');
      for (const m of text.matchAll(/\]\((\.{1,2}\/[^)#\s]+)(#[^)]*)?\)/g)) {
        if (!fs.existsSync(path.join(docs, m[1]))) broken.push(`docs/${page}: ${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
