/**
 * Passwords, PINs and badge codes at rest. Secrets are hashed with scrypt (Node's own, a
 * memory-hard KDF: no native package to rebuild for Electron), N = 2^16, r = 8, p = 1: about
 * 150 ms and 64 MiB per hash on a line PC, so guessing offline is slow while a sign-in stays
 * quick. The parameters are stored in the hash, so they can be raised later and old hashes still
 * verify. Hashing runs on libuv's thread pool: the event loop that serves the UI never waits.
 *
 *   scrypt$<logN>$<r>$<p>$<salt b64url>$<key b64url>
 *
 * A badge code has to be found (which user owns this badge?) as well as checked, so it gets a
 * keyed lookup digest (HMAC-SHA-256 with a key kept in this data dir) beside nothing else: the
 * badge alone never signs anyone in, the PIN (scrypt) is the second factor.
 */
import { createHmac, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface KdfParams {
  logN: number;
  r: number;
  p: number;
}

export const DEFAULT_KDF: KdfParams = { logN: 16, r: 8, p: 1 };
const KEY_BYTES = 32;

function derive(secret: string, salt: Buffer, k: KdfParams): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** k.logN, r: k.r, p: k.p, maxmem: 256 * 2 ** k.logN * k.r };
  return new Promise((resolve, reject) => scrypt(secret.normalize('NFC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashSecret(secret: string, k: KdfParams = DEFAULT_KDF): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, k);
  return `scrypt$${k.logN}$${k.r}$${k.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

const FORMAT = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const m = FORMAT.exec(stored);
  if (!m) return false;
  const k = { logN: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (k.logN < 10 || k.logN > 22 || k.r < 1 || k.p < 1) return false;
  const expected = Buffer.from(m[5], 'base64url');
  const key = await derive(secret, Buffer.from(m[4], 'base64url'), k);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * A hash of nothing anyone knows, checked for unknown users so both answers take as long. Made
 * once per process, ahead of the first sign-in (`prepareDecoy`, which the Authenticator calls
 * when it is built): made on first use, the first unknown user id would take a hash and a
 * check, twice as long as a known one, and say so to whoever times it.
 */
let decoy: Promise<string> | null = null;
export function prepareDecoy(): Promise<string> {
  if (decoy === null) {
    const made = hashSecret(randomBytes(16).toString('hex'));
    decoy = made;
    // A failure (scrypt out of memory) is met again by the sign-in that awaits it, and tried anew then.
    made.catch(() => {
      if (decoy === made) decoy = null;
    });
  }
  return decoy;
}

export async function verifyDecoy(secret: string): Promise<false> {
  await verifySecret(secret, await prepareDecoy());
  return false;
}

export function badgeLookup(key: Buffer, badge: string): string {
  return createHmac('sha256', key).update(badge.trim()).digest('hex');
}
