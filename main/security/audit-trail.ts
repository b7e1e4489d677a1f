/**
 * The audit trail: every action a person takes through the runtime (a setpoint write, an alarm
 * acknowledgement, a sign-in, a signature …): who, when, from which station, what, the target,
 * the values before and after, the reason, the outcome and the signature if any. Append-only,
 * and chained: each record carries SHA-256 over its canonical content and the hash of the record
 * before (record-hash.ts), so an edit, a deletion or a reordering anywhere shows up as the first
 * record whose link does not match (`verify`, `npm run audit -- verify`). Synced upstream as the
 * `audit` stream with its hashes, so the chain can be checked there too.
 */
import type Database from 'better-sqlite3';
import type { AuditEntry, AuditOutcome } from '../../shared/types';
import type { AuditVerifyResult } from '../../shared/security';
import { applyModuleMigrations, type ModuleMigration } from '../util/module-migrations';
import { CHAIN_START, chainHash } from './record-hash';

/** The columns a record's hash covers, in the canonical form (record-hash.ts). */
interface ChainedContent {
  id: number;
  ts: number;
  user: string;
  action: string;
  target: string;
  oldValue: string | null;
  newValue: string | null;
  outcome: string;
  detail: string;
  station: string;
  reason: string;
  signatureId: number | null;
}

const migrations: ModuleMigration<Database.Database>[] = [
  (db) => {
    db.exec(`
      CREATE TABLE audit (
        id      INTEGER PRIMARY KEY,
        ts      INTEGER NOT NULL,
        user    TEXT NOT NULL,
        action  TEXT NOT NULL,
        target  TEXT NOT NULL,
        old_value TEXT,
        new_value TEXT,
        outcome TEXT NOT NULL,
        detail  TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX audit_ts ON audit (ts);
      CREATE INDEX audit_target_ts ON audit (target, ts);
    `);
  },
  // The chain: records written before it get their hashes now, in id order.
  (db) => {
    db.exec(`
      ALTER TABLE audit ADD COLUMN station TEXT NOT NULL DEFAULT '';
      ALTER TABLE audit ADD COLUMN reason TEXT NOT NULL DEFAULT '';
      ALTER TABLE audit ADD COLUMN signature_id INTEGER;
      ALTER TABLE audit ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
      ALTER TABLE audit ADD COLUMN hash TEXT NOT NULL DEFAULT '';
      CREATE INDEX audit_user_ts ON audit (user, ts);
    `);
    let prev = CHAIN_START;
    const update = db.prepare('UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?');
    for (const row of db.prepare('SELECT * FROM audit ORDER BY id').iterate() as IterableIterator<Row>) {
      const hash = chainHash(prev, contentOf(row));
      update.run(prev, hash, row.id);
      prev = hash;
    }
  },
  // Electronic signatures (signature-store.ts): kept beside the trail they are shown with.
  (db) => {
    db.exec(`
      CREATE TABLE signatures (
        id           INTEGER PRIMARY KEY,
        ts           INTEGER NOT NULL,
        user_id      TEXT NOT NULL,
        printed_name TEXT NOT NULL,
        meaning      TEXT NOT NULL,
        comment      TEXT NOT NULL DEFAULT '',
        action       TEXT NOT NULL,
        target       TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        audit_id     INTEGER,
        verifies     INTEGER REFERENCES signatures (id)
      );
      CREATE INDEX signatures_target ON signatures (target, id);
    `);
  },
];

export interface AuditRecord {
  ts: number;
  user: string;
  action: string;
  target: string;
  oldValue: unknown;
  newValue: unknown;
  outcome: AuditOutcome;
  detail: string;
  station?: string;
  reason?: string;
  signatureId?: number | null;
}

export interface AuditFilter {
  from?: number;
  to?: number;
  user?: string;
  action?: string;
  target?: string;
}

/** A record's columns as stored (what its hash covers, before the chain's own columns). */
interface StoredRecord {
  id: number;
  ts: number;
  user: string;
  action: string;
  target: string;
  old_value: string | null;
  new_value: string | null;
  outcome: string;
  detail: string;
  station: string;
  reason: string;
  signature_id: number | null;
}

interface Row extends StoredRecord {
  prev_hash: string;
  hash: string;
}

interface SignedRow extends Row {
  sig_user: string | null;
  sig_name: string | null;
  sig_meaning: string | null;
  sig_ts: number | null;
  sig_verified_by: string | null;
}

/** What a record's hash covers, from its stored columns: the one definition, for append and verify. */
function contentOf(r: StoredRecord): ChainedContent {
  return {
    id: r.id,
    ts: r.ts,
    user: r.user,
    action: r.action,
    target: r.target,
    oldValue: r.old_value,
    newValue: r.new_value,
    outcome: r.outcome,
    detail: r.detail,
    station: r.station ?? '',
    reason: r.reason ?? '',
    signatureId: r.signature_id ?? null,
  };
}

const VERIFY_BATCH = 20_000;

/** Records with the signature they carry (and who verified it), as the trail is shown: add WHERE, ORDER and LIMIT. */
const SELECT_SIGNED = `SELECT a.*, s.user_id AS sig_user, s.printed_name AS sig_name, s.meaning AS sig_meaning, s.ts AS sig_ts,
    (SELECT v.printed_name FROM signatures v WHERE v.verifies = s.id LIMIT 1) AS sig_verified_by
  FROM audit a LEFT JOIN signatures s ON s.id = a.signature_id`;

export class AuditTrail {
  private readonly last;
  private readonly insert;
  private readonly append;

  /** For reading and verifying a database opened read-only: no migrations, no writes. */
  static readOnly(db: Database.Database): AuditTrail {
    return new AuditTrail(db, false);
  }

  constructor(
    private readonly db: Database.Database,
    migrate = true,
  ) {
    if (migrate) applyModuleMigrations(db, 'audit', migrations);
    this.last = db.prepare('SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1');
    this.insert = db.prepare(
      'INSERT INTO audit (id, ts, user, action, target, old_value, new_value, outcome, detail, station, reason, signature_id, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    // The previous hash is read inside the write transaction: another writer on the same file
    // (the users CLI beside a running app) can never fork the chain.
    this.append = db.transaction((r: AuditRecord) => {
      const prev = this.last.get() as { id: number; hash: string } | undefined;
      const c: StoredRecord = {
        id: (prev?.id ?? 0) + 1,
        ts: r.ts,
        user: r.user,
        action: r.action,
        target: r.target,
        old_value: json(r.oldValue),
        new_value: json(r.newValue),
        outcome: r.outcome,
        detail: r.detail,
        station: r.station ?? '',
        reason: r.reason ?? '',
        signature_id: r.signatureId ?? null,
      };
      const prevHash = prev?.hash ?? CHAIN_START;
      const hash = chainHash(prevHash, contentOf(c));
      this.insert.run(c.id, c.ts, c.user, c.action, c.target, c.old_value, c.new_value, c.outcome, c.detail, c.station, c.reason, c.signature_id, prevHash, hash);
      return c.id;
    });
  }

  /** Committed before it returns: an action is not done until it is on record. */
  record(r: AuditRecord): number {
    return this.append.immediate(r) as number;
  }

  recent(limit: number, target?: string): AuditEntry[] {
    return this.query(target === undefined ? {} : { target }, limit, undefined, true).entries;
  }

  /**
   * Newest first, filtered; `exactTarget` matches the target exactly (the diagnostics' per-device
   * list), else as a substring.
   */
  query(f: AuditFilter, limit: number, beforeId?: number, exactTarget = false): { entries: AuditEntry[]; nextBeforeId: number | null } {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (sql: string, arg: string | number) => {
      where.push(sql);
      args.push(arg);
    };
    if (f.from !== undefined) add('a.ts >= ?', f.from);
    if (f.to !== undefined) add('a.ts <= ?', f.to);
    if (f.user) add('a.user = ? COLLATE NOCASE', f.user);
    if (f.action) add("a.action LIKE ? ESCAPE '\\'", `${like(f.action)}%`);
    if (f.target && exactTarget) add('a.target = ?', f.target);
    else if (f.target) add("a.target LIKE ? ESCAPE '\\'", `%${like(f.target)}%`);
    if (beforeId !== undefined) add('a.id < ?', beforeId);
    const rows = this.db
      .prepare(`${SELECT_SIGNED} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.id DESC LIMIT ?`)
      .all(...args, limit + 1) as SignedRow[];
    const more = rows.length > limit;
    const entries = rows.slice(0, limit).map(toEntry);
    return { entries, nextBeforeId: more ? entries[entries.length - 1].id : null };
  }

  /**
   * Recomputes the chain from the first record. Works in batches and yields between them
   * (`pause`), so a running app keeps serving while it checks a million records.
   */
  async verify(pause: () => Promise<void> = () => new Promise((r) => setImmediate(r)), now: () => number = Date.now): Promise<AuditVerifyResult> {
    const started = now();
    const batch = this.db.prepare('SELECT * FROM audit WHERE id > ? ORDER BY id LIMIT ?');
    let prevHash = CHAIN_START;
    let expectedId = 1;
    let lastId = 0;
    let records = 0;
    for (;;) {
      const rows = batch.all(lastId, VERIFY_BATCH) as Row[];
      if (rows.length === 0) break;
      for (const r of rows) {
        const problem =
          r.id !== expectedId
            ? `record ${expectedId}${r.id > expectedId + 1 ? `–${r.id - 1}` : ''} is missing (deleted), or records were renumbered`
            : r.prev_hash !== prevHash
              ? 'its link to the record before does not match (a record before it was edited, deleted or moved)'
              : chainHash(prevHash, contentOf(r)) !== r.hash
                ? 'its content does not match its hash (edited)'
                : null;
        if (problem !== null) return { ok: false, records, firstBad: { id: r.id, problem }, ms: now() - started };
        prevHash = r.hash;
        expectedId = r.id + 1;
        records++;
      }
      lastId = rows[rows.length - 1].id;
      await pause();
    }
    return { ok: true, records, firstBad: null, ms: now() - started };
  }
}

function like(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function toEntry(r: SignedRow): AuditEntry {
  return {
    id: r.id,
    ts: r.ts,
    user: r.user,
    action: r.action,
    target: r.target,
    oldValue: parse(r.old_value),
    newValue: parse(r.new_value),
    outcome: r.outcome as AuditOutcome,
    detail: r.detail,
    station: r.station,
    reason: r.reason,
    signature:
      r.signature_id === null || r.sig_user === null
        ? null
        : { id: r.signature_id, userId: r.sig_user, printedName: r.sig_name ?? '', meaning: r.sig_meaning ?? '', ts: r.sig_ts ?? 0, verifiedBy: r.sig_verified_by },
    hash: r.hash,
  };
}

function json(v: unknown): string | null {
  return v === undefined || v === null ? null : JSON.stringify(v);
}

function parse(s: string | null): AuditEntry['oldValue'] {
  if (s === null) return null;
  try {
    return JSON.parse(s) as AuditEntry['oldValue'];
  } catch {
    return s;
  }
}
