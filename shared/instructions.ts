/**
 * Digital work instructions as the runtime and the renderer both see them: the definition (an
 * instruction's steps), its versions and their lifecycle, and runs with their step results and
 * evidence (docs/instructions.md).
 */
import type { EpochMs, TagScalar } from './types';
import type { SignatureMeaning } from './security';

/** Text, images and documents shown with a step; paths are inside the instruction's folder. */
export interface StepMedia {
  kind: 'image' | 'video' | 'pdf';
  file: string;
  caption: string;
  /** SHA-256 of the file's bytes: part of the version's content hash */
  sha256: string;
}

interface StepBase {
  id: string;
  title: string;
  /** Markdown-style text (rendered as text: no HTML) */
  body: string;
  media: StepMedia[];
}

/** Read: text and media, then "Next". */
export interface ReadStep extends StepBase {
  kind: 'read';
}
/** Check: the person confirms a statement ("The film roll has at least 50 m left"). */
export interface CheckStep extends StepBase {
  kind: 'check';
  confirm: string;
}
/**
 * Measure: a number with its unit and limits. Out of limits, as the step says: refused
 * (`block`), accepted with a reason (`reason`), or with a reason and a supervisor's verification
 * (`verify`).
 */
export interface MeasureStep extends StepBase {
  kind: 'measure';
  unit: string;
  low: number | null;
  high: number | null;
  decimals: number;
  outOfLimits: 'block' | 'reason' | 'verify';
  /** verify: the roles one of which the verifier must hold */
  verifierRoles: string[];
}
export interface ChoiceStep extends StepBase {
  kind: 'choice';
  options: string[];
}
export interface TextStep extends StepBase {
  kind: 'text';
  /** a hint for what to type, e.g. "batch number as printed on the label" */
  placeholder: string;
  maxLength: number;
  /** a regular expression the text must match (e.g. ^[A-Z]{2}\d{6}$); empty: anything */
  pattern: string;
}
/**
 * Machine condition: waits until an expression over live tag values is true, every tag it
 * reads with good quality; the values, qualities and source times are kept as evidence. After
 * `timeoutS` the step says so and the run may be escalated (aborted with a reason).
 */
export interface ConditionStep extends StepBase {
  kind: 'condition';
  expression: string;
  /** the expression in words for the person ("the machine stopped and the run command off") */
  describe: string;
  timeoutS: number;
}
/** Machine action: a setpoint or command write through the runtime's write checks, read back. */
export interface ActionStep extends StepBase {
  kind: 'action';
  tagId: string;
  value: TagScalar;
}
/** Signature: the person signs with a meaning; or a second person (of given roles) verifies. */
export interface SignatureStep extends StepBase {
  kind: 'signature';
  meaning: SignatureMeaning;
  signer: 'self' | 'verification';
  /** roles one of which the signer (self) or the verifier must hold; empty: anyone who may run */
  roles: string[];
}
/** Branch: goes on at another step, chosen by a value captured earlier in the run. */
export interface BranchStep extends StepBase {
  kind: 'branch';
  on: string;
  cases: { equals: TagScalar; goto: string }[];
  otherwise: string;
}

export type InstructionStep = ReadStep | CheckStep | MeasureStep | ChoiceStep | TextStep | ConditionStep | ActionStep | SignatureStep | BranchStep;
export type StepKind = InstructionStep['kind'];

/** One instruction as authored (an instruction.yaml and its media), validated. */
export interface InstructionDefinition {
  id: string;
  title: string;
  description: string;
  /** the author's revision label, e.g. "3" or "2026-11 B" */
  revision: string;
  /** the alarms whose procedure this is (their detail links here) */
  alarms: string[];
  /** at each shift start, one run is due (a start-of-shift checklist) */
  atShiftStart: boolean;
  /** roles that may run it; empty: everyone with instructions.run */
  roles: string[];
  steps: InstructionStep[];
}

/**
 * A version's lifecycle. Each version is immutable (its content hash names it); only an
 * effective version runs.
 *
 *   draft ──submit──▶ inReview ──approve (every required role signed)──▶ approved ──release──▶ effective
 *     ▲                  │                                                                      │
 *     └────reject────────┘                              (a newer version released) / retire ───▶ obsolete
 */
export const versionStates = ['draft', 'inReview', 'approved', 'effective', 'obsolete'] as const;
export type VersionState = (typeof versionStates)[number];

export interface VersionApproval {
  role: string;
  userId: string;
  printedName: string;
  ts: EpochMs;
  signatureId: number;
}

export interface InstructionVersionInfo {
  instructionId: string;
  /** 1, 2, … in the order the runtime first saw each content */
  number: number;
  /** SHA-256 (hex) of the canonical definition and its media bytes */
  hash: string;
  revision: string;
  title: string;
  state: VersionState;
  createdAt: EpochMs;
  /** the roles that must approve, and who did */
  requiredApprovals: string[];
  approvals: VersionApproval[];
  stepCount: number;
}

export interface InstructionSummary {
  id: string;
  title: string;
  description: string;
  alarms: string[];
  atShiftStart: boolean;
  /** the version that runs, if one is effective */
  effective: InstructionVersionInfo | null;
  versions: InstructionVersionInfo[];
  /** the instruction folder no longer loads (a broken file): the error, with file and line */
  problem: string | null;
  /** atShiftStart: no run was started since this shift began (local start time, epoch ms) */
  dueSince: EpochMs | null;
}

/** What a machine condition saw: each tag it read, and whether it held. */
export interface ConditionEvidence {
  met: boolean;
  /** why it is not met, in words ("L1.State is 1, needs 2"; "L1.EStopOk quality bad") */
  why: string | null;
  values: { tagId: string; value: TagScalar | null; quality: string; sourceTs: EpochMs | null }[];
  at: EpochMs;
}

export interface StepResult {
  stepId: string;
  /** the person who did the step (a run may be handed over) */
  userId: string;
  printedName: string;
  startedAt: EpochMs;
  doneAt: EpochMs;
  outcome: 'done' | 'outOfLimits' | 'skipped';
  value: TagScalar | null;
  reason: string;
  evidence: ConditionEvidence | null;
  signatureIds: number[];
}

export type RunState = 'running' | 'completed' | 'aborted';

export interface RunRecord {
  id: number;
  instructionId: string;
  title: string;
  versionHash: string;
  versionNumber: number;
  state: RunState;
  startedAt: EpochMs;
  startedBy: string;
  endedAt: EpochMs | null;
  /** aborted: why */
  reason: string;
  /** the step to do now (null when the run has ended) */
  currentStepId: string | null;
  results: StepResult[];
  /** what started it: the Instructions screen, an alarm, a shift start */
  trigger: string;
}

export interface RunSummary {
  id: number;
  instructionId: string;
  title: string;
  versionNumber: number;
  state: RunState;
  startedAt: EpochMs;
  startedBy: string;
  endedAt: EpochMs | null;
  steps: number;
  done: number;
}

/** A run as the step player shows it: the record, the version's steps, and where it stands now. */
export interface RunView {
  run: RunRecord;
  steps: InstructionStep[];
  /** since when the current step is the one to do */
  currentSince: EpochMs | null;
  /** the current step is a machine condition: what it sees now */
  waiting: ConditionEvidence | null;
  /** the current machine condition has waited longer than its timeoutS */
  overdue: boolean;
}

/** What the person gives to complete the current step (by kind: value, confirmation, reason). */
export interface StepInput {
  value?: TagScalar;
  confirmed?: boolean;
  /** an out-of-limits measurement's reason, or a comment */
  reason?: string;
}
