/**
 * The sync's own tables in the shared SQLite file (module migrations, util/module-migrations.ts):
 *
 * - `sync_node`: this installation's id, generated once: the first part of every record's key.
 * - `sync_ack`: per sink and stream, what the receiver acknowledged: the highest contiguous
 *   sequence (`floor`) and the ranges above it. Sending resumes from here after a restart.
 * - `sync_event`: the sync's own records ("data dropped"), synced as the `event` stream; the
 *   AUTOINCREMENT id is the sequence.
 * - `sync_lost`: sequence ranges that will never be sent (the outbox quota dropped them), so a
 *   sink declares them lost instead of waiting for them.
 * - `sync_quarantine`: records a receiver refused, per sink, with the reason.
 * - `sync_high_water`: per stream, the highest sequence ever seen: a table source whose ids go
 *   backwards (a restored or rebuilt table) would reuse numbers, so that stream stops instead.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { QuarantineEntry, SyncStreamName } from '../../shared/sync-api';
import { applyModuleMigrations, type ModuleMigration } from '../util/module-migrations';
import type { Range } from './intervals';

const migrations: ModuleMigration<Database.Database>[] = [
  (db) => {
    db.exec(`
      CREATE TABLE sync_node (
        id      INTEGER PRIMARY KEY CHECK (id = 1),
        node_id TEXT NOT NULL,
        created INTEGER NOT NULL
      );
      CREATE TABLE sync_ack (
        sink       TEXT NOT NULL,
        stream     TEXT NOT NULL,
        floor      INTEGER NOT NULL,
        ranges     TEXT NOT NULL DEFAULT '[]',
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (sink, stream)
      ) WITHOUT ROWID;
      CREATE TABLE sync_event (
        id     INTEGER PRIMARY KEY AUTOINCREMENT,
        ts     INTEGER NOT NULL,
        type   TEXT NOT NULL,
        detail TEXT NOT NULL
      );
      CREATE TABLE sync_lost (
        stream    TEXT NOT NULL,
        first_seq INTEGER NOT NULL,
        last_seq  INTEGER NOT NULL,
        reason    TEXT NOT NULL,
        ts        INTEGER NOT NULL,
        PRIMARY KEY (stream, first_seq)
      ) WITHOUT ROWID;
      CREATE TABLE sync_quarantine (
        id         INTEGER PRIMARY KEY,
        sink       TEXT NOT NULL,
        stream     TEXT NOT NULL,
        seq        INTEGER NOT NULL,
        record     TEXT NOT NULL,
        reason     TEXT NOT NULL,
        first_at   INTEGER NOT NULL,
        last_at    INTEGER NOT NULL,
        attempts   INTEGER NOT NULL DEFAULT 1,
        UNIQUE (sink, stream, seq)
      );
      CREATE TABLE sync_high_water (
        stream TEXT PRIMARY KEY,
        seq    INTEGER NOT NULL
      ) WITHOUT ROWID;
    `);
  },
];

export interface AckState {
  floor: number;
  ranges: Range[];
}

export interface LostRange {
  first: number;
  last: number;
  reason: string;
}

interface QuarantineRow {
  id: number;
  sink: string;
  stream: string;
  seq: number;
  record: string;
  reason: string;
  first_at: number;
  last_at: number;
  attempts: number;
}

export class SyncStore {
  readonly nodeId: string;
  private readonly sql;

  constructor(
    readonly db: Database.Database,
    now: number,
  ) {
    applyModuleMigrations(db, 'sync', migrations);
    const row = db.prepare('SELECT node_id FROM sync_node WHERE id = 1').get() as { node_id: string } | undefined;
    if (row) this.nodeId = row.node_id;
    else {
      this.nodeId = randomUUID();
      db.prepare('INSERT INTO sync_node (id, node_id, created) VALUES (1, ?, ?)').run(this.nodeId, now);
    }
    this.sql = {
      ackGet: db.prepare('SELECT floor, ranges FROM sync_ack WHERE sink = ? AND stream = ?'),
      ackPut: db.prepare(
        'INSERT INTO sync_ack (sink, stream, floor, ranges, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(sink, stream) DO UPDATE SET floor = excluded.floor, ranges = excluded.ranges, updated_at = excluded.updated_at',
      ),
      event: db.prepare('INSERT INTO sync_event (ts, type, detail) VALUES (?, ?, ?)'),
      lostAdd: db.prepare('INSERT OR REPLACE INTO sync_lost (stream, first_seq, last_seq, reason, ts) VALUES (?, ?, ?, ?, ?)'),
      lostAt: db.prepare('SELECT first_seq AS first, last_seq AS last, reason FROM sync_lost WHERE stream = ? AND first_seq <= ? ORDER BY first_seq DESC LIMIT 1'),
      lostTotal: db.prepare('SELECT coalesce(SUM(last_seq - first_seq + 1), 0) FROM sync_lost WHERE stream = ?').pluck(),
      qInsert: db.prepare(
        `INSERT INTO sync_quarantine (sink, stream, seq, record, reason, first_at, last_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(sink, stream, seq) DO UPDATE SET reason = excluded.reason, last_at = excluded.last_at, attempts = attempts + 1`,
      ),
      qRetried: db.prepare('UPDATE sync_quarantine SET reason = ?, last_at = ?, attempts = attempts + 1 WHERE sink = ? AND stream = ? AND seq = ?'),
      qResolve: db.prepare('DELETE FROM sync_quarantine WHERE sink = ? AND stream = ? AND seq = ?'),
      qList: db.prepare(
        'SELECT * FROM sync_quarantine WHERE (@sink IS NULL OR sink = @sink) AND (@stream IS NULL OR stream = @stream) ORDER BY last_at DESC, id DESC LIMIT @limit',
      ),
      qCount: db.prepare('SELECT COUNT(*) FROM sync_quarantine WHERE (@sink IS NULL OR sink = @sink) AND (@stream IS NULL OR stream = @stream)').pluck(),
      qById: db.prepare('SELECT * FROM sync_quarantine WHERE id = ?'),
      qDelete: db.prepare('DELETE FROM sync_quarantine WHERE id = ?'),
      qIdOf: db.prepare('SELECT id FROM sync_quarantine WHERE sink = ? AND stream = ? AND seq = ?').pluck(),
      qHas: db.prepare('SELECT 1 FROM sync_quarantine WHERE sink = ? AND stream = ? AND seq = ?'),
      hwGet: db.prepare('SELECT seq FROM sync_high_water WHERE stream = ?').pluck(),
      hwPut: db.prepare('INSERT INTO sync_high_water (stream, seq) VALUES (?, ?) ON CONFLICT(stream) DO UPDATE SET seq = max(seq, excluded.seq)'),
    };
  }

  loadAck(sink: string, stream: SyncStreamName): AckState | null {
    const row = this.sql.ackGet.get(sink, stream) as { floor: number; ranges: string } | undefined;
    if (!row) return null;
    let ranges: Range[] = [];
    try {
      const parsed = JSON.parse(row.ranges) as unknown;
      if (Array.isArray(parsed)) ranges = parsed.filter((r): r is [number, number] => Array.isArray(r) && Number.isInteger(r[0]) && Number.isInteger(r[1]));
    } catch {
      ranges = [];
    }
    return { floor: row.floor, ranges };
  }

  saveAck(sink: string, stream: SyncStreamName, state: AckState, now: number): void {
    this.sql.ackPut.run(sink, stream, state.floor, JSON.stringify(state.ranges), now);
  }

  /** Records a sync event (synced as the `event` stream); returns its sequence number. */
  recordEvent(ts: number, type: string, detail: Record<string, unknown>): number {
    return Number(this.sql.event.run(ts, type, JSON.stringify(detail)).lastInsertRowid);
  }

  addLost(stream: SyncStreamName, first: number, last: number, reason: string, now: number): void {
    this.sql.lostAdd.run(stream, first, last, reason, now);
  }

  /** The lost range holding seq, if any. */
  lostAt(stream: SyncStreamName, seq: number): LostRange | null {
    const r = this.sql.lostAt.get(stream, seq) as LostRange | undefined;
    return r && r.last >= seq ? r : null;
  }

  lostTotal(stream: SyncStreamName): number {
    return this.sql.lostTotal.get(stream) as number;
  }

  quarantine(sink: string, stream: SyncStreamName, seq: number, record: string, reason: string, now: number): void {
    this.sql.qInsert.run(sink, stream, seq, record, reason, now, now);
  }

  isQuarantined(sink: string, stream: SyncStreamName, seq: number): boolean {
    return this.sql.qHas.get(sink, stream, seq) !== undefined;
  }

  /** A retry was refused again. */
  retryRefused(sink: string, stream: SyncStreamName, seq: number, reason: string, now: number): void {
    this.sql.qRetried.run(reason, now, sink, stream, seq);
  }

  /** A retry was accepted: the record leaves the quarantine. */
  resolve(sink: string, stream: SyncStreamName, seq: number): boolean {
    return this.sql.qResolve.run(sink, stream, seq).changes > 0;
  }

  listQuarantine(limit: number, sink?: string, stream?: SyncStreamName): { rows: Omit<QuarantineEntry, 'retrying'>[]; total: number } {
    const rows = (this.sql.qList.all({ sink: sink ?? null, stream: stream ?? null, limit }) as QuarantineRow[]).map(toEntry);
    return { rows, total: this.sql.qCount.get({ sink: sink ?? null, stream: stream ?? null }) as number };
  }

  quarantinedCount(sink?: string): number {
    return this.sql.qCount.get({ sink: sink ?? null, stream: null }) as number;
  }

  quarantineById(id: number): Omit<QuarantineEntry, 'retrying'> | null {
    const r = this.sql.qById.get(id) as QuarantineRow | undefined;
    return r ? toEntry(r) : null;
  }

  /** Ids of the quarantined records of a sink and stream with these sequence numbers. */
  quarantineIds(sink: string, stream: SyncStreamName, seqs: readonly number[]): number[] {
    const out: number[] = [];
    for (const seq of seqs) {
      const id = this.sql.qIdOf.get(sink, stream, seq) as number | undefined;
      if (id !== undefined) out.push(id);
    }
    return out;
  }

  deleteQuarantined(id: number): boolean {
    return this.sql.qDelete.run(id).changes > 0;
  }

  highWater(stream: SyncStreamName): number {
    return (this.sql.hwGet.get(stream) as number | undefined) ?? 0;
  }

  noteHighWater(stream: SyncStreamName, seq: number): void {
    this.sql.hwPut.run(stream, seq);
  }

  /**
   * Makes every transaction committed so far durable (an fsync of the WAL, which holds them all)
   * and records `seq` as the stream's high-water mark in the same commit. The runtime's
   * connection commits with synchronous = NORMAL (no fsync per commit): a record sent before
   * this could be forgotten by a power cut and its number given to another record.
   */
  makeDurable(stream: SyncStreamName, seq: number): void {
    const before = this.db.pragma('synchronous', { simple: true }) as number;
    this.db.pragma('synchronous = FULL');
    try {
      this.sql.hwPut.run(stream, seq);
    } finally {
      this.db.pragma(`synchronous = ${before}`);
    }
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}

function toEntry(r: QuarantineRow): Omit<QuarantineEntry, 'retrying'> {
  return {
    id: r.id,
    sink: r.sink,
    stream: r.stream as SyncStreamName,
    seq: r.seq,
    record: r.record,
    reason: r.reason,
    firstRejectedAt: r.first_at,
    lastAttemptAt: r.last_at,
    attempts: r.attempts,
  };
}
