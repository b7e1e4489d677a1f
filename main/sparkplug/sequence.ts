/**
 * Sparkplug's two counters.
 * - `seq`: 0 on every NBIRTH, then +1 on each message of the session (DBIRTH, DDATA …), 255 → 0.
 * - `bdSeq` (birth/death): one per MQTT session, carried by the session's will (NDEATH) and by
 *   its NBIRTHs, so that a host can tell which death belongs to which birth. 0…255, and kept
 *   across restarts of the runtime (a table in its SQLite, module `sparkplug`): a restarted
 *   edge node never reuses the bdSeq of the session before.
 */
import type Database from 'better-sqlite3';
import { applyModuleMigrations, type ModuleMigration } from '../util/module-migrations';

export const SEQ_MODULO = 256;

export function nextSeq(seq: number): number {
  return (seq + 1) % SEQ_MODULO;
}

/** The message sequence of one session. */
export class SeqCounter {
  private value = 0;
  /** NBIRTH: returns 0, the next message gets 1 */
  reset(): number {
    this.value = 0;
    return this.take();
  }
  take(): number {
    const v = this.value;
    this.value = nextSeq(v);
    return v;
  }
}

/** Where the last bdSeq used is kept. */
export interface BdSeqStore {
  /** the bdSeq of the last session that was established, or null (never) */
  load(): number | null;
  save(bdSeq: number): void;
}

export class MemoryBdSeqStore implements BdSeqStore {
  constructor(private value: number | null = null) {}
  load(): number | null {
    return this.value;
  }
  save(bdSeq: number): void {
    this.value = bdSeq;
  }
}

const migrations: ModuleMigration<Database.Database>[] = [
  (db) => {
    db.exec('CREATE TABLE sparkplug_bdseq (node TEXT PRIMARY KEY, bd_seq INTEGER NOT NULL, saved_at INTEGER NOT NULL) WITHOUT ROWID');
  },
];

/** bdSeq per edge node (`<groupId>/<edgeNodeId>`) in the runtime's SQLite. */
export class SqliteBdSeqStore implements BdSeqStore {
  private readonly select;
  private readonly upsert;
  constructor(
    db: Database.Database,
    private readonly node: string,
  ) {
    applyModuleMigrations(db, 'sparkplug', migrations);
    this.select = db.prepare<[string], { bd_seq: number }>('SELECT bd_seq FROM sparkplug_bdseq WHERE node = ?');
    this.upsert = db.prepare('INSERT INTO sparkplug_bdseq (node, bd_seq, saved_at) VALUES (?, ?, ?) ON CONFLICT(node) DO UPDATE SET bd_seq = excluded.bd_seq, saved_at = excluded.saved_at');
  }
  load(): number | null {
    return this.select.get(this.node)?.bd_seq ?? null;
  }
  save(bdSeq: number): void {
    this.upsert.run(this.node, bdSeq, Date.now());
  }
}

/**
 * The bdSeq of the next session: one more than the last established one (0 the first time).
 * A connection attempt that never got its CONNACK did not use its bdSeq (the broker holds no
 * will of it), so the next attempt takes the same one.
 */
export function firstBdSeq(store: BdSeqStore): number {
  const last = store.load();
  return last === null ? 0 : nextSeq(last);
}
