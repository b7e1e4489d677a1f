/**
 * A set of integers kept as sorted, disjoint, non-adjacent closed ranges [a, b]. Sequence numbers
 * acknowledged, in flight, declared lost: a stream's records are numbered densely, so a few
 * ranges describe millions of records. Used by the sender (per sink and stream) and by the
 * reference receiver (what it holds).
 */
export type Range = readonly [first: number, last: number];

export class IntervalSet {
  /** starts and ends, parallel, sorted; ranges never touch (they are merged) */
  private starts: number[] = [];
  private ends: number[] = [];

  constructor(ranges: readonly Range[] = []) {
    for (const [a, b] of ranges) this.add(a, b);
  }

  get rangeCount(): number {
    return this.starts.length;
  }

  /** The ranges, in order. */
  ranges(): Range[] {
    return this.starts.map((s, i) => [s, this.ends[i]] as const);
  }

  /** Number of integers in the set. */
  size(): number {
    let n = 0;
    for (let i = 0; i < this.starts.length; i++) n += this.ends[i] - this.starts[i] + 1;
    return n;
  }

  /** Index of the last range starting at or before x, or -1. */
  private indexAtOrBefore(x: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid] <= x) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  has(x: number): boolean {
    const i = this.indexAtOrBefore(x);
    return i >= 0 && this.ends[i] >= x;
  }

  /** Whether every integer of [a, b] is in the set. */
  covers(a: number, b: number): boolean {
    const i = this.indexAtOrBefore(a);
    return i >= 0 && this.ends[i] >= b;
  }

  add(a: number, b: number): void {
    if (b < a) return;
    // Ranges that overlap or touch [a, b] are merged into it.
    let i = this.indexAtOrBefore(a);
    if (i >= 0 && this.ends[i] < a - 1) i++;
    if (i < 0) i = 0;
    let j = i;
    let start = a;
    let end = b;
    while (j < this.starts.length && this.starts[j] <= b + 1) {
      start = Math.min(start, this.starts[j]);
      end = Math.max(end, this.ends[j]);
      j++;
    }
    this.starts.splice(i, j - i, start);
    this.ends.splice(i, j - i, end);
  }

  remove(a: number, b: number): void {
    if (b < a) return;
    const starts: number[] = [];
    const ends: number[] = [];
    for (let i = 0; i < this.starts.length; i++) {
      const s = this.starts[i];
      const e = this.ends[i];
      if (e < a || s > b) {
        starts.push(s);
        ends.push(e);
        continue;
      }
      if (s < a) {
        starts.push(s);
        ends.push(a - 1);
      }
      if (e > b) {
        starts.push(b + 1);
        ends.push(e);
      }
    }
    this.starts = starts;
    this.ends = ends;
  }

  /** The smallest integer ≥ x that is not in the set. */
  firstAbsentFrom(x: number): number {
    const i = this.indexAtOrBefore(x);
    return i >= 0 && this.ends[i] >= x ? this.ends[i] + 1 : x;
  }

  /** The smallest integer ≥ x that is in the set, or null. */
  firstPresentFrom(x: number): number | null {
    const i = this.indexAtOrBefore(x);
    if (i >= 0 && this.ends[i] >= x) return x;
    return i + 1 < this.starts.length ? this.starts[i + 1] : null;
  }

  /** The end of the range that holds `from` when the set holds it, else `from - 1`. */
  contiguousFrom(from: number): number {
    const i = this.indexAtOrBefore(from);
    return i >= 0 && this.ends[i] >= from ? this.ends[i] : from - 1;
  }

  /** Drops everything below x (memory stays bounded once a prefix is settled). */
  dropBelow(x: number): void {
    this.remove(-Infinity, x - 1);
  }

  /** Count of integers of the set within [a, b]. */
  countWithin(a: number, b: number): number {
    let n = 0;
    for (let i = 0; i < this.starts.length; i++) {
      const s = Math.max(a, this.starts[i]);
      const e = Math.min(b, this.ends[i]);
      if (e >= s) n += e - s + 1;
    }
    return n;
  }
}
