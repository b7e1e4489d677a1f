/**
 * The work-instruction part of the API contract (shared/api.ts spreads these in): the
 * instructions and their versions, the lifecycle transitions, and runs. docs/instructions.md.
 */
import { z } from 'zod';
import type { InstructionDefinition, InstructionSummary, InstructionVersionInfo, RunState, RunSummary, RunView } from './instructions';

const hash = z.string().regex(/^[0-9a-f]{64}$/, 'a version hash (64 hex digits)');
const instructionId = z.string().min(1).max(64);
const runId = z.number().int().positive();
const reason = z.string().trim().max(500);
const scalar = z.union([z.number().finite(), z.boolean(), z.string().max(2000)]);

export const instructionApiParams = {
  'instructions.list': z.object({}).strict(),
  /** one version's full content */
  'instructions.version': z.object({ hash }).strict(),
  /** a picture, video or PDF of a version's step (base64; at most 50 MB) */
  'instructions.media': z.object({ hash, sha256: hash }).strict(),
  /** reads the instruction folders again (after they were edited or copied in) */
  'instructions.reload': z.object({}).strict(),
  'instructions.submit': z.object({ hash }).strict(),
  'instructions.reject': z.object({ hash, reason }).strict(),
  /** signed (meaning approved) by a holder of a role still to approve */
  'instructions.approve': z.object({ hash }).strict(),
  /** signed: the version becomes effective, the one before it obsolete */
  'instructions.release': z.object({ hash }).strict(),
  'instructions.retire': z.object({ hash, reason }).strict(),
  'runs.start': z.object({ instructionId, trigger: z.string().max(200).default('Instructions screen') }).strict(),
  'runs.get': z.object({ runId }).strict(),
  'runs.complete': z
    .object({
      runId,
      stepId: z.string().min(1).max(64),
      input: z.object({ value: scalar.optional(), confirmed: z.boolean().optional(), reason: reason.optional() }).strict().default({}),
    })
    .strict(),
  'runs.abort': z.object({ runId, reason }).strict(),
  'runs.list': z
    .object({
      instructionId: instructionId.optional(),
      user: z.string().max(64).optional(),
      state: z.enum(['running', 'completed', 'aborted']).optional(),
      from: z.number().int().nonnegative().optional(),
      to: z.number().int().nonnegative().optional(),
      limit: z.number().int().min(1).max(500).default(100),
      beforeId: runId.optional(),
    })
    .strict(),
} as const;

export interface InstructionApiResults {
  'instructions.list': InstructionSummary[];
  'instructions.version': { info: InstructionVersionInfo; definition: InstructionDefinition };
  'instructions.media': { mime: string; dataBase64: string; file: string };
  'instructions.reload': InstructionSummary[];
  'instructions.submit': InstructionVersionInfo;
  'instructions.reject': InstructionVersionInfo;
  'instructions.approve': InstructionVersionInfo;
  'instructions.release': InstructionVersionInfo;
  'instructions.retire': InstructionVersionInfo;
  'runs.start': RunView;
  'runs.get': RunView;
  'runs.complete': RunView;
  'runs.abort': RunView;
  'runs.list': RunSummary[];
}

export interface InstructionApiEvents {
  /** a run changed (a step done, a condition met, aborted): fetch it again with runs.get */
  run: { runId: number; state: RunState; currentStepId: string | null };
}
