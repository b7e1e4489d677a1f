/**
 * Signed instruction packages for offline distribution between line PCs (docs/instructions.md,
 * "Packages and keys"): one file holding an approved or effective version (its definition, its
 * media bytes, the approvals, where it was exported), signed with Ed25519 by the exporting PC's
 * package key. A line PC imports a package only when the key is on its trust list.
 */
import type { EpochMs } from './types';
import type { InstructionDefinition, InstructionVersionInfo, VersionApproval, VersionState } from './instructions';

export const PACKAGE_FORMAT = 'lineside-instruction-package';
export const PACKAGE_FORMAT_VERSION = 1;
/** the file name ending of a package */
export const PACKAGE_EXTENSION = '.lsip';
/** the largest package file imported (bytes of the file, before base64) */
export const MAX_PACKAGE_BYTES = 100 * 1024 * 1024;

/** One media file of the version: its bytes (base64) under the SHA-256 the definition names. */
export interface PackagedMedia {
  sha256: string;
  file: string;
  /** base64 of the file's bytes */
  data: string;
}

/** What the signature covers (the canonical JSON of this object, shared/canonical.ts). */
export interface PackageContent {
  instructionId: string;
  /** the version's number on the exporting PC (numbers are per PC; the hash names the version) */
  versionNumber: number;
  /** SHA-256 (hex) of the canonical definition: the version's identity on every PC */
  hash: string;
  state: Extract<VersionState, 'approved' | 'effective'>;
  definition: InstructionDefinition;
  media: PackagedMedia[];
  /** the roles the exporting project requires, and who approved (signature ids are the source PC's) */
  requiredApprovals: string[];
  approvals: VersionApproval[];
  exportedAt: EpochMs;
  exportedBy: { userId: string; name: string };
  /** where it was exported: the project's site and line, and the station (PC) */
  source: { site: string; line: string; station: string; project: string };
}

export interface PackageSignature {
  algorithm: 'Ed25519';
  /** the signer's public key, base64 of the 32 raw bytes */
  publicKey: string;
  /** SHA-256 of the raw public key, hex pairs (ab:cd:…) */
  fingerprint: string;
  /** base64 of the 64-byte signature over the UTF-8 bytes of canonicalJson(content) */
  value: string;
}

/** The package file (JSON, UTF-8). */
export interface InstructionPackageFile {
  format: typeof PACKAGE_FORMAT;
  formatVersion: typeof PACKAGE_FORMAT_VERSION;
  content: PackageContent;
  signature: PackageSignature | null;
}

/** A public key on this PC's trust list. */
export interface TrustedPackageKey {
  fingerprint: string;
  /** base64 of the raw 32-byte Ed25519 public key */
  publicKey: string;
  name: string;
  trustedAt: EpochMs;
  trustedBy: string;
  signatureId: number | null;
}

/** This PC's own package key: what another PC needs to trust it. */
export interface OwnPackageKey {
  fingerprint: string;
  /** base64 of the raw public key */
  publicKey: string;
  /** the same key as PEM (SPKI) */
  pem: string;
  createdAt: EpochMs;
}

/** Why an import was refused (the error's `context.reason`). */
export const packageRefusals = ['tooLarge', 'malformed', 'unsigned', 'unknownKey', 'badSignature', 'hashMismatch', 'mediaMismatch', 'references', 'state'] as const;
export type PackageRefusal = (typeof packageRefusals)[number];

export interface PackageExport {
  fileName: string;
  /** base64 of the package file's bytes */
  data: string;
  bytes: number;
  fingerprint: string;
}

export interface PackageImportResult {
  version: InstructionVersionInfo;
  /** what happened: a new version, one already here given the carried approvals, or nothing */
  outcome: 'registered' | 'approvalsCarried' | 'alreadyPresent';
  signedBy: TrustedPackageKey;
  source: PackageContent['source'];
  message: string;
}
