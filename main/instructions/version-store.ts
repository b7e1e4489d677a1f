/**
 * Instruction versions in SQLite (module `instructions`): each content the runtime has seen is
 * kept, immutable, under its hash, with its lifecycle state and approvals. A run always shows
 * the exact version it runs, whatever the files say later.
 *
 * The lifecycle, as states and transitions (shared/instructions.ts has the diagram):
 *
 *   draft ──submit──▶ inReview ──approve × every required role──▶ approved ──release──▶ effective
 *     ▲                  │                                                               │
 *     └─────reject───────┘                 release of a newer version · retire ─────────▶ obsolete
 */
import type Database from 'better-sqlite3';
import type { InstructionDefinition, InstructionVersionInfo, VersionApproval, VersionState } from '../../shared/instructions';
import { applyModuleMigrations, type ModuleMigration } from '../util/module-migrations';

const migrations: ModuleMigration<Database.Database>[] = [
  (db) => {
    db.exec(`
      CREATE TABLE instruction_version (
        hash           TEXT PRIMARY KEY,
        instruction_id TEXT NOT NULL,
        number         INTEGER NOT NULL,
        revision       TEXT NOT NULL,
        title          TEXT NOT NULL,
        content        TEXT NOT NULL,
        state          TEXT NOT NULL,
        created_at     INTEGER NOT NULL,
        UNIQUE (instruction_id, number)
      );
      CREATE TABLE instruction_approval (
        hash         TEXT NOT NULL REFERENCES instruction_version(hash),
        role         TEXT NOT NULL,
        user_id      TEXT NOT NULL,
        printed_name TEXT NOT NULL,
        ts           INTEGER NOT NULL,
        signature_id INTEGER NOT NULL,
        PRIMARY KEY (hash, role)
      );
    `);
  },
  // Media by content: a picture shared by versions is stored once, and never changes under a run.
  (db) => {
    db.exec(`
      CREATE TABLE IF NOT EXISTS instruction_media (
        sha256 TEXT PRIMARY KEY,
        bytes  BLOB NOT NULL
      ) WITHOUT ROWID;
    `);
  },
];

export type Transition = 'submit' | 'reject' | 'approve' | 'release' | 'retire';

/** Which transition may leave which state. */
const FROM: Record<Transition, VersionState> = { submit: 'draft', reject: 'inReview', approve: 'inReview', release: 'approved', retire: 'effective' };

export class TransitionRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransitionRefused';
  }
}

interface Row {
  hash: string;
  instruction_id: string;
  number: number;
  revision: string;
  title: string;
  content: string;
  state: VersionState;
  created_at: number;
}

export class VersionStore {
  private readonly byHash;
  private readonly ofInstruction;
  private readonly approvalsOf;
  private readonly setState;

  constructor(
    private readonly db: Database.Database,
    /** the roles that must each approve a version */
    private readonly requiredApprovals: readonly string[],
  ) {
    applyModuleMigrations(db, 'instructions', migrations);
    this.byHash = db.prepare('SELECT * FROM instruction_version WHERE hash = ?');
    this.ofInstruction = db.prepare('SELECT * FROM instruction_version WHERE instruction_id = ? ORDER BY number DESC');
    this.approvalsOf = db.prepare('SELECT role, user_id, printed_name, ts, signature_id FROM instruction_approval WHERE hash = ? ORDER BY ts');
    this.setState = db.prepare('UPDATE instruction_version SET state = ? WHERE hash = ?');
  }

  /** Keeps this content as a version (a draft) if it is new; returns its info either way. */
  register(definition: InstructionDefinition, hash: string, now: number, media: ReadonlyMap<string, Uint8Array> = new Map()): InstructionVersionInfo {
    const existing = this.byHash.get(hash) as Row | undefined;
    if (existing) return this.info(existing);
    this.db.transaction(() => {
      const put = this.db.prepare('INSERT OR IGNORE INTO instruction_media (sha256, bytes) VALUES (?, ?)');
      for (const [sha, bytes] of media) put.run(sha, bytes);
      const n = (this.db.prepare('SELECT COALESCE(MAX(number), 0) FROM instruction_version WHERE instruction_id = ?').pluck().get(definition.id) as number) + 1;
      this.db
        .prepare('INSERT INTO instruction_version (hash, instruction_id, number, revision, title, content, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(hash, definition.id, n, definition.revision, definition.title, JSON.stringify(definition), 'draft', now);
      // IMMEDIATE: the write lock up front (waiting out the historian's writer thread), never a
      // read snapshot that must be upgraded later and fails at once with SQLITE_BUSY
    }).immediate();
    return this.info(this.byHash.get(hash) as Row);
  }

  /** A media file of a version, by its SHA-256 (null: not one of that version's files). */
  media(hash: string, sha256: string): { bytes: Buffer; kind: string; file: string } | null {
    const v = this.get(hash);
    const m = v?.definition.steps.flatMap((s) => s.media).find((x) => x.sha256 === sha256);
    if (!m) return null;
    const bytes = this.db.prepare('SELECT bytes FROM instruction_media WHERE sha256 = ?').pluck().get(sha256) as Buffer | undefined;
    return bytes ? { bytes, kind: m.kind, file: m.file } : null;
  }

  get(hash: string): { info: InstructionVersionInfo; definition: InstructionDefinition } | null {
    const row = this.byHash.get(hash) as Row | undefined;
    return row ? { info: this.info(row), definition: JSON.parse(row.content) as InstructionDefinition } : null;
  }

  versions(instructionId: string): InstructionVersionInfo[] {
    return (this.ofInstruction.all(instructionId) as Row[]).map((r) => this.info(r));
  }

  effective(instructionId: string): { info: InstructionVersionInfo; definition: InstructionDefinition } | null {
    const row = (this.ofInstruction.all(instructionId) as Row[]).find((r) => r.state === 'effective');
    return row ? { info: this.info(row), definition: JSON.parse(row.content) as InstructionDefinition } : null;
  }

  /** The ids of every instruction with a stored version. */
  instructionIds(): string[] {
    return this.db.prepare('SELECT DISTINCT instruction_id FROM instruction_version ORDER BY instruction_id').pluck().all() as string[];
  }

  /**
   * Carries out a transition, or refuses it with the reason. `approve` records the signer for
   * one required role they hold (not already approved by someone else, and never two roles by
   * one person); the version is approved once every required role has signed.
   */
  transition(hash: string, t: Transition, approval?: Omit<VersionApproval, 'role'> & { roles: readonly string[] }): InstructionVersionInfo {
    const run = this.db.transaction(() => {
      const row = this.byHash.get(hash) as Row | undefined;
      if (!row) throw new TransitionRefused(`no instruction version ${hash.slice(0, 12)}`);
      if (row.state !== FROM[t]) throw new TransitionRefused(`${t}: version ${row.number} of ${row.instruction_id} is ${row.state}, not ${FROM[t]}`);
      switch (t) {
        case 'submit':
          this.setState.run('inReview', hash);
          break;
        case 'reject':
          this.db.prepare('DELETE FROM instruction_approval WHERE hash = ?').run(hash);
          this.setState.run('draft', hash);
          break;
        case 'approve': {
          if (!approval) throw new TransitionRefused('approve: who approves?');
          const done = this.approvalRows(hash);
          if (done.some((a) => a.userId.toLowerCase() === approval.userId.toLowerCase())) throw new TransitionRefused(`approve: ${approval.printedName} has approved this version already (each role by a different person)`);
          const open = this.requiredApprovals.filter((r) => !done.some((a) => a.role === r));
          const role = open.find((r) => approval.roles.includes(r));
          if (role === undefined) {
            throw new TransitionRefused(`approve: ${approval.printedName} holds none of the roles still to approve (${open.join(', ') || 'none'})`);
          }
          this.db
            .prepare('INSERT INTO instruction_approval (hash, role, user_id, printed_name, ts, signature_id) VALUES (?, ?, ?, ?, ?, ?)')
            .run(hash, role, approval.userId, approval.printedName, approval.ts, approval.signatureId);
          if (open.length === 1) this.setState.run('approved', hash);
          break;
        }
        case 'release':
          // The version in force until now is replaced: obsolete, and never runs again.
          this.db.prepare("UPDATE instruction_version SET state = 'obsolete' WHERE instruction_id = ? AND state = 'effective'").run(row.instruction_id);
          this.setState.run('effective', hash);
          break;
        case 'retire':
          this.setState.run('obsolete', hash);
          break;
      }
    });
    run.immediate();
    return this.info(this.byHash.get(hash) as Row);
  }

  /**
   * An imported package's version (package-service.ts) with the approvals recorded at its source
   * site: kept as a new version, or a draft / in-review one of the same content given them. It is
   * approved when the carried approvals cover every role this PC requires, else in review for the
   * rest; never effective: a local, signed release makes it so. An approved or effective version
   * is left as it is (`changed` false); an obsolete one is refused.
   */
  adoptApproved(definition: InstructionDefinition, hash: string, now: number, approvals: readonly VersionApproval[]): { info: InstructionVersionInfo; changed: boolean; created: boolean } {
    let changed = false;
    let created = false;
    this.db.transaction(() => {
      const row = this.byHash.get(hash) as Row | undefined;
      if (row?.state === 'obsolete') throw new TransitionRefused(`version ${row.number} of ${row.instruction_id} (the same content) is obsolete on this PC and never runs again`);
      if (row?.state === 'approved' || row?.state === 'effective') return;
      if (!row) {
        this.register(definition, hash, now);
        created = true;
      }
      const carried = approvals.filter((a, i) => this.requiredApprovals.includes(a.role) && approvals.findIndex((b) => b.role === a.role) === i);
      this.db.prepare('DELETE FROM instruction_approval WHERE hash = ?').run(hash);
      const insert = this.db.prepare('INSERT INTO instruction_approval (hash, role, user_id, printed_name, ts, signature_id) VALUES (?, ?, ?, ?, ?, ?)');
      for (const a of carried) insert.run(hash, a.role, a.userId, a.printedName, a.ts, a.signatureId);
      const complete = this.requiredApprovals.every((r) => carried.some((a) => a.role === r));
      this.setState.run(complete ? 'approved' : 'inReview', hash);
      changed = true;
    })();
    return { info: this.info(this.byHash.get(hash) as Row), changed, created };
  }

  private approvalRows(hash: string): VersionApproval[] {
    return (this.approvalsOf.all(hash) as { role: string; user_id: string; printed_name: string; ts: number; signature_id: number }[]).map((a) => ({
      role: a.role,
      userId: a.user_id,
      printedName: a.printed_name,
      ts: a.ts,
      signatureId: a.signature_id,
    }));
  }

  private info(r: Row): InstructionVersionInfo {
    const definition = JSON.parse(r.content) as InstructionDefinition;
    return {
      instructionId: r.instruction_id,
      number: r.number,
      hash: r.hash,
      revision: r.revision,
      title: r.title,
      state: r.state,
      createdAt: r.created_at,
      requiredApprovals: [...this.requiredApprovals],
      approvals: this.approvalRows(r.hash),
      stepCount: definition.steps.length,
    };
  }
}
