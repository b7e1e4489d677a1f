/**
 * Reads an instruction package file (shared/instruction-packages.ts, docs/instructions.md
 * "Packages and keys"): JSON, validated field by field so that a refusal names the field
 * (`content.definition.steps.3.title: …`). The packaged definition is checked with the instruction
 * file's own schema and against this project (tags, writable tags, alarms, step ids, media), as
 * the instruction folders are (instruction-files.ts). The signature and the hashes are checked by
 * main/instructions/package-format.ts, which knows nothing of zod.
 */
import { z } from 'zod';
import { PACKAGE_FORMAT, PACKAGE_FORMAT_VERSION, type InstructionPackageFile } from '../../shared/instruction-packages';
import type { InstructionDefinition } from '../../shared/instructions';
import { instructionFileSchema } from './instruction-file-schema';
import { checkInstruction, type InstructionContext } from './instruction-files';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 (64 lower-case hex digits)');
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');
const epochMs = z.number().int().nonnegative();
const short = z.string().max(200);

const approval = z.object({ role: short, userId: short, printedName: short, ts: epochMs, signatureId: z.number().int() }).strict();

const contentSchema = z
  .object({
    instructionId: z.string().min(1).max(64),
    versionNumber: z.number().int().positive(),
    hash: hex64,
    state: z.enum(['approved', 'effective']),
    // checked with the instruction file's schema below (its paths then name the step)
    definition: z.record(z.string(), z.unknown()),
    media: z.array(z.object({ sha256: hex64, file: z.string().min(1).max(200), data: base64 }).strict()).max(4000),
    requiredApprovals: z.array(short).max(20),
    approvals: z.array(approval).max(20),
    exportedAt: epochMs,
    exportedBy: z.object({ userId: short, name: short }).strict(),
    source: z.object({ site: short, line: short, station: short, project: short }).strict(),
  })
  .strict();

const signatureSchema = z
  .object({
    algorithm: z.literal('Ed25519'),
    publicKey: base64.min(40).max(64),
    fingerprint: z.string().max(200),
    value: base64.min(80).max(100),
  })
  .strict();

const packageSchema = z
  .object({
    format: z.literal(PACKAGE_FORMAT),
    formatVersion: z.literal(PACKAGE_FORMAT_VERSION),
    content: contentSchema,
    signature: signatureSchema.nullable(),
  })
  .strict();

export type PackageParse = { ok: true; pkg: InstructionPackageFile } | { ok: false; field: string; message: string };

function at(path: readonly PropertyKey[]): string {
  return path.map(String).join('.') || '(file)';
}

/** Parses a package file's text; a refusal names the first field that is wrong. */
export function parsePackageFile(text: string): PackageParse {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, field: '(file)', message: `not JSON: ${(err as Error).message}` };
  }
  if (typeof raw !== 'object' || raw === null || (raw as { format?: unknown }).format !== PACKAGE_FORMAT) {
    return { ok: false, field: 'format', message: `not an instruction package (no "format": "${PACKAGE_FORMAT}")` };
  }
  const parsed = packageSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    const message = i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message;
    return { ok: false, field: at(i.path), message };
  }
  const definition = parsed.data.content.definition;
  const problem = definitionProblem(definition);
  if (problem !== null) return { ok: false, field: `content.definition.${problem.field}`, message: problem.message };
  // The original object (not the schema's output): the hash and signature are over what was sent.
  return { ok: true, pkg: parsed.data as unknown as InstructionPackageFile };
}

function withoutHash(m: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(m).filter(([k]) => k !== 'sha256'));
}

/** The definition as the instruction file's schema sees it (media without their hashes). */
function asFile(definition: Record<string, unknown>): unknown {
  const steps = definition.steps;
  return {
    ...definition,
    steps: Array.isArray(steps)
      ? steps.map((s: unknown) => {
          if (typeof s !== 'object' || s === null) return s;
          const step = s as Record<string, unknown>;
          if (!Array.isArray(step.media)) return step;
          return { ...step, media: step.media.map((m: unknown) => (typeof m === 'object' && m !== null ? withoutHash(m as Record<string, unknown>) : m)) };
        })
      : steps,
  };
}

function definitionProblem(definition: Record<string, unknown>): { field: string; message: string } | null {
  const parsed = instructionFileSchema.safeParse(asFile(definition));
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return { field: at(i.path), message: i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message };
  }
  const steps = definition.steps as { media: { sha256?: unknown }[] }[];
  for (let i = 0; i < steps.length; i++) {
    for (let j = 0; j < steps[i].media.length; j++) {
      const sha = steps[i].media[j].sha256;
      if (typeof sha !== 'string' || !/^[0-9a-f]{64}$/.test(sha)) return { field: `steps.${i}.media.${j}.sha256`, message: 'a SHA-256 (64 lower-case hex digits)' };
    }
  }
  return null;
}

/**
 * The packaged definition against this project, with the instruction folders' checks: every
 * problem as "path: message" (empty: it fits).
 */
export function checkPackagedDefinition(definition: InstructionDefinition, ctx: InstructionContext, mediaSizes: ReadonlyMap<string, number>): string[] {
  const file = instructionFileSchema.parse(asFile(definition as unknown as Record<string, unknown>));
  return checkInstruction(file, ctx, (f) => mediaSizes.get(f) ?? null).map((i) => `${i.path.map(String).join('.')}: ${i.message}`);
}
