import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPOSITORY_URL } from '../projenrc/identity';
import { anchorsOf, checkLinks, extractLinks } from '../scripts/check-links';

const root = path.join(__dirname, '..');
const docs = fs.readdirSync(path.join(root, 'docs')).filter(f => f.endsWith('.md')).map(f => `docs/${f}`);
const MARKDOWN = ['README.md', 'CONTRIBUTING.md', 'SECURITY.md', 'CHANGELOG.md', ...docs].filter(f => fs.existsSync(path.join(root, f)));

describe('links and anchors (scripts/check-links.ts)', () => {
  test('every link of README.md, CONTRIBUTING.md, SECURITY.md, CHANGELOG.md and docs/*.md resolves: file, and heading for an anchor', () => {
    expect(checkLinks(MARKDOWN, { root, repositoryUrl: REPOSITORY_URL, absoluteOnly: ['README.md'] })).toEqual([]);
  });

  test('the README, which ships to npm, PyPI, Maven Central and NuGet, has only absolute links, and they into this repository are checked', () => {
    const readme = extractLinks('README.md', fs.readFileSync(path.join(root, 'README.md'), 'utf8'));
    expect(readme.filter(l => !/^[a-z]+:/.test(l.target))).toEqual([]);
    const own = readme.filter(l => l.target.startsWith(`${REPOSITORY_URL}/`) || l.target.includes('raw.githubusercontent.com/'));
    expect(own.length).toBeGreaterThan(10); // the docs, API.md, CONTRIBUTING.md, the picture
  });

  describe('the checker itself', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'links-'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    };
    write('docs/real-apps.md', '# Real apps\n\n## Migrating from ADOT, Datadog, New Relic or another vendor\n\n## `ClickStackAspect`: the summary\n\n## Twice\n\n## Twice\n\n<a id="explicit"></a>\n');
    write('docs/variables.md', [
      '# Variables',
      '(see [Migrating from ADOT](./real-apps.md#migrating-from-adot-or-another-opentelemetry-setup))', // the broken anchor docs/variables.md had
      '[ok](./real-apps.md#migrating-from-adot-datadog-new-relic-or-another-vendor) [code](./real-apps.md#clickstackaspect-the-summary)',
      '[second](./real-apps.md#twice-1) [explicit](./real-apps.md#explicit) [self](#variables) [gone](./missing.md)',
      '```sh', '[in code](./not-checked.md)', '```', 'and `[inline](./not-checked.md)`',
    ].join('\n'));
    write('README.md', `[rel](./docs/variables.md) [abs](${REPOSITORY_URL}/blob/main/docs/real-apps.md#twice) [abs broken](${REPOSITORY_URL}/blob/main/docs/real-apps.md#nope) ![pic](https://raw.githubusercontent.com/clickstack/cdk-clickstack-lambda/main/docs/none.svg) [elsewhere](https://example.org/x#y)\n`);

    test('GitHub anchors: punctuation dropped, code kept as text, repeats numbered, explicit anchors', () => {
      expect([...anchorsOf(fs.readFileSync(path.join(dir, 'docs/real-apps.md'), 'utf8'))].sort()).toEqual([
        'clickstackaspect-the-summary', 'explicit', 'migrating-from-adot-datadog-new-relic-or-another-vendor', 'real-apps', 'twice', 'twice-1',
      ]);
    });

    test('fails on a broken anchor, a missing file, a relative link in an absolute-only file, and a broken absolute link into the repository', () => {
      expect(checkLinks(['docs/variables.md', 'README.md'], { root: dir, repositoryUrl: REPOSITORY_URL, absoluteOnly: ['README.md'] })).toEqual([
        'docs/variables.md:2: ./real-apps.md#migrating-from-adot-or-another-opentelemetry-setup: no heading or anchor #migrating-from-adot-or-another-opentelemetry-setup in docs/real-apps.md',
        'docs/variables.md:4: ./missing.md: no file docs/missing.md',
        'README.md:1: relative link ./docs/variables.md (this file ships to the package registries, where only absolute links work)',
        `README.md:1: ${REPOSITORY_URL}/blob/main/docs/real-apps.md#nope: no heading or anchor #nope in docs/real-apps.md`,
        'README.md:1: https://raw.githubusercontent.com/clickstack/cdk-clickstack-lambda/main/docs/none.svg: no file docs/none.svg',
      ]);
    });
  });
});
