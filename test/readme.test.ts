import * as fs from 'fs';
import * as path from 'path';
import { PACKAGE_NAME, REPOSITORY_URL, TARGETS } from '../projenrc/identity';

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

  test('the quick start is a whole file (rosetta nofixture); the one-line aspect brings all its imports (fixture `stack`: only the class around it)', () => {
    expect(readme).toMatch(/```ts nofixture\nimport /);
    expect(readme).toContain('```ts fixture=stack\nimport ');
    const fixture = fs.readFileSync(path.join(root, 'rosetta', 'stack.ts-fixture'), 'utf8');
    expect(fixture.split('\n').filter(l => /^import /.test(l))).toEqual([
      "import { Stack, StackProps } from 'aws-cdk-lib';", "import { Construct } from 'constructs';",
    ]);
  });

  test('the walk-through from install to ClickStack: install, the secret in the function\'s region, the quick start, deploy, where to look, troubleshooting', () => {
    const order = [
      '## Install', 'npm install cdk-clickstack-lambda', 'aws secretsmanager create-secret --region',
      '```ts nofixture', 'cdk deploy', 'See it in ClickStack', '## Every function of a stack, in one line',
      '## Which key for which ClickStack', '## Troubleshooting',
    ].map(s => readme.indexOf(s));
    expect(order.every(i => i >= 0)).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    // The one-line aspect sends a key.
    expect(readme).toMatch(/```ts fixture=stack\n[^`]*ingestionKey: IngestionKey\.fromSecret\(/);
  });

  test('links every page of docs/ (absolutely: the README is the registries\' package page)', () => {
    const pages = fs.readdirSync(path.join(root, 'docs')).filter(f => f.endsWith('.md') && f !== 'README.md');
    const linked = [...readme.matchAll(new RegExp(`\\]\\(${REPOSITORY_URL}/blob/main/docs/([a-z-]+\\.md)(#[a-z0-9-]+)?\\)`, 'g'))].map(m => m[1]);
    expect([...new Set(linked)].sort()).toEqual(pages.sort());
  });

  test('badges for npm, PyPI, Maven Central, NuGet, Go, Construct Hub and the build, with the names of the identity', () => {
    const badges = [...readme.matchAll(/^\[!\[([^\]]+)\]\((\S+)\)\]\((\S+)\)$/gm)].map(m => [m[1], m[2], m[3]]);
    expect(badges.map(b => b[0])).toEqual(['npm', 'PyPI', 'Maven Central', 'NuGet', 'Go', 'Construct Hub', 'build']);
    const all = JSON.stringify(badges);
    for (const name of [PACKAGE_NAME, TARGETS.python.distName, `${TARGETS.java.mavenGroupId}/${TARGETS.java.mavenArtifactId}`,
      TARGETS.dotnet.packageId, `${TARGETS.go.moduleName}/${TARGETS.go.packageName}`, `${REPOSITORY_URL}/actions/workflows/build.yml`]) {
      expect(all).toContain(name);
    }
    expect(fs.existsSync(path.join(root, '.github', 'workflows', 'build.yml'))).toBe(true);
  });

  test('one picture, an SVG in the repository: function, language layer, collector extension, ClickStack', () => {
    const m = /!\[[^\]]+\]\(https:\/\/raw\.githubusercontent\.com\/[^/]+\/[^/]+\/main\/(docs\/images\/[a-z-]+\.svg)\)/.exec(readme);
    expect(m).not.toBeNull();
    const svg = fs.readFileSync(path.join(root, m![1]), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    for (const label of ['your handler', 'language layer', 'collector extension', 'ClickStack']) expect(svg).toContain(`>${label}</text>`);
  });

  test('the install table claims no CI result per language (CONTRIBUTING.md says what CI runs)', () => {
    const table = readme.slice(readme.indexOf('## Install'), readme.indexOf('## From `npm install`'));
    expect(table).not.toMatch(/\bCI\b/);
  });
});
