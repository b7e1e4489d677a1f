import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'node:test';
import { DatabaseVersionError, openDatabase } from '../../main/historian/database';
import { Historian } from '../../main/historian/historian';
import { migrations } from '../../main/historian/migrations';
import { FakeClock } from '../../main/util/clock';
import type { Quality } from '../../shared/quality';
import { tempDir } from '../helpers/temp';

const GOOD: Quality = { level: 'good', reason: 'ok' };
const BAD: Quality = { level: 'bad', reason: 'comm_failure' };

test('1. migrations: empty file → latest version, WAL, reopening is a no-op', () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'h.db');
    const db = openDatabase(file);
    assert.equal(db.pragma('user_version', { simple: true }), migrations.length);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
    openDatabase(file).close();
  } finally {
    cleanup();
  }
});

test('2. a database from a newer version is refused with a clear message and left untouched', () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'h.db');
    const raw = new Database(file);
    raw.pragma(`user_version = ${migrations.length + 5}`);
    raw.exec('CREATE TABLE precious (x)');
    raw.close();
    assert.throws(() => openDatabase(file), (e: unknown) => e instanceof DatabaseVersionError && /newer than this Lineside supports/.test(e.message));
    const again = new Database(file);
    assert.equal(again.pragma('user_version', { simple: true }), migrations.length + 5);
    assert.ok(again.prepare("SELECT name FROM sqlite_master WHERE name = 'precious'").get());
    again.close();
  } finally {
    cleanup();
  }
});

test('3. with heartbeatMs: stores changes and heartbeats, not every unchanged scan; bad stretches are gaps', async () => {
  const { dir, cleanup } = tempDir();
  const db = openDatabase(join(dir, 'h.db'));
  try {
    const clock = new FakeClock(1_000_000);
    const h = new Historian(db, clock, { heartbeatMs: 10_000 });
    h.registerTags(['T']);
    const t0 = clock.now();
    for (let i = 0; i < 100; i++) {
      const ts = t0 + i * 100;
      const value = i < 50 ? 5 : i < 60 ? 5 : 7;
      h.ingest([{ tagId: 'T', value, quality: i >= 50 && i < 60 ? BAD : GOOD, sourceTs: ts, ts }]);
    }
    await h.flush();
    const s = await h.query('T', t0, t0 + 10_000, 1000);
    // 5 (good), 5 (bad: quality changed), 7 (good)
    assert.deepEqual(s.v, [5, null, 7]);
    assert.deepEqual(s.t, [t0, t0 + 5000, t0 + 6000]);
    assert.ok(h.stats.skipped > 90);
    await h.close();
  } finally {
    db.close();
    cleanup();
  }
});

test('4. decimation keeps the spike: min and max per bucket', async () => {
  const { dir, cleanup } = tempDir();
  const db = openDatabase(join(dir, 'h.db'));
  try {
    const clock = new FakeClock(0);
    const h = new Historian(db, clock);
    h.registerTags(['T']);
    for (let i = 0; i < 10_000; i++) h.ingest([{ tagId: 'T', value: i === 4321 ? 1000 : Math.sin(i / 100), quality: GOOD, sourceTs: i, ts: i }]);
    const s = await h.query('T', 0, 9_999, 200);
    assert.ok(s.decimated);
    assert.ok(s.t.length <= 200, `${s.t.length} points`);
    assert.ok(s.v.includes(1000), 'spike survives');
    assert.ok(s.t.every((t, i) => i === 0 || t > s.t[i - 1]), 'time-ordered');
    await h.close();
  } finally {
    db.close();
    cleanup();
  }
});

test('5. a restart leaves a gap in history, whatever happened before it', async () => {
  const { dir, cleanup } = tempDir();
  const file = join(dir, 'h.db');
  try {
    const clock = new FakeClock(0);
    let db = openDatabase(file);
    let h = new Historian(db, clock);
    h.registerTags(['T']);
    h.markStart(0);
    h.ingest([{ tagId: 'T', value: 1, quality: GOOD, sourceTs: 1000, ts: 1000 }]);
    await h.flush();
    db.close(); // as if killed: no clean close of the historian
    db = openDatabase(file);
    h = new Historian(db, clock);
    h.registerTags(['T']);
    h.markStart(60_000);
    h.ingest([{ tagId: 'T', value: 1, quality: GOOD, sourceTs: 61_000, ts: 61_000 }]);
    const s = await h.query('T', 0, 100_000, 100);
    assert.deepEqual(s.v, [null, 1, null, 1]);
    assert.deepEqual(s.t, [0, 1000, 60_000, 61_000]);
    await h.close();
    db.close();
  } finally {
    cleanup();
  }
});
