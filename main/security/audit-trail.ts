/**
 * The audit trail: every action a person takes through the runtime (a setpoint write, later an
 * alarm acknowledgement, a sign-off …), who, when, what, the values before and after, and the
 * outcome. Append-only. Synced upstream by the store-and-forward issue.
 */
import type Database from 'better-sqlite3';
import type { AuditEntry, AuditOutcome } from '../../shared/types';
import { applyModuleMigrations, type ModuleMigration } from '../util/module-migrations';

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
}

export class AuditTrail {
  private readonly insert;
  private readonly selectRecent;
  private readonly selectTarget;

  constructor(private readonly db: Database.Database) {
    applyModuleMigrations(db, 'audit', migrations);
    this.insert = db.prepare('INSERT INTO audit (ts, user, action, target, old_value, new_value, outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.selectRecent = db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT ?');
    this.selectTarget = db.prepare('SELECT * FROM audit WHERE target = ? ORDER BY id DESC LIMIT ?');
  }

  /** Committed before it returns: an action is not done until it is on record. */
  record(r: AuditRecord): number {
    const info = this.insert.run(r.ts, r.user, r.action, r.target, json(r.oldValue), json(r.newValue), r.outcome, r.detail) as { lastInsertRowid: number | bigint };
    return Number(info.lastInsertRowid);
  }

  recent(limit: number, target?: string): AuditEntry[] {
    const rows = (target ? this.selectTarget.all(target, limit) : this.selectRecent.all(limit)) as Row[];
    return rows.map((r) => ({
      id: r.id,
      ts: r.ts,
      user: r.user,
      action: r.action,
      target: r.target,
      oldValue: parse(r.old_value),
      newValue: parse(r.new_value),
      outcome: r.outcome as AuditOutcome,
      detail: r.detail,
    }));
  }
}

interface Row {
  id: number;
  ts: number;
  user: string;
  action: string;
  target: string;
  old_value: string | null;
  new_value: string | null;
  outcome: string;
  detail: string;
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
