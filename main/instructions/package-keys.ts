/**
 * The keys of instruction packages: this PC's own Ed25519 key pair (made on first use, kept in
 * the data dir beside the PKI, the private key readable by its owner only), and the trust list of
 * other PCs' public keys in SQLite (module `instruction_packages`), with the media bytes of
 * imported versions and a record of every import.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { OwnPackageKey, TrustedPackageKey } from '../../shared/instruction-packages';
import { applyModuleMigrations, type ModuleMigration } from '../util/module-migrations';
import { fingerprintOf, rawPublicKey } from './package-format';

const PRIVATE_FILE = 'package-key.pem';
const PUBLIC_FILE = 'package-key.pub.pem';

/** This PC's package signing key, in `dir` (created on first use). */
export class OwnPackageKeyPair {
  private loaded: { privateKey: KeyObject; raw: Buffer; pem: string; createdAt: number } | null = null;

  constructor(private readonly dir: string) {}

  private load() {
    if (this.loaded) return this.loaded;
    const privatePath = join(this.dir, PRIVATE_FILE);
    if (!existsSync(privatePath)) {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      // `wx`: two runtimes on one data dir never overwrite each other's key.
      writeFileSync(privatePath, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
      writeFileSync(join(this.dir, PUBLIC_FILE), publicKey.export({ format: 'pem', type: 'spki' }), { mode: 0o644 });
    }
    // A copied data dir may have lost the mode: the private key is the owner's only.
    if (process.platform !== 'win32' && (statSync(privatePath).mode & 0o077) !== 0) chmodSync(privatePath, 0o600);
    const privateKey = createPrivateKey(readFileSync(privatePath));
    const publicKey = createPublicKey(privateKey);
    this.loaded = {
      privateKey,
      raw: rawPublicKey(publicKey),
      pem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      createdAt: Math.round(statSync(privatePath).mtimeMs),
    };
    return this.loaded;
  }

  signer(): { privateKey: KeyObject; publicRaw: Buffer } {
    const k = this.load();
    return { privateKey: k.privateKey, publicRaw: k.raw };
  }

  info(): OwnPackageKey {
    const k = this.load();
    return { fingerprint: fingerprintOf(k.raw), publicKey: k.raw.toString('base64'), pem: k.pem, createdAt: k.createdAt };
  }
}

const migrations: ModuleMigration<Database.Database>[] = [
  (db) => {
    db.exec(`
      CREATE TABLE package_trusted_key (
        fingerprint  TEXT PRIMARY KEY,
        public_key   TEXT NOT NULL,
        name         TEXT NOT NULL,
        trusted_at   INTEGER NOT NULL,
        trusted_by   TEXT NOT NULL,
        signature_id INTEGER
      );
      -- media by content, shared with the version store (version-store.ts makes the same table)
      CREATE TABLE IF NOT EXISTS instruction_media (
        sha256 TEXT PRIMARY KEY,
        bytes  BLOB NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE instruction_package_import (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        ts          INTEGER NOT NULL,
        hash        TEXT NOT NULL,
        file_name   TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        source      TEXT NOT NULL,
        approvals   TEXT NOT NULL,
        imported_by TEXT NOT NULL
      );
    `);
  },
];

interface KeyRow {
  fingerprint: string;
  public_key: string;
  name: string;
  trusted_at: number;
  trusted_by: string;
  signature_id: number | null;
}

function toKey(r: KeyRow): TrustedPackageKey {
  return { fingerprint: r.fingerprint, publicKey: r.public_key, name: r.name, trustedAt: r.trusted_at, trustedBy: r.trusted_by, signatureId: r.signature_id };
}

/** The trust list, the media of imported versions and the import records. */
export class PackageStore {
  constructor(readonly db: Database.Database) {
    applyModuleMigrations(db, 'instruction_packages', migrations);
  }

  keys(): TrustedPackageKey[] {
    return (this.db.prepare('SELECT * FROM package_trusted_key ORDER BY trusted_at, fingerprint').all() as KeyRow[]).map(toKey);
  }

  key(fingerprint: string): TrustedPackageKey | null {
    const r = this.db.prepare('SELECT * FROM package_trusted_key WHERE fingerprint = ?').get(fingerprint) as KeyRow | undefined;
    return r ? toKey(r) : null;
  }

  /** Adds a key (or renames one already trusted); returns it and what it was before. */
  trust(raw: Buffer, name: string, by: string, signatureId: number | null, now: number): { key: TrustedPackageKey; before: TrustedPackageKey | null } {
    const fingerprint = fingerprintOf(raw);
    const before = this.key(fingerprint);
    this.db
      .prepare(
        `INSERT INTO package_trusted_key (fingerprint, public_key, name, trusted_at, trusted_by, signature_id) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(fingerprint) DO UPDATE SET name = excluded.name, trusted_at = excluded.trusted_at, trusted_by = excluded.trusted_by, signature_id = excluded.signature_id`,
      )
      .run(fingerprint, raw.toString('base64'), name, now, by, signatureId);
    return { key: this.key(fingerprint)!, before };
  }

  remove(fingerprint: string): TrustedPackageKey | null {
    const before = this.key(fingerprint);
    if (before) this.db.prepare('DELETE FROM package_trusted_key WHERE fingerprint = ?').run(fingerprint);
    return before;
  }

  media(sha256: string): Buffer | null {
    const r = this.db.prepare('SELECT bytes FROM instruction_media WHERE sha256 = ?').pluck().get(sha256) as Buffer | undefined;
    return r ?? null;
  }

  /** Inside the import's transaction: media kept by their hash, and the import on record. */
  recordImport(r: { ts: number; hash: string; fileName: string; fingerprint: string; source: unknown; approvals: unknown; importedBy: string; media: { sha256: string; bytes: Buffer }[] }): void {
    const putMedia = this.db.prepare('INSERT OR IGNORE INTO instruction_media (sha256, bytes) VALUES (?, ?)');
    for (const m of r.media) putMedia.run(m.sha256, m.bytes);
    this.db
      .prepare('INSERT INTO instruction_package_import (ts, hash, file_name, fingerprint, source, approvals, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(r.ts, r.hash, r.fileName, r.fingerprint, JSON.stringify(r.source), JSON.stringify(r.approvals), r.importedBy);
  }
}
