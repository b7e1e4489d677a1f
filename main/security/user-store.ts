/**
 * Local users in the runtime's SQLite file: id, printed name, roles, enabled, password hash and
 * when it was changed, an optional badge (keyed lookup digest) with its PIN (hashed), and the
 * failed-sign-in counter with the lockout it leads to. No secret is stored in the clear; see
 * password-hasher.ts. User ids are matched without regard to case (a person types "JSmith" or
 * "jsmith").
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { UserInfo } from '../../shared/security';
import { applyModuleMigrations, type ModuleMigration } from '../util/module-migrations';
import { badgeLookup } from './password-hasher';

const migrations: ModuleMigration<Database.Database>[] = [
  (db) => {
    db.exec(`
      CREATE TABLE users (
        id                  TEXT PRIMARY KEY COLLATE NOCASE,
        name                TEXT NOT NULL,
        roles               TEXT NOT NULL,
        enabled             INTEGER NOT NULL DEFAULT 1,
        password_hash       TEXT NOT NULL,
        password_changed_at INTEGER NOT NULL,
        badge_lookup        TEXT UNIQUE,
        pin_hash            TEXT,
        failed_attempts     INTEGER NOT NULL DEFAULT 0,
        locked_until        INTEGER,
        created_at          INTEGER NOT NULL
      );
      CREATE TABLE security_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
    `);
  },
];

export interface StoredUser extends UserInfo {
  passwordHash: string;
  pinHash: string | null;
}

interface Row {
  id: string;
  name: string;
  roles: string;
  enabled: number;
  password_hash: string;
  password_changed_at: number;
  badge_lookup: string | null;
  pin_hash: string | null;
  failed_attempts: number;
  locked_until: number | null;
  created_at: number;
}

export class UserExists extends Error {
  constructor(readonly userId: string) {
    super(`a user "${userId}" exists already`);
    this.name = 'UserExists';
  }
}

export class UserStore {
  private readonly badgeKey: Buffer;
  private readonly byId;
  private readonly byBadge;
  private readonly all;
  private readonly count;

  constructor(private readonly db: Database.Database) {
    applyModuleMigrations(db, 'users', migrations);
    this.byId = db.prepare('SELECT * FROM users WHERE id = ?');
    this.byBadge = db.prepare('SELECT * FROM users WHERE badge_lookup = ?');
    this.all = db.prepare('SELECT * FROM users ORDER BY id');
    this.count = db.prepare('SELECT COUNT(*) AS n FROM users');
    this.badgeKey = this.metaKey('badge_key');
  }

  private metaKey(key: string): Buffer {
    const row = this.db.prepare('SELECT value FROM security_meta WHERE key = ?').get(key) as { value: Buffer } | undefined;
    if (row) return row.value;
    const value = randomBytes(32);
    this.db.prepare('INSERT OR IGNORE INTO security_meta (key, value) VALUES (?, ?)').run(key, value);
    return (this.db.prepare('SELECT value FROM security_meta WHERE key = ?').get(key) as { value: Buffer }).value;
  }

  size(): number {
    return (this.count.get() as { n: number }).n;
  }

  get(id: string): StoredUser | null {
    const row = this.byId.get(id) as Row | undefined;
    return row ? toUser(row) : null;
  }

  findByBadge(badge: string): StoredUser | null {
    const row = this.byBadge.get(badgeLookup(this.badgeKey, badge)) as Row | undefined;
    return row ? toUser(row) : null;
  }

  list(): StoredUser[] {
    return (this.all.all() as Row[]).map(toUser);
  }

  /** Creates a user; with `onlyIfEmpty`, only when no user exists (the first administrator). */
  create(u: { id: string; name: string; roles: string[]; passwordHash: string; now: number }, onlyIfEmpty = false): StoredUser {
    const run = this.db.transaction(() => {
      if (onlyIfEmpty && this.size() > 0) return false;
      if (this.byId.get(u.id) !== undefined) throw new UserExists(u.id);
      this.db
        .prepare('INSERT INTO users (id, name, roles, enabled, password_hash, password_changed_at, created_at) VALUES (?, ?, ?, 1, ?, ?, ?)')
        .run(u.id, u.name, JSON.stringify(u.roles), u.passwordHash, u.now, u.now);
      return true;
    });
    if (!run.immediate()) throw new UserExists('(first administrator)');
    return this.get(u.id)!;
  }

  update(id: string, change: { name?: string; roles?: string[]; enabled?: boolean }): StoredUser | null {
    const cur = this.get(id);
    if (!cur) return null;
    this.db
      .prepare('UPDATE users SET name = ?, roles = ?, enabled = ? WHERE id = ?')
      .run(change.name ?? cur.name, JSON.stringify(change.roles ?? cur.roles), (change.enabled ?? cur.enabled) ? 1 : 0, id);
    return this.get(id);
  }

  setPassword(id: string, passwordHash: string, now: number): void {
    this.db.prepare('UPDATE users SET password_hash = ?, password_changed_at = ?, failed_attempts = 0, locked_until = NULL WHERE id = ?').run(passwordHash, now, id);
  }

  /** Sets (or with null clears) the badge; refuses a badge another user holds. */
  setBadge(id: string, badge: string | null, pinHash: string | null): 'ok' | 'taken' {
    const lookup = badge === null ? null : badgeLookup(this.badgeKey, badge);
    if (lookup !== null) {
      const holder = this.byBadge.get(lookup) as Row | undefined;
      if (holder && holder.id.toLowerCase() !== id.toLowerCase()) return 'taken';
    }
    this.db.prepare('UPDATE users SET badge_lookup = ?, pin_hash = ? WHERE id = ?').run(lookup, lookup === null ? null : pinHash, id);
    return 'ok';
  }

  /** One more failed attempt; returns the count. Locks the user when it reaches `attempts`. */
  recordFailure(id: string, attempts: number, lockUntil: number): { failures: number; locked: boolean } {
    const run = this.db.transaction(() => {
      this.db.prepare('UPDATE users SET failed_attempts = failed_attempts + 1 WHERE id = ?').run(id);
      const n = (this.db.prepare('SELECT failed_attempts AS n FROM users WHERE id = ?').get(id) as { n: number }).n;
      if (n >= attempts) this.db.prepare('UPDATE users SET locked_until = ? WHERE id = ?').run(lockUntil, id);
      return { failures: n, locked: n >= attempts };
    });
    return run.immediate();
  }

  clearFailures(id: string): void {
    this.db.prepare('UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = ?').run(id);
  }
}

function toUser(r: Row): StoredUser {
  return {
    id: r.id,
    name: r.name,
    roles: JSON.parse(r.roles) as string[],
    enabled: r.enabled === 1,
    hasBadge: r.badge_lookup !== null,
    passwordChangedAt: r.password_changed_at,
    lockedUntil: r.locked_until,
    failedAttempts: r.failed_attempts,
    createdAt: r.created_at,
    passwordHash: r.password_hash,
    pinHash: r.pin_hash,
  };
}

/** What user management may show of a user (no hashes). */
export function publicUser(u: StoredUser): UserInfo {
  const { passwordHash: _p, pinHash: _q, ...info } = u;
  void _p;
  void _q;
  return info;
}
