/**
 * One evaluator per alarm type: from the current input values to the raw process condition
 * (before on/off delays). Pure apart from each evaluator's own memory (rate window, stuck
 * window, rolling baseline); time comes in as an argument.
 *
 * Values that are not good never decide a process alarm: the evaluator answers HELD and the
 * engine keeps the alarm's state, marked as held. Only the bad-quality and communication-loss
 * alarms look at qualities themselves.
 */
import type {
  AlarmDefinition,
  AlarmDirection,
  AlarmTagCondition,
  BaselineAlarmDefinition,
  RateAlarmDefinition,
  StuckAlarmDefinition,
} from '../../shared/alarms';
import type { TagScalar, TagValue } from '../../shared/types';

/** The engine's latest input values, by tag id (and `device:<id>` for device communication). */
export interface InputValues {
  get(key: string): TagValue | undefined;
}

export const HELD = null;

export interface Evaluation {
  /** the raw condition, or HELD when the inputs are not good */
  raw: boolean | null;
  /** the value that decided it, for the journal */
  value: TagScalar | null;
  /** ask to be evaluated again at this time even without new values (time-based conditions) */
  recheckAt?: number;
}

export interface Evaluator {
  /** input keys whose changes this evaluator reads */
  readonly inputs: readonly string[];
  /** `current` is the condition the alarm holds now: the hysteresis (deadband) side */
  evaluate(values: InputValues, current: boolean, now: number): Evaluation;
}

export function deviceInputKey(deviceId: string): string {
  return `device:${deviceId}`;
}

const held = (value: TagScalar | null = null): Evaluation => ({ raw: HELD, value });

function goodNumber(v: TagValue | undefined): number | null {
  if (v === undefined || v.quality.level !== 'good' || typeof v.value !== 'number' || !Number.isFinite(v.value)) return null;
  return v.value;
}

/** "at or beyond the limit" raises; back inside by more than the deadband clears. */
function beyond(x: number, limit: number, deadband: number, current: boolean): boolean {
  return current ? x > limit - deadband : x >= limit;
}

function directional(signed: number, direction: AlarmDirection, limit: number, deadband: number, current: boolean): boolean {
  switch (direction) {
    case 'above':
      return beyond(signed, limit, deadband, current);
    case 'below':
      return beyond(-signed, limit, deadband, current);
    case 'both':
      return beyond(Math.abs(signed), limit, deadband, current);
  }
}

/** Equality across the scalar types: a bit read as 0/1 compares equal to false/true. */
export function scalarEquals(a: TagScalar, b: TagScalar): boolean {
  if (typeof a === typeof b) return a === b;
  if (typeof a === 'boolean' && typeof b === 'number') return a === (b !== 0);
  if (typeof a === 'number' && typeof b === 'boolean') return (a !== 0) === b;
  return false;
}

/** A tag condition: true / false, or null when its tag's value is not good (unknown). */
export function testCondition(c: AlarmTagCondition, values: InputValues): boolean | null {
  const v = values.get(c.tag);
  if (v === undefined || v.quality.level !== 'good' || v.value === null) return null;
  const x = v.value;
  if ('equals' in c) return scalarEquals(x, c.equals);
  if ('notEquals' in c) return !scalarEquals(x, c.notEquals);
  if ('in' in c) return c.in.some((y) => scalarEquals(x, y));
  if (typeof x !== 'number') return null;
  if ('above' in c) return x > c.above;
  return x < c.below;
}

class LimitEvaluator implements Evaluator {
  readonly inputs: string[];
  private readonly sign: 1 | -1;
  constructor(
    private readonly tag: string,
    private readonly limit: number,
    private readonly deadband: number,
    high: boolean,
  ) {
    this.inputs = [tag];
    this.sign = high ? 1 : -1;
  }
  evaluate(values: InputValues, current: boolean): Evaluation {
    const x = goodNumber(values.get(this.tag));
    if (x === null) return held(values.get(this.tag)?.value ?? null);
    return { raw: beyond(this.sign * x, this.sign * this.limit, this.deadband, current), value: x };
  }
}

class DeviationEvaluator implements Evaluator {
  readonly inputs: string[];
  constructor(private readonly d: Extract<AlarmDefinition, { type: 'deviation' }>) {
    this.inputs = [d.tag, d.setpointTag];
  }
  evaluate(values: InputValues, current: boolean): Evaluation {
    const x = goodNumber(values.get(this.d.tag));
    const sp = goodNumber(values.get(this.d.setpointTag));
    if (x === null || sp === null) return held(values.get(this.d.tag)?.value ?? null);
    return { raw: directional(x - sp, this.d.direction, this.d.limit, this.d.deadband, current), value: x };
  }
}

/**
 * Rate of change over a sliding window of samples (by their source time), so one noisy sample
 * cannot raise it. Until the window is half covered there is no verdict: the condition stays.
 */
export class RateEvaluator implements Evaluator {
  static readonly CAPACITY = 512;
  readonly inputs: string[];
  private readonly t = new Float64Array(RateEvaluator.CAPACITY);
  private readonly v = new Float64Array(RateEvaluator.CAPACITY);
  private head = 0;
  private size = 0;
  private readonly windowMs: number;
  constructor(private readonly d: RateAlarmDefinition) {
    this.inputs = [d.tag];
    this.windowMs = d.windowS * 1000;
  }
  evaluate(values: InputValues, current: boolean): Evaluation {
    const tv = values.get(this.d.tag);
    const x = goodNumber(tv);
    if (x === null || tv === undefined) {
      this.size = 0; // a rate across a gap in good data would be made up
      return held(tv?.value ?? null);
    }
    const t = tv.sourceTs;
    const cap = RateEvaluator.CAPACITY;
    const last = (this.head + this.size - 1) % cap;
    if (this.size > 0 && t <= this.t[last]) {
      if (t < this.t[last]) this.size = 0; // the source clock went back: start over
      else return { raw: current, value: x };
    }
    if (this.size === cap) {
      this.head = (this.head + 1) % cap;
      this.size--;
    }
    const at = (this.head + this.size) % cap;
    this.t[at] = t;
    this.v[at] = x;
    this.size++;
    // drop samples older than the window, keeping one at or before its start
    while (this.size > 2 && this.t[(this.head + 1) % cap] <= t - this.windowMs) {
      this.head = (this.head + 1) % cap;
      this.size--;
    }
    const span = t - this.t[this.head];
    if (this.size < 2 || span < this.windowMs / 2) return { raw: current, value: x };
    const ratePerS = ((x - this.v[this.head]) / span) * 1000;
    return { raw: directional(ratePerS, this.d.direction, this.d.limitPerS, this.d.deadband, current), value: x };
  }
}

class DiscreteEvaluator implements Evaluator {
  readonly inputs: string[];
  constructor(private readonly d: Extract<AlarmDefinition, { type: 'discrete' }>) {
    this.inputs = [d.tag];
  }
  evaluate(values: InputValues): Evaluation {
    const v = values.get(this.d.tag);
    if (v === undefined || v.quality.level !== 'good' || v.value === null) return held(v?.value ?? null);
    const x = v.value;
    const d = this.d;
    if (d.bit !== undefined) {
      if (typeof x !== 'number' && typeof x !== 'boolean') return held(x);
      const n = Math.trunc(Number(x));
      return { raw: Math.floor(Math.abs(n) / 2 ** d.bit) % 2 === 1, value: x };
    }
    if (d.equals !== undefined) return { raw: scalarEquals(x, d.equals), value: x };
    if (d.notEquals !== undefined) return { raw: !scalarEquals(x, d.notEquals), value: x };
    return held(x);
  }
}

class BadQualityEvaluator implements Evaluator {
  readonly inputs: string[];
  constructor(
    private readonly tag: string,
    private readonly includeUncertain: boolean,
  ) {
    this.inputs = [tag];
  }
  evaluate(values: InputValues): Evaluation {
    const v = values.get(this.tag);
    if (v === undefined) return { raw: false, value: null };
    const level = v.quality.level;
    return { raw: level === 'bad' || (this.includeUncertain && level === 'uncertain'), value: v.quality.reason };
  }
}

class CommLossEvaluator implements Evaluator {
  readonly inputs: string[];
  constructor(deviceId: string) {
    this.inputs = [deviceInputKey(deviceId)];
  }
  evaluate(values: InputValues): Evaluation {
    const v = values.get(this.inputs[0]);
    if (v === undefined || typeof v.value !== 'boolean') return { raw: false, value: null };
    return { raw: !v.value, value: v.value ? 'communicating' : 'no communication' };
  }
}

/**
 * Stuck sensor: while the machine runs, a live sensor moves more than its noise band (peak to
 * peak) within `forS`. Raised when it has not; cleared as soon as it moves. Time standing
 * still while the machine does not run does not count (a cold machine may well read steady).
 */
export class StuckEvaluator implements Evaluator {
  readonly inputs: string[];
  private min = NaN;
  private max = NaN;
  /** since when the value has stayed within the band with the machine running; null: not counting */
  private since: number | null = null;
  private readonly forMs: number;
  constructor(private readonly d: StuckAlarmDefinition) {
    this.inputs = d.runningWhen ? [d.tag, d.runningWhen.tag] : [d.tag];
    this.forMs = d.forS * 1000;
  }
  evaluate(values: InputValues, current: boolean, now: number): Evaluation {
    const x = goodNumber(values.get(this.d.tag));
    if (x === null) {
      this.min = this.max = NaN;
      this.since = null;
      return held(values.get(this.d.tag)?.value ?? null);
    }
    const running = this.d.runningWhen ? testCondition(this.d.runningWhen, values) === true : true;
    if (Number.isNaN(this.min)) {
      this.min = this.max = x;
    } else {
      if (x < this.min) this.min = x;
      if (x > this.max) this.max = x;
    }
    if (this.max - this.min > this.d.band) {
      // it moved: alive. Start a new window from here.
      this.min = this.max = x;
      this.since = running ? now : null;
      return { raw: false, value: x };
    }
    if (!running) {
      this.since = null;
      return { raw: current, value: x };
    }
    this.since ??= now;
    if (now - this.since >= this.forMs) return { raw: true, value: x };
    return { raw: current, value: x, recheckAt: this.since + this.forMs };
  }
}

export interface LearnedBaseline {
  /** the machine state the baseline belongs to (the state tag's value, as text; "2@130" with a context) */
  state: string;
  mean: number;
  learnedMs: number;
}

/**
 * Baseline anomaly: per machine state, a rolling baseline (exponential average with time
 * constant tauS) of the value; the value, smoothed over smoothS, deviating more than `percent`
 * of the baseline is abnormal. The baseline learns only while the alarm is normal, so an anomaly
 * is never learnt as the new normal while it lasts; it does not alarm until it has learned
 * `learnS` in that state, nor for `settleS` after the state changes (start-up transients).
 */
export class BaselineEvaluator implements Evaluator {
  readonly inputs: string[];
  private readonly baselines = new Map<string, { mean: number; learnedMs: number }>();
  private stateKey: string | null = null;
  private stateSince = 0;
  private smoothed = NaN;
  private lastAt = 0;
  private readonly states: Set<string> | null;
  constructor(private readonly d: BaselineAlarmDefinition) {
    this.inputs = d.contextTag !== undefined ? [d.tag, d.stateTag, d.contextTag] : [d.tag, d.stateTag];
    this.states = d.states ? new Set(d.states.map((s) => stateKeyOf(s))) : null;
  }

  evaluate(values: InputValues, current: boolean, now: number): Evaluation {
    const x = goodNumber(values.get(this.d.tag));
    const s = values.get(this.d.stateTag);
    if (x === null || s === undefined || s.quality.level !== 'good' || s.value === null) {
      this.stateKey = null; // resume with a fresh settle time once the inputs are good again
      return held(values.get(this.d.tag)?.value ?? null);
    }
    const stateKey = stateKeyOf(s.value);
    let key = stateKey;
    if (this.d.contextTag !== undefined && this.d.contextStep !== undefined) {
      const c = goodNumber(values.get(this.d.contextTag));
      if (c === null) {
        this.stateKey = null;
        return held(values.get(this.d.tag)?.value ?? null);
      }
      // one baseline per operating point: the state and the context rounded to its step
      key = `${stateKey}@${Math.round(c / this.d.contextStep) * this.d.contextStep}`;
    }
    if (key !== this.stateKey) {
      this.stateKey = key;
      this.stateSince = now;
      this.smoothed = x;
      this.lastAt = now;
    }
    const dt = Math.max(0, now - this.lastAt);
    this.lastAt = now;
    this.smoothed += (x - this.smoothed) * (1 - Math.exp(-dt / (this.d.smoothS * 1000)));
    if (this.states !== null && !this.states.has(stateKey)) return { raw: false, value: x };
    const settleEnd = this.stateSince + this.d.settleS * 1000;
    if (now < settleEnd) return { raw: false, value: x, recheckAt: settleEnd };

    let b = this.baselines.get(key);
    if (b === undefined) {
      b = { mean: this.smoothed, learnedMs: 0 };
      this.baselines.set(key, b);
    }
    let raw = false;
    if (b.learnedMs >= this.d.learnS * 1000 && b.mean !== 0) {
      const deviationPercent = ((this.smoothed - b.mean) / Math.abs(b.mean)) * 100;
      raw = directional(deviationPercent, this.d.direction, this.d.percent, this.d.deadband, current);
    }
    if (!raw && !current) {
      b.mean += (this.smoothed - b.mean) * (1 - Math.exp(-dt / (this.d.tauS * 1000)));
      b.learnedMs += dt;
    }
    return { raw, value: x };
  }

  learned(): LearnedBaseline[] {
    return [...this.baselines].map(([state, b]) => ({ state, mean: b.mean, learnedMs: b.learnedMs }));
  }

  restore(learned: readonly LearnedBaseline[]): void {
    for (const l of learned) {
      if (Number.isFinite(l.mean) && Number.isFinite(l.learnedMs) && l.learnedMs >= 0) this.baselines.set(l.state, { mean: l.mean, learnedMs: l.learnedMs });
    }
  }

  /** the baseline in force for the current state, for display and tests */
  current(): { state: string; mean: number; learnedMs: number } | null {
    if (this.stateKey === null) return null;
    const b = this.baselines.get(this.stateKey);
    return b ? { state: this.stateKey, ...b } : null;
  }
}

function stateKeyOf(v: TagScalar): string {
  return typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
}

export function createEvaluator(d: AlarmDefinition): Evaluator {
  switch (d.type) {
    case 'high':
    case 'highHigh':
      return new LimitEvaluator(d.tag, d.limit, d.deadband, true);
    case 'low':
    case 'lowLow':
      return new LimitEvaluator(d.tag, d.limit, d.deadband, false);
    case 'deviation':
      return new DeviationEvaluator(d);
    case 'rateOfChange':
      return new RateEvaluator(d);
    case 'discrete':
      return new DiscreteEvaluator(d);
    case 'badQuality':
      return new BadQualityEvaluator(d.tag, d.includeUncertain);
    case 'commLoss':
      return new CommLossEvaluator(d.device);
    case 'stuck':
      return new StuckEvaluator(d);
    case 'baseline':
      return new BaselineEvaluator(d);
  }
}
