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
import type { Ack, Batch, StreamName } from '../sync/wire';
import { ackBase, ackOf, checkBatchRange, MAX_REPORTED_REFUSALS, missingRanges, validateRecord, type BatchStore, type RecordValidator, type StreamGap, type StreamPosition } from './batch-store';
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

interface Held {
  have: IntervalSet;
  baseline: number;
}

export { validateRecord, type RecordValidator, type StreamPosition } from './batch-store';

export class ReceiverStore implements BatchStore {
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
    const base = ackBase(batch);
    const problem = checkBatchRange(batch);
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

  private ackOf(base: ReturnType<typeof ackBase>, h: Held, contiguous: number): Ack {
    const refusals = this.sql.refusedAbove.all(base.node, base.stream, base.from, MAX_REPORTED_REFUSALS + 1) as { seq: number; reason: string }[];
    return ackOf(base, h.have, contiguous, refusals);
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

  /** Per node and stream, the ranges of numbers not (yet) held. */
  gaps(): StreamGap[] {
    return this.positions().flatMap((p) =>
      p.missing === 0 ? [] : missingRanges(this.load(p.node, p.stream)!.have, p.baseline, p.maxSeen).map(([first, last]) => ({ node: p.node, stream: p.stream, site: p.site, line: p.line, first, last })),
    );
  }

  close(): void {
    this.db.close();
  }
}
