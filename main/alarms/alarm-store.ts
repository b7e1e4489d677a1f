/**
 * The alarm module's tables in the shared SQLite file: the journal (every transition and every
 * operator action, append-only), the current state of each alarm (so states and shelves survive
 * a restart) and the learned baselines. Migrations per module (util/module-migrations.ts).
 *
 * The journal keeps each line's priority, message, tag and area as they were, so history reads
 * right after the project file changed.
 */
import type Database from 'better-sqlite3';
import type {
  AlarmJournalEntry,
  AlarmJournalEvent,
  AlarmPriority,
  AlarmStateType,
  AlarmStatus,
} from '../../shared/alarms';
import type { TagScalar } from '../../shared/types';
import { applyModuleMigrations, type ModuleMigration } from '../util/module-migrations';
import type { PersistedAlarm } from './alarm-engine';
import type { LearnedBaseline } from './evaluators';

const migrations: ModuleMigration<Database.Database>[] = [
  (db) => {
    db.exec(`
      CREATE TABLE alarm_journal (
        id          INTEGER PRIMARY KEY,
        ts          INTEGER NOT NULL,
        alarm_id    TEXT NOT NULL,
        event       TEXT NOT NULL,
        from_state  TEXT NOT NULL,
        to_state    TEXT NOT NULL,
        priority    INTEGER NOT NULL,
        tag         TEXT,
        area        TEXT NOT NULL,
        device      TEXT,
        message     TEXT NOT NULL,
        value       TEXT,
        user        TEXT,
        text        TEXT NOT NULL DEFAULT '',
        -- 1 when the line put the alarm in front of the operator (into active-unacknowledged):
        -- what ISA-18.2's rates count
        annunciated INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX alarm_journal_ts ON alarm_journal (ts);
      CREATE INDEX alarm_journal_alarm_ts ON alarm_journal (alarm_id, ts);
      CREATE INDEX alarm_journal_tag_ts ON alarm_journal (tag, ts);
      CREATE INDEX alarm_journal_annunciated_ts ON alarm_journal (ts) WHERE annunciated = 1;
      CREATE INDEX alarm_journal_activity_ts ON alarm_journal (alarm_id, ts) WHERE event IN ('activated', 'cleared');

      CREATE TABLE alarm_state (
        alarm_id    TEXT PRIMARY KEY,
        state       TEXT NOT NULL,
        active      INTEGER NOT NULL,
        suppressed  INTEGER NOT NULL,
        value       TEXT,
        changed_at  INTEGER NOT NULL,
        last_comment TEXT
      ) WITHOUT ROWID;

      CREATE TABLE alarm_baseline (
        alarm_id    TEXT NOT NULL,
        state       TEXT NOT NULL,
        mean        REAL NOT NULL,
        learned_ms  REAL NOT NULL,
        updated_at  INTEGER NOT NULL,
        PRIMARY KEY (alarm_id, state)
      ) WITHOUT ROWID;
    `);
  },
];

export interface JournalLine {
  ts: number;
  alarmId: string;
  event: AlarmJournalEvent;
  from: AlarmStateType;
  to: AlarmStateType;
  priority: AlarmPriority;
  tag: string | null;
  area: string;
  device: string | null;
  message: string;
  value: TagScalar | null;
  user: string | null;
  text: string;
}

export interface JournalFilter {
  from: number;
  to: number;
  alarmId?: string;
  tag?: string;
  priorities?: readonly AlarmPriority[];
  text?: string;
}

export interface Activation {
  ts: number;
  alarmId: string;
  priority: AlarmPriority;
  message: string;
}

export interface ActivityEvent {
  ts: number;
  alarmId: string;
  message: string;
  active: boolean;
}

interface JournalRow {
  id: number;
  ts: number;
  alarm_id: string;
  event: string;
  from_state: string;
  to_state: string;
  priority: number;
  tag: string | null;
  area: string;
  device: string | null;
  message: string;
  value: string | null;
  user: string | null;
  text: string;
}

export class AlarmStore {
  private readonly insertJournal;
  private readonly upsertState;
  private readonly upsertBaseline;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    applyModuleMigrations(db, 'alarms', migrations);
    this.insertJournal = db.prepare(
      `INSERT INTO alarm_journal (ts, alarm_id, event, from_state, to_state, priority, tag, area, device, message, value, user, text, annunciated)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.upsertState = db.prepare(
      `INSERT INTO alarm_state (alarm_id, state, active, suppressed, value, changed_at, last_comment) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(alarm_id) DO UPDATE SET state = excluded.state, active = excluded.active, suppressed = excluded.suppressed,
         value = excluded.value, changed_at = excluded.changed_at, last_comment = excluded.last_comment`,
    );
    this.upsertBaseline = db.prepare(
      `INSERT INTO alarm_baseline (alarm_id, state, mean, learned_ms, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(alarm_id, state) DO UPDATE SET mean = excluded.mean, learned_ms = excluded.learned_ms, updated_at = excluded.updated_at`,
    );
  }

  /** Journal lines and states in one transaction; `also` runs inside it (the audit trail's lines). */
  write(lines: readonly JournalLine[], states: readonly PersistedAlarm[], also?: () => void): void {
    if (lines.length === 0 && states.length === 0 && also === undefined) return;
    this.db.transaction(() => {
      for (const l of lines) {
        const annunciated = l.to === 'unack' && l.from !== 'unack' ? 1 : 0;
        this.insertJournal.run(l.ts, l.alarmId, l.event, l.from, l.to, l.priority, l.tag, l.area, l.device, l.message, json(l.value), l.user, l.text, annunciated);
      }
      for (const s of states) {
        this.upsertState.run(s.alarmId, s.state, s.active ? 1 : 0, s.suppressed ? 1 : 0, json(s.value), s.changedAt, s.lastComment === null ? null : JSON.stringify(s.lastComment));
      }
      also?.();
    })();
  }

  loadStates(): PersistedAlarm[] {
    const rows = this.db.prepare('SELECT * FROM alarm_state').all() as {
      alarm_id: string;
      state: string;
      active: number;
      suppressed: number;
      value: string | null;
      changed_at: number;
      last_comment: string | null;
    }[];
    return rows.map((r) => ({
      alarmId: r.alarm_id,
      state: r.state,
      active: r.active === 1,
      suppressed: r.suppressed === 1,
      value: parseScalar(r.value),
      changedAt: r.changed_at,
      lastComment: parseComment(r.last_comment),
    }));
  }

  saveBaselines(ts: number, baselines: readonly { alarmId: string; learned: readonly LearnedBaseline[] }[]): void {
    this.db.transaction(() => {
      for (const b of baselines) for (const l of b.learned) this.upsertBaseline.run(b.alarmId, l.state, l.mean, l.learnedMs, ts);
    })();
  }

  loadBaselines(): Map<string, LearnedBaseline[]> {
    const rows = this.db.prepare('SELECT alarm_id, state, mean, learned_ms FROM alarm_baseline').all() as { alarm_id: string; state: string; mean: number; learned_ms: number }[];
    const out = new Map<string, LearnedBaseline[]>();
    for (const r of rows) {
      const list = out.get(r.alarm_id) ?? [];
      list.push({ state: r.state, mean: r.mean, learnedMs: r.learned_ms });
      out.set(r.alarm_id, list);
    }
    return out;
  }

  /** Newest first; `beforeId` continues a previous page. */
  journal(filter: JournalFilter, limit: number, beforeId?: number): { entries: AlarmJournalEntry[]; more: boolean } {
    const { where, params } = whereOf(filter);
    let page = '';
    if (beforeId !== undefined) {
      const anchor = this.db.prepare('SELECT ts FROM alarm_journal WHERE id = ?').get(beforeId) as { ts: number } | undefined;
      if (anchor !== undefined) {
        page = ' AND (ts < ? OR (ts = ? AND id < ?))';
        params.push(anchor.ts, anchor.ts, beforeId);
      }
    }
    const rows = this.statement(`SELECT * FROM alarm_journal WHERE ${where}${page} ORDER BY ts DESC, id DESC LIMIT ?`).all(...params, limit + 1) as JournalRow[];
    return { entries: rows.slice(0, limit).map(toEntry), more: rows.length > limit };
  }

  /** Oldest first, at most `max` lines. */
  journalRange(filter: JournalFilter, max: number): { entries: AlarmJournalEntry[]; truncated: boolean } {
    const { where, params } = whereOf(filter);
    const rows = this.statement(`SELECT * FROM alarm_journal WHERE ${where} ORDER BY ts, id LIMIT ?`).all(...params, max + 1) as JournalRow[];
    return { entries: rows.slice(0, max).map(toEntry), truncated: rows.length > max };
  }

  /** Annunciations in [from, to), oldest first: what ISA-18.2's rates count. */
  activations(from: number, to: number, max: number): { activations: Activation[]; truncated: boolean } {
    const rows = this.statement(
      'SELECT ts, alarm_id AS alarmId, priority, message FROM alarm_journal WHERE annunciated = 1 AND ts >= ? AND ts < ? ORDER BY ts LIMIT ?',
    ).all(from, to, max + 1) as Activation[];
    return { activations: rows.slice(0, max), truncated: rows.length > max };
  }

  /** Condition changes in [from, to), preceded by each alarm's last one before `from`. */
  activity(from: number, to: number, max: number): ActivityEvent[] {
    const before = this.statement(
      `SELECT j.alarm_id AS alarmId, j.ts, j.message, j.event FROM alarm_journal j
       JOIN (SELECT alarm_id, MAX(ts) AS ts FROM alarm_journal WHERE event IN ('activated', 'cleared') AND ts < ? GROUP BY alarm_id) last
         ON j.alarm_id = last.alarm_id AND j.ts = last.ts
       WHERE j.event IN ('activated', 'cleared')`,
    ).all(from) as { alarmId: string; ts: number; message: string; event: string }[];
    const inRange = this.statement(
      `SELECT alarm_id AS alarmId, ts, message, event FROM alarm_journal WHERE event IN ('activated', 'cleared') AND ts >= ? AND ts < ? ORDER BY ts, id LIMIT ?`,
    ).all(from, to, max) as { alarmId: string; ts: number; message: string; event: string }[];
    return [...before, ...inRange].map((r) => ({ ts: r.ts, alarmId: r.alarmId, message: r.message, active: r.event === 'activated' }));
  }

  private statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}

function whereOf(f: JournalFilter): { where: string; params: unknown[] } {
  const clauses = ['ts >= ?', 'ts < ?'];
  const params: unknown[] = [f.from, f.to];
  if (f.alarmId !== undefined) {
    clauses.push('alarm_id = ?');
    params.push(f.alarmId);
  }
  if (f.tag !== undefined) {
    clauses.push('tag = ?');
    params.push(f.tag);
  }
  if (f.priorities !== undefined && f.priorities.length > 0) {
    clauses.push(`priority IN (${f.priorities.map(() => '?').join(', ')})`);
    params.push(...f.priorities);
  }
  const text = f.text?.trim();
  if (text) {
    const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    clauses.push(
      "(message LIKE ? ESCAPE '\\' OR alarm_id LIKE ? ESCAPE '\\' OR tag LIKE ? ESCAPE '\\' OR user LIKE ? ESCAPE '\\' OR text LIKE ? ESCAPE '\\')",
    );
    params.push(like, like, like, like, like);
  }
  return { where: clauses.join(' AND '), params };
}

function toEntry(r: JournalRow): AlarmJournalEntry {
  return {
    id: r.id,
    ts: r.ts,
    alarmId: r.alarm_id,
    event: r.event as AlarmJournalEvent,
    fromState: r.from_state as AlarmStateType,
    toState: r.to_state as AlarmStateType,
    priority: r.priority as AlarmPriority,
    tag: r.tag,
    area: r.area,
    device: r.device,
    message: r.message,
    value: parseScalar(r.value),
    user: r.user,
    text: r.text,
  };
}

function json(v: TagScalar | null): string | null {
  return v === null ? null : JSON.stringify(v);
}

function parseScalar(s: string | null): TagScalar | null {
  if (s === null) return null;
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

function parseComment(s: string | null): AlarmStatus['lastComment'] {
  if (s === null) return null;
  try {
    const c = JSON.parse(s) as { text?: unknown; user?: unknown; ts?: unknown };
    return typeof c.text === 'string' && typeof c.user === 'string' && typeof c.ts === 'number' ? { text: c.text, user: c.user, ts: c.ts } : null;
  } catch {
    return null;
  }
}
