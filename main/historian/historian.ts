/**
 * The historian: stores samples from the tag bus in batched transactions and answers range
 * queries. Samples are filtered before storage: a value is stored when it or its quality
 * changed, or when `heartbeatMs` passed since the tag's last stored sample, so a constant value
 * still proves the link was alive.
 */
import type { HistorySeries } from '../../shared/api';
import { decodeQuality, encodeQuality } from '../../shared/quality';
import type { TagValue } from '../../shared/types';
import type { Clock, TimerHandle } from '../util/clock';
import { createLogger } from '../util/log';
import type { SqliteDatabase } from './database';

const log = createLogger('historian');

export interface HistorianOptions {
  flushIntervalMs?: number;
  maxBatch?: number;
  heartbeatMs?: number;
}

interface LastStored {
  value: unknown;
  quality: number;
  ts: number;
}

type Row = { ts: number; value: number | string | null; quality: number };

export class Historian {
  private buffer: { tag: number; ts: number; value: unknown; quality: number; sourceTs: number }[] = [];
  private readonly tagIds = new Map<string, number>();
  private readonly lastStored = new Map<number, LastStored>();
  private timer: TimerHandle | null = null;
  private readonly flushIntervalMs: number;
  private readonly maxBatch: number;
  private readonly heartbeatMs: number;
  private readonly insert;
  private readonly insertTag;
  private readonly selectRange;
  private closed = false;
  readonly stats = { stored: 0, skipped: 0, flushes: 0, lastFlushMs: 0, maxFlushMs: 0, errors: 0 };

  constructor(
    private readonly db: SqliteDatabase,
    private readonly clock: Clock,
    options: HistorianOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.maxBatch = options.maxBatch ?? 20_000;
    this.heartbeatMs = options.heartbeatMs ?? 60_000;
    this.insert = db.prepare('INSERT OR REPLACE INTO sample (tag, ts, value, quality, source_ts) VALUES (?, ?, ?, ?, ?)');
    this.insertTag = db.prepare('INSERT INTO tag (name, created) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET name = excluded.name RETURNING id');
    this.selectRange = db.prepare('SELECT ts, value, quality FROM sample WHERE tag = ? AND ts >= ? AND ts <= ? ORDER BY ts');
    for (const row of db.prepare('SELECT id, name FROM tag').all() as { id: number; name: string }[]) {
      this.tagIds.set(row.name, row.id);
    }
  }

  /** Registers the project's tags (ids are stable across restarts). */
  registerTags(names: readonly string[]): void {
    const now = this.clock.now();
    this.db.transaction(() => {
      for (const name of names) {
        if (this.tagIds.has(name)) continue;
        const row = this.insertTag.get(name, now) as { id: number };
        this.tagIds.set(name, row.id);
      }
    })();
  }

  /**
   * Marks the start of a run: a gap sample for every tag, so a trend never draws a line across
   * the time the runtime was not running (after a clean stop or a crash alike).
   */
  markStart(ts: number): void {
    const gap = encodeQuality({ level: 'bad', reason: 'shutdown' });
    this.db.transaction(() => {
      for (const tag of this.tagIds.values()) this.insert.run(tag, ts, null, gap, ts);
    })();
    this.lastStored.clear();
  }

  ingest(batch: readonly TagValue[]): void {
    if (this.closed) return;
    for (const v of batch) {
      const tag = this.tagIds.get(v.tagId);
      if (tag === undefined || v.value === null) continue;
      const quality = encodeQuality(v.quality);
      const stored = typeof v.value === 'boolean' ? (v.value ? 1 : 0) : v.value;
      const last = this.lastStored.get(tag);
      if (last && last.value === stored && last.quality === quality && v.ts - last.ts < this.heartbeatMs) {
        this.stats.skipped++;
        continue;
      }
      this.lastStored.set(tag, { value: stored, quality, ts: v.ts });
      this.buffer.push({ tag, ts: v.ts, value: stored, quality, sourceTs: v.sourceTs });
    }
    if (this.buffer.length >= this.maxBatch) this.flush();
    else if (!this.timer && this.buffer.length > 0) {
      this.timer = this.clock.setTimeout(() => {
        this.timer = null;
        this.flush();
      }, this.flushIntervalMs);
    }
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    const rows = this.buffer;
    this.buffer = [];
    const started = performance.now();
    try {
      this.db.transaction(() => {
        for (const r of rows) this.insert.run(r.tag, r.ts, r.value, r.quality, r.sourceTs);
      })();
      this.stats.stored += rows.length;
      this.stats.flushes++;
    } catch (err) {
      // Keep the rows for the next attempt (e.g. disk full): nothing is dropped silently.
      this.stats.errors++;
      this.buffer = rows.concat(this.buffer);
      log.error(`flush of ${rows.length} samples failed: ${(err as Error).message}`);
    }
    const ms = performance.now() - started;
    this.stats.lastFlushMs = ms;
    this.stats.maxFlushMs = Math.max(this.stats.maxFlushMs, ms);
  }

  /**
   * Values of one tag over [from, to], at most `maxPoints` points. When there are more samples,
   * each bucket yields its min and max (in time order) so spikes survive decimation. Samples
   * that are not good are gaps (null), never values.
   */
  query(tagId: string, from: number, to: number, maxPoints: number): HistorySeries {
    this.flush();
    const series: HistorySeries = { tagId, from, to, t: [], v: [], decimated: false };
    const tag = this.tagIds.get(tagId);
    if (tag === undefined) return series;
    const rows = this.selectRange.all(tag, from, to) as Row[];
    const point = (r: Row): number | null => {
      if (decodeQuality(r.quality).level !== 'good') return null;
      return typeof r.value === 'number' ? r.value : null;
    };
    if (rows.length <= maxPoints) {
      for (const r of rows) {
        series.t.push(r.ts);
        series.v.push(point(r));
      }
      return series;
    }
    series.decimated = true;
    const buckets = Math.max(1, Math.floor(maxPoints / 2));
    const width = (to - from + 1) / buckets;
    let i = 0;
    for (let b = 0; b < buckets && i < rows.length; b++) {
      const end = from + (b + 1) * width;
      let min: Row | null = null;
      let max: Row | null = null;
      let gap: Row | null = null;
      for (; i < rows.length && rows[i].ts < end; i++) {
        const r = rows[i];
        const v = point(r);
        if (v === null) {
          gap ??= r;
          continue;
        }
        if (!min || v < (point(min) as number)) min = r;
        if (!max || v > (point(max) as number)) max = r;
      }
      const picked = [min, max, gap].filter((r): r is Row => r !== null).sort((a, b2) => a.ts - b2.ts);
      const unique = picked.filter((r, k) => k === 0 || r !== picked[k - 1]);
      for (const r of unique) {
        series.t.push(r.ts);
        series.v.push(point(r));
      }
    }
    return series;
  }

  close(): void {
    if (this.closed) return;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.flush();
    this.closed = true;
  }
}
