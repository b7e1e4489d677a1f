/** A short digest of a text (SHA-256, 16 hex digits): keys of caches made under a configuration. */
import { createHash } from 'node:crypto';

export function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
