import { checkTarball, REQUIRED_FILES } from '../scripts/check-tarball';

// The allow-list of the npm tarball (scripts/check-tarball.ts), on file lists as
// `npm pack --dry-run --json` gives them. The real tarball is checked by every `npx projen package`.

const sources = ['index.ts', 'aspect.ts', 'layers/catalog.ts'];
const compiled = ['lib/index.js', 'lib/index.d.ts', 'lib/aspect.js', 'lib/aspect.d.ts', 'lib/layers/catalog.js', 'lib/layers/catalog.d.ts'];
const bundled = ['yaml'];
const yamlFiles = ['node_modules/yaml/package.json', 'node_modules/yaml/dist/index.js', 'node_modules/yaml/LICENSE'];
const good = [...REQUIRED_FILES, ...compiled, ...yamlFiles];

test('the allow-listed files pass', () => {
  // WHEN
  const verdict = checkTarball({ packed: good, sources, bundled });

  // THEN
  expect(verdict).toEqual({ unexpected: [], missing: [] });
});

test('fails on stray files of the working tree (.env, scratch/, cdk.out/, .bench/, sources, configs)', () => {
  // GIVEN what a deny-list let through
  const strays = ['.env', 'scratch/x', 'cdk.out/manifest.json', '.bench/run.json', 'src/index.ts', '.projenrc.ts', 'tsconfig.json', 'test/aspect.test.ts'];

  // WHEN
  const verdict = checkTarball({ packed: [...good, ...strays], sources, bundled });

  // THEN
  expect(verdict.unexpected).toEqual([...strays].sort());
  expect(verdict.missing).toEqual([]);
});

test('fails on a stale lib/ output whose source was deleted, and on other files under lib/', () => {
  // WHEN
  const verdict = checkTarball({
    packed: [...good, 'lib/removed.js', 'lib/removed.d.ts', 'lib/index.ts', 'lib/tsconfig.tsbuildinfo'],
    sources,
    bundled,
  });

  // THEN
  expect(verdict.unexpected).toEqual(['lib/index.ts', 'lib/removed.d.ts', 'lib/removed.js', 'lib/tsconfig.tsbuildinfo']);
});

test('fails when the rosetta fixture, the tablet, the assembly or a compiled module is missing', () => {
  // WHEN
  const verdict = checkTarball({
    packed: good.filter(p => !['rosetta/default.ts-fixture', '.jsii.tabl.json', '.jsii', 'lib/layers/catalog.js'].includes(p)),
    sources,
    bundled,
  });

  // THEN
  expect(verdict.missing).toEqual(['.jsii', '.jsii.tabl.json', 'lib/layers/catalog.js', 'rosetta/default.ts-fixture']);
  expect(verdict.unexpected).toEqual([]);
});

test('fails when the bundled dependency is missing, and on a dependency that is not bundled', () => {
  // WHEN
  const verdict = checkTarball({
    packed: [...good.filter(p => !p.startsWith('node_modules/yaml/')), 'node_modules/left-pad/index.js'],
    sources,
    bundled,
  });

  // THEN
  expect(verdict.missing).toEqual(['node_modules/yaml/package.json']);
  expect(verdict.unexpected).toEqual(['node_modules/left-pad/index.js']);
});

test('another rosetta fixture is allowed, other files under rosetta/ are not', () => {
  // WHEN
  const verdict = checkTarball({ packed: [...good, 'rosetta/with-vpc.ts-fixture', 'rosetta/notes.md'], sources, bundled });

  // THEN
  expect(verdict.unexpected).toEqual(['rosetta/notes.md']);
});
