/**
 * What changed from one version of an instruction to the next, step by step (matched by step
 * id): added, removed, moved, or changed with the fields that differ. Reviewers approve the
 * change, not only the result.
 */
import { canonicalJson } from './canonical';
import type { InstructionDefinition, InstructionStep } from './instructions';

export type StepChange =
  | { kind: 'added'; step: InstructionStep; index: number }
  | { kind: 'removed'; step: InstructionStep; index: number }
  | { kind: 'changed'; step: InstructionStep; index: number; fields: { field: string; before: unknown; after: unknown }[]; moved: boolean }
  | { kind: 'moved'; step: InstructionStep; index: number; from: number }
  | { kind: 'same'; step: InstructionStep; index: number };

export interface InstructionDiff {
  /** header fields that changed (title, description, roles, alarms …) */
  header: { field: string; before: unknown; after: unknown }[];
  steps: StepChange[];
}

const HEADER_FIELDS = ['title', 'description', 'revision', 'alarms', 'atShiftStart', 'roles'] as const;

function same(a: unknown, b: unknown): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}

export function diffInstructions(before: InstructionDefinition, after: InstructionDefinition): InstructionDiff {
  const header = HEADER_FIELDS.filter((f) => !same(before[f], after[f])).map((f) => ({ field: f, before: before[f], after: after[f] }));
  const old = new Map(before.steps.map((s, i) => [s.id, { s, i }]));
  const steps: StepChange[] = [];
  after.steps.forEach((s, index) => {
    const o = old.get(s.id);
    if (!o) return steps.push({ kind: 'added', step: s, index });
    const keys = [...new Set([...Object.keys(o.s), ...Object.keys(s)])].filter((k) => k !== 'id').sort();
    const fields = keys
      .filter((k) => !same((o.s as unknown as Record<string, unknown>)[k], (s as unknown as Record<string, unknown>)[k]))
      .map((k) => ({ field: k, before: (o.s as unknown as Record<string, unknown>)[k], after: (s as unknown as Record<string, unknown>)[k] }));
    const moved = before.steps.filter((x) => after.steps.some((y) => y.id === x.id)).findIndex((x) => x.id === s.id) !== after.steps.filter((y) => old.has(y.id)).findIndex((y) => y.id === s.id);
    if (fields.length > 0) steps.push({ kind: 'changed', step: s, index, fields, moved });
    else if (moved) steps.push({ kind: 'moved', step: s, index, from: o.i });
    else steps.push({ kind: 'same', step: s, index });
  });
  before.steps.forEach((s, index) => {
    if (!after.steps.some((x) => x.id === s.id)) steps.push({ kind: 'removed', step: s, index });
  });
  return { header, steps };
}
