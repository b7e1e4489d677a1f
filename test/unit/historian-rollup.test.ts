/**
 * Rollups: the statistics of the value in force per 1-minute and 1-hour bucket, maintained as
 * samples arrive, equal to a rebuild from raw samples, and equal to the same bucket query
 * answered from raw samples.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase, type SqliteDatabase } from '../../main/historian/database';
import { Historian } from '../../main/historian/historian';
import { RollupMaintainer, ROLLUP_COLUMNS, ROLLUP_LEVELS } from '../../main/historian/rollup';
import { SampleStore } from '../../main/historian/sample-store';
import { SeededRandom } from '../../main/simulator/random';
import { FakeClock } from '../../main/util/clock';
import type { Quality } from '../../shared/quality';
import type { TagScalar, TagValue } from '../../shared/types';
import { tempDir } from '../helpers/temp';

const GOOD: Quality = { level: 'good', reason: 'ok' };
const BAD: Quality = { level: 'bad', reason: 'comm_failure' };
const T0 = 1_736_143_200_000; // a whole hour, UTC
const S = 1000;

function setup(options: ConstructorParameters<typeof Historian>[2] = {}) {
  const { dir, cleanup } = tempDir();
  const db = openDatabase(join(dir, 'h.db'));
  const clock = new FakeClock(T0);
  const h = new Historian(db, clock, options);
  return {
    db,
    clock,
    h,
    async done() {
      await h.close();
      db.close();
      cleanup();
    },
  };
}

const v = (tagId: string, ts: number, value: TagScalar, quality: Quality = GOOD): TagValue => ({ tagId, ts, sourceTs: ts, value, quality });

function rows(db: SqliteDatabase, table: string, tag: number): unknown[][] {
  return db.prepare(`SELECT ${ROLLUP_COLUMNS} FROM ${table} WHERE tag = ? ORDER BY t`).raw(true).all(tag) as unknown[][];
}

test('1. a worked example: carried-in values, a bad stretch, the time-weighted average', async () => {
  const { db, clock, h, done } = setup();
  try {
    h.registerTags(['T']);
    h.ingest([v('T', T0, 10), v('T', T0 + 30 * S, 20), v('T', T0 + 90 * S, 0, BAD), v('T', T0 + 150 * S, 40), v('T', T0 + 200 * S, 40)]);
    await h.flush();
    const tag = (db.prepare("SELECT id FROM tag WHERE name = 'T'").get() as { id: number }).id;
    const m = rows(db, 'rollup_1m', tag);
    //            t          n  good min max first last held last_dt twa_sum        twa_ms
    assert.deepEqual(m[0], [T0, 2, 2, 10, 20, 10, 20, 20, 30_000, 10 * 30_000 + 20 * 30_000, 60_000], 'minute 0: 10 then 20');
    assert.deepEqual(m[1], [T0 + 60_000, 1, 0, 20, 20, 20, 20, null, 30_000, 20 * 30_000, 30_000], 'minute 1: 20 carried in until the bad sample');
    assert.deepEqual(m[2], [T0 + 120_000, 1, 1, 40, 40, 40, 40, 40, 30_000, 40 * 30_000, 30_000], 'minute 2: nothing carried in (bad), 40 from 2:30');
    assert.deepEqual(m[3], [T0 + 180_000, 1, 1, 40, 40, 40, 40, 40, 20_000, 40 * 20_000, 20_000], 'minute 3: open, its tail not yet known');
    const hour = rows(db, 'rollup_1h', tag);
    assert.deepEqual(hour, [[T0, 5, 4, 10, 40, 10, 40, 40, 200_000, 10 * 30_000 + 20 * 60_000 + 40 * 50_000, 140_000]]);

    clock.advance(240 * S); // now = 4:00: the open minute's value counts until now
    const b = await h.queryBuckets(['T'], T0, T0 + 240 * S, 4, '1m');
    assert.equal(b.resolution, '1m');
    assert.deepEqual(b.t, [T0, T0 + 60_000, T0 + 120_000, T0 + 180_000]);
    assert.deepEqual(b.series[0].avg, [15, 20, 40, 40]);
    assert.deepEqual(b.series[0].min, [10, 20, 40, 40]);
    const raw = await h.queryBuckets(['T'], T0, T0 + 240 * S, 4, 'raw');
    assert.deepEqual(raw.series[0], b.series[0], 'raw samples give the same buckets');
  } finally {
    await done();
  }
});

/** Random samples: irregular times, bad stretches, gap markers, booleans and strings. */
function randomHistory(tags: string[], seconds: number, seed: number): TagValue[][] {
  const rng = new SeededRandom(seed);
  const batches: TagValue[][] = [];
  let batch: TagValue[] = [];
  const next = new Map(tags.map((t) => [t, T0 + Math.floor(rng.next() * 5000)]));
  for (let t = T0; t < T0 + seconds * S; t += S) {
    for (const tag of tags) {
      const at = next.get(tag)!;
      if (at > t) continue;
      const roll = rng.next();
      const quality = roll < 0.05 ? BAD : GOOD;
      const value: TagScalar = tag.endsWith('bool') ? rng.next() < 0.5 : tag.endsWith('text') ? (rng.next() < 0.5 ? 'A' : 'B') : Math.round(rng.gaussian() * 1000) / 10;
      batch.push(v(tag, at, value, quality));
      next.set(tag, at + 1 + Math.floor(rng.next() * (rng.next() < 0.1 ? 400_000 : 20_000)));
    }
    if (batch.length >= 500) {
      batches.push(batch);
      batch = [];
    }
  }
  batches.push(batch);
  return batches;
}

function rebuiltEqualsIncremental(db: SqliteDatabase): void {
  const tags = (db.prepare('SELECT id FROM tag').all() as { id: number }[]).map((r) => r.id);
  const before = ROLLUP_LEVELS.map((l) => tags.map((t) => rows(db, l.table, t)));
  const maintainer = new RollupMaintainer(db, new SampleStore(db));
  db.transaction(() => {
    for (const l of ROLLUP_LEVELS) db.prepare(`DELETE FROM ${l.table}`).run();
    maintainer.begin();
    for (const t of tags) maintainer.rebuild(t, -Infinity);
    maintainer.commit();
  })();
  const after = ROLLUP_LEVELS.map((l) => tags.map((t) => rows(db, l.table, t)));
  assert.ok(after[0].some((r) => r.length > 10), 'there are rollups to compare');
  assert.deepEqual(before, after);
}

test('2. rollups maintained batch by batch equal rollups rebuilt from the raw samples', async () => {
  const { db, clock, h, done } = setup({ hotMs: 20 * 60_000, chunkMaxSamples: 300 });
  try {
    h.registerTags(['num', 'bool', 'text']);
    for (const batch of randomHistory(['num', 'bool', 'text'], 5 * 3600, 1)) h.ingest(batch);
    clock.advance(5 * 3600 * S);
    await h.maintain(); // compacts most of it: the rebuild reads chunks and hot rows
    assert.ok((db.prepare('SELECT COUNT(*) AS n FROM chunk').get() as { n: number }).n > 5);
    rebuiltEqualsIncremental(db);
  } finally {
    await done();
  }
});

test('3. a sample older than the latest (clock stepped back, a repeated timestamp) is stored and the rollups repaired', async () => {
  const { db, h, done } = setup();
  try {
    h.registerTags(['T']);
    for (let i = 0; i < 600; i++) h.ingest([v('T', T0 + i * S, i)]);
    await h.flush();
    h.ingest([v('T', T0 + 100.5 * S, 1000), v('T', T0 + 300 * S, -1000), v('T', T0 + 600 * S, 600)]);
    await h.flush();
    rebuiltEqualsIncremental(db);
    const b = await h.queryBuckets(['T'], T0, T0 + 600 * S, 10, '1m');
    assert.equal(b.series[0].max[1], 1000, 'the late sample is in minute 1');
    assert.equal(b.series[0].min[5], -1000, 'the replaced sample is in minute 5');
  } finally {
    await done();
  }
});

test('4. a bucket query from 1-minute or 1-hour rollups equals the same query over raw samples', async () => {
  const { clock, h, done } = setup({ hotMs: 30 * 60_000, chunkMaxSamples: 500 });
  try {
    const tags = ['a', 'b', 'c.bool'];
    h.registerTags(tags);
    for (const batch of randomHistory(tags, 6 * 3600, 2)) h.ingest(batch);
    clock.advance(6 * 3600 * S + 1);
    await h.maintain();
    const cases: [string, number, number, number, '1m' | '1h'][] = [
      ['6 h in minutes', T0, T0 + 6 * 3_600_000, 360, '1m'],
      ['2 h in 5-minute buckets', T0 + 3_600_000, T0 + 3 * 3_600_000, 24, '1m'],
      ['6 h in hours', T0, T0 + 6 * 3_600_000, 6, '1h'],
    ];
    for (const [name, from, to, n, res] of cases) {
      const fromRollups = await h.queryBuckets(tags, from, to, n, res);
      const fromRaw = await h.queryBuckets(tags, from, to, n, 'raw');
      assert.equal(fromRollups.resolution, res);
      assert.deepEqual(fromRollups.t, fromRaw.t, name);
      fromRollups.series.forEach((s, k) => {
        const r = fromRaw.series[k];
        assert.deepEqual([s.min, s.max, s.first, s.last], [r.min, r.max, r.first, r.last], `${name}: ${s.tagId}`);
        s.avg.forEach((a, i) => {
          const b = r.avg[i];
          assert.ok(a === b || (a !== null && b !== null && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b))), `${name}: ${s.tagId} avg[${i}] ${a} vs ${b}`);
        });
      });
      if (n >= 360) assert.ok(fromRaw.series[0].avg.some((x) => x === null) && fromRaw.series[0].avg.some((x) => x !== null), `${name}: has values and gaps`);
    }
  } finally {
    await done();
  }
});
