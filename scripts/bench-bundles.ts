/**
 * The large code bundles of the benchmark's `bundles` workload: one distinct directory per
 * function, like a function with vendored packages (a Python `site-packages`, a `node_modules`):
 * many files in nested package directories, half the bytes source-like text, half incompressible
 * bytes (native libraries, compiled files).
 *
 * The content is a pure function of (seed, function index, bytes, files): a run on another
 * machine gets the same bytes, so the same asset hashes. Generated once into a cache directory
 * (.bench/bundles by default) and reused by later runs; a bundle whose generation did not
 * finish (no marker file) is generated again.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface BundleSpec {
  /** Number of distinct bundles (one per function). */
  readonly count: number;
  /** Total bytes of each bundle's files. */
  readonly bytes: number;
  /** Files in each bundle (the two handler files included). */
  readonly files: number;
  /** PRNG seed. */
  readonly seed: number;
}

/** Bump when the generated content changes, so old caches are not reused. */
const GENERATOR_VERSION = 1;

/** mulberry32: a small, fast, seedable 32-bit PRNG (public domain). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const WORDS = ['self', 'return', 'import', 'from', 'def', 'class', 'if', 'else', 'for', 'in', 'not', 'None', 'True', 'value', 'result',
  'request', 'response', 'client', 'session', 'config', 'options', 'data', 'items', 'key', 'name', 'path', 'error', 'raise', 'yield',
  'async', 'await', 'with', 'open', 'read', 'write', 'parse', 'encode', 'decode', 'buffer', 'stream', 'handler', 'event', 'context'];

/** Source-like text of exactly `size` bytes (ASCII). */
function text(next: () => number, size: number): Buffer {
  const lines: string[] = [];
  let length = 0;
  while (length < size) {
    const indent = '    '.repeat(next() % 3);
    const words: string[] = [];
    const count = 3 + (next() % 9);
    for (let i = 0; i < count; i++) words.push(WORDS[next() % WORDS.length] + (next() % 4 === 0 ? `_${next() % 1000}` : ''));
    const line = `${indent}${words.join(' ')}\n`;
    lines.push(line);
    length += line.length;
  }
  return Buffer.from(lines.join('').slice(0, size), 'latin1');
}

/** Incompressible bytes: `size` bytes of PRNG output. */
function binary(next: () => number, size: number): Buffer {
  const words = new Uint32Array(Math.ceil(size / 4));
  for (let i = 0; i < words.length; i++) words[i] = next();
  return Buffer.from(words.buffer, 0, size);
}

/** Write bundle `index` of `spec` into `dir` (which must not exist). */
function generate(dir: string, index: number, spec: BundleSpec): void {
  const next = prng((spec.seed * 0x9e3779b1 + index * 0x85ebca6b) >>> 0);
  const files = Math.max(spec.files - 2, 2);
  // Sizes: log-uniform weights (200 B to 64 KiB), a quarter of the files binary; each kind then
  // scaled to half of the bytes.
  const kinds: boolean[] = [];
  const weights: number[] = [];
  for (let i = 0; i < files; i++) {
    kinds.push(i % 4 === 3);
    weights.push(Math.exp(Math.log(200) + (next() / 2 ** 32) * (Math.log(65536) - Math.log(200))));
  }
  const handlers = [
    ['index.js', "exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event) });\n"],
    ['index.py', 'import json\n\ndef handler(event, context):\n    return {"statusCode": 200, "body": json.dumps(event)}\n'],
  ] as const;
  const budget = spec.bytes - handlers.reduce((n, [, body]) => n + body.length, 0);
  const total = (binaryKind: boolean) => weights.reduce((n, w, i) => n + (kinds[i] === binaryKind ? w : 0), 0);
  const scale = { text: (budget / 2) / total(false), binary: (budget / 2) / total(true) };

  fs.mkdirSync(dir, { recursive: true });
  for (const [name, body] of handlers) fs.writeFileSync(path.join(dir, name), body);
  const packages = Math.max(1, Math.round(files / 50));
  for (let i = 0; i < files; i++) {
    const pkg = `pkg${index}_${i % packages}`;
    const sub = (i >> 3) % 3 === 0 ? '' : `sub${(i >> 3) % 5}`;
    const parent = path.join(dir, 'vendor', pkg, sub);
    fs.mkdirSync(parent, { recursive: true });
    const size = Math.max(1, Math.round(weights[i] * (kinds[i] ? scale.binary : scale.text)));
    fs.writeFileSync(path.join(parent, kinds[i] ? `_native${i}.so` : `module${i}.py`), kinds[i] ? binary(next, size) : text(next, size));
  }
}

/**
 * The directories of `spec`'s bundles under `cacheDir`, generated if missing. `log` receives
 * progress lines.
 */
export function ensureBundles(cacheDir: string, spec: BundleSpec, log: (line: string) => void): string[] {
  const root = path.join(cacheDir, `v${GENERATOR_VERSION}-seed${spec.seed}-${spec.files}files-${spec.bytes}bytes`);
  const dirs: string[] = [];
  for (let i = 0; i < spec.count; i++) {
    const dir = path.join(root, `fn${i}`);
    const marker = `${dir}.done`;
    if (!fs.existsSync(marker)) {
      const started = Date.now();
      // A bundle is removed only when this generator left it half made (its `.partial` marker is
      // there); a folder of that name without our markers is someone else's, and is refused.
      const partial = `${dir}.partial`;
      if (fs.existsSync(partial)) fs.rmSync(dir, { recursive: true, force: true });
      else if (fs.existsSync(dir)) throw new Error(`bench: ${dir} exists but was not made by the bundle generator (no ${path.basename(marker)} or ${path.basename(partial)} beside it); remove it yourself or choose another --bundle-cache`);
      fs.mkdirSync(path.dirname(dir), { recursive: true });
      fs.writeFileSync(partial, '');
      generate(dir, i, spec);
      fs.rmSync(partial);
      fs.writeFileSync(marker, JSON.stringify({ ...spec, index: i, generatorVersion: GENERATOR_VERSION }) + '\n');
      log(`bench: generated bundle ${i + 1}/${spec.count} in ${path.relative(process.cwd(), dir) || dir} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    }
    dirs.push(dir);
  }
  return dirs;
}
