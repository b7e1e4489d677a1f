/**
 * Opens the local SQLite database: WAL, numbered migrations applied in one transaction, and a
 * database written by a newer Lineside refused rather than misread.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrations } from './migrations';

export type SqliteDatabase = Database.Database;

export class DatabaseVersionError extends Error {
  readonly code = 'db_too_new';
  constructor(
    readonly file: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `${file}: the database is at schema version ${found}, newer than this Lineside supports (${supported}). ` +
        'It was written by a newer version; refusing to open it so that nothing is misread or lost. Install that version or use another data directory.',
    );
    this.name = 'DatabaseVersionError';
  }
}

export interface OpenOptions {
  /** path of a better_sqlite3.node built for this process's ABI (Electron), when not the default */
  nativeBinding?: string;
}

export function openDatabase(file: string, options: OpenOptions = {}): SqliteDatabase {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  try {
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a process crash loses nothing committed; a power cut may lose the
    // last transactions since the last checkpoint sync, never corrupts (documented in docs/).
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, file);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export function migrate(db: SqliteDatabase, file: string): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length;
  if (current > latest) throw new DatabaseVersionError(file, current, latest);
  if (current === latest) return current;
  db.transaction(() => {
    for (let v = current; v < latest; v++) {
      migrations[v](db);
    }
    db.pragma(`user_version = ${latest}`);
  }).immediate();
  return latest;
}
