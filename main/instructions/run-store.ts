/**
 * Runs of work instructions and their step results in SQLite (module `instruction_runs`). Each
 * step result is one row, committed before the person sees the next step, so a power loss or a
 * SIGKILL loses nothing: the run resumes at the first step without a result.
 */
import type Database from 'better-sqlite3';
import type { RunRecord, RunState, RunSummary, StepResult } from '../../shared/instructions';
import { applyModuleMigrations, type ModuleMigration } from '../util/module-migrations';

const migrations: ModuleMigration<Database.Database>[] = [
  (db) => {
    db.exec(`
      CREATE TABLE instruction_run (
        id             INTEGER PRIMARY KEY,
        instruction_id TEXT NOT NULL,
        title          TEXT NOT NULL,
        version_hash   TEXT NOT NULL,
        version_number INTEGER NOT NULL,
        state          TEXT NOT NULL,
        started_at     INTEGER NOT NULL,
        started_by     TEXT NOT NULL,
        ended_at       INTEGER,
        reason         TEXT NOT NULL DEFAULT '',
        current_step   TEXT,
        step_count     INTEGER NOT NULL,
        trigger        TEXT NOT NULL
      );
      CREATE INDEX instruction_run_started ON instruction_run (started_at DESC);
      CREATE INDEX instruction_run_instruction ON instruction_run (instruction_id, started_at DESC);
      CREATE TABLE instruction_step_result (
        run_id        INTEGER NOT NULL REFERENCES instruction_run(id),
        seq           INTEGER NOT NULL,
        step_id       TEXT NOT NULL,
        user_id       TEXT NOT NULL,
        printed_name  TEXT NOT NULL,
        started_at    INTEGER NOT NULL,
        done_at       INTEGER NOT NULL,
        outcome       TEXT NOT NULL,
        value         TEXT,
        reason        TEXT NOT NULL,
        evidence      TEXT,
        signature_ids TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
      ) WITHOUT ROWID;
    `);
  },
  // What goes upstream (the sync's `instruction` stream): an append-only record of each run's
  // start, every step result and its end, numbered by id in the transaction that stores it.
  (db) => {
    db.exec(`
      CREATE TABLE instruction_record (
        id             INTEGER PRIMARY KEY,
        ts             INTEGER NOT NULL,
        run_id         INTEGER NOT NULL,
        kind           TEXT NOT NULL,
        instruction_id TEXT NOT NULL,
        version_hash   TEXT NOT NULL,
        user_id        TEXT NOT NULL,
        payload        TEXT NOT NULL
      );
    `);
  },
];

interface RunRow {
  id: number;
  instruction_id: string;
  title: string;
  version_hash: string;
  version_number: number;
  state: RunState;
  started_at: number;
  started_by: string;
  ended_at: number | null;
  reason: string;
  current_step: string | null;
  step_count: number;
  trigger: string;
}

interface ResultRow {
  step_id: string;
  user_id: string;
  printed_name: string;
  started_at: number;
  done_at: number;
  outcome: StepResult['outcome'];
  value: string | null;
  reason: string;
  evidence: string | null;
  signature_ids: string;
}

export interface RunFilter {
  instructionId?: string;
  user?: string;
  state?: RunState;
  from?: number;
  to?: number;
  limit: number;
  beforeId?: number;
}

export class RunStore {
  private readonly runById;
  private readonly resultsOf;

  constructor(private readonly db: Database.Database) {
    applyModuleMigrations(db, 'instruction_runs', migrations);
    this.runById = db.prepare('SELECT * FROM instruction_run WHERE id = ?');
    this.resultsOf = db.prepare('SELECT * FROM instruction_step_result WHERE run_id = ? ORDER BY seq');
  }

  create(r: { instructionId: string; title: string; versionHash: string; versionNumber: number; startedAt: number; startedBy: string; firstStep: string; stepCount: number; trigger: string }): number {
    return this.db.transaction(() => {
      const info = this.db
        .prepare(
          'INSERT INTO instruction_run (instruction_id, title, version_hash, version_number, state, started_at, started_by, current_step, step_count, trigger) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(r.instructionId, r.title, r.versionHash, r.versionNumber, 'running', r.startedAt, r.startedBy, r.firstStep, r.stepCount, r.trigger);
      const id = Number(info.lastInsertRowid);
      this.append(r.startedAt, id, 'start', r.startedBy, { title: r.title, versionNumber: r.versionNumber, trigger: r.trigger, steps: r.stepCount });
      return id;
    }).immediate();
  }

  /** One record of the `instruction` stream (inside the caller's transaction). */
  private append(ts: number, runId: number, kind: 'start' | 'step' | 'completed' | 'aborted', userId: string, payload: unknown): void {
    const run = this.runById.get(runId) as RunRow;
    this.db
      .prepare('INSERT INTO instruction_record (ts, run_id, kind, instruction_id, version_hash, user_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(ts, runId, kind, run.instruction_id, run.version_hash, userId, JSON.stringify(payload));
  }

  /** A step's result and where the run goes next, in one transaction (durable before the reply). */
  commitStep(runId: number, result: StepResult, next: string | null, now: number): void {
    this.db.transaction(() => {
      const seq = (this.db.prepare('SELECT COALESCE(MAX(seq), 0) FROM instruction_step_result WHERE run_id = ?').pluck().get(runId) as number) + 1;
      this.db
        .prepare(
          'INSERT INTO instruction_step_result (run_id, seq, step_id, user_id, printed_name, started_at, done_at, outcome, value, reason, evidence, signature_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          runId,
          seq,
          result.stepId,
          result.userId,
          result.printedName,
          result.startedAt,
          result.doneAt,
          result.outcome,
          result.value === null ? null : JSON.stringify(result.value),
          result.reason,
          result.evidence === null ? null : JSON.stringify(result.evidence),
          JSON.stringify(result.signatureIds),
        );
      this.append(result.doneAt, runId, 'step', result.userId, { seq, ...result });
      if (next === null) {
        this.db.prepare("UPDATE instruction_run SET current_step = NULL, state = 'completed', ended_at = ? WHERE id = ?").run(now, runId);
        this.append(now, runId, 'completed', result.userId, {});
      } else this.db.prepare('UPDATE instruction_run SET current_step = ? WHERE id = ?').run(next, runId);
    }).immediate();
  }

  abort(runId: number, reason: string, now: number, userId: string): void {
    this.db.transaction(() => {
      const r = this.db.prepare("UPDATE instruction_run SET state = 'aborted', ended_at = ?, reason = ?, current_step = NULL WHERE id = ? AND state = 'running'").run(now, reason, runId);
      if (r.changes > 0) this.append(now, runId, 'aborted', userId, { reason });
    }).immediate();
  }

  get(runId: number): RunRecord | null {
    const r = this.runById.get(runId) as RunRow | undefined;
    if (!r) return null;
    const results = (this.resultsOf.all(runId) as ResultRow[]).map(toResult);
    return {
      id: r.id,
      instructionId: r.instruction_id,
      title: r.title,
      versionHash: r.version_hash,
      versionNumber: r.version_number,
      state: r.state,
      startedAt: r.started_at,
      startedBy: r.started_by,
      endedAt: r.ended_at,
      reason: r.reason,
      currentStepId: r.current_step,
      results,
      trigger: r.trigger,
    };
  }

  /** Whether a run of the instruction was started at or after `t` (indexed). */
  startedSince(instructionId: string, t: number): boolean {
    return this.db.prepare('SELECT 1 FROM instruction_run WHERE instruction_id = ? AND started_at >= ? LIMIT 1').get(instructionId, t) !== undefined;
  }

  running(): number[] {
    return this.db.prepare("SELECT id FROM instruction_run WHERE state = 'running' ORDER BY id").pluck().all() as number[];
  }

  /** Newest first; paged with `beforeId`. Indexed on start time, so 10,000 runs list as fast as 10. */
  list(f: RunFilter): RunSummary[] {
    const where: string[] = [];
    const args: unknown[] = [];
    const and = (clause: string, ...values: unknown[]) => {
      where.push(clause);
      args.push(...values);
    };
    if (f.instructionId !== undefined) and('r.instruction_id = ?', f.instructionId);
    if (f.state !== undefined) and('r.state = ?', f.state);
    if (f.user !== undefined) and('(r.started_by = ? COLLATE NOCASE OR EXISTS (SELECT 1 FROM instruction_step_result s WHERE s.run_id = r.id AND s.user_id = ? COLLATE NOCASE))', f.user, f.user);
    if (f.from !== undefined) and('r.started_at >= ?', f.from);
    if (f.to !== undefined) and('r.started_at <= ?', f.to);
    if (f.beforeId !== undefined) and('r.id < ?', f.beforeId);
    const sql = `SELECT r.*, (SELECT COUNT(*) FROM instruction_step_result s WHERE s.run_id = r.id) AS done FROM instruction_run r ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, f.limit) as (RunRow & { done: number })[]).map((r) => ({
      id: r.id,
      instructionId: r.instruction_id,
      title: r.title,
      versionNumber: r.version_number,
      state: r.state,
      startedAt: r.started_at,
      startedBy: r.started_by,
      endedAt: r.ended_at,
      steps: r.step_count,
      done: r.done,
    }));
  }
}

function toResult(r: ResultRow): StepResult {
  return {
    stepId: r.step_id,
    userId: r.user_id,
    printedName: r.printed_name,
    startedAt: r.started_at,
    doneAt: r.done_at,
    outcome: r.outcome,
    value: r.value === null ? null : (JSON.parse(r.value) as StepResult['value']),
    reason: r.reason,
    evidence: r.evidence === null ? null : (JSON.parse(r.evidence) as StepResult['evidence']),
    signatureIds: JSON.parse(r.signature_ids) as number[],
  };
}
