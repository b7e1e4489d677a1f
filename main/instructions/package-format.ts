/**
 * Signing and verifying instruction packages (shared/instruction-packages.ts): Ed25519 over the
 * UTF-8 bytes of canonicalJson(content), the one canonicalisation the audit chain and the
 * e-signatures use too (shared/canonical.ts). A key is named by its fingerprint: SHA-256 of the
 * 32 raw public key bytes, as hex pairs.
 *
 * Verification, in this order, each with its own refusal: signed at all → by a key on the trust
 * list → the signature matches the content → the content hash matches the definition → every
 * media file's bytes match the SHA-256 the definition names. (The file's form is checked before,
 * by main/config/instruction-package-file.ts; the references to the project after.)
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../../shared/canonical';
import type { InstructionDefinition } from '../../shared/instructions';
import type { InstructionPackageFile, PackageContent, PackageRefusal, PackageSignature, TrustedPackageKey } from '../../shared/instruction-packages';
import { PACKAGE_FORMAT, PACKAGE_FORMAT_VERSION } from '../../shared/instruction-packages';

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the 32 raw bytes follow. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export class PackageRefused extends Error {
  constructor(
    readonly reason: PackageRefusal,
    message: string,
    readonly context: Record<string, string | number | boolean | null> = {},
  ) {
    super(message);
    this.name = 'PackageRefused';
  }
}

export function fingerprintOf(raw: Buffer): string {
  return createHash('sha256')
    .update(raw)
    .digest('hex')
    .toUpperCase()
    .match(/../g)!
    .join(':');
}

/** A fingerprint as typed (any case, with colons, spaces or nothing between pairs), normalised. */
export function normaliseFingerprint(s: string): string {
  return s
    .replace(/[^0-9A-Fa-f]/g, '')
    .toUpperCase()
    .match(/../g)!
    .join(':');
}

export function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ed25519' || der.length !== 44) throw new Error('not an Ed25519 public key');
  return der.subarray(12);
}

export function publicKeyFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/**
 * A public key as given by a person: PEM (SPKI, "BEGIN PUBLIC KEY") or base64 of the 32 raw
 * bytes. Returns the raw bytes; throws with what is wrong.
 */
export function parsePublicKey(text: string): Buffer {
  const t = text.trim();
  if (t.includes('-----BEGIN')) {
    let key: KeyObject;
    try {
      key = createPublicKey(t);
    } catch (err) {
      throw new Error(`not a readable PEM public key: ${(err as Error).message}`, { cause: err });
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
    return rawPublicKey(key);
  }
  const compact = t.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new Error('neither a PEM public key nor base64');
  const raw = Buffer.from(compact, 'base64');
  if (raw.length !== 32) throw new Error(`base64 of ${raw.length} bytes: an Ed25519 public key has 32`);
  return raw;
}

/** SHA-256 of the canonical definition: the same as main/config/instruction-files.ts contentHash. */
export function definitionHash(definition: InstructionDefinition): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex');
}

function signedBytes(content: PackageContent): Buffer {
  return Buffer.from(canonicalJson(content), 'utf8');
}

export function signPackage(content: PackageContent, privateKey: KeyObject, publicRaw: Buffer): InstructionPackageFile {
  const signature: PackageSignature = {
    algorithm: 'Ed25519',
    publicKey: publicRaw.toString('base64'),
    fingerprint: fingerprintOf(publicRaw),
    value: sign(null, signedBytes(content), privateKey).toString('base64'),
  };
  return { format: PACKAGE_FORMAT, formatVersion: PACKAGE_FORMAT_VERSION, content, signature };
}

/**
 * Checks a parsed package: the signature by a trusted key, then the hashes. Returns the key
 * that signed it; throws PackageRefused with the reason.
 */
export function verifyPackage(pkg: InstructionPackageFile, trusted: (fingerprint: string) => TrustedPackageKey | null): TrustedPackageKey {
  const sig = pkg.signature;
  if (sig === null) throw new PackageRefused('unsigned', 'the package is not signed');
  const raw = Buffer.from(sig.publicKey, 'base64');
  if (raw.length !== 32) throw new PackageRefused('malformed', `signature.publicKey: ${raw.length} bytes, an Ed25519 public key has 32`, { field: 'signature.publicKey' });
  // The fingerprint is computed, never taken from the file: a file cannot claim another key.
  const fingerprint = fingerprintOf(raw);
  const key = trusted(fingerprint);
  if (key === null) {
    throw new PackageRefused('unknownKey', `signed by a key that is not on this PC's trust list: fingerprint ${fingerprint}`, { fingerprint });
  }
  const value = Buffer.from(sig.value, 'base64');
  let ok: boolean;
  try {
    ok = value.length === 64 && verify(null, signedBytes(pkg.content), publicKeyFromRaw(Buffer.from(key.publicKey, 'base64')), value);
  } catch {
    ok = false;
  }
  if (!ok) throw new PackageRefused('badSignature', `the signature does not match the content (changed after it was signed by ${key.name}, ${fingerprint})`, { fingerprint });
  checkHashes(pkg.content);
  return key;
}

/** The content hash against the definition, and every media file against its SHA-256. */
export function checkHashes(content: PackageContent): void {
  const actual = definitionHash(content.definition);
  if (actual !== content.hash) {
    throw new PackageRefused('hashMismatch', `the content hash ${content.hash.slice(0, 12)}… does not match the definition (${actual.slice(0, 12)}…)`, { hash: content.hash });
  }
  if (content.definition.id !== content.instructionId) {
    throw new PackageRefused('hashMismatch', `content.instructionId "${content.instructionId}" is not the definition's id "${content.definition.id}"`, { field: 'content.instructionId' });
  }
  const packed = new Map(content.media.map((m) => [m.sha256, m]));
  const named = new Set<string>();
  for (const step of content.definition.steps) {
    for (const m of step.media) {
      named.add(m.sha256);
      const p = packed.get(m.sha256);
      if (p === undefined) throw new PackageRefused('mediaMismatch', `the media file "${m.file}" of step "${step.id}" is not in the package`, { file: m.file });
      const sha = createHash('sha256').update(Buffer.from(p.data, 'base64')).digest('hex');
      if (sha !== m.sha256) throw new PackageRefused('mediaMismatch', `the bytes of media file "${p.file}" do not match its SHA-256 in the definition`, { file: p.file });
    }
  }
  const extra = content.media.find((m) => !named.has(m.sha256));
  if (extra !== undefined) throw new PackageRefused('mediaMismatch', `the media file "${extra.file}" is not used by the definition`, { file: extra.file });
}
