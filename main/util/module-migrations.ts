/**
 * Schema versions per module in one SQLite file: each module (audit trail, alarm journal,
 * outbox …) owns its tables and an ordered list of migrations, tracked in `schema_module`.
 * Pending migrations run in one IMMEDIATE transaction; a module whose stored version is newer
 * than this build knows is refused, untouched. (The historian keeps PRAGMA user_version for
 * its own tables.)
 */
export interface MigratableDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): { get(...params: unknown[]): unknown; run(...params: unknown[]): unknown };
  transaction(fn: () => void): { immediate(): unknown };
}

export type ModuleMigration<D extends MigratableDatabase = MigratableDatabase> = (db: D) => void;

export class ModuleVersionError extends Error {
  readonly code = 'db_too_new';
  constructor(
    readonly module: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `the database's "${module}" tables are at version ${found}, newer than this Lineside supports (${supported}); ` +
        'refusing to use them so that nothing is misread or lost',
    );
    this.name = 'ModuleVersionError';
  }
}

export function applyModuleMigrations<D extends MigratableDatabase>(db: D, module: string, migrations: readonly ModuleMigration<D>[]): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_module (module TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID');
  const row = db.prepare('SELECT version FROM schema_module WHERE module = ?').get(module) as { version: number } | undefined;
  const current = row?.version ?? 0;
  const latest = migrations.length;
  if (current > latest) throw new ModuleVersionError(module, current, latest);
  if (current === latest) return current;
  db.transaction(() => {
    for (let v = current; v < latest; v++) migrations[v](db);
    db.prepare('INSERT INTO schema_module (module, version) VALUES (?, ?) ON CONFLICT(module) DO UPDATE SET version = excluded.version').run(module, latest);
  }).immediate();
  return latest;
}
