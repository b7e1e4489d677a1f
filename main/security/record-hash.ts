/**
 * SHA-256 over a record's canonical text (shared/canonical.ts): what a signature signs, and the
 * links of the audit chain (each record's hash covers the one before).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../shared/canonical';

export function contentHash(record: unknown): string {
  return createHash('sha256').update(canonicalJson(record)).digest('hex');
}

/** The hash of the first record's predecessor. */
export const CHAIN_START = '0'.repeat(64);

/** A chain link: the previous hash and this record's canonical content. */
export function chainHash(prevHash: string, record: unknown): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(record)).digest('hex');
}
