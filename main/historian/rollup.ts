/**
 * Rollups: per tag, per 1-minute and 1-hour bucket, the statistics of the value in force.
 *
 * A stored sample's value stays in force until the tag's next sample (step-hold: the historian
 * stores changes and heartbeats, so between two samples the value was what the first said). A
 * sample that is not good (or not a number/boolean) puts "no value" in force: a gap.
 * Per bucket:
 *   n, n_good     samples in the bucket, and those that are good numbers (booleans as 0/1)
 *   min, max      over the good values in force during the bucket (including one carried in
 *                 from before its start); NULL when none was
 *   first, last   the first and last good value in force during the bucket
 *   held          the value in force at the bucket's last sample (NULL: not good) — what
 *                 continues into the following buckets that have no sample
 *   last_dt       ms from the bucket start to its last sample
 *   twa_sum/ms    ∫ value dt and the time covered by good values, inside the bucket; the
 *                 time-weighted average is their quotient. The time from a bucket's last sample
 *                 to its end is added when the tag's next sample arrives (until then the bucket
 *                 is "open" and queries add that tail themselves).
 * A bucket has a row only when it holds at least one sample; a bucket without one has `held`
 * of the row before it in force throughout.
 *
 * The same code maintains rollups incrementally as samples are written and rebuilds them from
 * raw samples (out-of-order samples, migration), so both always agree.
 */
import type { SqliteDatabase } from './database';
import { isGoodNumeric, type SampleColumns } from './samples';
import type { SampleStore } from './sample-store';

export interface RollupLevel {
  readonly name: '1m' | '1h';
  readonly widthMs: number;
  readonly table: 'rollup_1m' | 'rollup_1h';
}

export const ROLLUP_LEVELS: readonly RollupLevel[] = [
  { name: '1m', widthMs: 60_000, table: 'rollup_1m' },
  { name: '1h', widthMs: 3_600_000, table: 'rollup_1h' },
];

export interface RollupRow {
  t: number;
  n: number;
  nGood: number;
  min: number | null;
  max: number | null;
  first: number | null;
  last: number | null;
  held: number | null;
  lastDt: number;
  twaSum: number;
  twaMs: number;
}

/** Columns in table order, for SELECT and INSERT. */
export const ROLLUP_COLUMNS = 't, n, n_good, min, max, first, last, held, last_dt, twa_sum, twa_ms';
export type RollupRowTuple = [number, number, number, number | null, number | null, number | null, number | null, number | null, number, number, number];

export function rowFromTuple(r: RollupRowTuple): RollupRow {
  return { t: r[0], n: r[1], nGood: r[2], min: r[3], max: r[4], first: r[5], last: r[6], held: r[7], lastDt: r[8], twaSum: r[9], twaMs: r[10] };
}

/** What the accumulator needs of a tag between samples. */
export interface TagRollupState {
  /** ts of the tag's latest sample; -Infinity before the first */
  prevTs: number;
  /** value in force after the latest sample (null: none/bad) */
  prevValue: number | null;
  /** per level, the bucket of the latest sample */
  cur: (RollupRow | null)[];
}

export function freshState(): TagRollupState {
  return { prevTs: -Infinity, prevValue: null, cur: ROLLUP_LEVELS.map(() => null) };
}

function cloneState(s: TagRollupState): TagRollupState {
  return { prevTs: s.prevTs, prevValue: s.prevValue, cur: s.cur.map((r) => (r ? { ...r } : null)) };
}

function newRow(t: number): RollupRow {
  return { t, n: 0, nGood: 0, min: null, max: null, first: null, last: null, held: null, lastDt: 0, twaSum: 0, twaMs: 0 };
}

function valueInForce(row: RollupRow, v: number): void {
  if (row.min === null || v < row.min) row.min = v;
  if (row.max === null || v > row.max) row.max = v;
  if (row.first === null) row.first = v;
  row.last = v;
}

/**
 * Adds one sample (ts > state.prevTs) to the state; `closed` receives buckets that will get no
 * more samples. Returns false (and changes nothing) for a sample that is not after the latest.
 */
export function accumulate(
  state: TagRollupState,
  ts: number,
  value: number | null,
  closed: (level: number, row: RollupRow) => void,
): boolean {
  if (ts <= state.prevTs) return false;
  const held = state.prevValue;
  for (let l = 0; l < ROLLUP_LEVELS.length; l++) {
    const w = ROLLUP_LEVELS[l].widthMs;
    const b = Math.floor(ts / w) * w;
    let cur = state.cur[l];
    if (cur && cur.t === b) {
      if (held !== null) {
        cur.twaSum += held * (ts - state.prevTs);
        cur.twaMs += ts - state.prevTs;
      }
    } else {
      if (cur) {
        if (held !== null && state.prevTs > -Infinity) {
          const tail = cur.t + w - state.prevTs;
          cur.twaSum += held * tail;
          cur.twaMs += tail;
        }
        closed(l, cur);
      }
      cur = newRow(b);
      if (held !== null && ts > b) {
        valueInForce(cur, held);
        cur.twaSum += held * (ts - b);
        cur.twaMs += ts - b;
      }
      state.cur[l] = cur;
    }
    cur.n++;
    if (value !== null) {
      cur.nGood++;
      valueInForce(cur, value);
    }
    cur.held = value;
    cur.lastDt = ts - b;
  }
  state.prevTs = ts;
  state.prevValue = value;
  return true;
}

/** Value in force after sample i of the columns (null: none). */
export function forceValue(c: SampleColumns, i: number): number | null {
  return isGoodNumeric(c, i) ? c.num[i] : null;
}

/**
 * Keeps the rollup tables up to date inside the writer's transactions. `begin` … `add`* …
 * `finish` run inside one transaction; `commit` or `rollback` after it, so that the in-memory
 * state never runs ahead of what is on disk.
 */
export class RollupMaintainer {
  private readonly states = new Map<number, TagRollupState>();
  private readonly snapshots = new Map<number, TagRollupState | null>();
  private closedRows: { level: number; tag: number; row: RollupRow }[] = [];
  private readonly outOfOrder = new Map<number, number>();
  private readonly upsert;
  private readonly selectRow;
  private readonly deleteFrom;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly store: SampleStore,
  ) {
    this.upsert = ROLLUP_LEVELS.map((l) =>
      db.prepare(`INSERT OR REPLACE INTO ${l.table} (tag, ${ROLLUP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    );
    this.selectRow = ROLLUP_LEVELS.map((l) => db.prepare(`SELECT ${ROLLUP_COLUMNS} FROM ${l.table} WHERE tag = ? AND t = ?`).raw(true));
    this.deleteFrom = ROLLUP_LEVELS.map((l) => db.prepare(`DELETE FROM ${l.table} WHERE tag = ? AND t >= ?`));
  }

  begin(): void {
    this.snapshots.clear();
    this.closedRows = [];
    this.outOfOrder.clear();
  }

  /** Loads a tag's state from disk if needed; call before the batch's samples are inserted. */
  prepare(tag: number): void {
    if (this.states.has(tag)) return;
    const state = freshState();
    const last = this.store.lastBefore(tag, Number.MAX_SAFE_INTEGER);
    if (last.length === 1) {
      state.prevTs = last.ts[0];
      state.prevValue = forceValue(last, 0);
      ROLLUP_LEVELS.forEach((l, i) => {
        const b = Math.floor(state.prevTs / l.widthMs) * l.widthMs;
        const row = this.selectRow[i].get(tag, b) as RollupRowTuple | undefined;
        state.cur[i] = row ? rowFromTuple(row) : null;
      });
    }
    this.states.set(tag, state);
  }

  add(tag: number, ts: number, value: number | null): void {
    const state = this.touch(tag);
    if (!accumulate(state, ts, value, (level, row) => this.closedRows.push({ level, tag, row }))) {
      const before = this.outOfOrder.get(tag);
      if (before === undefined || ts < before) this.outOfOrder.set(tag, ts);
    }
  }

  /** Writes closed and open buckets; rebuilds tags that received out-of-order samples. */
  finish(): void {
    for (const { level, tag, row } of this.closedRows) this.write(level, tag, row);
    for (const tag of this.snapshots.keys()) {
      if (this.outOfOrder.has(tag)) continue;
      const s = this.states.get(tag);
      s?.cur.forEach((row, level) => row && this.write(level, tag, row));
    }
    for (const [tag, from] of this.outOfOrder) this.rebuild(tag, from);
  }

  commit(): void {
    this.snapshots.clear();
  }

  rollback(): void {
    for (const [tag, snap] of this.snapshots) {
      if (snap) this.states.set(tag, snap);
      else this.states.delete(tag);
    }
    this.snapshots.clear();
    this.closedRows = [];
    this.outOfOrder.clear();
  }

  /** Forgets a tag's in-memory state (after retention removed its data). */
  forget(tag: number): void {
    this.states.delete(tag);
  }

  /**
   * Recomputes a tag's rollups from its raw samples, from the hour containing `from` to the end
   * (inside the caller's transaction).
   */
  rebuild(tag: number, from: number): void {
    this.touch(tag);
    const hour = ROLLUP_LEVELS[ROLLUP_LEVELS.length - 1].widthMs;
    const start = Number.isFinite(from) ? Math.floor(from / hour) * hour : -Infinity;
    const state = freshState();
    if (start > -Infinity) {
      const before = this.store.lastBefore(tag, start);
      if (before.length === 1) {
        state.prevTs = before.ts[0];
        state.prevValue = forceValue(before, 0);
      }
    }
    for (const d of this.deleteFrom) d.run(tag, Number.isFinite(start) ? start : -Number.MAX_SAFE_INTEGER);
    const write = (level: number, row: RollupRow) => this.write(level, tag, row);
    // A day at a time, so a long rebuild does not hold the whole history in memory.
    const step = 24 * hour;
    let t = Number.isFinite(start) ? start : this.firstSampleTs(tag);
    const end = this.lastSampleTs(tag);
    while (t !== null && end !== null && t <= end) {
      const c = this.store.read(tag, t, Math.min(t + step - 1, end));
      for (let i = 0; i < c.length; i++) accumulate(state, c.ts[i], forceValue(c, i), write);
      t += step;
    }
    state.cur.forEach((row, level) => row && write(level, row));
    // The bucket of the carried-in sample before `start` keeps its row; only its state matters.
    this.states.set(tag, state);
  }

  private firstSampleTs(tag: number): number | null {
    const hot = this.db.prepare('SELECT MIN(ts) AS t FROM sample WHERE tag = ?').get(tag) as { t: number | null };
    const chunk = this.db.prepare('SELECT MIN(t_start) AS t FROM chunk WHERE tag = ?').get(tag) as { t: number | null };
    if (hot.t === null) return chunk.t;
    if (chunk.t === null) return hot.t;
    return Math.min(hot.t, chunk.t);
  }

  private lastSampleTs(tag: number): number | null {
    const hot = this.db.prepare('SELECT MAX(ts) AS t FROM sample WHERE tag = ?').get(tag) as { t: number | null };
    const chunk = this.db.prepare('SELECT MAX(t_end) AS t FROM chunk WHERE tag = ?').get(tag) as { t: number | null };
    if (hot.t === null) return chunk.t;
    if (chunk.t === null) return hot.t;
    return Math.max(hot.t, chunk.t);
  }

  private touch(tag: number): TagRollupState {
    this.prepare(tag);
    const state = this.states.get(tag)!;
    if (!this.snapshots.has(tag)) this.snapshots.set(tag, cloneState(state));
    return state;
  }

  private write(level: number, tag: number, r: RollupRow): void {
    this.upsert[level].run(tag, r.t, r.n, r.nGood, r.min, r.max, r.first, r.last, r.held, r.lastDt, r.twaSum, r.twaMs);
  }
}
