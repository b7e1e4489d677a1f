/**
 * The instruction package part of the API contract (shared/api.ts spreads these in): export and
 * import of signed packages, and the trust list of package keys. docs/instructions.md.
 */
import { z } from 'zod';
import type { OwnPackageKey, PackageExport, PackageImportResult, TrustedPackageKey } from './instruction-packages';

const hash = z.string().regex(/^[0-9a-f]{64}$/, 'a version hash (64 hex digits)');
const fingerprint = z
  .string()
  .trim()
  .regex(/^([0-9A-Fa-f]{2}[:\s]?){32}$/, 'a key fingerprint (SHA-256: 32 hex pairs)');

export const instructionPackageApiParams = {
  /** an approved or effective version as one signed package file */
  'instructions.exportPackage': z.object({ hash }).strict(),
  /** a package file (base64 of its bytes; ~137 MB of text for the 100 MB limit) */
  'instructions.importPackage': z
    .object({ fileName: z.string().trim().min(1).max(255), data: z.string().max(140 * 1024 * 1024) })
    .strict(),
  'packageKeys.list': z.object({}).strict(),
  'packageKeys.own': z.object({}).strict(),
  /** signed (meaning approved): a PEM (SPKI) or the base64 of the 32 raw bytes */
  'packageKeys.trust': z.object({ publicKey: z.string().trim().min(40).max(4000), name: z.string().trim().min(1).max(100) }).strict(),
  'packageKeys.remove': z.object({ fingerprint, reason: z.string().trim().min(3).max(500) }).strict(),
} as const;

export interface InstructionPackageApiResults {
  'instructions.exportPackage': PackageExport;
  'instructions.importPackage': PackageImportResult;
  'packageKeys.list': TrustedPackageKey[];
  'packageKeys.own': OwnPackageKey;
  'packageKeys.trust': TrustedPackageKey;
  'packageKeys.remove': { fingerprint: string; removed: true };
}
