/**
 * The reference receiver's storage (SQLite): every record under its key (node, stream, seq),
 * unique, so a duplicate delivery is dropped by the key and counted; refused records with their
 * reason; ranges the sender declared lost. Per (node, stream) it knows what it holds, so it can
 * acknowledge the highest contiguous sequence it committed and report gaps.
 *
 * One transaction per batch, committed (fsync) before the ack is sent: an ack never covers a
 * record that a crash of the receiver could lose.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { IntervalSet } from '../sync/intervals';
import { WIRE_VERSION, type Ack, type Batch, type StreamName } from '../sync/wire';
import { applyModuleMigrations, type ModuleMigration } from '../util/module-migrations';

const migrations: ModuleMigration<Database.Database>[] = [
  (db) => {
    db.exec(`
      CREATE TABLE record (
        node        TEXT NOT NULL,
        stream      TEXT NOT NULL,
        seq         INTEGER NOT NULL,
        ts          INTEGER,
        historical  INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        payload     TEXT NOT NULL,
        PRIMARY KEY (node, stream, seq)
      ) WITHOUT ROWID;
      CREATE TABLE refused (
        node        TEXT NOT NULL,
        stream      TEXT NOT NULL,
        seq         INTEGER NOT NULL,
        reason      TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        payload     TEXT NOT NULL,
        PRIMARY KEY (node, stream, seq)
      ) WITHOUT ROWID;
      CREATE TABLE lost (
        node        TEXT NOT NULL,
        stream      TEXT NOT NULL,
        first_seq   INTEGER NOT NULL,
        last_seq    INTEGER NOT NULL,
        reason      TEXT NOT NULL,
        declared_at INTEGER NOT NULL,
        PRIMARY KEY (node, stream, first_seq)
      ) WITHOUT ROWID;
      -- per node and stream: where numbering starts for this receiver (the sender's acknowledged
      -- position at first contact), the highest contiguous sequence held, and counters
      CREATE TABLE position (
        node        TEXT NOT NULL,
        stream      TEXT NOT NULL,
        site        TEXT NOT NULL,
        line        TEXT NOT NULL,
        baseline    INTEGER NOT NULL,
        contiguous  INTEGER NOT NULL,
        max_seen    INTEGER NOT NULL,
        stored      INTEGER NOT NULL DEFAULT 0,
        duplicates  INTEGER NOT NULL DEFAULT 0,
        refused     INTEGER NOT NULL DEFAULT 0,
        last_at     INTEGER NOT NULL,
        PRIMARY KEY (node, stream)
      ) WITHOUT ROWID;
    `);
  },
];

/** Decides whether a record is acceptable; returns why not, or null. */
export type RecordValidator = (stream: StreamName, record: Record<string, unknown>) => string | null;

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);
const isText = (x: unknown): x is string => typeof x === 'string' && x.length > 0;

/** The reference receiver's checks: the fields each stream's records must have. */
export function validateRecord(stream: StreamName, r: Record<string, unknown>): string | null {
  if (!isInt(r.ts)) return 'ts must be an integer (epoch ms)';
  switch (stream) {
    case 'sample': {
      if (!isText(r.tag)) return 'tag must be a non-empty string';
      if (typeof r.sourceTs !== 'number') return 'sourceTs must be a number';
      const v = r.value;
      if (!(v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string')) return 'value must be a number, boolean, string or null';
      if (!isText(r.quality)) return 'quality must be a non-empty string';
      return null;
    }
    case 'alarm':
      return isText(r.alarmId) && isText(r.event) ? null : 'alarmId and event must be non-empty strings';
    case 'audit':
      return isText(r.user) && isText(r.action) ? null : 'user and action must be non-empty strings';
    case 'instruction':
      if (!isInt(r.runId)) return 'runId must be an integer';
      if (!isText(r.kind) || !['start', 'step', 'completed', 'aborted'].includes(r.kind)) return 'kind must be start, step, completed or aborted';
      return isText(r.instructionId) && isText(r.versionHash) && isText(r.userId) ? null : 'instructionId, versionHash and userId must be non-empty strings';
    case 'event':
      return isText(r.type) ? null : 'type must be a non-empty string';
    case 'maintenance':
      return isInt(r.requestId) && isText(r.kind) && isText(r.userId) ? null : 'requestId must be an integer, kind and userId non-empty strings';
    case 'downtime':
      return isInt(r.downtimeId) && isText(r.kind) && isText(r.line) && isText(r.userId) ? null : 'downtimeId must be an integer, kind, line and userId non-empty strings';
  }
}

export interface StreamPosition {
  node: string;
  stream: StreamName;
  site: string;
  line: string;
  baseline: number;
  contiguous: number;
  maxSeen: number;
  stored: number;
  duplicates: number;
  refused: number;
  /** numbers in (baseline, maxSeen] that are neither stored, refused nor declared lost */
  missing: number;
  lost: number;
}

interface Held {
  have: IntervalSet;
  baseline: number;
}

const MAX_REPORTED_REFUSALS = 1000;
const MAX_REPORTED_RANGES = 32;

export class ReceiverStore {
  readonly db: Database.Database;
  private readonly held = new Map<string, Held>();
  private readonly sql;
  /** deliveries dropped as duplicates since start (all streams) */
  duplicatesSinceStart = 0;

  constructor(
    file: string,
    private readonly validate: RecordValidator = validateRecord,
  ) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // An ack is sent after the commit: the commit must survive a power cut.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    applyModuleMigrations(this.db, 'receiver', migrations);
    const db = this.db;
    this.sql = {
      position: db.prepare('SELECT * FROM position WHERE node = ? AND stream = ?'),
      newPosition: db.prepare('INSERT INTO position (node, stream, site, line, baseline, contiguous, max_seen, last_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      updatePosition: db.prepare(
        'UPDATE position SET contiguous = ?, max_seen = max(max_seen, ?), stored = stored + ?, duplicates = duplicates + ?, refused = refused + ?, last_at = ? WHERE node = ? AND stream = ?',
      ),
      insert: db.prepare('INSERT OR IGNORE INTO record (node, stream, seq, ts, historical, received_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      has: db.prepare('SELECT 1 FROM record WHERE node = ? AND stream = ? AND seq = ?'),
      refuse: db.prepare('INSERT OR REPLACE INTO refused (node, stream, seq, reason, received_at, payload) VALUES (?, ?, ?, ?, ?, ?)'),
      unrefuse: db.prepare('DELETE FROM refused WHERE node = ? AND stream = ? AND seq = ?'),
      refusedAbove: db.prepare('SELECT seq, reason FROM refused WHERE node = ? AND stream = ? AND seq > ? ORDER BY seq LIMIT ?'),
      lost: db.prepare('INSERT OR REPLACE INTO lost (node, stream, first_seq, last_seq, reason, declared_at) VALUES (?, ?, ?, ?, ?, ?)'),
      seqsAbove: db.prepare('SELECT seq FROM record WHERE node = ? AND stream = ? AND seq > ? UNION SELECT seq FROM refused WHERE node = ? AND stream = ? AND seq > ? ORDER BY seq').pluck(),
      lostAbove: db.prepare('SELECT first_seq, last_seq FROM lost WHERE node = ? AND stream = ? AND last_seq > ?'),
      positions: db.prepare('SELECT * FROM position ORDER BY node, stream'),
      lostCount: db.prepare('SELECT coalesce(SUM(last_seq - first_seq + 1), 0) FROM lost WHERE node = ? AND stream = ?').pluck(),
    };
  }

  private heldFor(node: string, stream: StreamName, batch: Batch, now: number): Held {
    const h = this.held.get(`${node}\u0000${stream}`);
    if (h) return h;
    if (this.sql.position.get(node, stream) === undefined) {
      // First contact: numbers up to the sender's acknowledged position were acknowledged before
      // this receiver's time (another receiver, a wiped database): not counted as missing.
      this.sql.newPosition.run(node, stream, batch.site, batch.line, batch.acked, batch.acked, batch.acked, now);
    }
    return this.load(node, stream)!;
  }

  /** What is held for a node and stream, from the database (once; then kept up to date). */
  private load(node: string, stream: StreamName): Held | null {
    const key = `${node}\u0000${stream}`;
    const cached = this.held.get(key);
    if (cached) return cached;
    const pos = this.sql.position.get(node, stream) as { baseline: number; contiguous: number } | undefined;
    if (!pos) return null;
    const have = new IntervalSet();
    if (pos.contiguous > 0) have.add(1, pos.contiguous);
    for (const seq of this.sql.seqsAbove.iterate(node, stream, pos.contiguous, node, stream, pos.contiguous) as Iterable<number>) have.add(seq, seq);
    for (const r of this.sql.lostAbove.all(node, stream, pos.contiguous) as { first_seq: number; last_seq: number }[]) have.add(r.first_seq, r.last_seq);
    const h = { have, baseline: pos.baseline };
    this.held.set(key, h);
    return h;
  }

  /**
   * Commits a batch (one transaction) and returns the ack. Throws nothing for bad records (they
   * are refused one by one); a batch whose records do not match its range gets `error`.
   */
  process(batch: Batch, now = Date.now()): Ack {
    const { node, stream } = batch;
    const base: Omit<Ack, 'upTo' | 'ranges' | 'rejected'> = { v: WIRE_VERSION, node, stream, first: batch.first, last: batch.last, from: batch.acked };
    const problem = this.checkRange(batch);
    if (problem !== null) {
      const h = this.held.get(`${node}\u0000${stream}`);
      return { ...base, upTo: h ? h.have.contiguousFrom(1) : 0, ranges: [], rejected: [], error: problem };
    }
    const results: NonNullable<Ack['results']> = [];
    const ack = this.db.transaction((): Ack => {
      const h = this.heldFor(node, stream, batch, now);
      let stored = 0;
      let duplicates = 0;
      let refused = 0;
      if (batch.lost) {
        this.sql.lost.run(node, stream, batch.first, batch.last, batch.lost.reason, now);
        h.have.add(batch.first, batch.last);
      }
      for (const rec of batch.records) {
        const seq = rec.seq as number;
        const why = this.validate(stream, rec);
        if (why === null) {
          const ts = typeof rec.ts === 'number' ? rec.ts : null;
          if (this.sql.insert.run(node, stream, seq, ts, batch.historical ? 1 : 0, now, JSON.stringify(rec)).changes === 0) duplicates++;
          else {
            stored++;
            this.sql.unrefuse.run(node, stream, seq);
          }
          results.push({ seq, ok: true });
        } else if (this.sql.has.get(node, stream, seq) !== undefined) {
          duplicates++; // stored before: keep it
          results.push({ seq, ok: true });
        } else {
          refused++;
          this.sql.refuse.run(node, stream, seq, why, now, JSON.stringify(rec));
          results.push({ seq, ok: false, reason: why });
        }
        h.have.add(seq, seq);
      }
      const contiguous = h.have.contiguousFrom(1);
      this.sql.updatePosition.run(contiguous, batch.last, stored, duplicates, refused, now, node, stream);
      this.duplicatesSinceStart += duplicates;
      return this.ackOf(base, h, contiguous);
    })();
    if (batch.retry) ack.results = results;
    return ack;
  }

  private checkRange(batch: Batch): string | null {
    for (const rec of batch.records) {
      const seq = rec.seq;
      if (!isInt(seq) || seq < 1) return 'every record needs an integer seq ≥ 1';
      if (!batch.retry && (seq < batch.first || seq > batch.last)) return `record seq ${seq} outside the batch's range [${batch.first}, ${batch.last}]`;
    }
    if (!batch.retry && !batch.lost) {
      for (let i = 0; i < batch.records.length; i++) {
        if (batch.records[i].seq !== batch.first + i) return `records must be numbered ${batch.first}…${batch.last} in order`;
      }
    }
    return null;
  }

  private ackOf(base: Omit<Ack, 'upTo' | 'ranges' | 'rejected'>, h: Held, contiguous: number): Ack {
    let upTo = contiguous;
    let ranges = h.have
      .ranges()
      .filter(([a]) => a > contiguous)
      .slice(0, MAX_REPORTED_RANGES)
      .map(([a, b]) => [a, b] as [number, number]);
    const refusals = this.sql.refusedAbove.all(base.node, base.stream, base.from, MAX_REPORTED_REFUSALS + 1) as { seq: number; reason: string }[];
    if (refusals.length > MAX_REPORTED_REFUSALS) {
      // Too many to list at once: acknowledge only as far as the list is complete.
      const limit = refusals[MAX_REPORTED_REFUSALS - 1].seq;
      refusals.length = MAX_REPORTED_REFUSALS;
      upTo = Math.min(upTo, limit);
      ranges = ranges.filter(([a]) => a <= limit).map(([a, b]) => [a, Math.min(b, limit)]);
    }
    return { ...base, upTo, ranges, rejected: refusals.map((r) => ({ seq: r.seq, reason: r.reason })) };
  }

  /** Per node and stream: what is held, counters, and how many numbers are missing. */
  positions(): StreamPosition[] {
    const rows = this.sql.positions.all() as {
      node: string;
      stream: StreamName;
      site: string;
      line: string;
      baseline: number;
      contiguous: number;
      max_seen: number;
      stored: number;
      duplicates: number;
      refused: number;
    }[];
    return rows.map((r) => {
      const h = this.load(r.node, r.stream)!;
      const accounted = h.have.countWithin(r.baseline + 1, r.max_seen);
      return {
        node: r.node,
        stream: r.stream,
        site: r.site,
        line: r.line,
        baseline: r.baseline,
        contiguous: r.contiguous,
        maxSeen: r.max_seen,
        stored: r.stored,
        duplicates: r.duplicates,
        refused: r.refused,
        missing: Math.max(0, r.max_seen - r.baseline - accounted),
        lost: this.sql.lostCount.get(r.node, r.stream) as number,
      };
    });
  }

  close(): void {
    this.db.close();
  }
}
