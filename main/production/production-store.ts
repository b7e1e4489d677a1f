/**
 * Production records in SQLite (module `production`): state intervals, counts per minute and
 * product, downtime events with their reason, comment, splits and corrections, the product
 * in force, and maintenance requests. Two append-only tables are the outbox of two sync
 * streams, numbered by id in the transaction that stores the change (like run-store's
 * `instruction_record`): `downtime_record` (stream `downtime`) and `maintenance_record`
 * (stream `maintenance`). docs/production.md has the record format.
 */
import type Database from 'better-sqlite3';
import type { MaintenanceRequest, MaintenanceState, RecordedState, StateClass } from '../../shared/production';
import { applyModuleMigrations, type ModuleMigration } from '../util/module-migrations';

const migrations: ModuleMigration<Database.Database>[] = [
  (db) => {
    db.exec(`
      CREATE TABLE production_line (
        line      TEXT PRIMARY KEY,
        last_seen INTEGER NOT NULL,
        product   TEXT,
        order_no  TEXT
      ) WITHOUT ROWID;
      CREATE TABLE production_interval (
        id         INTEGER PRIMARY KEY,
        line       TEXT NOT NULL,
        start      INTEGER NOT NULL,
        end        INTEGER,
        state      TEXT NOT NULL,
        cls        TEXT NOT NULL,
        fault_code INTEGER
      );
      CREATE INDEX production_interval_line ON production_interval (line, start);
      CREATE TABLE production_count (
        line    TEXT NOT NULL,
        t       INTEGER NOT NULL,
        product TEXT NOT NULL,
        total   INTEGER NOT NULL,
        good    INTEGER NOT NULL,
        reject  INTEGER NOT NULL,
        PRIMARY KEY (line, t, product)
      ) WITHOUT ROWID;
      CREATE TABLE production_counter (
        line    TEXT NOT NULL,
        counter TEXT NOT NULL,
        value   INTEGER NOT NULL,
        PRIMARY KEY (line, counter)
      ) WITHOUT ROWID;
      CREATE TABLE production_product (
        id       INTEGER PRIMARY KEY,
        line     TEXT NOT NULL,
        ts       INTEGER NOT NULL,
        product  TEXT NOT NULL,
        order_no TEXT,
        source   TEXT NOT NULL,
        user_id  TEXT NOT NULL
      );
      CREATE INDEX production_product_line ON production_product (line, ts);
      CREATE TABLE downtime_event (
        id          INTEGER PRIMARY KEY,
        line        TEXT NOT NULL,
        start       INTEGER NOT NULL,
        end         INTEGER,
        state       TEXT NOT NULL,
        fault_code  INTEGER,
        minor       INTEGER NOT NULL DEFAULT 0,
        reason_code TEXT,
        reason_by   TEXT,
        reason_at   INTEGER,
        comment     TEXT NOT NULL DEFAULT '',
        split_from  INTEGER
      );
      CREATE INDEX downtime_event_line ON downtime_event (line, start);
      CREATE TABLE downtime_change (
        id          INTEGER PRIMARY KEY,
        downtime_id INTEGER NOT NULL,
        ts          INTEGER NOT NULL,
        user_id     TEXT NOT NULL,
        kind        TEXT NOT NULL,
        from_value  TEXT,
        to_value    TEXT
      );
      CREATE INDEX downtime_change_event ON downtime_change (downtime_id, id);
      CREATE TABLE downtime_record (
        id          INTEGER PRIMARY KEY,
        ts          INTEGER NOT NULL,
        kind        TEXT NOT NULL,
        line        TEXT NOT NULL,
        downtime_id INTEGER NOT NULL,
        user_id     TEXT NOT NULL,
        payload     TEXT NOT NULL
      );
      CREATE TABLE maintenance_request (
        id          INTEGER PRIMARY KEY,
        line        TEXT NOT NULL,
        title       TEXT NOT NULL,
        description TEXT NOT NULL,
        priority    INTEGER NOT NULL,
        source      TEXT NOT NULL,
        alarm       TEXT,
        trend       TEXT,
        downtime_id INTEGER,
        state       TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        created_by  TEXT NOT NULL,
        updated_at  INTEGER NOT NULL,
        assignee    TEXT,
        run_id      INTEGER,
        closed_at   INTEGER
      );
      CREATE INDEX maintenance_request_state ON maintenance_request (state, id);
      CREATE TABLE maintenance_change (
        id         INTEGER PRIMARY KEY,
        request_id INTEGER NOT NULL,
        ts         INTEGER NOT NULL,
        user_id    TEXT NOT NULL,
        from_state TEXT,
        to_state   TEXT NOT NULL,
        comment    TEXT NOT NULL
      );
      CREATE INDEX maintenance_change_request ON maintenance_change (request_id, id);
      CREATE TABLE maintenance_record (
        id         INTEGER PRIMARY KEY,
        ts         INTEGER NOT NULL,
        kind       TEXT NOT NULL,
        request_id INTEGER NOT NULL,
        user_id    TEXT NOT NULL,
        payload    TEXT NOT NULL
      );
    `);
  },
  // 2: the KPI sums of closed shifts (hours, days), so that a year's figures read 1,095 rows
  // instead of a year of intervals, stops and counts. A cache: every write to the history
  // deletes the summaries it touches (invalidate), and a changed production section (reasons,
  // ideal rates) has another `config`, whose rows are not read.
  (db) => {
    db.exec(`
      CREATE TABLE production_kpi_summary (
        line    TEXT NOT NULL,
        kind    TEXT NOT NULL,
        from_ts INTEGER NOT NULL,
        to_ts   INTEGER NOT NULL,
        config  TEXT NOT NULL,
        data    TEXT NOT NULL,
        PRIMARY KEY (line, kind, from_ts)
      );
      CREATE INDEX production_kpi_summary_to ON production_kpi_summary (line, to_ts);
    `);
  },
];

export interface IntervalRow {
  id: number;
  line: string;
  start: number;
  end: number | null;
  state: RecordedState;
  cls: StateClass;
  fault_code: number | null;
}

export interface DowntimeRow {
  id: number;
  line: string;
  start: number;
  end: number | null;
  state: RecordedState;
  fault_code: number | null;
  minor: number;
  reason_code: string | null;
  reason_by: string | null;
  reason_at: number | null;
  comment: string;
  split_from: number | null;
}

export interface DowntimeChangeRow {
  downtime_id: number;
  ts: number;
  user_id: string;
  kind: 'reason' | 'correction' | 'split' | 'comment';
  from_value: string | null;
  to_value: string | null;
}

export interface CountRow {
  t: number;
  product: string;
  total: number;
  good: number;
  reject: number;
}

interface MaintenanceRow {
  id: number;
  line: string;
  title: string;
  description: string;
  priority: number;
  source: MaintenanceRequest['source'];
  alarm: string | null;
  trend: string | null;
  downtime_id: number | null;
  state: MaintenanceState;
  created_at: number;
  created_by: string;
  updated_at: number;
  assignee: string | null;
  run_id: number | null;
  closed_at: number | null;
}

/** Keeps the database's statements; every write is one IMMEDIATE transaction. */
export class ProductionStore {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    applyModuleMigrations(db, 'production', migrations);
    this.s = {
      line: db.prepare('SELECT * FROM production_line WHERE line = ?'),
      seen: db.prepare('INSERT INTO production_line (line, last_seen) VALUES (?, ?) ON CONFLICT(line) DO UPDATE SET last_seen = excluded.last_seen'),
      openInterval: db.prepare('SELECT * FROM production_interval WHERE line = ? AND end IS NULL ORDER BY id DESC LIMIT 1'),
      closeInterval: db.prepare('UPDATE production_interval SET end = ? WHERE id = ?'),
      insertInterval: db.prepare('INSERT INTO production_interval (line, start, end, state, cls, fault_code) VALUES (?, ?, ?, ?, ?, ?)'),
      intervals: db.prepare('SELECT start, end, state, cls FROM production_interval WHERE line = ? AND start < ? AND (end IS NULL OR end > ?) ORDER BY start'),
      addCount: db.prepare(
        'INSERT INTO production_count (line, t, product, total, good, reject) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(line, t, product) DO UPDATE SET total = total + excluded.total, good = good + excluded.good, reject = reject + excluded.reject',
      ),
      counts: db.prepare('SELECT t, product, total, good, reject FROM production_count WHERE line = ? AND t >= ? AND t < ? ORDER BY t'),
      counter: db.prepare('SELECT counter, value FROM production_counter WHERE line = ?'),
      setCounter: db.prepare('INSERT INTO production_counter (line, counter, value) VALUES (?, ?, ?) ON CONFLICT(line, counter) DO UPDATE SET value = excluded.value'),
      clearCounters: db.prepare('DELETE FROM production_counter WHERE line = ?'),
      product: db.prepare('INSERT INTO production_product (line, ts, product, order_no, source, user_id) VALUES (?, ?, ?, ?, ?, ?)'),
      setLineProduct: db.prepare('UPDATE production_line SET product = ?, order_no = ? WHERE line = ?'),
      products: db.prepare('SELECT ts, product, order_no FROM production_product WHERE line = ? AND ts < ? AND ts >= coalesce((SELECT MAX(ts) FROM production_product WHERE line = ? AND ts <= ?), 0) ORDER BY ts, id'),
      event: db.prepare('SELECT * FROM downtime_event WHERE id = ?'),
      openEvent: db.prepare('SELECT * FROM downtime_event WHERE line = ? AND end IS NULL ORDER BY id DESC LIMIT 1'),
      events: db.prepare('SELECT * FROM downtime_event WHERE line = ? AND start < ? AND (end IS NULL OR end > ?) ORDER BY start'),
      changes: db.prepare('SELECT * FROM downtime_change WHERE downtime_id = ? ORDER BY id'),
      insertEvent: db.prepare('INSERT INTO downtime_event (line, start, end, state, fault_code, minor, reason_code, reason_by, reason_at, comment, split_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      change: db.prepare('INSERT INTO downtime_change (downtime_id, ts, user_id, kind, from_value, to_value) VALUES (?, ?, ?, ?, ?, ?)'),
      downtimeRecord: db.prepare('INSERT INTO downtime_record (ts, kind, line, downtime_id, user_id, payload) VALUES (?, ?, ?, ?, ?, ?)'),
      request: db.prepare('SELECT * FROM maintenance_request WHERE id = ?'),
      requestChanges: db.prepare('SELECT * FROM maintenance_change WHERE request_id = ? ORDER BY id'),
      maintenanceRecord: db.prepare('INSERT INTO maintenance_record (ts, kind, request_id, user_id, payload) VALUES (?, ?, ?, ?, ?)'),
      invalidate: db.prepare('DELETE FROM production_kpi_summary WHERE line = ? AND to_ts > ? AND from_ts < ?'),
      invalidateInterval: db.prepare('DELETE FROM production_kpi_summary WHERE line = (SELECT line FROM production_interval WHERE id = ?) AND to_ts > ?'),
      summaries: db.prepare('SELECT from_ts, to_ts, data FROM production_kpi_summary WHERE line = ? AND kind = ? AND config = ? AND from_ts >= ? AND to_ts <= ? ORDER BY from_ts'),
      putSummary: db.prepare('INSERT OR REPLACE INTO production_kpi_summary (line, kind, from_ts, to_ts, config, data) VALUES (?, ?, ?, ?, ?, ?)'),
      dropOtherConfigs: db.prepare('DELETE FROM production_kpi_summary WHERE config <> ?'),
    };
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  lineRow(line: string): { last_seen: number; product: string | null; order_no: string | null } | undefined {
    return this.s.line.get(line) as { last_seen: number; product: string | null; order_no: string | null } | undefined;
  }

  seen(line: string, t: number): void {
    this.s.seen.run(line, t);
  }

  openInterval(line: string): IntervalRow | undefined {
    return this.s.openInterval.get(line) as IntervalRow | undefined;
  }

  closeInterval(id: number, end: number): void {
    this.s.invalidateInterval.run(id, end);
    this.s.closeInterval.run(end, id);
  }

  insertInterval(line: string, start: number, end: number | null, state: RecordedState, cls: StateClass, faultCode: number | null): number {
    this.invalidate(line, start, end);
    return Number(this.s.insertInterval.run(line, start, end, state, cls, faultCode).lastInsertRowid);
  }

  /** Drops the KPI summaries overlapping [from, to) (to null: up to any time). */
  invalidate(line: string, from: number, to: number | null): void {
    this.s.invalidate.run(line, from, to ?? Number.MAX_SAFE_INTEGER);
  }

  /** The KPI summaries of `kind` within [from, to) under this configuration, by start. */
  summaries(line: string, kind: string, config: string, from: number, to: number): { from: number; to: number; data: string }[] {
    return (this.s.summaries.all(line, kind, config, from, to) as { from_ts: number; to_ts: number; data: string }[]).map((r) => ({ from: r.from_ts, to: r.to_ts, data: r.data }));
  }

  putSummary(line: string, kind: string, from: number, to: number, config: string, data: string): void {
    this.s.putSummary.run(line, kind, from, to, config, data);
  }

  /** On start: summaries made under another production section are of no use. */
  dropSummariesExcept(config: string): void {
    this.s.dropOtherConfigs.run(config);
  }

  /** Intervals overlapping [from, to), oldest first (the open one with end null). */
  intervals(line: string, from: number, to: number): { start: number; end: number | null; state: RecordedState; cls: StateClass }[] {
    return this.s.intervals.all(line, to, from) as { start: number; end: number | null; state: RecordedState; cls: StateClass }[];
  }

  addCount(line: string, t: number, product: string, total: number, good: number, reject: number): void {
    this.invalidate(line, t, t + 1);
    this.s.addCount.run(line, t, product, total, good, reject);
  }

  counts(line: string, from: number, to: number): CountRow[] {
    return this.s.counts.all(line, from, to) as CountRow[];
  }

  counters(line: string): Map<string, number> {
    return new Map((this.s.counter.all(line) as { counter: string; value: number }[]).map((r) => [r.counter, r.value]));
  }

  setCounter(line: string, counter: string, value: number): void {
    this.s.setCounter.run(line, counter, value);
  }

  clearCounters(line: string): void {
    this.s.clearCounters.run(line);
  }

  setProduct(line: string, ts: number, product: string, orderNo: string | null, source: string, user: string): void {
    this.s.product.run(line, ts, product, orderNo, source, user);
    this.s.setLineProduct.run(product, orderNo, line);
  }

  /** The product changes in [from, to), with the one in force at `from` first. */
  products(line: string, from: number, to: number): { ts: number; product: string; order_no: string | null }[] {
    return this.s.products.all(line, to, line, from) as { ts: number; product: string; order_no: string | null }[];
  }

  event(id: number): DowntimeRow | undefined {
    return this.s.event.get(id) as DowntimeRow | undefined;
  }

  openEvent(line: string): DowntimeRow | undefined {
    return this.s.openEvent.get(line) as DowntimeRow | undefined;
  }

  events(line: string, from: number, to: number): DowntimeRow[] {
    return this.s.events.all(line, to, from) as DowntimeRow[];
  }

  changes(id: number): DowntimeChangeRow[] {
    return this.s.changes.all(id) as DowntimeChangeRow[];
  }

  insertEvent(e: Omit<DowntimeRow, 'id'>): number {
    this.invalidate(e.line, e.start, e.end);
    return Number(this.s.insertEvent.run(e.line, e.start, e.end, e.state, e.fault_code, e.minor, e.reason_code, e.reason_by, e.reason_at, e.comment, e.split_from).lastInsertRowid);
  }

  updateEvent(id: number, set: Partial<Omit<DowntimeRow, 'id' | 'line'>>): void {
    const keys = Object.keys(set) as (keyof typeof set)[];
    if (keys.length === 0) return;
    const old = this.event(id);
    if (old) {
      const from = Math.min(old.start, set.start ?? old.start);
      const ends = [old.end, set.end === undefined ? old.end : set.end];
      this.invalidate(old.line, from, ends.includes(null) ? null : Math.max(...(ends as number[])));
    }
    this.db.prepare(`UPDATE downtime_event SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE id = ?`).run(...keys.map((k) => set[k] ?? null), id);
  }

  change(c: DowntimeChangeRow): void {
    this.s.change.run(c.downtime_id, c.ts, c.user_id, c.kind, c.from_value, c.to_value);
  }

  /** One record of the `downtime` stream (inside the caller's transaction). */
  downtimeRecord(ts: number, kind: string, line: string, downtimeId: number, user: string, payload: unknown): void {
    this.s.downtimeRecord.run(ts, kind, line, downtimeId, user, JSON.stringify(payload));
  }

  insertRequest(r: Omit<MaintenanceRequest, 'id' | 'history'>): number {
    return Number(
      this.db
        .prepare(
          'INSERT INTO maintenance_request (line, title, description, priority, source, alarm, trend, downtime_id, state, created_at, created_by, updated_at, assignee, run_id, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(r.line, r.title, r.description, r.priority, r.source, r.alarm === null ? null : JSON.stringify(r.alarm), r.trend === null ? null : JSON.stringify(r.trend), r.downtimeId, r.state, r.createdAt, r.createdBy, r.updatedAt, r.assignee, r.runId, r.closedAt).lastInsertRowid,
    );
  }

  updateRequest(id: number, set: { state: MaintenanceState; updated_at: number; assignee: string | null; run_id: number | null; closed_at: number | null }): void {
    this.db.prepare('UPDATE maintenance_request SET state = ?, updated_at = ?, assignee = ?, run_id = ?, closed_at = ? WHERE id = ?').run(set.state, set.updated_at, set.assignee, set.run_id, set.closed_at, id);
  }

  requestChange(requestId: number, ts: number, user: string, from: MaintenanceState | null, to: MaintenanceState, comment: string): void {
    this.db.prepare('INSERT INTO maintenance_change (request_id, ts, user_id, from_state, to_state, comment) VALUES (?, ?, ?, ?, ?, ?)').run(requestId, ts, user, from, to, comment);
  }

  /** One record of the `maintenance` stream (inside the caller's transaction). */
  maintenanceRecord(ts: number, kind: string, requestId: number, user: string, payload: unknown): void {
    this.s.maintenanceRecord.run(ts, kind, requestId, user, JSON.stringify(payload));
  }

  request(id: number): MaintenanceRequest | null {
    const r = this.s.request.get(id) as MaintenanceRow | undefined;
    return r ? this.toRequest(r) : null;
  }

  requests(f: { state?: MaintenanceState; open?: boolean; line?: string; limit: number; beforeId?: number }): MaintenanceRequest[] {
    const where: string[] = [];
    const args: unknown[] = [];
    const and = (clause: string, ...values: unknown[]) => {
      where.push(clause);
      args.push(...values);
    };
    if (f.state !== undefined) and('state = ?', f.state);
    if (f.open === true) and("state NOT IN ('done', 'cancelled')");
    if (f.line !== undefined) and('line = ?', f.line);
    if (f.beforeId !== undefined) and('id < ?', f.beforeId);
    const sql = `SELECT * FROM maintenance_request ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, f.limit) as MaintenanceRow[]).map((r) => this.toRequest(r));
  }

  /**
   * A request of the line whose work was going on during [from, to]: started (in progress) by
   * `to` and not closed before `from` — the stop is that work's. The latest such, or null.
   */
  requestWorkingDuring(line: string, from: number, to: number): { id: number; downtimeId: number | null } | null {
    const row = this.db
      .prepare(
        `SELECT r.id, r.downtime_id FROM maintenance_request r
          WHERE r.line = ? AND r.state IN ('inProgress', 'done') AND (r.closed_at IS NULL OR r.closed_at >= ?)
            AND EXISTS (SELECT 1 FROM maintenance_change c WHERE c.request_id = r.id AND c.to_state = 'inProgress' AND c.ts <= ?)
          ORDER BY r.id DESC LIMIT 1`,
      )
      .get(line, from, to) as { id: number; downtime_id: number | null } | undefined;
    return row ? { id: row.id, downtimeId: row.downtime_id } : null;
  }

  linkDowntime(requestId: number, downtimeId: number): void {
    this.db.prepare('UPDATE maintenance_request SET downtime_id = ? WHERE id = ? AND downtime_id IS NULL').run(downtimeId, requestId);
  }

  requestForDowntime(downtimeId: number): number | null {
    return (this.db.prepare('SELECT id FROM maintenance_request WHERE downtime_id = ? ORDER BY id LIMIT 1').pluck().get(downtimeId) as number | undefined) ?? null;
  }

  private toRequest(r: MaintenanceRow): MaintenanceRequest {
    const history = (this.s.requestChanges.all(r.id) as { ts: number; user_id: string; from_state: MaintenanceState | null; to_state: MaintenanceState; comment: string }[]).map((c) => ({
      ts: c.ts,
      user: c.user_id,
      from: c.from_state,
      to: c.to_state,
      comment: c.comment,
    }));
    return {
      id: r.id,
      line: r.line,
      title: r.title,
      description: r.description,
      priority: r.priority,
      source: r.source,
      alarm: r.alarm === null ? null : (JSON.parse(r.alarm) as MaintenanceRequest['alarm']),
      trend: r.trend === null ? null : (JSON.parse(r.trend) as MaintenanceRequest['trend']),
      downtimeId: r.downtime_id,
      state: r.state,
      createdAt: r.created_at,
      createdBy: r.created_by,
      updatedAt: r.updated_at,
      assignee: r.assignee,
      runId: r.run_id,
      closedAt: r.closed_at,
      history,
    };
  }
}
