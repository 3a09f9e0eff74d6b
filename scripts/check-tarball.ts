/**
 * Checks the npm tarball against its allow-list: what `npm pack --dry-run --json` would publish.
 *
 *   npx projen check:tarball                 # the package in this repository (after compile)
 *   npx projen check:tarball -- --dir <path> # another copy of it (e.g. with a planted stray file)
 *
 * Allowed, and each required: package.json, README.md, LICENSE, API.md, the jsii assembly
 * (.jsii), the rosetta tablet (.jsii.tabl.json: jsii-rosetta's README, "Rosetta for package
 * publishers", says to publish it next to the assembly), rosetta/default.ts-fixture (so that a
 * consumer such as Construct Hub can compile the examples again), lib/<x>.js and lib/<x>.d.ts for
 * every src/<x>.ts (so a stale output of a deleted source fails too), and the bundled
 * dependencies under node_modules/ (npm adds them by itself). Any other file fails the check.
 *
 * The last line is `tarball check: OK ...` or `tarball check: FAILED ...`; exit code 0 or 1.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** Files of the tarball besides lib/ and the bundled dependencies; every one must be there. */
export const REQUIRED_FILES = [
  'package.json',
  'README.md',
  'LICENSE',
  'API.md',
  '.jsii',
  '.jsii.tabl.json',
  'rosetta/default.ts-fixture',
];

/** More rosetta fixtures may be added (`rosetta/<name>.ts-fixture`, selected by `fixture=<name>`). */
const ROSETTA_FIXTURE = /^rosetta\/[^/]+\.ts-fixture$/;

export interface TarballInput {
  /** Paths listed by `npm pack --dry-run --json` (files[].path). */
  readonly packed: readonly string[];
  /** TypeScript sources under src/, relative to src/ (e.g. `layers/catalog.ts`). */
  readonly sources: readonly string[];
  /** package.json bundledDependencies (names). */
  readonly bundled: readonly string[];
}

export interface TarballVerdict {
  /** Packed files the allow-list does not name. */
  readonly unexpected: string[];
  /** Files the allow-list requires that are not packed. */
  readonly missing: string[];
}

/** Compares a packed file list with the allow-list. Pure: no file system, no npm. */
export function checkTarball(input: TarballInput): TarballVerdict {
  const compiled = input.sources
    .filter(s => s.endsWith('.ts') && !s.endsWith('.d.ts'))
    .flatMap(s => {
      const base = `lib/${s.slice(0, -'.ts'.length)}`;
      return [`${base}.js`, `${base}.d.ts`];
    });
  const required = [...REQUIRED_FILES, ...compiled, ...input.bundled.map(b => `node_modules/${b}/package.json`)];
  const allowed = new Set(required);
  const isBundled = (p: string) => input.bundled.some(b => p.startsWith(`node_modules/${b}/`));
  const packed = new Set(input.packed);
  return {
    unexpected: input.packed.filter(p => !allowed.has(p) && !ROSETTA_FIXTURE.test(p) && !isBundled(p)).sort(),
    missing: required.filter(p => !packed.has(p)).sort(),
  };
}

/** The TypeScript files under `dir`, relative to it, with `/` separators. */
function listSources(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap(entry => {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return listSources(dir, rel);
    return entry.name.endsWith('.ts') ? [rel] : [];
  });
}

interface PackResult {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: { readonly path: string; readonly size: number }[];
}

export function main(argv: string[]): number {
  const dirFlag = argv.indexOf('--dir');
  const root = path.resolve(dirFlag >= 0 ? argv[dirFlag + 1] ?? '.' : path.join(__dirname, '..'));
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [result] = JSON.parse(out) as PackResult[];
  const packed = result.files.map(f => f.path);
  const bundled: string[] = pkg.bundledDependencies ?? pkg.bundleDependencies ?? [];
  const verdict = checkTarball({ packed, sources: listSources(path.join(root, 'src')), bundled });

  const own = packed.filter(p => !bundled.some(b => p.startsWith(`node_modules/${b}/`)));
  console.log(`${result.filename}: ${packed.length} files (${own.length} of the package, ` +
    `${packed.length - own.length} of the bundled ${bundled.join(', ') || 'none'}), ` +
    `${(result.size / 1024).toFixed(1)} kB packed, ${(result.unpackedSize / 1024).toFixed(1)} kB unpacked`);
  for (const p of verdict.unexpected) console.log(`  unexpected: ${p}`);
  for (const p of verdict.missing) console.log(`  missing:    ${p}`);
  if (verdict.unexpected.length === 0 && verdict.missing.length === 0) {
    console.log('tarball check: OK (only the allow-listed files)');
    return 0;
  }
  console.log(`tarball check: FAILED (${verdict.unexpected.length} unexpected, ${verdict.missing.length} missing); ` +
    'fix package.json "files" in .projenrc.ts, or remove the stray file (a stale lib/ output: `npx projen compile` after `rm -rf lib`)');
  return 1;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
