/**
 * Runs of work instructions: a state machine per run, every step result committed (RunStore)
 * before the reply, machine conditions evaluated from the live cache on each tag batch (never by
 * polling a driver).
 *
 *                 start (effective version only)
 *                         │
 *                         ▼
 *   ┌──────────────▶ running ── complete(current step) ──▶ next step (branches resolved) ──┐
 *   │   (the step      │   ▲                                                               │
 *   │    to do now)    │   └───────────────────────────────────────────────────────────────┘
 *   │                  │ abort(reason)                        no step left
 *   │                  ▼                                           ▼
 *   │               aborted                                    completed
 *   │
 *   └─ a condition step completes itself when its expression holds with good quality
 *
 * The person doing a step is recorded per step: whoever is signed in completes it, so a run is
 * handed over by the next person signing in and going on.
 */
import { ApiError } from '../../shared/api';
import type { ConditionEvidence, ConditionStep, InstructionDefinition, InstructionStep, MeasureStep, RunRecord, RunSummary, RunView, StepInput, StepResult } from '../../shared/instructions';
import type { SignatureRequirement } from '../../shared/security';
import type { Actor, TagScalar, TagValue } from '../../shared/types';
import type { Clock, TimerHandle } from '../util/clock';
import { evaluate, parseExpression, tagsOf, type Expr } from '../../shared/condition-expression';
import type { RunFilter, RunStore } from './run-store';
import type { VersionStore } from './version-store';

export interface RunCaller {
  userId: string;
  name: string;
  roles: readonly string[];
  signatureId: number | null;
  actor: Actor;
}

export interface RunEngineDeps {
  versions: VersionStore;
  runs: RunStore;
  clock: Clock;
  read: (tagId: string) => TagValue | undefined;
  write: (tagId: string, value: TagScalar, actor: Actor) => Promise<{ verified: boolean; readBack: TagScalar | null }>;
  /** a run changed (a step done, a condition met, aborted): the screens showing it refresh */
  changed: (runId: number) => void;
  audit: (r: { ts: number; actor: Actor; action: string; target: string; newValue: unknown; detail: string }) => void;
  /** some run waits on a machine condition past its step's timeout (an alarm is raised), or none does */
  overdue?: (active: boolean) => void;
}

/** How often runs waiting on the machine are looked at for their timeout. */
const OVERDUE_CHECK_MS = 5000;

interface Watch {
  runId: number;
  step: ConditionStep;
  expr: Expr;
  tags: Set<string>;
}

export class RunEngine {
  /** the current machine condition of each running run */
  private readonly watches = new Map<number, Watch>();
  /** when each running run's current step became current */
  private readonly since = new Map<number, number>();
  private overdueTimer: TimerHandle | null = null;
  private overdueActive = false;
  /** who has each running run now: the last person who started it or did a step */
  private readonly holder = new Map<number, { userId: string; name: string }>();

  constructor(private readonly d: RunEngineDeps) {
    // Runs that were going when the runtime stopped go on where they were.
    for (const id of d.runs.running()) this.arm(d.runs.get(id)!);
    if (d.overdue) this.scheduleOverdueCheck();
  }

  close(): void {
    if (this.overdueTimer !== null) this.d.clock.clearTimeout(this.overdueTimer);
    this.overdueTimer = null;
  }

  /** Whether any run now waits on a machine condition longer than its step allows. */
  anyOverdue(): boolean {
    const now = this.d.clock.now();
    for (const [runId, w] of this.watches) {
      const since = this.since.get(runId);
      if (since !== undefined && now - since > w.step.timeoutS * 1000) return true;
    }
    return false;
  }

  private scheduleOverdueCheck(): void {
    this.overdueTimer = this.d.clock.setTimeout(() => {
      const active = this.anyOverdue();
      if (active !== this.overdueActive) {
        this.overdueActive = active;
        this.d.overdue?.(active);
      }
      this.scheduleOverdueCheck();
    }, OVERDUE_CHECK_MS);
  }

  start(instructionId: string, caller: RunCaller, trigger: string): RunView {
    const version = this.d.versions.effective(instructionId);
    if (version === null) {
      const known = this.d.versions.versions(instructionId);
      throw new ApiError({
        code: known.length === 0 ? 'not_found' : 'refused',
        message: known.length === 0 ? `no instruction "${instructionId}"` : `${instructionId} has no effective version (only an approved and released version runs)`,
        context: { instructionId },
      });
    }
    const def = version.definition;
    if (def.roles.length > 0 && !def.roles.some((r) => caller.roles.includes(r))) {
      throw new ApiError({ code: 'forbidden', message: `${def.id} is run by ${def.roles.join(' or ')}; ${caller.name} is ${caller.roles.join(', ')}` });
    }
    const now = this.d.clock.now();
    const first = this.resolve(def, 0, []);
    const id = this.d.runs.create({
      instructionId: def.id,
      title: def.title,
      versionHash: version.info.hash,
      versionNumber: version.info.number,
      startedAt: now,
      startedBy: caller.userId,
      firstStep: first ?? def.steps[0].id,
      stepCount: def.steps.length,
      trigger,
    });
    this.d.audit({ ts: now, actor: caller.actor, action: 'instruction.start', target: def.id, newValue: { run: id, version: version.info.number, hash: version.info.hash }, detail: trigger });
    const run = this.d.runs.get(id)!;
    this.holder.set(id, { userId: caller.userId, name: caller.name });
    this.arm(run);
    this.evaluateWatch(id);
    return this.view(id);
  }

  view(runId: number): RunView {
    const run = this.d.runs.get(runId);
    if (!run) throw new ApiError({ code: 'not_found', message: `no run ${runId}`, context: { runId } });
    const def = this.definitionOf(run);
    const step = def.steps.find((s) => s.id === run.currentStepId) ?? null;
    const since = run.state === 'running' ? (this.since.get(runId) ?? run.startedAt) : null;
    let waiting: ConditionEvidence | null = null;
    let overdue = false;
    if (step?.kind === 'condition') {
      waiting = this.evidence(parseExpression(step.expression));
      overdue = since !== null && this.d.clock.now() - since > step.timeoutS * 1000;
    }
    return { run, steps: def.steps, currentSince: since, waiting, overdue };
  }

  list(f: RunFilter): RunSummary[] {
    return this.d.runs.list(f);
  }

  /** What completing this step needs signed (the access guard asks before the handler runs). */
  signatureRequirement(p: { runId: number; stepId: string; input: StepInput }): SignatureRequirement | null {
    const run = this.d.runs.get(p.runId);
    if (!run || run.state !== 'running' || run.currentStepId !== p.stepId) return null;
    const step = this.definitionOf(run).steps.find((s) => s.id === p.stepId);
    if (step?.kind === 'signature') {
      return {
        kind: step.signer === 'verification' ? 'verification' : 'signature',
        meaning: step.meaning,
        commentRequired: false,
        verifierRoles: step.signer === 'verification' ? [...step.roles] : [],
        rule: `step "${step.title}" of ${run.instructionId}`,
      };
    }
    if (step?.kind === 'measure' && step.outOfLimits === 'verify' && typeof p.input.value === 'number' && outOfLimits(step, p.input.value)) {
      return { kind: 'verification', meaning: 'verified', commentRequired: false, verifierRoles: [...step.verifierRoles], rule: `a ${step.title} out of its limits in ${run.instructionId}` };
    }
    return null;
  }

  async complete(runId: number, stepId: string, input: StepInput, caller: RunCaller): Promise<RunView> {
    const run = this.running(runId);
    if (run.currentStepId !== stepId) {
      throw new ApiError({ code: 'refused', message: `step "${stepId}" is not the step to do now (that is "${run.currentStepId}")`, context: { runId, stepId } });
    }
    const def = this.definitionOf(run);
    const index = def.steps.findIndex((s) => s.id === stepId);
    const step = def.steps[index];
    const now = this.d.clock.now();
    const result: StepResult = {
      stepId,
      userId: caller.userId,
      printedName: caller.name,
      startedAt: this.since.get(runId) ?? run.startedAt,
      doneAt: now,
      outcome: 'done',
      value: null,
      reason: (input.reason ?? '').trim(),
      evidence: null,
      signatureIds: caller.signatureId === null ? [] : [caller.signatureId],
    };
    await this.checkStep(step, input, caller, result);
    this.holder.set(runId, { userId: caller.userId, name: caller.name });
    result.doneAt = this.d.clock.now();
    this.commit(run, def, index, result);
    return this.view(runId);
  }

  abort(runId: number, reason: string, caller: RunCaller): RunView {
    const run = this.running(runId);
    const why = reason.trim();
    if (why.length < 3) throw new ApiError({ code: 'bad_request', message: 'give the reason for aborting (at least 3 characters)', context: { field: 'reason' } });
    const now = this.d.clock.now();
    this.d.runs.abort(runId, why, now, caller.userId);
    this.disarm(runId);
    this.holder.delete(runId);
    this.d.audit({ ts: now, actor: caller.actor, action: 'instruction.abort', target: run.instructionId, newValue: { run: runId, step: run.currentStepId }, detail: why });
    this.d.changed(runId);
    return this.view(runId);
  }

  /** Called with every tag batch: a run waiting on a condition those tags decide goes on when it holds. */
  onValues(batch: readonly TagValue[]): void {
    if (this.watches.size === 0) return;
    for (const [runId, w] of [...this.watches]) {
      if (batch.some((v) => w.tags.has(v.tagId))) this.evaluateWatch(runId);
    }
  }

  // ── steps ──────────────────────────────────────────────────────────────────────────────

  private async checkStep(step: InstructionStep, input: StepInput, caller: RunCaller, result: StepResult): Promise<void> {
    const bad = (message: string, field = 'value'): never => {
      throw new ApiError({ code: 'bad_request', message: `${step.title}: ${message}`, context: { stepId: step.id, field } });
    };
    switch (step.kind) {
      case 'read':
        return;
      case 'check':
        if (input.confirmed !== true) bad(`confirm "${step.confirm}"`, 'confirmed');
        result.value = true;
        return;
      case 'measure': {
        if (typeof input.value !== 'number' || !Number.isFinite(input.value)) return bad('enter the measured value as a number');
        result.value = input.value;
        if (!outOfLimits(step, input.value)) return;
        const limits = `${step.low ?? '−∞'} … ${step.high ?? '+∞'} ${step.unit}`.trim();
        if (step.outOfLimits === 'block') {
          throw new ApiError({ code: 'refused', message: `${step.title}: ${input.value} ${step.unit} is outside ${limits}; it must be within limits to go on`, context: { stepId: step.id } });
        }
        if (result.reason.length < 3) bad(`${input.value} ${step.unit} is outside ${limits}: give the reason`, 'reason');
        // verify: the verification was given with the call (the access guard checked it).
        result.outcome = 'outOfLimits';
        return;
      }
      case 'choice':
        if (typeof input.value !== 'string' || !step.options.includes(input.value)) return bad(`choose one of ${step.options.join(', ')}`);
        result.value = input.value;
        return;
      case 'text': {
        const text = typeof input.value === 'string' ? input.value.trim() : '';
        if (text === '') bad('type the text');
        if (text.length > step.maxLength) bad(`at most ${step.maxLength} characters`);
        if (step.pattern !== '' && !new RegExp(step.pattern).test(text)) bad(`"${text}" is not in the expected form${step.placeholder ? ` (${step.placeholder})` : ''}`);
        result.value = text;
        return;
      }
      case 'condition': {
        const evidence = this.evidence(parseExpression(step.expression));
        if (!evidence.met) throw new ApiError({ code: 'refused', message: `${step.title}: not yet — ${evidence.why}`, context: { stepId: step.id } });
        result.evidence = evidence;
        return;
      }
      case 'action': {
        const w = await this.d.write(step.tagId, step.value, caller.actor);
        if (!w.verified) throw new ApiError({ code: 'failed', message: `${step.title}: ${step.tagId} was written but reads back ${String(w.readBack)}, not ${String(step.value)}`, context: { stepId: step.id } });
        result.value = step.value;
        return;
      }
      case 'signature':
        if (step.signer === 'self' && step.roles.length > 0 && !step.roles.some((r) => caller.roles.includes(r))) {
          throw new ApiError({ code: 'forbidden', message: `${step.title} is signed by ${step.roles.join(' or ')}; ${caller.name} is ${caller.roles.join(', ')}`, context: { stepId: step.id } });
        }
        if (caller.signatureId === null) throw new ApiError({ code: 'signature_required', message: `${step.title} needs a signature`, context: { stepId: step.id } });
        return;
      case 'branch':
        // Branches are resolved when the run moves on; they are never the step to do.
        throw new ApiError({ code: 'internal', message: `branch step ${step.id} was current` });
    }
  }

  /** The index of the next step to do from `index` on, branches followed; null at the end. */
  private resolve(def: InstructionDefinition, index: number, results: readonly StepResult[]): string | null {
    let i = index;
    for (let hops = 0; hops <= def.steps.length; hops++) {
      const s = def.steps[i];
      if (s === undefined) return null;
      if (s.kind !== 'branch') return s.id;
      const captured = [...results].reverse().find((r) => r.stepId === s.on)?.value ?? null;
      const target = s.cases.find((c) => c.equals === captured)?.goto ?? s.otherwise;
      i = def.steps.findIndex((x) => x.id === target);
      if (i < 0) return null;
    }
    return null;
  }

  private commit(run: RunRecord, def: InstructionDefinition, index: number, result: StepResult): void {
    const results = [...run.results, result];
    const next = this.resolve(def, index + 1, results);
    this.d.runs.commitStep(run.id, result, next, result.doneAt);
    this.since.set(run.id, result.doneAt);
    this.d.audit({
      ts: result.doneAt,
      actor: { user: result.userId, station: '', signatureId: result.signatureIds[0] ?? null },
      action: 'instruction.step',
      target: run.instructionId,
      newValue: { run: run.id, step: result.stepId, outcome: result.outcome, value: result.value },
      detail: result.reason,
    });
    const after = this.d.runs.get(run.id)!;
    this.disarm(run.id);
    this.arm(after);
    this.d.changed(run.id);
    this.evaluateWatch(run.id);
  }

  // ── machine conditions ─────────────────────────────────────────────────────────────────

  private arm(run: RunRecord): void {
    if (run.state !== 'running' || run.currentStepId === null) return;
    if (!this.since.has(run.id)) this.since.set(run.id, run.results.at(-1)?.doneAt ?? run.startedAt);
    const step = this.definitionOf(run).steps.find((s) => s.id === run.currentStepId);
    if (step?.kind !== 'condition') return;
    const expr = parseExpression(step.expression);
    this.watches.set(run.id, { runId: run.id, step, expr, tags: new Set(tagsOf(expr)) });
  }

  private disarm(runId: number): void {
    this.watches.delete(runId);
  }

  private evaluateWatch(runId: number): void {
    const w = this.watches.get(runId);
    if (!w) return;
    const evidence = this.evidence(w.expr);
    if (!evidence.met) return;
    const run = this.d.runs.get(runId)!;
    const def = this.definitionOf(run);
    const index = def.steps.findIndex((s) => s.id === w.step.id);
    // The condition held: done by whoever has the run now (the last person who did a step).
    const last = run.results.at(-1);
    const holder = this.holder.get(runId) ?? (last ? { userId: last.userId, name: last.printedName } : { userId: run.startedBy, name: run.startedBy });
    const result: StepResult = {
      stepId: w.step.id,
      userId: holder.userId,
      printedName: holder.name,
      startedAt: this.since.get(runId) ?? run.startedAt,
      doneAt: evidence.at,
      outcome: 'done',
      value: null,
      reason: '',
      evidence,
      signatureIds: [],
    };
    this.commit(run, def, index, result);
  }

  private evidence(expr: Expr): ConditionEvidence {
    const now = this.d.clock.now();
    const values = tagsOf(expr).map((tagId) => {
      const v = this.d.read(tagId);
      return { tagId, value: v?.value ?? null, quality: v ? v.quality.level : 'none', sourceTs: v?.sourceTs ?? null };
    });
    const byTag = new Map(values.map((v) => [v.tagId, v]));
    const e = evaluate(expr, (id) => {
      const v = byTag.get(id);
      return v === undefined || v.quality === 'none' ? undefined : { value: v.value, good: v.quality === 'good' };
    });
    return { met: e.met, why: e.met ? null : e.why, values, at: now };
  }

  private running(runId: number): RunRecord {
    const run = this.d.runs.get(runId);
    if (!run) throw new ApiError({ code: 'not_found', message: `no run ${runId}`, context: { runId } });
    if (run.state !== 'running') throw new ApiError({ code: 'refused', message: `run ${runId} has ${run.state === 'completed' ? 'completed' : 'been aborted'}`, context: { runId } });
    return run;
  }

  private definitionOf(run: RunRecord): InstructionDefinition {
    const v = this.d.versions.get(run.versionHash);
    if (!v) throw new ApiError({ code: 'internal', message: `run ${run.id}: its version ${run.versionHash.slice(0, 12)} is missing` });
    return v.definition;
  }
}

function outOfLimits(step: MeasureStep, value: number): boolean {
  return (step.low !== null && value < step.low) || (step.high !== null && value > step.high);
}
