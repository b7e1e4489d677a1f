/**
 * The points of a multi-pen trend, kept as pixel columns. Pure: no DOM, no uPlot.
 *
 * Every pen's samples fall into columns of `bucketMs` (about one pixel wide), on one grid shared
 * by all pens, so the chart's x array is common and never longer than the plot is wide, however
 * many samples arrive: 8 pens live at 10 Hz over 8 hours stay ~1,500 columns. Within a column a
 * pen keeps its min and max (in the order they came, so spikes stay visible), and whether a
 * sample that was not good came before or after them: a gap stays a gap (null), never a line.
 *
 * Times are epoch ms; values are numbers, null (not good: a gap).
 */

/** One pen's share of a column. */
interface Cell {
  /** good samples seen (0: only gaps) */
  good: number;
  min: number;
  max: number;
  minT: number;
  maxT: number;
  /** a not-good sample came before the first good one / after the last good one */
  gapBefore: boolean;
  gapAfter: boolean;
  /** time of the last sample in the column, and its value (null = not good) */
  lastT: number;
  last: number | null;
}

interface Column {
  k: number;
  cells: (Cell | undefined)[];
}

/** x (seconds, uPlot's time unit) and one y array per pen. undefined: no sample; null: a gap. */
export type AlignedData = [xs: number[], ...ys: (number | null | undefined)[][]];

/** Where a column's four slots sit within it, as a fraction of its width. */
const SLOTS = [0, 0.25, 0.5, 0.75] as const;

export interface PenReading {
  /** the value shown: the last sample at or before the time; null when it was not good */
  value: number | null;
  /** the column's range when it holds more than one value (decimated) */
  min: number | null;
  max: number | null;
  /** when that sample was taken (ms); null when the pen has nothing at or before the time */
  t: number | null;
  decimated: boolean;
}

export class TrendColumns {
  private cols: Column[] = [];

  constructor(
    readonly pens: number,
    readonly bucketMs: number,
  ) {
    if (!(bucketMs > 0)) throw new Error(`bucketMs must be positive, got ${bucketMs}`);
  }

  get length(): number {
    return this.cols.length;
  }

  clear(): void {
    this.cols = [];
  }

  private columnFor(t: number): Column {
    const k = Math.floor(t / this.bucketMs);
    const n = this.cols.length;
    if (n === 0 || this.cols[n - 1].k < k) {
      const c: Column = { k, cells: new Array(this.pens) };
      this.cols.push(c);
      return c;
    }
    if (this.cols[n - 1].k === k) return this.cols[n - 1];
    // a late sample: find its column (binary search) or insert one
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cols[mid].k < k) lo = mid + 1;
      else hi = mid;
    }
    if (this.cols[lo].k === k) return this.cols[lo];
    const c: Column = { k, cells: new Array(this.pens) };
    this.cols.splice(lo, 0, c);
    return c;
  }

  /** Adds one sample of pen `pen`. Samples of a pen should come in time order (late ones still land). */
  add(pen: number, t: number, v: number | null): void {
    if (!Number.isFinite(t) || pen < 0 || pen >= this.pens) return;
    const value = v !== null && Number.isFinite(v) ? v : null;
    const col = this.columnFor(t);
    let cell = col.cells[pen];
    if (cell === undefined) {
      cell = { good: 0, min: NaN, max: NaN, minT: t, maxT: t, gapBefore: false, gapAfter: false, lastT: t, last: value };
      col.cells[pen] = cell;
    } else if (t >= cell.lastT) {
      cell.lastT = t;
      cell.last = value;
    }
    if (value === null) {
      if (cell.good === 0) cell.gapBefore = true;
      else cell.gapAfter = true;
      return;
    }
    cell.gapAfter = false;
    if (cell.good++ === 0) {
      cell.min = cell.max = value;
      cell.minT = cell.maxT = t;
      return;
    }
    if (value < cell.min) {
      cell.min = value;
      cell.minT = t;
    }
    if (value > cell.max) {
      cell.max = value;
      cell.maxT = t;
    }
  }

  /** Adds a series of one pen (t ascending). */
  addSeries(pen: number, t: readonly number[], v: readonly (number | null)[]): void {
    const n = Math.min(t.length, v.length);
    for (let i = 0; i < n; i++) this.add(pen, t[i], v[i] ?? null);
  }

  /** Drops columns that end before `from`, keeping one so lines enter from the left edge. */
  pruneBefore(from: number): void {
    const kFrom = Math.floor(from / this.bucketMs);
    let i = 0;
    while (i < this.cols.length && this.cols[i].k < kFrom) i++;
    const drop = Math.max(0, i - 1);
    if (drop > 0) this.cols.splice(0, drop);
  }

  /** The newest sample time of a pen, if any. */
  lastTime(pen: number): number | undefined {
    for (let i = this.cols.length - 1; i >= 0; i--) {
      const c = this.cols[i].cells[pen];
      if (c !== undefined) return c.lastT;
    }
    return undefined;
  }

  /**
   * The chart's data: four x slots per column (a gap marker, two extremes, a gap marker).
   * `held[p]`, when not null, is pen p's current good value carried to `until` (live: the
   * runtime sends changes, so an unchanged value is drawn up to now instead of stopping).
   */
  toAligned(held?: readonly (number | null)[], until?: number): AlignedData {
    const n = this.cols.length;
    const extra = held !== undefined && until !== undefined ? 1 : 0;
    const xs = new Array<number>(n * 4 + extra);
    const ys: (number | null | undefined)[][] = [];
    for (let p = 0; p < this.pens; p++) ys.push(new Array(n * 4 + extra));
    const w = this.bucketMs;
    for (let i = 0; i < n; i++) {
      const base = this.cols[i].k * w;
      for (let s = 0; s < 4; s++) xs[i * 4 + s] = (base + SLOTS[s] * w) / 1000;
    }
    // uPlot connects values across `undefined` and clips out runs of `null`: a stretch that is
    // not good must be one unbroken run of nulls, up to the next good value, even across
    // columns where the pen has no sample (values are stored on change).
    for (let p = 0; p < this.pens; p++) {
      const y = ys[p];
      let inGap = false;
      for (let i = 0; i < n; i++) {
        const c = this.cols[i].cells[p];
        const j = i * 4;
        if (c === undefined || c.good === 0) {
          if (c !== undefined) inGap = true;
          const v = inGap ? null : undefined;
          y[j] = y[j + 1] = y[j + 2] = y[j + 3] = v;
          continue;
        }
        // the two extremes in the order they happened, so a spike is drawn where it was
        const minFirst = c.minT <= c.maxT;
        y[j] = c.gapBefore || inGap ? null : undefined;
        y[j + 1] = minFirst ? c.min : c.max;
        y[j + 2] = c.min === c.max ? undefined : minFirst ? c.max : c.min;
        y[j + 3] = c.gapAfter ? null : undefined;
        inGap = c.gapAfter;
      }
    }
    if (extra === 1) {
      const lastX = n > 0 ? xs[n * 4 - 1] : -Infinity;
      xs[n * 4] = Math.max(until! / 1000, lastX);
      for (let p = 0; p < this.pens; p++) {
        const h = held![p];
        const lastT = this.lastTime(p);
        ys[p][n * 4] = h !== null && h !== undefined && lastT !== undefined && this.lastValue(p) !== null ? h : undefined;
      }
    }
    return [xs, ...ys];
  }

  private lastValue(pen: number): number | null | undefined {
    for (let i = this.cols.length - 1; i >= 0; i--) {
      const c = this.cols[i].cells[pen];
      if (c !== undefined) return c.last;
    }
    return undefined;
  }

  /** What a cursor at time `t` reads for a pen: the column at or before `t` that holds the pen. */
  readAt(pen: number, t: number): PenReading {
    const k = Math.floor(t / this.bucketMs);
    let lo = 0;
    let hi = this.cols.length - 1;
    let idx = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.cols[mid].k <= k) {
        idx = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    for (let i = idx; i >= 0; i--) {
      const c = this.cols[i].cells[pen];
      if (c === undefined) continue;
      return {
        value: c.last,
        min: c.good === 0 ? null : c.min,
        max: c.good === 0 ? null : c.max,
        t: c.lastT,
        decimated: c.good > 1 && c.min !== c.max,
      };
    }
    return { value: null, min: null, max: null, t: null, decimated: false };
  }
}

/** The column width for a visible span drawn over `widthPx` pixels: about one pixel. */
export function bucketMsFor(spanMs: number, widthPx: number): number {
  return Math.max(1, Math.floor(spanMs / Math.max(100, widthPx)));
}
