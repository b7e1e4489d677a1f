import type Database from 'better-sqlite3';

/**
 * Schema migrations, in order: migrations[0] takes an empty database to version 1, and so on.
 * Never edit a released migration; add a new one. docs/database.md describes the tables.
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
];
