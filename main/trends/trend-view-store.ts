/**
 * Saved trend views: a named set of pens and a time range, kept in the runtime's SQLite
 * (module `trend_views`, schema versions in module-migrations.ts). Names are unique without
 * regard to (ASCII) case; saving over an existing name needs `replace`, which keeps the view's
 * id. A row that no longer reads as a view (edited by hand, written by a newer build) is left
 * out of the list with a warning, never an error: one bad row does not hide the others.
 */
import type Database from 'better-sqlite3';
import { trendPenSchema, trendRangeSchema, MAX_TREND_PENS, type TrendPen, type TrendRangeSpec, type TrendView } from '../../shared/trend-api';
import type { Clock } from '../util/clock';
import { applyModuleMigrations, type ModuleMigration } from '../util/module-migrations';
import { createLogger, type Logger } from '../util/log';

const migrations: ModuleMigration<Database.Database>[] = [
  (db) => {
    db.exec(`
      CREATE TABLE trend_view (
        id       INTEGER PRIMARY KEY,
        name     TEXT NOT NULL UNIQUE COLLATE NOCASE,
        pens     TEXT NOT NULL,
        range    TEXT NOT NULL,
        saved_at INTEGER NOT NULL,
        saved_by TEXT NOT NULL
      );
    `);
  },
];

/** The most views kept; saving one more is refused (delete some first). */
export const MAX_TREND_VIEWS = 500;

export type TrendViewRefusal = 'not_found' | 'bad_request' | 'refused';

/** A save the store would not do; `code` is the API error code it maps to. */
export class TrendViewRefused extends Error {
  constructor(
    readonly code: TrendViewRefusal,
    message: string,
    readonly context: Record<string, string | number>,
  ) {
    super(message);
    this.name = 'TrendViewRefused';
  }
}

export interface TrendViewInput {
  name: string;
  pens: TrendPen[];
  range: TrendRangeSpec;
  replace: boolean;
}

export interface TrendViewStoreOptions {
  /** whether a tag id is one of the project's tags (pens must be); default: any */
  isTag?: (tagId: string) => boolean;
  maxViews?: number;
  log?: Logger;
}

export interface SavedTrendView {
  view: TrendView;
  /** the view this save replaced (same id), if any */
  replaced: TrendView | null;
}

interface Row {
  id: number;
  name: string;
  pens: string;
  range: string;
  saved_at: number;
  saved_by: string;
}

export class TrendViewStore {
  private readonly selectAll;
  private readonly selectByName;
  private readonly selectById;
  private readonly count;
  private readonly insert;
  private readonly update;
  private readonly remove;
  private readonly isTag: (tagId: string) => boolean;
  private readonly maxViews: number;
  private readonly log: Logger;

  constructor(
    private readonly db: Database.Database,
    private readonly clock: Clock,
    options: TrendViewStoreOptions = {},
  ) {
    applyModuleMigrations(db, 'trend_views', migrations);
    this.isTag = options.isTag ?? (() => true);
    this.maxViews = options.maxViews ?? MAX_TREND_VIEWS;
    this.log = options.log ?? createLogger('trends');
    this.selectAll = db.prepare('SELECT * FROM trend_view ORDER BY name COLLATE NOCASE, id');
    this.selectByName = db.prepare('SELECT * FROM trend_view WHERE name = ?');
    this.selectById = db.prepare('SELECT * FROM trend_view WHERE id = ?');
    this.count = db.prepare('SELECT COUNT(*) FROM trend_view').pluck();
    this.insert = db.prepare('INSERT INTO trend_view (name, pens, range, saved_at, saved_by) VALUES (?, ?, ?, ?, ?) RETURNING id');
    this.update = db.prepare('UPDATE trend_view SET name = ?, pens = ?, range = ?, saved_at = ?, saved_by = ? WHERE id = ?');
    this.remove = db.prepare('DELETE FROM trend_view WHERE id = ?');
  }

  /** Every view that reads back, by name (case-insensitive). */
  list(): TrendView[] {
    const out: TrendView[] = [];
    for (const row of this.selectAll.all() as Row[]) {
      const view = this.fromRow(row);
      if (view !== null) out.push(view);
    }
    return out;
  }

  /** The view with this id, or null (also when its row does not read back). */
  get(id: number): TrendView | null {
    const row = this.selectById.get(id) as Row | undefined;
    return row === undefined ? null : this.fromRow(row);
  }

  /**
   * Saves a view under `input.name` (trimmed). Refused (TrendViewRefused): a pen that is not a
   * project tag (not_found), the same tag twice or no pens (bad_request), an existing name
   * without `replace`, or one view too many (refused).
   */
  save(input: TrendViewInput, user: string): SavedTrendView {
    const name = input.name.trim();
    if (name === '') throw new TrendViewRefused('bad_request', 'give the view a name', {});
    if (input.pens.length === 0 || input.pens.length > MAX_TREND_PENS) {
      throw new TrendViewRefused('bad_request', `a view has 1 to ${MAX_TREND_PENS} pens, not ${input.pens.length}`, { name });
    }
    const pens: TrendPen[] = [];
    const seen = new Set<string>();
    for (const p of input.pens) {
      const pen = trendPenSchema.parse(p);
      if (!this.isTag(pen.tagId)) throw new TrendViewRefused('not_found', `unknown tag "${pen.tagId}"`, { tagId: pen.tagId });
      if (seen.has(pen.tagId)) throw new TrendViewRefused('bad_request', `tag "${pen.tagId}" is on the view twice; one pen per tag`, { tagId: pen.tagId });
      seen.add(pen.tagId);
      pens.push(pen);
    }
    const range = trendRangeSchema.parse(input.range);
    const savedAt = this.clock.now();
    return this.db.transaction((): SavedTrendView => {
      const existing = this.selectByName.get(name) as Row | undefined;
      if (existing !== undefined) {
        if (!input.replace) {
          throw new TrendViewRefused('refused', `a trend view named "${existing.name}" exists; save with replace to overwrite it`, { name: existing.name, id: existing.id });
        }
        this.update.run(name, JSON.stringify(pens), JSON.stringify(range), savedAt, user, existing.id);
        return { view: { id: existing.id, name, pens, range, savedAt, savedBy: user }, replaced: this.fromRow(existing) };
      }
      const n = this.count.get() as number;
      if (n >= this.maxViews) {
        throw new TrendViewRefused('refused', `there are already ${n} trend views (at most ${this.maxViews}); delete some first`, { name, max: this.maxViews });
      }
      const { id } = this.insert.get(name, JSON.stringify(pens), JSON.stringify(range), savedAt, user) as { id: number };
      return { view: { id, name, pens, range, savedAt, savedBy: user }, replaced: null };
    }).immediate();
  }

  /** Deletes a view; returns its name, or null when there was none with this id. */
  delete(id: number): string | null {
    return this.db.transaction((): string | null => {
      const row = this.selectById.get(id) as Row | undefined;
      if (row === undefined) return null;
      this.remove.run(id);
      return row.name;
    }).immediate();
  }

  private fromRow(row: Row): TrendView | null {
    try {
      const pensRaw: unknown = JSON.parse(row.pens);
      if (!Array.isArray(pensRaw) || pensRaw.length === 0) throw new Error('pens: not a list of pens');
      const pens = pensRaw.map((p, i) => {
        const r = trendPenSchema.safeParse(p);
        if (!r.success) throw new Error(`pens[${i}]: ${r.error.issues.map((x) => `${x.path.join('.') || '(pen)'} ${x.message}`).join('; ')}`);
        return r.data;
      });
      const r = trendRangeSchema.safeParse(JSON.parse(row.range));
      if (!r.success) throw new Error(`range: ${r.error.issues.map((x) => `${x.path.join('.') || '(range)'} ${x.message}`).join('; ')}`);
      return { id: row.id, name: row.name, pens, range: r.data, savedAt: row.saved_at, savedBy: row.saved_by };
    } catch (err) {
      this.log.warn(`trend view ${row.id} ("${row.name}") does not read back and is left out: ${(err as Error).message}`);
      return null;
    }
  }
}
