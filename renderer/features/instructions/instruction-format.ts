import type { InstructionStep, InstructionSummary, InstructionVersionInfo, MeasureStep, RunView, StepResult, VersionState } from '../../../shared/instructions';

export const VERSION_STATE_TEXT: Record<VersionState, string> = {
  draft: 'Draft',
  inReview: 'In review',
  approved: 'Approved',
  effective: 'Effective',
  obsolete: 'Obsolete',
};

export const STEP_KIND_TEXT: Record<InstructionStep['kind'], string> = {
  read: 'Read',
  check: 'Check',
  measure: 'Measure',
  choice: 'Choose',
  text: 'Enter text',
  condition: 'Machine condition',
  action: 'Machine action',
  signature: 'Signature',
  branch: 'Branch',
};

/** "175 … 195 °C", "≥ 25 °C", "no limits". */
export function limitsText(s: Pick<MeasureStep, 'low' | 'high' | 'unit'>): string {
  const u = s.unit ? ` ${s.unit}` : '';
  if (s.low !== null && s.high !== null) return `${s.low} … ${s.high}${u}`;
  if (s.low !== null) return `≥ ${s.low}${u}`;
  if (s.high !== null) return `≤ ${s.high}${u}`;
  return 'no limits';
}

export function isOutOfLimits(s: Pick<MeasureStep, 'low' | 'high'>, v: number): boolean {
  return (s.low !== null && v < s.low) || (s.high !== null && v > s.high);
}

/** The step to do now, its position among the steps a person does (branches are not counted). */
export function progressOf(view: RunView): { index: number; total: number; step: InstructionStep | null } {
  const steps = view.steps.filter((s) => s.kind !== 'branch');
  const step = view.steps.find((s) => s.id === view.run.currentStepId) ?? null;
  const index = step === null ? steps.length : steps.findIndex((s) => s.id === step.id);
  return { index, total: steps.length, step };
}

/** The newest version, the one a reviewer acts on (it may also be the effective one). */
export function newestVersion(i: InstructionSummary): InstructionVersionInfo | null {
  return i.versions[0] ?? null;
}

/** Why an instruction cannot be started, or null when it can. */
export function whyNotStartable(i: InstructionSummary): string | null {
  if (i.problem !== null && i.effective === null) return 'its file does not load';
  if (i.effective === null) return 'no version is approved and released yet';
  return null;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** What a done step captured, for the run record: "186 °C · ", "confirmed · ", "L1.GuardClosed = true (good) · ". */
export function resultValueText(step: InstructionStep, r: StepResult): string {
  if (step.kind === 'check') return 'confirmed · ';
  if (step.kind === 'condition' && r.evidence !== null) return `${r.evidence.values.map((v) => `${v.tagId} = ${String(v.value)} (${v.quality})`).join(', ')} · `;
  if (r.value === null) return '';
  return `${String(r.value)}${step.kind === 'measure' && step.unit ? ` ${step.unit}` : ''} · `;
}
