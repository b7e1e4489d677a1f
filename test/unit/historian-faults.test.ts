/**
 * Faults: a full disk puts the historian into a visible error state without corrupting anything,
 * bounds what waits in memory (dropping the oldest, counted), and it resumes by itself; schema
 * migrations from an empty file and from v1 with data.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'node:test';
import { openDatabase } from '../../main/historian/database';
import { Historian } from '../../main/historian/historian';
import { migrations } from '../../main/historian/migrations';
import { FakeClock } from '../../main/util/clock';
import { encodeQuality, type Quality } from '../../shared/quality';
import { tempDir } from '../helpers/temp';

const GOOD: Quality = { level: 'good', reason: 'ok' };
const T0 = 1_736_143_200_000;
const S = 1000;
const HOUR = 3_600_000;

/** Collects what the historian logs (it writes to stderr). */
function captureStderr(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const original = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    lines.push(String(chunk));
    return (original as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  return { lines, restore: () => (process.stderr.write = original) };
}

test('1. a full disk: visible error, nothing corrupted, unwritten samples bounded (oldest dropped, counted), resumes by itself', async () => {
  const { dir, cleanup } = tempDir();
  const db = openDatabase(join(dir, 'h.db'));
  const clock = new FakeClock(T0);
  const h = new Historian(db, clock, { maxBatch: 1000, maxPendingSamples: 5000, retryMs: 2000 });
  const log = captureStderr();
  try {
    h.registerTags(['T']);
    const send = (from: number, to: number) => {
      for (let i = from; i < to; i++) h.ingest([{ tagId: 'T', ts: T0 + i * S, sourceTs: T0 + i * S, value: i * 1.5, quality: GOOD }]);
    };
    send(0, 1000);
    await h.flush();
    assert.equal(h.status().state, 'ok');

    // The disk is full: the database may not grow by a single page.
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    send(1000, 21_000);
    await h.flush();
    let s = h.status();
    assert.equal(s.state, 'error');
    assert.equal(s.error?.code, 'disk_full');
    assert.equal(s.pendingSamples, 5000, 'at most maxPendingSamples wait in memory');
    assert.equal(s.droppedSamples, 15_000, 'the oldest beyond the bound are dropped and counted');
    assert.ok(log.lines.some((l) => /cannot write samples \(disk_full\)/.test(l)), 'the error is logged');
    assert.ok(log.lines.some((l) => /dropped the oldest/.test(l)), 'the drop is logged');
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM sample').get() as { n: number }).n, 1000, 'nothing half-written');
    assert.equal((await h.query('T', T0, T0 + 30_000 * S, 20_000)).t.length, 1000);

    // Space is freed; the next retry writes what waited.
    db.pragma('max_page_count = 1000000');
    clock.advance(2000);
    s = h.status();
    assert.equal(s.state, 'ok');
    assert.equal(s.pendingSamples, 0);
    assert.equal(s.storedSamples, 6000);
    assert.equal(s.droppedSamples, 15_000, 'the count of dropped samples stays visible');
    assert.ok(log.lines.some((l) => /writing again after/.test(l)));
    const q = await h.query('T', T0, T0 + 30_000 * S, 20_000);
    assert.equal(q.t.length, 6000);
    assert.equal(q.t[999], T0 + 999 * S);
    assert.equal(q.t[1000], T0 + 16_000 * S, 'the newest 5000 were kept');
    // Rollups were not advanced by the failed commits: they agree with the raw samples.
    clock.advance(6 * HOUR);
    const fromRollups = await h.queryBuckets(['T'], T0, T0 + 6 * HOUR, 6, '1h');
    const fromRaw = await h.queryBuckets(['T'], T0, T0 + 6 * HOUR, 6, 'raw');
    assert.deepEqual(fromRollups.series[0].max, fromRaw.series[0].max);
    assert.deepEqual(fromRollups.series[0].first, fromRaw.series[0].first);
    await h.close();
    db.close();
    const again = new Database(join(dir, 'h.db'));
    assert.equal(again.pragma('integrity_check', { simple: true }), 'ok');
    again.close();
  } finally {
    log.restore();
    if (db.open) db.close();
    cleanup();
  }
});

test('2. migrations: an empty file reaches the latest version, and the queries use their indexes', () => {
  const { dir, cleanup } = tempDir();
  const db = openDatabase(join(dir, 'h.db'));
  try {
    assert.equal(db.pragma('user_version', { simple: true }), migrations.length);
    assert.equal(migrations.length, 2);
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ');
    assert.match(plan('SELECT data FROM chunk WHERE tag = 1 AND t_start >= 0 AND t_start <= 10 AND t_end >= 5 ORDER BY t_start, id'), /USING INDEX chunk_tag_start \(tag=\? AND t_start>\? AND t_start<\?\)/);
    assert.match(plan('SELECT id FROM chunk ORDER BY t_start LIMIT 64'), /USING (COVERING )?INDEX chunk_start/);
    assert.match(plan('SELECT * FROM rollup_1m WHERE tag = 1 AND t >= 0 AND t < 10 ORDER BY t'), /USING PRIMARY KEY \(tag=\? AND t>\? AND t<\?\)/);
    assert.match(plan('SELECT * FROM sample WHERE tag = 1 AND ts >= 0 AND ts <= 10 ORDER BY ts'), /USING PRIMARY KEY \(tag=\? AND ts>\? AND ts<\?\)/);
  } finally {
    db.close();
    cleanup();
  }
});

test('3. migrations: a v1 database with samples upgrades; every sample survives, gets rollups and compacts', async () => {
  const { dir, cleanup } = tempDir();
  const file = join(dir, 'h.db');
  try {
    // A database as the first Lineside wrote it.
    const v1 = new Database(file);
    v1.pragma('journal_mode = WAL');
    migrations[0](v1);
    v1.pragma('user_version = 1');
    v1.prepare("INSERT INTO tag (id, name, created) VALUES (1, 'num', 0), (2, 'flag', 0), (3, 'text', 0)").run();
    const insert = v1.prepare('INSERT INTO sample (tag, ts, value, quality, source_ts) VALUES (?, ?, ?, ?, ?)');
    const good = encodeQuality(GOOD);
    const gap = encodeQuality({ level: 'bad', reason: 'shutdown' });
    const expected: [string, number, number | string | null, number][] = [];
    v1.transaction(() => {
      for (let i = 0; i < 3 * 360; i++) {
        const ts = T0 + i * 10 * S;
        const rows: [number, string, number | string | null, number][] = [
          [1, 'num', i === 500 ? null : Math.round(Math.sin(i / 50) * 1000) / 10, i === 500 ? gap : good],
          [2, 'flag', i % 60 < 30 ? 1 : 0, good],
          [3, 'text', i % 100 < 50 ? 'Running' : 'Idle', good],
        ];
        for (const [tag, name, value, q] of rows) {
          insert.run(tag, ts, value, q, ts - 2);
          expected.push([name, ts, value, q]);
        }
      }
    })();
    v1.close();

    const db = openDatabase(file);
    assert.equal(db.pragma('user_version', { simple: true }), 2);
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM sample').get() as { n: number }).n, expected.length);
    const clock = new FakeClock(T0 + 4 * HOUR);
    const h = new Historian(db, clock, { hotMs: HOUR, chunkMaxSamples: 400 });
    h.registerTags(['num', 'flag', 'text']);
    assert.equal(db.prepare("SELECT value FROM meta WHERE key = 'historian.rollups_stale'").get(), undefined, 'rollups built');
    const read = () => [...h.readRaw(['num', 'flag', 'text'], T0, T0 + 4 * HOUR)].map((r) => [r.tagId, r.ts, r.value, r.quality]);
    // v1 stored booleans as numbers: they stay numbers.
    assert.deepEqual(read(), expected);
    const fromRollups = await h.queryBuckets(['num', 'flag'], T0, T0 + 3 * HOUR, 3, '1h');
    assert.deepEqual(fromRollups.series[1].min, [0, 0, 0]);
    assert.deepEqual(fromRollups.series[1].avg, [0.5, 0.5, 0.5]);
    await h.maintain();
    assert.ok((db.prepare('SELECT COUNT(*) AS n FROM chunk').get() as { n: number }).n >= 6, 'v1 samples compacted');
    assert.deepEqual(read(), expected, 'and identical after compaction');
    assert.deepEqual(await h.queryBuckets(['num', 'flag'], T0, T0 + 3 * HOUR, 3, 'raw'), { ...fromRollups, resolution: 'raw' });
    await h.close();
    db.close();
  } finally {
    cleanup();
  }
});
