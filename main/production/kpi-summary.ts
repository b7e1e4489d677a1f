/**
 * A closed bucket's KPIs kept as a summary row (production-store.ts, `production_kpi_summary`):
 * its additive sums (kpi-calculator.ts KpiSums) and the parts of its downtime Pareto. Summaries
 * of adjacent buckets combine into exactly the figures computed over their union: times, counts
 * and losses add; stops and failures count where they start; a Pareto entry counts each stop
 * once, where it starts, plus those already running when the first bucket begins.
 */
import type { LossClass, ParetoEntry } from '../../shared/production';
import type { KpiEvent, KpiSums } from './kpi-calculator';

export interface ParetoPart {
  /** the reason code; `\u0000minor` for the minor stops together, `\u0000none` without reason */
  key: string;
  reasonCode: string | null;
  name: string;
  lossClass: LossClass | null;
  /** stops starting within the bucket */
  startsIn: number;
  /** stops already running when the bucket begins */
  runningIn: number;
  durationMs: number;
}

export interface KpiSummary {
  sums: KpiSums;
  pareto: ParetoPart[];
}

const overlap = (a0: number, a1: number, b0: number, b1: number) => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

/** The Pareto parts of [from, to): unplanned stops overlapping it, by reason. */
export function paretoParts(events: readonly KpiEvent[], from: number, to: number): ParetoPart[] {
  const by = new Map<string, ParetoPart>();
  for (const e of events) {
    if (e.start >= to || e.end <= from || e.category === 'planned') continue;
    const key = e.minor ? '\u0000minor' : (e.reasonCode ?? '\u0000none');
    let p = by.get(key);
    if (!p) {
      p = e.minor
        ? { key, reasonCode: 'minor', name: 'Minor stops', lossClass: 'minorStop', startsIn: 0, runningIn: 0, durationMs: 0 }
        : { key, reasonCode: e.reasonCode, name: e.reasonName ?? 'No reason yet', lossClass: e.lossClass, startsIn: 0, runningIn: 0, durationMs: 0 };
      by.set(key, p);
    }
    if (e.start >= from) p.startsIn++;
    else p.runningIn++;
    p.durationMs += overlap(e.start, e.end, from, to);
  }
  return [...by.values()];
}

/** The Pareto of adjacent buckets (in order), biggest downtime first, with the cumulative share. */
export function combinePareto(buckets: readonly (readonly ParetoPart[])[]): ParetoEntry[] {
  const by = new Map<string, ParetoEntry>();
  let sum = 0;
  buckets.forEach((parts, i) => {
    for (const p of parts) {
      let e = by.get(p.key);
      if (!e) by.set(p.key, (e = { reasonCode: p.reasonCode, name: p.name, lossClass: p.lossClass, count: 0, durationMs: 0, cumulative: 0 }));
      e.count += p.startsIn + (i === 0 ? p.runningIn : 0);
      e.durationMs += p.durationMs;
      sum += p.durationMs;
    }
  });
  const out = [...by.values()].sort((a, b) => b.durationMs - a.durationMs || b.count - a.count);
  let acc = 0;
  for (const p of out) {
    acc += p.durationMs;
    p.cumulative = sum > 0 ? acc / sum : 0;
  }
  return out;
}
