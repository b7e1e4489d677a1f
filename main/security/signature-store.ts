/**
 * Electronic signatures (Part 11 §11.50, §11.70): printed name, user id, time, meaning, comment,
 * and the SHA-256 of the canonical content of what was signed, so that a signature cannot be
 * copied onto another record. A verification by a second person is a signature of its own that
 * names the one it verifies. The table is created with the audit trail's migrations.
 */
import type Database from 'better-sqlite3';
import type { SignatureMeaning, SignatureRecord } from '../../shared/security';

/** A signature as it is made: the record without what the store assigns (id, the audit link later), and the one it verifies, if any. */
export type NewSignature = Omit<SignatureRecord, 'id' | 'auditId'> & { verifies?: number };

interface Row {
  id: number;
  ts: number;
  user_id: string;
  printed_name: string;
  meaning: string;
  comment: string;
  action: string;
  target: string;
  content_hash: string;
  audit_id: number | null;
  verifies: number | null;
}

export class SignatureStore {
  private readonly insert;
  private readonly link;
  private readonly byTarget;
  private readonly byId;

  /** `db` must have the audit trail's tables (construct AuditTrail first). */
  constructor(db: Database.Database) {
    this.insert = db.prepare(
      'INSERT INTO signatures (ts, user_id, printed_name, meaning, comment, action, target, content_hash, verifies) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.link = db.prepare('UPDATE signatures SET audit_id = ? WHERE (id = ? OR verifies = ?) AND audit_id IS NULL');
    this.byTarget = db.prepare('SELECT * FROM signatures WHERE target = ? ORDER BY id DESC LIMIT ?');
    this.byId = db.prepare('SELECT * FROM signatures WHERE id = ?');
  }

  add(s: NewSignature): number {
    const r = this.insert.run(s.ts, s.userId, s.printedName, s.meaning, s.comment, s.action, s.target, s.contentHash, s.verifies ?? null);
    return Number(r.lastInsertRowid);
  }

  /** Links a signature (and its verification) to the audit record of the action it signed. */
  linkToAudit(signatureId: number, auditId: number): void {
    this.link.run(auditId, signatureId, signatureId);
  }

  get(id: number): SignatureRecord | null {
    const row = this.byId.get(id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  forTarget(target: string, limit: number): SignatureRecord[] {
    return (this.byTarget.all(target, limit) as Row[]).map(toRecord);
  }
}

function toRecord(r: Row): SignatureRecord {
  return {
    id: r.id,
    ts: r.ts,
    userId: r.user_id,
    printedName: r.printed_name,
    meaning: r.meaning as SignatureMeaning,
    comment: r.comment,
    action: r.action,
    target: r.target,
    contentHash: r.content_hash,
    auditId: r.audit_id,
  };
}
