import { createHash } from 'crypto';

const hashes = new Map<string, string>();

/**
 * SHA-256 of the parts (each followed by a NUL), as hex: content names of assets, layers and
 * mappings. Remembered per process: every function of a stack with one configuration asks for
 * the same hashes of the same text.
 */
export function shortHash(...parts: string[]): string {
  const key = parts.join('\0');
  let hash = hashes.get(key);
  if (hash === undefined) {
    const h = createHash('sha256');
    for (const p of parts) h.update(p).update('\0');
    hash = h.digest('hex');
    hashes.set(key, hash);
  }
  return hash;
}
