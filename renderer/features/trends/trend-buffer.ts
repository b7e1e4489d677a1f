/**
 * The points of one live trend: history first, then live points appended, pruned to the
 * window. Pure: no DOM, no uPlot. Times are epoch ms; `null` values are gaps (the value was not
 * good) and stay gaps: nothing here interpolates across them.
 */
export type ChartSeries = [xs: number[], ys: (number | null)[]];

const COMPACT_AFTER = 1024;

export class TrendBuffer {
  private t: number[] = [];
  private v: (number | null)[] = [];
  /** index of the first live point; the ones before it are pruned but not yet compacted */
  private start = 0;

  constructor(readonly retainMs: number) {}

  get length(): number {
    return this.t.length - this.start;
  }

  lastTime(): number | undefined {
    return this.length === 0 ? undefined : this.t[this.t.length - 1];
  }

  reset(t: readonly number[], v: readonly (number | null)[]): void {
    const n = Math.min(t.length, v.length);
    this.t = [];
    this.v = [];
    this.start = 0;
    for (let i = 0; i < n; i++) this.append(t[i], v[i] ?? null);
  }

  /**
   * Points must come in time order: an older one is dropped (history already covers it), one at
   * the same time replaces the last. Repeated gaps collapse into one.
   */
  append(t: number, v: number | null): void {
    if (!Number.isFinite(t)) return;
    const n = this.t.length;
    if (n > this.start) {
      const lastT = this.t[n - 1];
      if (t < lastT) return;
      if (t === lastT) {
        this.v[n - 1] = v;
        return;
      }
      if (v === null && this.v[n - 1] === null) return;
    }
    this.t.push(t);
    this.v.push(v === null || Number.isFinite(v) ? v : null);
  }

  /** Drops points older than the window, keeping one just before it so the line enters from the left edge. */
  prune(now: number): void {
    const cutoff = now - this.retainMs;
    let i = this.start;
    while (i < this.t.length && this.t[i] < cutoff) i++;
    this.start = Math.max(this.start, i - 1);
    if (this.start > COMPACT_AFTER && this.start > this.t.length / 2) {
      this.t = this.t.slice(this.start);
      this.v = this.v.slice(this.start);
      this.start = 0;
    }
  }

  /**
   * The series for the chart, x in seconds. `held` is the current value when it is good: the
   * runtime sends changes, so an unchanged good value is extended to `now` instead of the line
   * stopping at the last change.
   */
  toChartSeries(now: number, held: number | null): ChartSeries {
    const xs: number[] = [];
    const ys: (number | null)[] = [];
    for (let i = this.start; i < this.t.length; i++) {
      xs.push(this.t[i] / 1000);
      ys.push(this.v[i]);
    }
    const last = this.lastTime();
    if (held !== null && last !== undefined && last < now) {
      xs.push(now / 1000);
      ys.push(held);
    }
    return [xs, ys];
  }
}
