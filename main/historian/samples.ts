/**
 * Samples in columns (typed arrays), the one shape samples travel in inside the historian: from
 * `ingest` to the writer (transferable to the worker thread), into and out of chunks, and into
 * queries. A sample's value has a kind, so that booleans and strings come back as they went in.
 */
import { decodeQuality } from '../../shared/quality';
import type { TagScalar } from '../../shared/types';

export const ValueKind = { Null: 0, Number: 1, Bool: 2, String: 3 } as const;
export type ValueKind = (typeof ValueKind)[keyof typeof ValueKind];

/** Samples of one tag (or, with `tag`, of several), in columns. */
export interface SampleColumns {
  length: number;
  ts: Float64Array;
  sourceTs: Float64Array;
  /** `encodeQuality` of shared/quality.ts: (level << 8) | reason */
  quality: Uint16Array;
  kind: Uint8Array;
  /** the number; 0/1 for a boolean; 0 for null and strings */
  num: Float64Array;
  /** per sample, the string where kind is String; null when the columns hold no string */
  str: (string | null)[] | null;
}

/** A batch for the writer: samples of many tags, with the tags' integer ids. */
export interface TaggedBatch extends SampleColumns {
  tag: Int32Array;
}

export function emptyColumns(capacity: number, withStrings = false): SampleColumns {
  return {
    length: 0,
    ts: new Float64Array(capacity),
    sourceTs: new Float64Array(capacity),
    quality: new Uint16Array(capacity),
    kind: new Uint8Array(capacity),
    num: new Float64Array(capacity),
    str: withStrings ? new Array<string | null>(capacity).fill(null) : null,
  };
}

export function emptyBatch(capacity: number): TaggedBatch {
  return { ...emptyColumns(capacity), tag: new Int32Array(capacity) };
}

/** The first `length` samples, as compact arrays (the rest of a builder's capacity dropped). */
export function trimBatch(b: TaggedBatch): TaggedBatch {
  if (b.length === b.ts.length) return b;
  const n = b.length;
  return {
    length: n,
    tag: b.tag.slice(0, n),
    ts: b.ts.slice(0, n),
    sourceTs: b.sourceTs.slice(0, n),
    quality: b.quality.slice(0, n),
    kind: b.kind.slice(0, n),
    num: b.num.slice(0, n),
    str: b.str ? b.str.slice(0, n) : null,
  };
}

/** Samples [from, to) of a batch, as a new batch. */
export function sliceBatch(b: TaggedBatch, from: number, to: number): TaggedBatch {
  return {
    length: to - from,
    tag: b.tag.slice(from, to),
    ts: b.ts.slice(from, to),
    sourceTs: b.sourceTs.slice(from, to),
    quality: b.quality.slice(from, to),
    kind: b.kind.slice(from, to),
    num: b.num.slice(from, to),
    str: b.str ? b.str.slice(from, to) : null,
  };
}

/** Samples [from, to) of columns, as new columns. */
export function sliceColumns(c: SampleColumns, from: number, to: number): SampleColumns {
  return {
    length: Math.max(0, to - from),
    ts: c.ts.slice(from, to),
    sourceTs: c.sourceTs.slice(from, to),
    quality: c.quality.slice(from, to),
    kind: c.kind.slice(from, to),
    num: c.num.slice(from, to),
    str: c.str ? c.str.slice(from, to) : null,
  };
}

/** Puts the value of a sample into columns at index i. */
export function setValue(c: SampleColumns, i: number, value: TagScalar | null): void {
  if (value === null) {
    c.kind[i] = ValueKind.Null;
    c.num[i] = 0;
  } else if (typeof value === 'number') {
    c.kind[i] = ValueKind.Number;
    c.num[i] = value;
  } else if (typeof value === 'boolean') {
    c.kind[i] = ValueKind.Bool;
    c.num[i] = value ? 1 : 0;
  } else {
    c.kind[i] = ValueKind.String;
    c.num[i] = 0;
    c.str ??= new Array<string | null>(c.ts.length).fill(null);
    c.str[i] = value;
  }
}

export function valueAt(c: SampleColumns, i: number): TagScalar | null {
  switch (c.kind[i]) {
    case ValueKind.Number:
      return c.num[i];
    case ValueKind.Bool:
      return c.num[i] !== 0;
    case ValueKind.String:
      return c.str?.[i] ?? '';
    default:
      return null;
  }
}

const goodCache = new Map<number, boolean>();
/** Whether an encoded quality is good (cached: there are only a handful of codes). */
export function isGoodCode(code: number): boolean {
  let g = goodCache.get(code);
  if (g === undefined) {
    g = decodeQuality(code).level === 'good';
    goodCache.set(code, g);
  }
  return g;
}

/** A sample counts for trends and rollups when its quality is good and its value a number or boolean. */
export function isGoodNumeric(c: SampleColumns, i: number): boolean {
  const k = c.kind[i];
  return (k === ValueKind.Number || k === ValueKind.Bool) && isGoodCode(c.quality[i]) && !Number.isNaN(c.num[i]);
}

/** First index with ts ≥ t (columns sorted by ts). */
export function lowerBound(ts: Float64Array, length: number, t: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Concatenates sorted column sets; when they overlap in time (late samples compacted into a
 * second chunk), sorts by time and keeps, for equal timestamps, the sample of the later part
 * (parts are given oldest write first), as `INSERT OR REPLACE` did.
 */
export function mergeColumns(parts: SampleColumns[]): SampleColumns {
  const nonEmpty = parts.filter((p) => p.length > 0);
  if (nonEmpty.length === 0) return emptyColumns(0);
  if (nonEmpty.length === 1) return nonEmpty[0];
  const total = nonEmpty.reduce((s, p) => s + p.length, 0);
  const withStrings = nonEmpty.some((p) => p.str !== null);
  let disjoint = true;
  for (let i = 1; i < nonEmpty.length; i++) {
    const prev = nonEmpty[i - 1];
    if (nonEmpty[i].ts[0] <= prev.ts[prev.length - 1]) disjoint = false;
  }
  const out = emptyColumns(total, withStrings);
  if (disjoint) {
    let o = 0;
    for (const p of nonEmpty) {
      copyInto(out, o, p, 0, p.length);
      o += p.length;
    }
    out.length = total;
    return out;
  }
  const refs: { t: number; part: number; i: number }[] = [];
  nonEmpty.forEach((p, part) => {
    for (let i = 0; i < p.length; i++) refs.push({ t: p.ts[i], part, i });
  });
  refs.sort((a, b) => a.t - b.t || a.part - b.part || a.i - b.i);
  let o = 0;
  for (let r = 0; r < refs.length; r++) {
    const ref = refs[r];
    if (r + 1 < refs.length && refs[r + 1].t === ref.t) continue; // a later write of the same instant wins
    copyInto(out, o++, nonEmpty[ref.part], ref.i, ref.i + 1);
  }
  out.length = o;
  return out;
}

function copyInto(out: SampleColumns, at: number, src: SampleColumns, from: number, to: number): void {
  out.ts.set(src.ts.subarray(from, to), at);
  out.sourceTs.set(src.sourceTs.subarray(from, to), at);
  out.quality.set(src.quality.subarray(from, to), at);
  out.kind.set(src.kind.subarray(from, to), at);
  out.num.set(src.num.subarray(from, to), at);
  if (out.str && src.str) for (let i = from; i < to; i++) out.str[at + i - from] = src.str[i];
}
