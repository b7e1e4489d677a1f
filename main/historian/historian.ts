/**
 * The historian: takes samples from the tag bus, hands them to the writer in batches (columns of
 * typed arrays, at least every flush interval), and answers range queries from its own read
 * connection. Storage, compaction, rollups and retention are the writer's (writer.ts); the
 * tables and encodings are described in docs/database.md.
 *
 * Which samples to store is acquisition's decision (deadband, heartbeat); the historian stores
 * what it is given. `heartbeatMs` switches on a simple change filter of its own, for callers that
 * feed it unfiltered values.
 */
import type { HistorianStatus, HistoryBuckets, HistoryResolution, HistorySeries } from '../../shared/api';
import { encodeQuality } from '../../shared/quality';
import type { HistoryTrend } from '../../shared/trend-api';
import type { TagScalar, TagValue } from '../../shared/types';
import type { Clock, TimerHandle } from '../util/clock';
import { createLogger } from '../util/log';
import type { SqliteDatabase } from './database';
import { defaultBudgets, HistoryReader, type QueryBudgets, type TagRef } from './query';
import { ROLLUP_LEVELS } from './rollup';
import { emptyBatch, setValue, trimBatch, valueAt, type TaggedBatch } from './samples';
import { defaultWriterConfig, type RetentionConfig, type WriterConfig, type WriterStatus } from './writer';
import { InlineWriterHost, WorkerWriterHost, type WriterHost } from './writer-host';
import { MAX_CHUNK_SPAN_MS } from './sample-store';
import { migrateSampleOutbox, sampleOutboxExists, SampleOutboxReader } from './sample-outbox';

const log = createLogger('historian');

export interface RetentionOptions {
  /** default maximum age of a tag's data (ms); null or absent: kept until the quota needs room */
  maxAgeMs?: number | null;
  /** per tag name, overriding the default (null: forever) */
  perTag?: Record<string, number | null>;
  /** the database's used size is kept below this (bytes) by deleting the oldest data first */
  quotaBytes?: number | null;
}

export interface HistorianOptions {
  flushIntervalMs?: number;
  /** samples per batch handed to the writer; a full batch goes at once */
  maxBatch?: number;
  /** when set, store a value only when it or its quality changed, or after this long unchanged */
  heartbeatMs?: number;
  /** 'worker': write on a worker thread (the runtime); 'inline': on this thread (tests, tools) */
  writer?: 'worker' | 'inline';
  /** better_sqlite3.node for this process's ABI (Electron), passed to the writer thread */
  nativeBinding?: string;
  hotMs?: number;
  chunkMaxSamples?: number;
  maxPendingSamples?: number;
  retryMs?: number;
  retention?: RetentionOptions;
  budgets?: Partial<QueryBudgets>;
  /**
   * Number every committed batch and keep it in the sample outbox until the sync has it
   * acknowledged upstream (sample-outbox.ts, docs/sync.md).
   */
  sampleOutbox?: boolean;
}

export interface TagRegistration {
  name: string;
  units?: string;
}

/** One raw sample, as the export and other readers see it. */
export interface RawSample {
  tagId: string;
  ts: number;
  sourceTs: number;
  value: TagScalar | null;
  /** encodeQuality of shared/quality.ts */
  quality: number;
}

/** readRaw's widest window: one chunk span, so a sparse tag's window decodes a few chunks at most. */
const MAX_READ_WINDOW_MS = MAX_CHUNK_SPAN_MS;

interface LastStored {
  value: unknown;
  quality: number;
  ts: number;
}

export class Historian {
  private readonly tagIds = new Map<string, number>();
  private readonly units = new Map<string, string>();
  private readonly lastStored = new Map<number, LastStored>();
  private batch: TaggedBatch;
  private timer: TimerHandle | null = null;
  private readonly flushIntervalMs: number;
  private readonly maxBatch: number;
  private readonly heartbeatMs: number | null;
  private host: WriterHost;
  private readonly reader: HistoryReader;
  private readonly insertTag;
  private readonly writerConfig: Partial<WriterConfig>;
  private outboxReader: SampleOutboxReader | null = null;
  private retention: RetentionOptions;
  private closed = false;
  private lastState: 'ok' | 'error' = 'ok';
  /** counts of writer hosts replaced after a failure */
  private readonly retired = { dropped: 0, committed: 0 };
  /** kept for callers of the first historian; `stored` counts committed samples */
  readonly stats = { stored: 0, skipped: 0, flushes: 0, lastFlushMs: 0, maxFlushMs: 0, errors: 0, dropped: 0 };

  constructor(
    private readonly db: SqliteDatabase,
    private readonly clock: Clock,
    private readonly options: HistorianOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.maxBatch = options.maxBatch ?? 8192;
    this.heartbeatMs = options.heartbeatMs ?? null;
    this.batch = emptyBatch(this.maxBatch);
    this.retention = options.retention ?? {};
    this.writerConfig = {
      hotMs: options.hotMs ?? defaultWriterConfig.hotMs,
      chunkMaxSamples: options.chunkMaxSamples ?? defaultWriterConfig.chunkMaxSamples,
      maxPendingSamples: options.maxPendingSamples ?? defaultWriterConfig.maxPendingSamples,
      retryMs: options.retryMs ?? defaultWriterConfig.retryMs,
      outbox: options.sampleOutbox === true,
    };
    // The outbox's tables exist before the writer (perhaps on its thread) prepares its statements.
    if (options.sampleOutbox) migrateSampleOutbox(db);
    this.insertTag = db.prepare(
      'INSERT INTO tag (name, created, units) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET units = coalesce(excluded.units, units) RETURNING id',
    );
    for (const row of db.prepare('SELECT id, name, units FROM tag').all() as { id: number; name: string; units: string | null }[]) {
      this.tagIds.set(row.name, row.id);
      if (row.units) this.units.set(row.name, row.units);
    }
    this.reader = new HistoryReader(db, { ...defaultBudgets, ...options.budgets });
    this.host = this.createHost();
  }

  private createHost(): WriterHost {
    const config = { ...this.writerConfig, retention: this.retentionConfig() };
    if (this.options.writer !== 'worker') return new InlineWriterHost(this.db, this.clock, config);
    if (this.db.memory) {
      log.warn('an in-memory database cannot be opened by the writer thread; writing on the main thread');
      return new InlineWriterHost(this.db, this.clock, config);
    }
    const host: WriterHost = new WorkerWriterHost({ file: this.db.name, nativeBinding: this.options.nativeBinding, config, now: this.clock.now() }, (err, started) => {
      if (this.closed || this.host !== host) return;
      if (!started) {
        // The thread could not start (e.g. its file is missing from a package): write on this
        // thread instead of not at all.
        log.error(`the writer thread did not start (${err.message}); writing on the main thread`);
        this.replaceHost(new InlineWriterHost(this.db, this.clock, config));
        return;
      }
      // The thread died (a bug, out of memory): start another after a pause; it picks up from
      // what is on disk. Meanwhile the status says so and samples are counted as dropped.
      this.clock.setTimeout(() => {
        if (this.closed || this.host !== host) return;
        log.warn('starting a new writer thread');
        this.replaceHost(this.createHost());
      }, this.writerConfig.retryMs ?? defaultWriterConfig.retryMs);
    });
    return host;
  }

  /** Swaps the writer host, keeping the old one's counts in the totals. */
  private replaceHost(next: WriterHost): void {
    const old = this.host.status();
    this.retired.dropped += old.droppedSamples;
    this.retired.committed += old.committedSamples;
    this.host = next;
    this.host.configure(this.retentionConfig());
  }

  /** Registers the project's tags (ids are stable across restarts), with their units. */
  registerTags(tags: readonly (string | TagRegistration)[]): void {
    const now = this.clock.now();
    this.db.transaction(() => {
      for (const t of tags) {
        const reg = typeof t === 'string' ? { name: t } : t;
        if (this.tagIds.has(reg.name) && (reg.units === undefined || this.units.get(reg.name) === reg.units)) continue;
        const row = this.insertTag.get(reg.name, now, reg.units ?? null) as { id: number };
        this.tagIds.set(reg.name, row.id);
        if (reg.units !== undefined) this.units.set(reg.name, reg.units);
      }
    })();
    this.host.configure(this.retentionConfig());
  }

  /** Changes retention (the project's settings); applied by the writer in the background. */
  setRetention(retention: RetentionOptions): void {
    this.retention = retention;
    this.host.configure(this.retentionConfig());
  }

  private retentionConfig(): RetentionConfig {
    const perTag: [number, number | null][] = [];
    for (const [name, ms] of Object.entries(this.retention.perTag ?? {})) {
      const id = this.tagIds.get(name);
      if (id !== undefined) perTag.push([id, ms]);
    }
    return { defaultMaxAgeMs: this.retention.maxAgeMs ?? null, perTag, quotaBytes: this.retention.quotaBytes ?? null };
  }

  /**
   * Marks the start of a run: a gap sample for every tag, so a trend never draws a line across
   * the time the runtime was not running (after a clean stop or a crash alike).
   */
  markStart(ts: number): void {
    const gap = encodeQuality({ level: 'bad', reason: 'shutdown' });
    for (const tag of this.tagIds.values()) this.append(tag, ts, ts, gap, null);
    this.lastStored.clear();
    this.post();
  }

  ingest(values: readonly TagValue[]): void {
    if (this.closed) return;
    for (const v of values) {
      const tag = this.tagIds.get(v.tagId);
      if (tag === undefined || v.value === null) continue;
      const quality = encodeQuality(v.quality);
      if (this.heartbeatMs !== null) {
        const last = this.lastStored.get(tag);
        if (last && last.value === v.value && last.quality === quality && v.ts - last.ts < this.heartbeatMs) {
          this.stats.skipped++;
          continue;
        }
        this.lastStored.set(tag, { value: v.value, quality, ts: v.ts });
      }
      this.append(tag, v.ts, v.sourceTs, quality, v.value);
    }
    if (!this.timer && this.batch.length > 0) {
      this.timer = this.clock.setTimeout(() => {
        this.timer = null;
        this.post();
      }, this.flushIntervalMs);
    }
  }

  private append(tag: number, ts: number, sourceTs: number, quality: number, value: TagScalar | null): void {
    const b = this.batch;
    const i = b.length;
    b.tag[i] = tag;
    // Storage is in whole milliseconds (the chunk codec relies on it).
    b.ts[i] = Math.round(ts);
    b.sourceTs[i] = Math.round(sourceTs);
    b.quality[i] = quality;
    setValue(b, i, value);
    b.length++;
    if (b.length === this.maxBatch) this.post();
  }

  /** Hands the current batch to the writer. */
  private post(): void {
    if (this.batch.length === 0) return;
    const started = performance.now();
    const full = this.batch.length === this.maxBatch;
    const batch = trimBatch(this.batch);
    if (full) this.batch = emptyBatch(this.maxBatch); // handed over whole (transferred to the worker)
    else {
      this.batch.length = 0; // trimBatch copied what it needed
      this.batch.str = null;
    }
    this.host.write(batch, this.clock.now());
    this.stats.flushes++;
    const ms = performance.now() - started;
    this.stats.lastFlushMs = ms;
    this.stats.maxFlushMs = Math.max(this.stats.maxFlushMs, ms);
    this.refreshStats();
  }

  private refreshStats(): void {
    const s = this.host.status();
    this.stats.stored = s.committedSamples + this.retired.committed;
    this.stats.dropped = s.droppedSamples + this.retired.dropped;
    if (s.state === 'error' && this.lastState !== 'error') this.stats.errors++;
    this.lastState = s.state;
  }

  /** Hands buffered samples to the writer and waits until they are committed (or queued on error). */
  async flush(): Promise<void> {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.post();
    await this.host.sync(this.clock.now());
    this.refreshStats();
  }

  /**
   * Values of one tag over [from, to], at most `maxPoints` points. When there are more samples,
   * each bucket yields its min and max (in time order) so spikes survive decimation. Samples
   * that are not good are gaps (null), never values.
   */
  async query(tagId: string, from: number, to: number, maxPoints: number): Promise<HistorySeries> {
    await this.flush();
    const tag = this.tagIds.get(tagId);
    if (tag === undefined) return { tagId, from, to, t: [], v: [], decimated: false };
    return this.reader.series({ id: tag, name: tagId }, from, to, maxPoints, this.clock.now());
  }

  /**
   * Several tags' values over one range for a trend chart, each as `query` gives it (raw when
   * it fits in `maxPoints`, else min/max per bucket), in the order asked. Flushes once for all.
   * A tag the historian has never seen comes back as an empty series.
   */
  async queryTrend(tagIds: readonly string[], from: number, to: number, maxPoints: number): Promise<HistoryTrend> {
    await this.flush();
    const known = tagIds.flatMap((name) => {
      const id = this.tagIds.get(name);
      return id === undefined ? [] : [{ id, name }];
    });
    const answered = new Map(this.reader.trend(known, from, to, maxPoints, this.clock.now()).map((s) => [s.tagId, s]));
    const series = tagIds.map((name): HistorySeries => answered.get(name) ?? { tagId: name, from, to, t: [], v: [], decimated: false });
    return { from, to, series };
  }

  /** Several tags in buckets (min, max, first, last, time-weighted average); see query.ts. */
  async queryBuckets(tagIds: readonly string[], from: number, to: number, buckets: number, resolution: HistoryResolution | 'auto' = 'auto'): Promise<HistoryBuckets> {
    await this.flush();
    return this.reader.buckets(this.refs(tagIds), from, to, buckets, resolution, this.clock.now());
  }

  /**
   * Every stored sample of the tags in [from, to], in time order (tags in the given order at
   * equal times), read a window at a time: memory stays constant however long the range.
   * Call `flush()` first to include samples still in memory.
   *
   * The work is bounded by the samples there are, not by the range's length: an empty stretch
   * is jumped over (an index seek per tag to the next stored sample) instead of being stepped
   * through window by window, and windows adapt to the data's density (about
   * `targetWindowSamples` samples each, over all tags), so one window's read stays short
   * whether a tag has a sample a day or a hundred a second. `windowMs` is the first window.
   */
  *readRaw(tagIds: readonly string[], from: number, to: number, windowMs = 60_000, targetWindowSamples = 16_384): Generator<RawSample> {
    const refs = this.refs(tagIds).filter((r) => r.id >= 0);
    const store = this.reader.store;
    let window = Math.max(1, windowMs);
    let w = from;
    while (w <= to) {
      let next: number | null = null;
      for (const r of refs) {
        const t = store.nextSampleFrom(r.id, w);
        if (t !== null && (next === null || t < next)) next = t;
      }
      if (next === null || next > to) return;
      w = Math.max(w, next);
      const wEnd = Math.min(to, w + window - 1);
      const parts = refs.map((r) => store.read(r.id, w, wEnd));
      const count = parts.reduce((n, p) => n + p.length, 0);
      if (count > targetWindowSamples) window = Math.max(1, Math.floor(window / 2));
      else if (count < targetWindowSamples / 4) window = Math.min(MAX_READ_WINDOW_MS, window * 2);
      w = wEnd + 1;
      const pos = parts.map(() => 0);
      for (;;) {
        let best = -1;
        for (let k = 0; k < parts.length; k++) {
          if (pos[k] < parts[k].length && (best < 0 || parts[k].ts[pos[k]] < parts[best].ts[pos[best]])) best = k;
        }
        if (best < 0) break;
        const c = parts[best];
        const i = pos[best]++;
        yield { tagId: refs[best].name, ts: c.ts[i], sourceTs: c.sourceTs[i], value: valueAt(c, i), quality: c.quality[i] };
      }
    }
  }

  /** The oldest stored sample's time over these tags (hot rows and chunks), or null when they have none. */
  oldestSample(tagIds: readonly string[]): number | null {
    let oldest: number | null = null;
    for (const r of this.refs(tagIds)) {
      const t = r.id < 0 ? null : this.reader.store.oldest(r.id);
      if (t !== null && (oldest === null || t < oldest)) oldest = t;
    }
    return oldest;
  }

  /** The historian's clock: the time samples are stamped with, and the end of what can be stored. */
  now(): number {
    return this.clock.now();
  }

  /**
   * The sample outbox (numbered committed batches), read and trimmed from this connection; null
   * when it was never enabled on this database.
   */
  sampleOutbox(): SampleOutboxReader | null {
    if (this.outboxReader === null && sampleOutboxExists(this.db)) {
      const names = new Map<number, string>();
      const byId = this.db.prepare('SELECT name FROM tag WHERE id = ?').pluck();
      this.outboxReader = new SampleOutboxReader(this.db, (id) => {
        let name = names.get(id);
        if (name === undefined) {
          for (const [n, i] of this.tagIds) names.set(i, n);
          name = names.get(id) ?? (byId.get(id) as string | undefined) ?? `#${id}`;
          names.set(id, name);
        }
        return name;
      });
    }
    return this.outboxReader;
  }

  unitsOf(tagId: string): string {
    return this.units.get(tagId) ?? '';
  }

  private refs(tagIds: readonly string[]): TagRef[] {
    return tagIds.map((name) => ({ id: this.tagIds.get(name) ?? -1, name }));
  }

  /** Health, backlog, losses and the oldest available data per tag. */
  status(): HistorianStatus {
    const s = this.host.status();
    const minRaw = this.db.prepare('SELECT MIN(t_start) FROM chunk WHERE tag = ?').pluck();
    const minHot = this.db.prepare('SELECT MIN(ts) FROM sample WHERE tag = ?').pluck();
    const minRollup = ROLLUP_LEVELS.map((l) => this.db.prepare(`SELECT MIN(t) FROM ${l.table} WHERE tag = ?`).pluck());
    const oldest = [...this.tagIds].map(([name, id]) => {
      const c = minRaw.get(id) as number | null;
      const h = minHot.get(id) as number | null;
      return {
        tagId: name,
        raw: c === null ? h : h === null ? c : Math.min(c, h),
        rollup1m: minRollup[0].get(id) as number | null,
        rollup1h: minRollup[1].get(id) as number | null,
      };
    });
    return {
      state: s.state,
      error: s.error,
      writer: this.host.kind,
      pendingSamples: this.host.backlog() + this.batch.length,
      droppedSamples: s.droppedSamples + this.retired.dropped,
      storedSamples: s.committedSamples + this.retired.committed,
      usedBytes: s.usedBytes,
      quotaBytes: this.retention.quotaBytes ?? null,
      oldest,
    };
  }

  /** The writer's own figures (commit times, compaction, hot rows), for diagnostics and benchmarks. */
  writerStatus(): WriterStatus {
    return this.host.status();
  }

  /** Samples handed to the writer and not yet committed. */
  backlog(): number {
    return this.host.backlog();
  }

  /** Resolves when the writer's backlog is below `samples` (for producers that can wait). */
  async whenBacklogBelow(samples: number): Promise<void> {
    if (this.host instanceof WorkerWriterHost) await this.host.whenBacklogBelow(samples);
  }

  /** Runs compaction and retention to completion now (tests, benchmarks). */
  async maintain(): Promise<void> {
    await this.flush();
    await this.host.maintain(this.clock.now());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.post();
    this.closed = true;
    await this.host.close();
  }
}
