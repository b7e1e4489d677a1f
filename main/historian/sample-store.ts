/**
 * Reads one continuous history per tag from both places samples live: the hot table `sample`
 * (recent, a row per sample) and the compressed chunks of `chunk` (older). Used by queries on
 * the main thread and by the writer (rollup rebuilds, compaction) on its own connection.
 */
import type { SqliteDatabase } from './database';
import { decodeChunk } from './chunk-codec';
import { emptyColumns, lowerBound, mergeColumns, setValue, sliceColumns, ValueKind, type SampleColumns } from './samples';

/** No chunk spans more than this (the writer enforces it), so range lookups stay index ranges. */
export const MAX_CHUNK_SPAN_MS = 24 * 3600_000;

/** `sample.value_type`: what the stored value means when its SQLite type cannot say it. */
export const HotValueType = { AsStored: 0, Bool: 1, NaN: 2 } as const;

type HotRow = [ts: number, value: number | string | null, quality: number, sourceTs: number, valueType: number];

export class SampleStore {
  private readonly hotRange;
  private readonly hotRangeNoSource;
  private readonly hotLastBefore;
  private readonly chunkRange;
  private readonly chunkBefore;
  private readonly chunkNewestBefore;
  private readonly hotFirstFrom;
  private readonly chunkOver;
  private readonly chunkFirstAfter;
  private readonly hotOldest;
  private readonly chunkOldest;

  constructor(private readonly db: SqliteDatabase) {
    this.hotRange = db
      .prepare('SELECT ts, value, quality, source_ts, value_type FROM sample WHERE tag = ? AND ts >= ? AND ts <= ? ORDER BY ts')
      .raw(true);
    // Bucket queries do not need source timestamps: 0 in their place, one column less to read.
    this.hotRangeNoSource = db
      .prepare('SELECT ts, value, quality, 0, value_type FROM sample WHERE tag = ? AND ts >= ? AND ts <= ? ORDER BY ts')
      .raw(true);
    this.hotLastBefore = db
      .prepare('SELECT ts, value, quality, source_ts, value_type FROM sample WHERE tag = ? AND ts < ? ORDER BY ts DESC LIMIT 1')
      .raw(true);
    this.chunkRange = db
      .prepare('SELECT data FROM chunk WHERE tag = ? AND t_start >= ? AND t_start <= ? AND t_end >= ? ORDER BY t_start, id')
      .raw(true);
    this.chunkBefore = db
      .prepare('SELECT data FROM chunk WHERE tag = ? AND t_start < ? AND t_start >= ? AND t_end > ? ORDER BY t_start DESC, id DESC LIMIT 2')
      .raw(true);
    this.chunkNewestBefore = db.prepare('SELECT data FROM chunk WHERE tag = ? AND t_start < ? ORDER BY t_start DESC LIMIT 1').raw(true);
    // Index seeks (sample's primary key, chunk_tag_start), whatever the range's length.
    this.hotFirstFrom = db.prepare('SELECT MIN(ts) FROM sample WHERE tag = ? AND ts >= ?').pluck();
    this.chunkOver = db.prepare('SELECT 1 FROM chunk WHERE tag = ? AND t_start >= ? AND t_start <= ? AND t_end >= ? LIMIT 1').pluck();
    this.chunkFirstAfter = db.prepare('SELECT MIN(t_start) FROM chunk WHERE tag = ? AND t_start > ?').pluck();
    this.hotOldest = db.prepare('SELECT MIN(ts) FROM sample WHERE tag = ?').pluck();
    this.chunkOldest = db.prepare('SELECT MIN(t_start) FROM chunk WHERE tag = ?').pluck();
  }

  /** Every sample of `tag` with from ≤ ts ≤ to, in time order. */
  read(tag: number, from: number, to: number): SampleColumns {
    return this.readRange(tag, from, to, true, false).samples;
  }

  /**
   * A time ≤ the first sample of `tag` at or after `t`, and > every time in [t, it) (so no
   * sample lies between `t` and it); null when there is none. Exact for hot rows and for a
   * chunk that starts after `t`; `t` itself when a chunk spans `t`. Costs three index seeks, so
   * a reader can jump over empty time instead of stepping through it.
   */
  nextSampleFrom(tag: number, t: number): number | null {
    if (this.chunkOver.get(tag, t - MAX_CHUNK_SPAN_MS, t, t) !== undefined) return t;
    const hot = this.hotFirstFrom.get(tag, t) as number | null;
    const chunk = this.chunkFirstAfter.get(tag, t) as number | null;
    return hot === null ? chunk : chunk === null ? hot : Math.min(hot, chunk);
  }

  /** The time of the oldest sample of `tag` (hot or in a chunk), or null when it has none. */
  oldest(tag: number): number | null {
    const hot = this.hotOldest.get(tag) as number | null;
    const chunk = this.chunkOldest.get(tag) as number | null;
    return hot === null ? chunk : chunk === null ? hot : Math.min(hot, chunk);
  }

  /**
   * The samples of [from, to] and the last sample before `from` (what is in force at `from`),
   * taken from the chunks decoded anyway when one of them starts before `from`.
   */
  readRange(tag: number, from: number, to: number, withSourceTs = true, withBefore = true): { samples: SampleColumns; before: SampleColumns } {
    const parts: SampleColumns[] = [];
    let before: SampleColumns | null = null;
    for (const [data] of this.chunkRange.iterate(tag, from - MAX_CHUNK_SPAN_MS, to, from) as Iterable<[Uint8Array]>) {
      const c = decodeChunk(data);
      const a = lowerBound(c.ts, c.length, from);
      const b = lowerBound(c.ts, c.length, to + 1);
      if (a > 0 && (before === null || c.ts[a - 1] > before.ts[0])) before = sliceColumns(c, a - 1, a);
      parts.push(a === 0 && b === c.length ? c : sliceColumns(c, a, b));
    }
    parts.push(withSourceTs ? this.readHot(tag, from, to) : hotRowsToColumns(this.hotRangeNoSource.all(tag, from, to) as HotRow[]));
    if (!withBefore) return { samples: mergeColumns(parts), before: emptyColumns(0) };
    if (before !== null) {
      // A hot row can still be later (hot rows are newer than chunks, except late samples).
      const hot = this.hotLastBefore.get(tag, from) as HotRow | undefined;
      if (hot && hot[0] > before.ts[0]) before = hotRowsToColumns([hot]);
    }
    return { samples: mergeColumns(parts), before: before ?? this.lastBefore(tag, from) };
  }

  /** Hot rows only. */
  readHot(tag: number, from: number, to: number): SampleColumns {
    return hotRowsToColumns(this.hotRange.all(tag, from, to) as HotRow[]);
  }

  /** The last sample of `tag` before `t` (one sample, or none). */
  lastBefore(tag: number, t: number): SampleColumns {
    let best: SampleColumns | null = null;
    const consider = (c: SampleColumns, i: number) => {
      if (i >= 0 && (best === null || c.ts[i] > best.ts[0])) best = sliceColumns(c, i, i + 1);
    };
    const hot = this.hotLastBefore.get(tag, t) as HotRow | undefined;
    if (hot) consider(hotRowsToColumns([hot]), 0);
    // Only chunks that end after the hot candidate can hold a later sample.
    const floor = hot ? hot[0] : -Number.MAX_SAFE_INTEGER;
    let inWindow = false;
    for (const [data] of this.chunkBefore.iterate(tag, t, t - 2 * MAX_CHUNK_SPAN_MS, floor) as Iterable<[Uint8Array]>) {
      const c = decodeChunk(data);
      const i = lowerBound(c.ts, c.length, t) - 1;
      if (i >= 0) inWindow = true;
      consider(c, i);
    }
    if (!inWindow && !hot) {
      // Nothing in the last two chunk spans: the newest chunk that starts before t, however old.
      const row = this.chunkNewestBefore.get(tag, t) as [Uint8Array] | undefined;
      if (row) {
        const c = decodeChunk(row[0]);
        consider(c, lowerBound(c.ts, c.length, t) - 1);
      }
    }
    return best ?? emptyColumns(0);
  }
}

export function hotRowsToColumns(rows: readonly HotRow[]): SampleColumns {
  const n = rows.length;
  const c = emptyColumns(n);
  c.length = n;
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    c.ts[i] = r[0];
    c.quality[i] = r[2];
    c.sourceTs[i] = r[3];
    const value = r[1];
    const vt = r[4];
    if (vt === HotValueType.Bool) setValue(c, i, value !== 0);
    else if (vt === HotValueType.NaN) {
      c.kind[i] = ValueKind.Number;
      c.num[i] = NaN;
    } else setValue(c, i, value);
  }
  return c;
}

/** The hot-table form of a sample's value: [value, value_type]. */
export function hotValue(kind: number, num: number, str: string | null): [number | string | null, number] {
  switch (kind) {
    case ValueKind.Number:
      return Number.isNaN(num) ? [null, HotValueType.NaN] : [num, HotValueType.AsStored];
    case ValueKind.Bool:
      return [num, HotValueType.Bool];
    case ValueKind.String:
      return [str ?? '', HotValueType.AsStored];
    default:
      return [null, HotValueType.AsStored];
  }
}
