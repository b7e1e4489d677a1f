/**
 * The instruction file (`<instructions folder>/<name>/instruction.yaml`), validated with every
 * error naming file, line and path (the project loader's reporting):
 *
 *   id: WI-OPS-001
 *   title: Start-of-shift checklist
 *   revision: "4"
 *   atShiftStart: true
 *   steps:
 *     - { id: guards, kind: condition, title: Guards closed, expression: "L1.GuardClosed == true", timeoutS: 120 }
 *     - { id: seal, kind: measure, title: Seal jaw temperature, unit: °C, low: 175, high: 195, outOfLimits: verify, verifierRoles: [supervisor] }
 *     - { id: sign, kind: signature, title: Line ready, meaning: performed }
 */
import { z } from 'zod';
import { signatureMeanings } from '../../shared/security';

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits and _ . - (starting with a letter or digit)');
const scalar = z.union([z.number(), z.boolean(), z.string().max(200)]);
const roleName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'a role name');

const media = z
  .object({
    kind: z.enum(['image', 'video', 'pdf']).optional(),
    file: z
      .string()
      .min(1)
      .max(200)
      .refine((f) => !f.includes('..') && !f.startsWith('/') && !f.includes('\\'), 'a file inside the instruction folder'),
    caption: z.string().max(300).default(''),
  })
  .strict();

const base = {
  id,
  title: z.string().min(1).max(200),
  body: z.string().max(20_000).default(''),
  media: z.array(media).max(20).default([]),
};

const stepSchema = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('read') }).strict(),
  z.object({ ...base, kind: z.literal('check'), confirm: z.string().min(1).max(300) }).strict(),
  z
    .object({
      ...base,
      kind: z.literal('measure'),
      unit: z.string().max(30).default(''),
      low: z.number().nullable().default(null),
      high: z.number().nullable().default(null),
      decimals: z.number().int().min(0).max(6).default(1),
      outOfLimits: z.enum(['block', 'reason', 'verify']).default('block'),
      verifierRoles: z.array(roleName).default([]),
    })
    .strict()
    .refine((s) => s.low === null || s.high === null || s.low <= s.high, { message: 'low must not be above high', path: ['low'] }),
  z.object({ ...base, kind: z.literal('choice'), options: z.array(z.string().min(1).max(100)).min(2).max(12) }).strict(),
  z
    .object({
      ...base,
      kind: z.literal('text'),
      placeholder: z.string().max(200).default(''),
      maxLength: z.number().int().min(1).max(2000).default(200),
      pattern: z
        .string()
        .max(200)
        .default('')
        .refine((p) => {
          try {
            new RegExp(p);
            return true;
          } catch {
            return false;
          }
        }, 'not a valid regular expression'),
    })
    .strict(),
  z
    .object({
      ...base,
      kind: z.literal('condition'),
      expression: z.string().min(1).max(500),
      describe: z.string().max(300).default(''),
      timeoutS: z.number().int().min(1).max(24 * 3600).default(300),
    })
    .strict(),
  z.object({ ...base, kind: z.literal('action'), tagId: z.string().min(1).max(200), value: scalar }).strict(),
  z
    .object({
      ...base,
      kind: z.literal('signature'),
      meaning: z.enum(signatureMeanings).default('performed'),
      signer: z.enum(['self', 'verification']).default('self'),
      roles: z.array(roleName).default([]),
    })
    .strict(),
  z
    .object({
      ...base,
      kind: z.literal('branch'),
      on: id,
      cases: z.array(z.object({ equals: scalar, goto: id }).strict()).min(1).max(20),
      otherwise: id,
    })
    .strict(),
]);

export const instructionFileSchema = z
  .object({
    id,
    title: z.string().min(1).max(200),
    description: z.string().max(2000).default(''),
    revision: z.union([z.string().min(1).max(40), z.number()]).transform(String),
    alarms: z.array(z.string().min(1).max(200)).default([]),
    atShiftStart: z.boolean().default(false),
    roles: z.array(roleName).default([]),
    steps: z.array(stepSchema).min(1).max(200),
  })
  .strict();

export type InstructionFile = z.output<typeof instructionFileSchema>;
