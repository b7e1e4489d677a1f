/**
 * Range queries: several tags × a time range × a target number of buckets → per bucket min,
 * max, first, last and time-weighted average of the value in force, from raw samples, 1-minute
 * or 1-hour rollups. Both paths compute the same statistics (rollup.ts defines them), so a
 * query answered from rollups equals the same query over raw samples at that bucket size.
 *
 * Choosing the source ('auto'), so that a query reads a bounded number of rows whatever its
 * range: raw samples when the range holds at most `rawBudget` samples over all its tags
 * (counted from the 1-hour rollups, so the raw data is not touched to find out), else 1-minute
 * rollups when they come to at most `rollupBudget` rows over all tags, else 1-hour rollups. A
 * rollup source rounds the bucket up to a multiple of its width, so a long range may come back
 * with fewer buckets than asked for; it never scans raw samples.
 */
import type { HistoryBuckets, HistoryBucketSeries, HistoryResolution, HistorySeries } from '../../shared/api';
import type { SqliteDatabase } from './database';
import { forceValue, rowFromTuple, ROLLUP_COLUMNS, ROLLUP_LEVELS, type RollupRow, type RollupRowTuple } from './rollup';
import { isGoodNumeric, type SampleColumns } from './samples';
import { SampleStore } from './sample-store';

export interface QueryBudgets {
  /** raw samples (all tags of a query) up to which a bucket query reads raw data */
  rawBudget: number;
  /** 1-minute rows (all tags of a query) up to which a bucket query reads 1-minute rollups */
  rollupBudget: number;
}

/**
 * Sized for ≤ ~50 ms per query on the UI's thread: a raw sample costs ~0.1 µs from a chunk and
 * ~0.4 µs from a hot row, a rollup row ~1.4 µs (better-sqlite3, 2-core machine).
 */
export const defaultBudgets: QueryBudgets = { rawBudget: 160_000, rollupBudget: 30_000 };

export interface TagRef {
  id: number;
  name: string;
}

/** Per-bucket accumulators for one tag (NaN = nothing yet). */
class BucketStats {
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly first: Float64Array;
  readonly last: Float64Array;
  readonly twaSum: Float64Array;
  readonly twaMs: Float64Array;

  constructor(n: number) {
    this.min = new Float64Array(n).fill(NaN);
    this.max = new Float64Array(n).fill(NaN);
    this.first = new Float64Array(n).fill(NaN);
    this.last = new Float64Array(n).fill(NaN);
    this.twaSum = new Float64Array(n);
    this.twaMs = new Float64Array(n);
  }

  inForce(i: number, v: number): void {
    if (!(v >= this.min[i])) this.min[i] = v;
    if (!(v <= this.max[i])) this.max[i] = v;
    if (Number.isNaN(this.first[i])) this.first[i] = v;
    this.last[i] = v;
  }

  segment(i: number, v: number, dt: number): void {
    this.twaSum[i] += v * dt;
    this.twaMs[i] += dt;
  }

  row(i: number, r: RollupRow): void {
    if (r.min !== null && !(r.min >= this.min[i])) this.min[i] = r.min;
    if (r.max !== null && !(r.max <= this.max[i])) this.max[i] = r.max;
    if (r.first !== null && Number.isNaN(this.first[i])) this.first[i] = r.first;
    if (r.last !== null) this.last[i] = r.last;
    this.twaSum[i] += r.twaSum;
    this.twaMs[i] += r.twaMs;
  }

  series(tagId: string): HistoryBucketSeries {
    const n = this.min.length;
    const out: HistoryBucketSeries = { tagId, min: new Array(n), max: new Array(n), first: new Array(n), last: new Array(n), avg: new Array(n) };
    const orNull = (x: number) => (Number.isNaN(x) ? null : x);
    for (let i = 0; i < n; i++) {
      out.min[i] = orNull(this.min[i]);
      out.max[i] = orNull(this.max[i]);
      out.first[i] = orNull(this.first[i]);
      out.last[i] = orNull(this.last[i]);
      out.avg[i] = this.twaMs[i] > 0 ? this.twaSum[i] / this.twaMs[i] : orNull(this.last[i]);
    }
    return out;
  }
}

/** Bucket geometry: bucket i covers [start + i·width, start + (i+1)·width), the last one up to `end`. */
interface Grid {
  start: number;
  width: number;
  count: number;
}

function indexOf(g: Grid, t: number): number {
  const i = Math.floor((t - g.start) / g.width);
  return i < 0 ? 0 : i >= g.count ? g.count - 1 : i;
}

/** Adds the value `v` in force over [a, b) to the buckets it covers. */
function spread(stats: BucketStats, g: Grid, a: number, b: number, v: number | null): void {
  if (v === null || !(b > a)) return;
  let i = indexOf(g, a);
  while (a < b) {
    const e = i >= g.count - 1 ? Infinity : g.start + (i + 1) * g.width;
    const segEnd = Math.min(b, e);
    stats.inForce(i, v);
    stats.segment(i, v, segEnd - a);
    a = segEnd;
    i++;
  }
}

/** Raw samples (sorted, within the grid) → bucket statistics, the value before them carried in. */
export function bucketsFromSamples(stats: BucketStats, g: Grid, samples: SampleColumns, before: SampleColumns, end: number): void {
  let inForce = before.length > 0 ? forceValue(before, 0) : null;
  let c = g.start;
  for (let k = 0; k < samples.length; k++) {
    const ts = samples.ts[k];
    spread(stats, g, c, Math.min(ts, end), inForce);
    if (ts > c) c = ts;
    const v = isGoodNumeric(samples, k) ? samples.num[k] : null;
    if (v !== null) stats.inForce(indexOf(g, ts), v);
    inForce = v;
  }
  spread(stats, g, c, end, inForce);
}

export class HistoryReader {
  readonly store: SampleStore;
  private readonly rows;
  private readonly prior;
  private readonly latest;
  private readonly count1h;

  constructor(
    db: SqliteDatabase,
    private readonly budgets: QueryBudgets = defaultBudgets,
  ) {
    this.store = new SampleStore(db);
    this.rows = ROLLUP_LEVELS.map((l) => db.prepare(`SELECT ${ROLLUP_COLUMNS} FROM ${l.table} WHERE tag = ? AND t >= ? AND t < ? ORDER BY t`).raw(true));
    this.prior = ROLLUP_LEVELS.map((l) => db.prepare(`SELECT ${ROLLUP_COLUMNS} FROM ${l.table} WHERE tag = ? AND t < ? ORDER BY t DESC LIMIT 1`).raw(true));
    this.latest = ROLLUP_LEVELS.map((l) => db.prepare(`SELECT MAX(t) FROM ${l.table} WHERE tag = ?`).pluck());
    this.count1h = db.prepare('SELECT COALESCE(SUM(n), 0) FROM rollup_1h WHERE tag = ? AND t >= ? AND t < ?').pluck();
  }

  /** Samples of a tag in [from, to], counted from the 1-hour rollups (an upper bound). */
  estimateSamples(tag: number, from: number, to: number): number {
    const hour = ROLLUP_LEVELS[1].widthMs;
    return this.count1h.get(tag, Math.floor(from / hour) * hour, to) as number;
  }

  chooseResolution(tags: readonly TagRef[], from: number, to: number): HistoryResolution {
    let samples = 0;
    for (const t of tags) samples += this.estimateSamples(t.id, from, to);
    if (samples <= this.budgets.rawBudget) return 'raw';
    if ((tags.length * (to - from)) / ROLLUP_LEVELS[0].widthMs <= this.budgets.rollupBudget) return '1m';
    return '1h';
  }

  /**
   * Buckets over [from, to). `now` bounds how long the last value counts as in force (never
   * into the future).
   */
  buckets(tags: readonly TagRef[], from: number, to: number, buckets: number, resolution: HistoryResolution | 'auto', now: number): HistoryBuckets {
    const res = resolution === 'auto' ? this.chooseResolution(tags, from, to) : resolution;
    if (res === 'raw') {
      const width = Math.max(1, Math.ceil((to - from) / buckets));
      const g: Grid = { start: from, width, count: Math.max(1, Math.ceil((to - from) / width)) };
      const end = Math.min(to, now);
      const series = tags.map((tag) => {
        const stats = new BucketStats(g.count);
        // Buckets are half-open, [from, to): a sample at `to` belongs to the next range.
        const { samples, before } = this.store.readRange(tag.id, from, to - 1, false);
        bucketsFromSamples(stats, g, samples, before, end);
        return stats.series(tag.name);
      });
      return { from, to, resolution: 'raw', bucketMs: width, t: gridTimes(g), series };
    }
    const level = res === '1m' ? 0 : 1;
    const w = ROLLUP_LEVELS[level].widthMs;
    let width = Math.max(w, Math.ceil((to - from) / buckets / w) * w);
    let start = Math.floor(from / width) * width;
    while (Math.ceil((to - start) / width) > buckets) {
      width += w;
      start = Math.floor(from / width) * width;
    }
    const g: Grid = { start, width, count: Math.max(1, Math.ceil((to - start) / width)) };
    const gridEnd = start + g.count * width;
    const end = Math.min(gridEnd, now);
    const series = tags.map((tag) => {
      const stats = new BucketStats(g.count);
      this.bucketsFromRollups(stats, g, level, tag.id, end);
      return stats.series(tag.name);
    });
    return { from, to, resolution: res, bucketMs: width, t: gridTimes(g), series };
  }

  private bucketsFromRollups(stats: BucketStats, g: Grid, level: number, tag: number, end: number): void {
    const w = ROLLUP_LEVELS[level].widthMs;
    const gridEnd = g.start + g.count * g.width;
    const prior = this.prior[level].get(tag, g.start) as RollupRowTuple | undefined;
    const latest = this.latest[level].get(tag) as number | null;
    let inForce = prior ? prior[7] : null;
    let c = g.start;
    for (const tuple of this.rows[level].iterate(tag, g.start, gridEnd) as Iterable<RollupRowTuple>) {
      const r = rowFromTuple(tuple);
      spread(stats, g, c, Math.min(r.t, end), inForce);
      const i = indexOf(g, r.t);
      stats.row(i, r);
      c = r.t + w;
      inForce = r.held;
      if (r.t === latest && r.held !== null) {
        // The open bucket: its last value is in force until now (or the bucket's end).
        const tailEnd = Math.min(r.t + w, end);
        const tailStart = r.t + r.lastDt;
        if (tailEnd > tailStart) stats.segment(i, r.held, tailEnd - tailStart);
      }
    }
    spread(stats, g, c, end, inForce);
  }

  /**
   * Several tags' values for one chart: like `series()` per tag, but the read budgets are shared
   * by all of them, so that an 8-pen chart costs what one query may cost, not eight times that.
   * A tag whose samples fit in `maxPoints` comes raw; the others come together from raw samples
   * (decimated) when they fit in the raw budget between them, else from rollups chosen for all
   * of them at once (1-minute rows within the rollup budget, else 1-hour rows).
   */
  trend(tags: readonly TagRef[], from: number, to: number, maxPoints: number, now: number): HistorySeries[] {
    const estimates = tags.map((t) => this.estimateSamples(t.id, from, to));
    const out: HistorySeries[] = tags.map((t) => ({ tagId: t.name, from, to, t: [], v: [], decimated: false }));
    // Raw: the samples, and the one before `from` (the value in force when the range starts, so
    // a pen that did not change in the range is still drawn, entering from the left edge).
    const raw = (i: number): void => {
      const { samples: s, before } = this.store.readRange(tags[i].id, from, to, false);
      const o = out[i];
      pushSamples(o, before);
      if (s.length + o.t.length <= maxPoints) {
        pushSamples(o, s);
        return;
      }
      o.decimated = true;
      decimate(o, s, from, to, Math.max(1, Math.floor((maxPoints - o.t.length) / 2)));
    };
    const big: number[] = [];
    let bigSamples = 0;
    tags.forEach((_, i) => {
      if (estimates[i] <= maxPoints) raw(i);
      else {
        big.push(i);
        bigSamples += estimates[i];
      }
    });
    if (big.length === 0) return out;
    if (bigSamples <= this.budgets.rawBudget) {
      for (const i of big) raw(i);
      return out;
    }
    // Rollups carry the value in force into the first bucket themselves.
    const b = this.buckets(
      big.map((i) => tags[i]),
      from,
      to,
      Math.max(1, Math.floor(maxPoints / 2)),
      (big.length * (to - from)) / ROLLUP_LEVELS[0].widthMs <= this.budgets.rollupBudget ? '1m' : '1h',
      now,
    );
    big.forEach((i, j) => {
      out[i].decimated = true;
      minMaxPairs(out[i], b.t, b.bucketMs, b.series[j]);
    });
    return out;
  }

  /**
   * One tag's values for a trend: every sample when they fit in `maxPoints`, else min and max
   * per bucket (spikes survive), from raw samples or, for long ranges, from rollups.
   */
  series(tag: TagRef, from: number, to: number, maxPoints: number, now: number): HistorySeries {
    const out: HistorySeries = { tagId: tag.name, from, to, t: [], v: [], decimated: false };
    if (this.estimateSamples(tag.id, from, to) <= Math.max(maxPoints, this.budgets.rawBudget)) {
      const s = this.store.read(tag.id, from, to);
      if (s.length <= maxPoints) {
        pushSamples(out, s);
        return out;
      }
      out.decimated = true;
      decimate(out, s, from, to, Math.max(1, Math.floor(maxPoints / 2)));
      return out;
    }
    out.decimated = true;
    const b = this.buckets([tag], from, to, Math.max(1, Math.floor(maxPoints / 2)), 'auto', now);
    minMaxPairs(out, b.t, b.bucketMs, b.series[0]);
    return out;
  }
}

/** Samples as trend points; those that are not good are gaps (null). */
function pushSamples(out: HistorySeries, s: SampleColumns): void {
  for (let i = 0; i < s.length; i++) {
    out.t.push(s.ts[i]);
    out.v.push(isGoodNumeric(s, i) ? s.num[i] : null);
  }
}

/** Bucket statistics as trend points: min, then max half a bucket later (rollups do not say which came first). */
function minMaxPairs(out: HistorySeries, t: readonly number[], bucketMs: number, s: HistoryBucketSeries): void {
  for (let i = 0; i < t.length; i++) {
    const min = s.min[i];
    const max = s.max[i];
    out.t.push(t[i]);
    out.v.push(min);
    if (min !== null && max !== null && max !== min) {
      out.t.push(t[i] + Math.floor(bucketMs / 2));
      out.v.push(max);
    }
  }
}

function gridTimes(g: Grid): number[] {
  const t = new Array<number>(g.count);
  for (let i = 0; i < g.count; i++) t[i] = g.start + i * g.width;
  return t;
}

/** Per bucket, the min and max samples and the first gap, in time order (uPlot-style). */
function decimate(out: HistorySeries, s: SampleColumns, from: number, to: number, buckets: number): void {
  const width = (to - from + 1) / buckets;
  let i = 0;
  for (let b = 0; b < buckets && i < s.length; b++) {
    const end = from + (b + 1) * width;
    let min = -1;
    let max = -1;
    let gap = -1;
    for (; i < s.length && s.ts[i] < end; i++) {
      if (!isGoodNumeric(s, i)) {
        if (gap < 0) gap = i;
        continue;
      }
      if (min < 0 || s.num[i] < s.num[min]) min = i;
      if (max < 0 || s.num[i] > s.num[max]) max = i;
    }
    const picked = [...new Set([min, max, gap].filter((k) => k >= 0))].sort((a, c) => a - c);
    for (const k of picked) {
      out.t.push(s.ts[k]);
      out.v.push(isGoodNumeric(s, k) ? s.num[k] : null);
    }
  }
}

export { BucketStats };
