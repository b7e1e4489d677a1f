import type Database from 'better-sqlite3';

/**
 * Schema migrations, in order: migrations[0] takes an empty database to version 1, and so on.
 * Never edit a released migration; add a new one. docs/database.md describes the tables.
 * Migrations are DDL only: work that needs the historian's code (rebuilding rollups) is flagged
 * in `meta` and done by the writer in the background, so a migration never depends on code that
 * a later version may change.
 */
export const migrations: ((db: Database.Database) => void)[] = [
  // v1: installation identity, tag registry, raw samples
  (db) => {
    db.exec(`
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE tag (
        id      INTEGER PRIMARY KEY,
        name    TEXT NOT NULL UNIQUE,
        created INTEGER NOT NULL
      );

      -- value has no declared type on purpose: numbers stay numbers, strings stay strings
      CREATE TABLE sample (
        tag     INTEGER NOT NULL REFERENCES tag(id),
        ts      INTEGER NOT NULL,
        value,
        quality INTEGER NOT NULL,
        source_ts INTEGER NOT NULL,
        PRIMARY KEY (tag, ts)
      ) WITHOUT ROWID;
    `);
  },

  // v2: the historian proper: value types in the hot table, compressed chunks, rollups
  (db) => {
    db.exec(`
      ALTER TABLE tag ADD COLUMN units TEXT;

      -- 0: the value as stored (number, text, NULL); 1: a boolean stored as 0/1; 2: NaN (stored as NULL)
      ALTER TABLE sample ADD COLUMN value_type INTEGER NOT NULL DEFAULT 0;

      -- tag refers to tag(id); not declared as a foreign key so that inserts skip the lookup
      CREATE TABLE chunk (
        id      INTEGER PRIMARY KEY,
        tag     INTEGER NOT NULL,
        t_start INTEGER NOT NULL,
        t_end   INTEGER NOT NULL,
        n       INTEGER NOT NULL,
        data    BLOB NOT NULL
      );
      CREATE INDEX chunk_tag_start ON chunk (tag, t_start);
      CREATE INDEX chunk_start ON chunk (t_start);

      CREATE TABLE rollup_1m (
        tag     INTEGER NOT NULL,
        t       INTEGER NOT NULL,
        n       INTEGER NOT NULL,
        n_good  INTEGER NOT NULL,
        min     REAL,
        max     REAL,
        first   REAL,
        last    REAL,
        held    REAL,
        last_dt INTEGER NOT NULL,
        twa_sum REAL NOT NULL,
        twa_ms  INTEGER NOT NULL,
        PRIMARY KEY (tag, t)
      ) WITHOUT ROWID;

      CREATE TABLE rollup_1h (
        tag     INTEGER NOT NULL,
        t       INTEGER NOT NULL,
        n       INTEGER NOT NULL,
        n_good  INTEGER NOT NULL,
        min     REAL,
        max     REAL,
        first   REAL,
        last    REAL,
        held    REAL,
        last_dt INTEGER NOT NULL,
        twa_sum REAL NOT NULL,
        twa_ms  INTEGER NOT NULL,
        PRIMARY KEY (tag, t)
      ) WITHOUT ROWID;

      -- samples written by v1 have no rollups yet: the writer builds them on its first start
      INSERT OR REPLACE INTO meta (key, value) SELECT 'historian.rollups_stale', '1' WHERE EXISTS (SELECT 1 FROM sample);
    `);
  },
];
