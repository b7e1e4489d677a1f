/**
 * OEE after ISO 22400-2 over a time range, from the recorded state intervals, downtime events
 * and counts (pure: the same history gives the same figures, before and after a restart).
 *
 *   planned time  PT  = range − off − unknown
 *   planned busy  PBT = PT − planned downtime (planned-class states, stops with a planned reason)
 *   production    APT = running + minor stops          (minor stops are a performance loss)
 *   availability  A   = APT / PBT
 *   performance   P   = Σ (count × ideal cycle time of its product) / APT
 *   quality       Q   = good / total
 *   OEE               = A × P × Q
 *
 * Losses (ms): breakdown, setup, … by the stop's reason; unassigned: unplanned downtime without
 * reason; reduced speed = APT − minor stops − Σ total × ideal cycle; startup rejects (within
 * startupRejectMs after a stop ends) and process defects as reject × ideal cycle. MTBF = APT /
 * failures, MTTR = Σ failure duration / failures, failures = stops of loss class breakdown.
 */
import type { KpiFigures, LossClass, ParetoEntry, RecordedState, StateClass } from '../../shared/production';
import { combinePareto, paretoParts } from './kpi-summary';

export interface KpiInterval {
  start: number;
  /** already closed or clipped to now */
  end: number;
  state: RecordedState;
  cls: StateClass;
}

export interface KpiEvent {
  start: number;
  end: number;
  minor: boolean;
  /** the reason's category; null without reason */
  category: 'planned' | 'unplanned' | null;
  lossClass: LossClass | null;
  reasonCode: string | null;
  reasonName: string | null;
}

/** Counts of one minute (or one change): when, which product, how many. */
export interface KpiCount {
  t: number;
  product: string | null;
  total: number;
  good: number;
  reject: number;
}

export interface KpiInput {
  /** sorted by start, not overlapping */
  intervals: readonly KpiInterval[];
  /** sorted by start, not overlapping */
  events: readonly KpiEvent[];
  /** sorted by t */
  counts: readonly KpiCount[];
  idealCycleMs: (product: string | null) => number | null;
  startupRejectMs: number;
  /** the product for the target (the one being made) */
  targetProduct?: string | null;
}

const overlap = (a0: number, a1: number, b0: number, b1: number) => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

/** The first index whose `end` (or t) is after `t`: where a range starting at t begins. */
function firstEndingAfter<T>(xs: readonly T[], t: number, endOf: (x: T) => number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (endOf(xs[mid]) > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const emptyLosses = (): KpiFigures['losses'] => ({ breakdown: 0, setup: 0, minorStop: 0, reducedSpeed: 0, startupReject: 0, processDefect: 0, unassigned: 0 });

/**
 * The additive part of the figures over [from, to): times, losses, counts, stops. Sums of
 * adjacent ranges add up to the sums over their union (kpi-summary.ts keeps them per closed
 * shift); the ratios come from them in figuresOf.
 */
export interface KpiSums {
  time: Record<StateClass, number>;
  plannedByReasonMs: number;
  minorMs: number;
  /** losses by the stops' reasons, before the minor stops and reduced speed are added */
  losses: KpiFigures['losses'];
  failureMs: number;
  stops: number;
  failures: number;
  total: number;
  good: number;
  reject: number;
  /** Σ count × ideal cycle time of its product */
  idealTimeMs: number;
  /** the last product counted in the range (the target's product when none is given) */
  lastProduct: string | null;
}

export function computeKpis(input: KpiInput, from: number, to: number, label = ''): KpiFigures {
  const sums = kpiSums(input, from, to);
  return figuresOf(sums, from, to, label, input.idealCycleMs(input.targetProduct ?? sums.lastProduct) ?? null);
}

export function kpiSums(input: KpiInput, from: number, to: number): KpiSums {
  const time: Record<StateClass, number> = { run: 0, down: 0, planned: 0, off: 0, unknown: 0 };
  const { intervals, events } = input;
  const i0 = firstEndingAfter(intervals, from, (x) => x.end);
  let covered = 0;
  for (let i = i0; i < intervals.length && intervals[i].start < to; i++) {
    const iv = intervals[i];
    const d = overlap(iv.start, iv.end, from, to);
    time[iv.cls] += d;
    covered += d;
  }
  // time no interval covers (before the first record, gaps) is not known
  time.unknown += to - from - covered;

  const losses = emptyLosses();
  let plannedByReason = 0;
  let minorMs = 0;
  let stops = 0;
  let failures = 0;
  let failureMs = 0;
  // the unplanned down time of each event: its overlap with down-class intervals in the range
  let j = i0;
  const e0 = firstEndingAfter(events, from, (x) => x.end);
  for (let k = e0; k < events.length && events[k].start < to; k++) {
    const e = events[k];
    const a = Math.max(e.start, from);
    const b = Math.min(e.end, to);
    if (b <= a) continue;
    while (j < intervals.length && intervals[j].end <= a) j++;
    let down = 0;
    for (let i = j; i < intervals.length && intervals[i].start < b; i++) {
      if (intervals[i].cls === 'down') down += overlap(intervals[i].start, intervals[i].end, a, b);
    }
    const startsHere = e.start >= from;
    if (e.category === 'planned') {
      plannedByReason += down;
      continue;
    }
    if (startsHere) stops++;
    if (e.minor) {
      minorMs += down;
      continue;
    }
    if (e.lossClass === null) losses.unassigned += down;
    else losses[e.lossClass] += down;
    if (e.lossClass === 'breakdown') {
      failureMs += down;
      if (startsHere) failures++;
    }
  }

  let total = 0;
  let good = 0;
  let reject = 0;
  let idealTimeMs = 0;
  let lastProduct: string | null = null;
  const c0 = firstEndingAfter(input.counts, from - 1, (x) => x.t);
  for (let i = c0; i < input.counts.length && input.counts[i].t < to; i++) {
    const c = input.counts[i];
    const ict = input.idealCycleMs(c.product) ?? 0;
    total += c.total;
    good += c.good;
    reject += c.reject;
    idealTimeMs += c.total * ict;
    if (c.product !== null) lastProduct = c.product;
    if (c.reject > 0) {
      // startup rejects: in the first minutes after a stop ended
      const prev = lastEndedBefore(events, c.t + 1);
      const rejectMs = c.reject * ict;
      if (prev !== null && c.t - prev.end < input.startupRejectMs && !prev.minor) losses.startupReject += rejectMs;
      else losses.processDefect += rejectMs;
    }
  }
  return { time, plannedByReasonMs: plannedByReason, minorMs, losses, failureMs, stops, failures, total, good, reject, idealTimeMs, lastProduct };
}

/** The sums of adjacent ranges, in order, as the sums over their union. */
export function addSums(parts: readonly KpiSums[]): KpiSums {
  const out: KpiSums = { time: { run: 0, down: 0, planned: 0, off: 0, unknown: 0 }, plannedByReasonMs: 0, minorMs: 0, losses: emptyLosses(), failureMs: 0, stops: 0, failures: 0, total: 0, good: 0, reject: 0, idealTimeMs: 0, lastProduct: null };
  for (const p of parts) {
    for (const k of Object.keys(out.time) as StateClass[]) out.time[k] += p.time[k];
    for (const k of Object.keys(out.losses) as (keyof KpiFigures['losses'])[]) out.losses[k] += p.losses[k];
    out.plannedByReasonMs += p.plannedByReasonMs;
    out.minorMs += p.minorMs;
    out.failureMs += p.failureMs;
    out.stops += p.stops;
    out.failures += p.failures;
    out.total += p.total;
    out.good += p.good;
    out.reject += p.reject;
    out.idealTimeMs += p.idealTimeMs;
    if (p.lastProduct !== null) out.lastProduct = p.lastProduct;
  }
  return out;
}

/** The figures of a range from its sums; `targetIct`: the ideal cycle of the target's product. */
export function figuresOf(s: KpiSums, from: number, to: number, label: string, targetIct: number | null): KpiFigures {
  const { time, minorMs, failures } = s;
  const losses = { ...s.losses };
  const downMs = time.down - s.plannedByReasonMs - minorMs;
  // unplanned downtime that no event covers (e.g. idle before the first run) has no reason
  losses.unassigned += downMs - (losses.breakdown + losses.setup + losses.minorStop + losses.reducedSpeed + losses.unassigned);
  const plannedDowntimeMs = time.planned + s.plannedByReasonMs;
  const plannedMs = to - from - time.off - time.unknown;
  const plannedBusyMs = plannedMs - plannedDowntimeMs;
  const runMs = time.run + minorMs;
  losses.minorStop += minorMs;
  losses.reducedSpeed = runMs - minorMs - s.idealTimeMs;

  const availability = plannedBusyMs > 0 ? runMs / plannedBusyMs : null;
  const performance = runMs > 0 ? s.idealTimeMs / runMs : null;
  const quality = s.total > 0 ? s.good / s.total : null;
  return {
    from,
    to,
    label,
    plannedMs,
    plannedDowntimeMs,
    plannedBusyMs,
    runMs,
    downMs,
    minorStopMs: minorMs,
    offMs: time.off,
    unknownMs: time.unknown,
    total: s.total,
    good: s.good,
    reject: s.reject,
    idealCount: targetIct ? Math.floor(runMs / targetIct) : 0,
    targetCount: targetIct ? Math.floor(plannedBusyMs / targetIct) : 0,
    availability,
    performance,
    quality,
    oee: availability !== null && performance !== null && quality !== null ? availability * performance * quality : null,
    losses,
    stops: s.stops,
    failures,
    mtbfMs: failures > 0 ? runMs / failures : null,
    mttrMs: failures > 0 ? s.failureMs / failures : null,
  };
}

function lastEndedBefore(events: readonly KpiEvent[], t: number): KpiEvent | null {
  // events are sorted and do not overlap, so their ends are sorted too
  const i = firstEndingAfter(events, t - 1, (x) => x.end) - 1;
  return i >= 0 ? events[i] : null;
}

/** Top downtime reasons by duration in [from, to) (unplanned; minor stops as one entry). */
export function pareto(events: readonly KpiEvent[], from: number, to: number): ParetoEntry[] {
  return combinePareto([paretoParts(events, from, to)]);
}
