/**
 * Compares what one language's bindings app synthesized with the TypeScript app's output
 * (test/bindings/README.md). Two cloud assemblies are the same when:
 *
 * - the stack template is structurally equal (JSON values, key order aside): every resource,
 *   property, mapping, parameter and output, array order included;
 * - the asset manifest is structurally equal;
 * - the asset directories hold the same files with the same bytes (the instrumented bundle's
 *   `collector.yaml` among them).
 *
 * The one thing normalised is an asset hash: a run of 64 lowercase hex digits (a SHA-256, as in
 * `S3Key: <hash>.zip`, `aws:asset:path: asset.<hash>`, the asset manifest's keys) becomes
 * `<asset-hash>`, in keys and in strings. Nothing else is loosened.
 *
 *   ts-node test/bindings/compare.ts REFERENCE_DIR OTHER_DIR STACK
 *
 * prints the differences (at most 20) and exits 1 when there is any.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

const ASSET_HASH = /[0-9a-f]{64}/g;
const HASH_PLACEHOLDER = '<asset-hash>';

/** One place where two JSON documents differ, by a JSONPath-like path. */
export interface Difference {
  readonly path: string;
  readonly message: string;
}

/** A copy of a JSON value with every asset hash (64 hex digits) in keys and strings replaced. */
export function normalizeAssetHashes(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(ASSET_HASH, HASH_PLACEHOLDER);
  if (Array.isArray(value)) return value.map(normalizeAssetHashes);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      const normalized = key.replace(ASSET_HASH, HASH_PLACEHOLDER);
      if (normalized in out) {
        // Two keys that differ only by their hash (two assets): keep both, in a stable order.
        out[`${normalized}#${Object.keys(out).filter(k => k.startsWith(normalized)).length}`] = normalizeAssetHashes(inner);
      } else {
        out[normalized] = normalizeAssetHashes(inner);
      }
    }
    return out;
  }
  return value;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? 'nothing' : text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Every difference between two JSON values (structural: object key order does not count). */
export function diffJson(expected: unknown, actual: unknown, at = '$'): Difference[] {
  if (kind(expected) !== kind(actual)) {
    return [{ path: at, message: `expected ${show(expected)}, got ${show(actual)}` }];
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const out: Difference[] = [];
    if (expected.length !== actual.length) {
      out.push({ path: at, message: `expected ${expected.length} items, got ${actual.length}` });
    }
    for (let i = 0; i < Math.min(expected.length, actual.length); i++) out.push(...diffJson(expected[i], actual[i], `${at}[${i}]`));
    return out;
  }
  if (expected !== null && typeof expected === 'object') {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    const out: Difference[] = [];
    for (const key of Object.keys(e)) {
      if (!(key in a)) out.push({ path: `${at}.${key}`, message: `missing (expected ${show(e[key])})` });
      else out.push(...diffJson(e[key], a[key], `${at}.${key}`));
    }
    for (const key of Object.keys(a)) {
      if (!(key in e)) out.push({ path: `${at}.${key}`, message: `unexpected ${show(a[key])}` });
    }
    return out;
  }
  return expected === actual ? [] : [{ path: at, message: `expected ${show(expected)}, got ${show(actual)}` }];
}

/** Each asset directory of a cloud assembly as "file sha256" lines (names relative, sorted). */
export function assetContents(dir: string): string[] {
  const assets: string[] = [];
  if (!fs.existsSync(dir)) return assets;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((x, y) => x.name.localeCompare(y.name))) {
    if (!entry.isDirectory() || !entry.name.startsWith('asset.')) continue;
    const files: string[] = [];
    const walk = (sub: string) => {
      for (const f of fs.readdirSync(path.join(dir, entry.name, sub), { withFileTypes: true })) {
        const rel = path.posix.join(sub, f.name);
        if (f.isDirectory()) walk(rel);
        else files.push(`${rel} ${createHash('sha256').update(fs.readFileSync(path.join(dir, entry.name, rel))).digest('hex').slice(0, 16)}`);
      }
    };
    walk('');
    assets.push(files.sort().join(', '));
  }
  return assets.sort();
}

/** Every difference between two cloud assemblies of one stack (template, asset manifest, assets). */
export function compareAssemblies(referenceDir: string, otherDir: string, stack: string): Difference[] {
  const out: Difference[] = [];
  for (const file of [`${stack}.template.json`, `${stack}.assets.json`]) {
    const read = (dir: string) => {
      const p = path.join(dir, file);
      return fs.existsSync(p) ? normalizeAssetHashes(JSON.parse(fs.readFileSync(p, 'utf8'))) : undefined;
    };
    const expected = read(referenceDir);
    const actual = read(otherDir);
    if (expected === undefined) out.push({ path: file, message: `not in the reference ${referenceDir}` });
    else if (actual === undefined) out.push({ path: file, message: `not written to ${otherDir}` });
    else out.push(...diffJson(expected, actual, file));
  }
  out.push(...diffJson(assetContents(referenceDir), assetContents(otherDir), 'asset directories'));
  return out;
}

/** Whether the raw asset hashes agree too (same code, same config: they should). */
export function sameAssetHashes(referenceDir: string, otherDir: string): boolean {
  const hashes = (dir: string) => fs.readdirSync(dir).filter(n => n.startsWith('asset.')).sort().join(',');
  return hashes(referenceDir) === hashes(otherDir);
}

if (require.main === module) {
  const [referenceDir, otherDir, stack] = process.argv.slice(2);
  if (!referenceDir || !otherDir || !stack) {
    console.error('usage: compare.ts REFERENCE_DIR OTHER_DIR STACK');
    process.exit(2);
  }
  const differences = compareAssemblies(referenceDir, otherDir, stack);
  if (differences.length === 0) {
    console.log(`same template, asset manifest and asset files; asset hashes ${sameAssetHashes(referenceDir, otherDir) ? 'identical too' : 'differ (normalised)'}`);
  } else {
    console.log(`${differences.length} difference(s):`);
    for (const d of differences.slice(0, 20)) console.log(`  ${d.path}: ${d.message}`);
    process.exitCode = 1;
  }
}
