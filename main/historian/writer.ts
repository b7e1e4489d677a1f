/**
 * The historian's writer: the only code that writes samples, chunks and rollups. It runs on a
 * worker thread in the runtime (historian-worker.ts) or on the caller's thread (tests, tools),
 * the same code either way.
 *
 * Writer state:
 *
 *            commit ok                 commit fails (disk full, I/O error, …)
 *   ┌────┐ ◄─────────── retry ok ───── ┌───────┐
 *   │ ok │ ──────────────────────────► │ error │ ── retry every retryMs; the batches wait in
 *   └────┘                             └───────┘    memory, oldest dropped (and counted)
 *                                                   beyond maxPendingSamples
 *
 * A failed commit rolls back entirely (SQLite transaction) and the rollup state with it, so
 * nothing half-written remains; the batch is retried as a whole.
 *
 * Background maintenance — compaction of hot rows into chunks, retention by age, the disk quota —
 * runs in slices of a few ms, one small transaction per step, so batches keep being committed
 * between steps.
 */
import type Database from 'better-sqlite3';
import { ChunkEncodeError, encodeChunk } from './chunk-codec';
import type { SqliteDatabase } from './database';
import { RollupMaintainer, ROLLUP_LEVELS } from './rollup';
import { hotRowsToColumns, hotValue, HotValueType, MAX_CHUNK_SPAN_MS, SampleStore } from './sample-store';
import { isGoodCode, lowerBound, sliceBatch, sliceColumns, ValueKind, type TaggedBatch } from './samples';
import { SampleOutboxWriter } from './sample-outbox';
import type { Clock, TimerHandle } from '../util/clock';
import { createLogger } from '../util/log';

const log = createLogger('historian');

/** Retention by age is checked this often (host time); it deletes whole chunks, so no need for more. */
const RETENTION_EVERY_MS = 15 * 60_000;

export interface RetentionConfig {
  /** samples (and their rollups) older than this are deleted; null keeps them forever */
  defaultMaxAgeMs: number | null;
  /** per tag id, overriding the default (null: forever) */
  perTag: [tag: number, maxAgeMs: number | null][];
  /** the database's used pages are kept below this many bytes by deleting the oldest data */
  quotaBytes: number | null;
}

export interface WriterConfig {
  /** samples stay in the hot table (a row each) at least this long before compaction */
  hotMs: number;
  /** a chunk holds at most this many samples */
  chunkMaxSamples: number;
  /** samples waiting for a commit (disk full, overload) beyond which the oldest are dropped */
  maxPendingSamples: number;
  retryMs: number;
  /** how long one maintenance slice may run before yielding */
  maintenanceSliceMs: number;
  /** how often maintenance looks for work when no batch arrives */
  maintenanceEveryMs: number;
  retention: RetentionConfig;
  /** the connection is the writer's alone (worker thread): connection-wide settings are ours */
  ownConnection: boolean;
  /**
   * Keep every committed batch, numbered, in the sample outbox (sample-outbox.ts) for
   * store-and-forward upstream; its tables must exist (Historian creates them).
   */
  outbox?: boolean;
}

export const defaultWriterConfig: WriterConfig = {
  hotMs: 3_600_000,
  chunkMaxSamples: 1024,
  maxPendingSamples: 1_000_000,
  retryMs: 2_000,
  maintenanceSliceMs: 15,
  maintenanceEveryMs: 10_000,
  retention: { defaultMaxAgeMs: null, perTag: [], quotaBytes: null },
  ownConnection: false,
};

export interface WriterError {
  /** 'disk_full' (SQLITE_FULL), 'io_error', 'busy', 'readonly', 'write_failed' */
  code: string;
  message: string;
  since: number;
}

export interface WriterStatus {
  state: 'ok' | 'error';
  error: WriterError | null;
  pendingSamples: number;
  droppedSamples: number;
  committedSamples: number;
  commits: number;
  lastCommitMs: number;
  maxCommitMs: number;
  chunksWritten: number;
  samplesCompacted: number;
  hotSamples: number;
  prunedChunks: number;
  usedBytes: number;
}

/** SQLite error codes → the status's error code. */
export function classifyError(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return 'write_failed';
  if (code.startsWith('SQLITE_FULL')) return 'disk_full';
  if (code.startsWith('SQLITE_IOERR')) return 'io_error';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  if (code.startsWith('SQLITE_READONLY')) return 'readonly';
  return 'write_failed';
}

interface HotStat {
  count: number;
  oldest: number;
}

type HotRow = [number, number | string | null, number, number, number];
type Statement = Database.Statement<unknown[]>;

export class HistorianWriter {
  private queue: TaggedBatch[] = [];
  private queued = 0;
  private error: WriterError | null = null;
  private retryTimer: TimerHandle | null = null;
  private sliceTimer: TimerHandle | null = null;
  private periodicTimer: TimerHandle | null = null;
  private closed = false;
  private readonly hot = new Map<number, HotStat>();
  private readonly statements = new Map<string, Statement>();
  private readonly unsealable = new Set<number>();
  private readonly maxAge = new Map<number, number | null>();
  private lastRetentionAt = -Infinity;
  private pruningToQuota = false;
  private config: WriterConfig;
  private readonly store: SampleStore;
  private readonly rollups: RollupMaintainer;
  private readonly insertHot;
  private readonly syncOff;
  private readonly syncFull;
  private readonly writeBatch;
  private readonly outbox: SampleOutboxWriter | null;
  private readonly stats = {
    droppedSamples: 0,
    committedSamples: 0,
    commits: 0,
    lastCommitMs: 0,
    maxCommitMs: 0,
    chunksWritten: 0,
    samplesCompacted: 0,
    prunedChunks: 0,
  };

  constructor(
    private readonly db: SqliteDatabase,
    private readonly clock: Clock,
    /** the host's notion of "now" (epoch ms), for ages; the clock is for timers */
    private readonly now: () => number,
    config: Partial<WriterConfig> = {},
    private readonly onStatus: (s: WriterStatus) => void = () => {},
  ) {
    this.config = { ...defaultWriterConfig, ...config };
    if (this.config.hotMs > MAX_CHUNK_SPAN_MS) throw new RangeError(`hotMs must be at most ${MAX_CHUNK_SPAN_MS}`);
    // A committed batch survives a power cut: the WAL is synced at every commit (one fsync per
    // flush interval, on this thread). See docs/database.md.
    db.pragma('synchronous = FULL');
    db.pragma('journal_size_limit = 67108864');
    // The writer only uses tag ids read from `tag`; checking each sample row's foreign key
    // against it costs ~30 % of the insert rate. (Only on the writer's own connection; inline,
    // on a connection shared with other modules, the checks stay on.)
    if (this.config.ownConnection) db.pragma('foreign_keys = OFF');
    this.store = new SampleStore(db);
    this.rollups = new RollupMaintainer(db, this.store);
    this.syncOff = db.prepare('PRAGMA synchronous = NORMAL');
    this.syncFull = db.prepare('PRAGMA synchronous = FULL');
    this.insertHot = db.prepare('INSERT OR REPLACE INTO sample (tag, ts, value, quality, source_ts, value_type) VALUES (?, ?, ?, ?, ?, ?)');
    this.outbox = this.config.outbox ? new SampleOutboxWriter(db) : null;
    this.writeBatch = db.transaction((b: TaggedBatch) => this.applyBatch(b));
    this.configure(this.config.retention);
    for (const r of db.prepare('SELECT tag, COUNT(*) AS n, MIN(ts) AS oldest FROM sample GROUP BY tag').all() as { tag: number; n: number; oldest: number }[]) {
      this.hot.set(r.tag, { count: r.n, oldest: r.oldest });
    }
    this.rebuildStaleRollups();
    this.schedulePeriodic();
  }

  configure(retention: RetentionConfig): void {
    this.config = { ...this.config, retention };
    this.maxAge.clear();
    for (const [tag, ms] of retention.perTag) this.maxAge.set(tag, ms);
    this.lastRetentionAt = -Infinity;
    this.scheduleMaintenance();
  }

  /** Queues a batch and commits whatever can be committed now. */
  write(batch: TaggedBatch): void {
    if (this.closed || batch.length === 0) return;
    this.queue.push(batch);
    this.queued += batch.length;
    this.enforceBound();
    if (!this.error) {
      const started = performance.now();
      this.drain();
      // Maintenance also runs here, right after a commit, for as long as the commit took: a
      // thread kept busy by a stream of batches may not get to its timers (a worker's message
      // port drains everything queued before timers run), and compaction must keep pace anyway.
      if (this.queue.length === 0) this.maintainSlice(Math.min(this.config.maintenanceSliceMs, Math.max(1, performance.now() - started)));
    }
    this.onStatus(this.status());
  }

  status(): WriterStatus {
    let hotSamples = 0;
    for (const h of this.hot.values()) hotSamples += h.count;
    return {
      state: this.error ? 'error' : 'ok',
      error: this.error,
      pendingSamples: this.queued,
      hotSamples,
      usedBytes: this.usedBytes(),
      ...this.stats,
    };
  }

  /** Runs maintenance until there is nothing left to do (tests, benchmarks, shutdown tools). */
  maintainFully(): void {
    this.lastRetentionAt = -Infinity;
    while (this.maintainSlice(Infinity));
  }

  /** Commits what it can, stops timers. The connection stays open (its owner closes it). */
  close(): void {
    if (this.closed) return;
    if (!this.error) this.drain();
    if (this.queued > 0) log.error(`closing with ${this.queued} samples not written (${this.error?.message ?? 'unknown'})`);
    for (const t of [this.retryTimer, this.sliceTimer, this.periodicTimer]) if (t) this.clock.clearTimeout(t);
    this.retryTimer = this.sliceTimer = this.periodicTimer = null;
    this.closed = true;
  }

  // --- committing -----------------------------------------------------------------------------

  private drain(): void {
    while (this.queue.length > 0) {
      const batch = this.queue[0];
      const started = performance.now();
      this.rollups.begin();
      try {
        this.writeBatch.immediate(batch);
        this.rollups.commit();
      } catch (err) {
        this.rollups.rollback();
        this.enterError(err);
        return;
      }
      const ms = performance.now() - started;
      this.queue.shift();
      this.queued -= batch.length;
      this.stats.committedSamples += batch.length;
      this.stats.commits++;
      this.stats.lastCommitMs = ms;
      this.stats.maxCommitMs = Math.max(this.stats.maxCommitMs, ms);
      this.noteHot(batch);
    }
    if (this.error) this.leaveError();
    this.scheduleMaintenance();
  }

  private applyBatch(b: TaggedBatch): void {
    let lastTag = -1;
    for (let i = 0; i < b.length; i++) {
      if (b.tag[i] !== lastTag) {
        lastTag = b.tag[i];
        this.rollups.prepare(lastTag);
      }
    }
    for (let i = 0; i < b.length; i++) {
      const k = b.kind[i];
      const numeric = (k === ValueKind.Number || k === ValueKind.Bool) && !Number.isNaN(b.num[i]) && isGoodCode(b.quality[i]);
      this.rollups.add(b.tag[i], b.ts[i], numeric ? b.num[i] : null);
    }
    const insert = this.insertHot;
    for (let i = 0; i < b.length; i++) {
      const k = b.kind[i];
      const x = b.num[i];
      if (k === ValueKind.Number && x === x) insert.run(b.tag[i], b.ts[i], x, b.quality[i], b.sourceTs[i], HotValueType.AsStored);
      else {
        const [value, valueType] = hotValue(k, x, b.str ? b.str[i] : null);
        insert.run(b.tag[i], b.ts[i], value, b.quality[i], b.sourceTs[i], valueType);
      }
    }
    this.rollups.finish();
    // Sequence numbers for upstream, in the same transaction as the samples (docs/sync.md).
    this.outbox?.append(b, this.now());
  }

  private noteHot(b: TaggedBatch): void {
    for (let i = 0; i < b.length; i++) {
      const tag = b.tag[i];
      const h = this.hot.get(tag);
      if (h) {
        h.count++;
        if (b.ts[i] < h.oldest) h.oldest = b.ts[i];
      } else this.hot.set(tag, { count: 1, oldest: b.ts[i] });
    }
  }

  private enforceBound(): void {
    let excess = this.queued - this.config.maxPendingSamples;
    if (excess <= 0) return;
    const dropped = excess;
    while (excess > 0) {
      const head = this.queue[0];
      if (head.length <= excess) {
        this.queue.shift();
        excess -= head.length;
      } else {
        this.queue[0] = sliceBatch(head, excess, head.length);
        excess = 0;
      }
    }
    this.queued -= dropped;
    this.stats.droppedSamples += dropped;
    if (this.stats.droppedSamples === dropped || this.stats.droppedSamples % 100_000 < dropped) {
      log.error(`dropped the oldest ${dropped} unwritten samples (${this.stats.droppedSamples} in all): more than ${this.config.maxPendingSamples} are waiting`);
    }
  }

  private enterError(err: unknown): void {
    const code = classifyError(err);
    const message = (err as Error).message ?? String(err);
    if (!this.error || this.error.code !== code) {
      this.error = { code, message, since: this.now() };
      log.error(`cannot write samples (${code}): ${message}; ${this.queued} samples wait in memory, retrying every ${this.config.retryMs} ms`);
    }
    this.retryTimer ??= this.clock.setTimeout(() => {
      this.retryTimer = null;
      if (this.closed) return;
      // Space may be freed by retention or the quota as well as by an operator.
      this.maintainSlice(this.config.maintenanceSliceMs);
      this.drain();
      this.onStatus(this.status());
    }, this.config.retryMs);
    this.onStatus(this.status());
  }

  private leaveError(): void {
    const e = this.error;
    this.error = null;
    if (e) log.warn(`writing again after ${Math.round((this.now() - e.since) / 1000)} s of ${e.code}; ${this.stats.droppedSamples} samples dropped in all`);
  }

  // --- maintenance ----------------------------------------------------------------------------

  private scheduleMaintenance(): void {
    if (this.sliceTimer || this.closed) return;
    this.sliceTimer = this.clock.setTimeout(() => {
      this.sliceTimer = null;
      if (this.closed) return;
      if (this.maintainSlice(this.config.maintenanceSliceMs)) this.scheduleMaintenance();
      this.onStatus(this.status());
    }, 0);
  }

  private schedulePeriodic(): void {
    if (this.closed) return;
    this.periodicTimer = this.clock.setTimeout(() => {
      this.periodicTimer = null;
      this.scheduleMaintenance();
      this.schedulePeriodic();
    }, this.config.maintenanceEveryMs);
  }

  /** Runs maintenance steps for up to `budgetMs`; true when there is more to do. */
  private maintainSlice(budgetMs: number): boolean {
    const deadline = performance.now() + budgetMs;
    // Maintenance moves or deletes data that is already safe: a power cut that loses one of its
    // transactions loses nothing (hot rows stay, or are deleted again later). So no fsync for
    // them; the next sample commit syncs the WAL, these frames included.
    this.syncOff.run();
    try {
      for (;;) {
        let step: (() => void) | null;
        try {
          step = this.nextStep();
          if (!step) return false;
          this.db.transaction(step).immediate();
        } catch (err) {
          // Maintenance failing (e.g. a full disk while compacting) is retried on the next
          // slice; the sample path reports the error state.
          log.warn(`maintenance step failed: ${(err as Error).message}`);
          return false;
        }
        if (performance.now() >= deadline) return true;
      }
    } finally {
      this.syncFull.run();
    }
  }

  private nextStep(): (() => void) | null {
    const now = this.now();
    const quota = this.config.retention.quotaBytes;
    if (quota !== null) {
      // Over the quota, prune down to 90 % of it, so that pruning happens in bursts, not at
      // every commit.
      const used = this.usedBytes();
      if (used > quota) this.pruningToQuota = true;
      if (this.pruningToQuota && used > quota * 0.9) {
        const step = this.quotaStep(quota);
        if (step) return step;
      }
      this.pruningToQuota = false;
    }
    if (now - this.lastRetentionAt >= RETENTION_EVERY_MS || this.lastRetentionAt === -Infinity) {
      const step = this.retentionStep(now);
      if (step) return step;
      this.lastRetentionAt = now;
    }
    for (const [tag, h] of this.hot) {
      if (this.unsealable.has(tag) || h.count === 0) continue;
      if (h.count >= this.config.chunkMaxSamples || h.oldest < now - this.config.hotMs) return () => this.seal(tag, now);
    }
    return null;
  }

  /** Moves a tag's oldest hot rows into one chunk. */
  private seal(tag: number, now: number): void {
    const h = this.hot.get(tag)!;
    const rows = this.sql('SELECT ts, value, quality, source_ts, value_type FROM sample WHERE tag = ? ORDER BY ts LIMIT ?')
      .raw(true)
      .all(tag, this.config.chunkMaxSamples) as HotRow[];
    if (rows.length === 0) {
      this.hot.delete(tag);
      return;
    }
    const all = hotRowsToColumns(rows);
    const full = rows.length >= this.config.chunkMaxSamples;
    // An age-triggered chunk takes at most hotMs of time, so the hot table keeps the rest; no
    // chunk spans more than MAX_CHUNK_SPAN_MS (range queries rely on it).
    let end = lowerBound(all.ts, all.length, all.ts[0] + Math.min(MAX_CHUNK_SPAN_MS, this.config.hotMs));
    if (full) end = Math.max(end, lowerBound(all.ts, all.length, all.ts[0] + MAX_CHUNK_SPAN_MS));
    if (!full && all.ts[0] >= now - this.config.hotMs) {
      // The in-memory figures were stale (duplicates replaced, rows pruned): refresh them.
      // Counting stops at the chunk size: all that matters is whether a full chunk is there.
      h.count = (this.sql('SELECT COUNT(*) AS n FROM (SELECT 1 FROM sample WHERE tag = ? LIMIT ?)').get(tag, this.config.chunkMaxSamples) as { n: number }).n;
      h.oldest = all.ts[0];
      return;
    }
    end = Math.max(1, end);
    const c = end === all.length ? all : sliceColumns(all, 0, end);
    let data: Uint8Array;
    try {
      data = encodeChunk(c);
    } catch (err) {
      if (!(err instanceof ChunkEncodeError)) throw err;
      this.unsealable.add(tag);
      log.error(`tag ${tag}: hot samples cannot be compacted (${err.message}); they stay in the hot table`);
      return;
    }
    const tStart = c.ts[0];
    const tEnd = c.ts[c.length - 1];
    this.sql('INSERT INTO chunk (tag, t_start, t_end, n, data) VALUES (?, ?, ?, ?, ?)').run(tag, tStart, tEnd, c.length, data);
    const deleted = this.sql('DELETE FROM sample WHERE tag = ? AND ts >= ? AND ts <= ?').run(tag, tStart, tEnd).changes;
    const oldest = this.sql('SELECT MIN(ts) AS t FROM sample WHERE tag = ?').get(tag) as { t: number | null };
    h.count -= deleted;
    if (oldest.t === null) this.hot.delete(tag);
    else h.oldest = oldest.t;
    this.stats.chunksWritten++;
    this.stats.samplesCompacted += c.length;
  }

  private tagsWithData(): number[] {
    return (this.sql('SELECT id FROM tag').all() as { id: number }[]).map((r) => r.id);
  }

  /** One batch of deletions for tags past their maximum age, or null when none is due. */
  private retentionStep(now: number): (() => void) | null {
    for (const tag of this.tagsWithData()) {
      const maxAge = this.maxAge.has(tag) ? this.maxAge.get(tag)! : this.config.retention.defaultMaxAgeMs;
      if (maxAge === null) continue;
      const cutoff = now - maxAge;
      const chunks = this.sql('SELECT id FROM chunk WHERE tag = ? AND t_start < ? AND t_end < ? LIMIT 256').all(tag, cutoff, cutoff) as { id: number }[];
      const hotOld = this.sql('SELECT COUNT(*) AS n FROM (SELECT 1 FROM sample WHERE tag = ? AND ts < ? LIMIT 1)').get(tag, cutoff) as { n: number };
      const rollOld = ROLLUP_LEVELS.some(
        (l) => (this.sql(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${l.table} WHERE tag = ? AND t <= ? LIMIT 1)`).get(tag, cutoff - l.widthMs) as { n: number }).n > 0,
      );
      if (chunks.length === 0 && hotOld.n === 0 && !rollOld) continue;
      return () => {
        this.deleteChunks(chunks.map((c) => c.id));
        if (hotOld.n > 0) {
          const del = this.sql('DELETE FROM sample WHERE tag = ? AND ts < ?').run(tag, cutoff);
          const h = this.hot.get(tag);
          if (h) {
            h.count -= del.changes;
            const left = this.sql('SELECT MIN(ts) AS t FROM sample WHERE tag = ?').get(tag) as { t: number | null };
            if (left.t === null) this.hot.delete(tag);
            else h.oldest = left.t;
          }
        }
        for (const l of ROLLUP_LEVELS) this.sql(`DELETE FROM ${l.table} WHERE tag = ? AND t <= ?`).run(tag, cutoff - l.widthMs);
      };
    }
    return null;
  }

  /** The oldest data first: chunks, then 1-minute rollups, then 1-hour rollups. */
  private quotaStep(quota: number): (() => void) | null {
    const oldest = this.sql('SELECT id FROM chunk ORDER BY t_start LIMIT 64').all() as { id: number }[];
    if (oldest.length > 0) return () => this.deleteChunks(oldest.map((c) => c.id));
    for (const l of ROLLUP_LEVELS) {
      const first = this.sql(`SELECT MIN(t) AS t FROM ${l.table}`).get() as { t: number | null };
      if (first.t !== null) {
        return () => {
          this.sql(`DELETE FROM ${l.table} WHERE t <= ?`).run(first.t! + 64 * l.widthMs);
        };
      }
    }
    log.warn(`the database uses ${this.usedBytes()} bytes, over its quota of ${quota}, and only recent samples are left`);
    return null;
  }

  private deleteChunks(ids: number[]): void {
    const del = this.sql('DELETE FROM chunk WHERE id = ?');
    for (const id of ids) del.run(id);
    this.stats.prunedChunks += ids.length;
  }

  private usedBytes(): number {
    return this.sql('SELECT (p.page_count - f.freelist_count) * s.page_size FROM pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s')
      .pluck()
      .get() as number;
  }

  /** Prepared statements, prepared once. */
  private sql(text: string): Statement {
    let st = this.statements.get(text);
    if (!st) {
      st = this.db.prepare<unknown[]>(text);
      this.statements.set(text, st);
    }
    return st;
  }

  private rebuildStaleRollups(): void {
    const stale = this.sql("SELECT value FROM meta WHERE key = 'historian.rollups_stale'").get();
    if (!stale) return;
    const tags = this.tagsWithData();
    log.info(`building rollups for ${tags.length} tags from their stored samples`);
    for (const tag of tags) {
      this.rollups.begin();
      this.db.transaction(() => this.rollups.rebuild(tag, -Infinity))();
      this.rollups.commit();
    }
    this.sql("DELETE FROM meta WHERE key = 'historian.rollups_stale'").run();
  }
}
