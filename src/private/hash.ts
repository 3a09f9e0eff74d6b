import { createHash } from 'crypto';

/** SHA-256 of the parts (each followed by a NUL), as hex: content names of assets, layers and mappings. */
export function shortHash(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}
