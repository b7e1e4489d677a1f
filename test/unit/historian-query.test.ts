/**
 * Range queries: gaps for bad stretches, one continuous history across hot rows and chunks,
 * the source chosen by range, and the raw stream for export.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../main/historian/database';
import { Historian, type RawSample } from '../../main/historian/historian';
import { FakeClock } from '../../main/util/clock';
import { encodeQuality, type Quality } from '../../shared/quality';
import type { TagScalar, TagValue } from '../../shared/types';
import { tempDir } from '../helpers/temp';

const GOOD: Quality = { level: 'good', reason: 'ok' };
const BAD: Quality = { level: 'bad', reason: 'comm_failure' };
const STALE: Quality = { level: 'uncertain', reason: 'stale' };
const T0 = 1_736_143_200_000;
const S = 1000;
const MIN = 60_000;
const HOUR = 3_600_000;

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

const v = (tagId: string, ts: number, value: TagScalar, quality: Quality = GOOD, sourceTs = ts - 3): TagValue => ({ tagId, ts, sourceTs, value, quality });

test('1. bad and uncertain stretches come back as gaps, never as values; a partly bad bucket shows its good part', async () => {
  const { clock, h, done } = setup();
  try {
    h.registerTags(['T']);
    // 10 minutes at 1 Hz; minutes 3 and 4 bad, the second half of minute 7 uncertain (stale).
    for (let i = 0; i < 600; i++) {
      const q = i >= 180 && i < 300 ? BAD : i >= 450 && i < 480 ? STALE : GOOD;
      h.ingest([v('T', T0 + i * S, 100 + i, q)]);
    }
    clock.advance(600 * S);
    for (const res of ['raw', '1m'] as const) {
      const b = await h.queryBuckets(['T'], T0, T0 + 10 * MIN, 10, res);
      const s = b.series[0];
      for (const field of ['min', 'max', 'first', 'last', 'avg'] as const) {
        assert.equal(s[field][3], null, `${res} ${field}: minute 3 is a gap`);
        assert.equal(s[field][4], null, `${res} ${field}: minute 4 is a gap`);
        assert.notEqual(s[field][5], null, `${res} ${field}: minute 5 has values`);
      }
      assert.equal(s.min[7], 520, `${res}: minute 7 starts good`);
      assert.equal(s.max[7], 549, `${res}: the stale half is not a value`);
      assert.equal(s.avg[7], (520 + 549) / 2, `${res}: average over the good half only`);
      assert.equal(s.first[5], 400);
    }
    const series = await h.query('T', T0, T0 + 10 * MIN, 2000);
    assert.equal(series.v[200], null);
    assert.equal(series.v[460], null);
    assert.equal(series.v[100], 200);
  } finally {
    await done();
  }
});

test('2. one continuous history: the same answers whether samples sit in hot rows or in chunks', async () => {
  // Two historians fed the same samples at the same times: one compacts eagerly, one never.
  const compacting = setup({ hotMs: 20 * MIN, chunkMaxSamples: 500 });
  const hotOnly = setup({ hotMs: 24 * HOUR, chunkMaxSamples: 1_000_000 });
  try {
    const sent: RawSample[] = [];
    for (const { h } of [compacting, hotOnly]) h.registerTags(['a', 'b']);
    for (let i = 0; i < 3 * 3600; i++) {
      const ts = T0 + i * S + (i % 3);
      const batch = [v('a', ts, Math.sin(i / 100) * 50, i % 997 < 20 ? BAD : GOOD), v('b', ts, i % 600 < 300)];
      for (const { h } of [compacting, hotOnly]) h.ingest(batch);
      for (const x of batch) sent.push({ tagId: x.tagId, ts: x.ts, sourceTs: x.sourceTs, value: x.value, quality: encodeQuality(x.quality) });
    }
    for (const { h, clock } of [compacting, hotOnly]) {
      clock.advance(3 * HOUR);
      await h.maintain();
    }
    const count = (db: typeof compacting.db, sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const chunks = count(compacting.db, 'SELECT COUNT(*) AS n FROM chunk');
    const hot = count(compacting.db, 'SELECT COUNT(*) AS n FROM sample');
    assert.ok(chunks > 10 && hot > 0 && hot <= 2 * 2 * 1200, `${chunks} chunks, ${hot} hot rows`);
    assert.equal(count(hotOnly.db, 'SELECT COUNT(*) AS n FROM chunk'), 0);

    const raw = [...compacting.h.readRaw(['a', 'b'], T0, T0 + 3 * HOUR)];
    assert.deepEqual(raw, [...hotOnly.h.readRaw(['a', 'b'], T0, T0 + 3 * HOUR)], 'raw samples identical across hot and compacted');
    assert.deepEqual(raw, sent, 'and identical to what went in (tags in order at equal times)');
    for (const [from, to, n] of [
      [T0 + 1234, T0 + 2 * HOUR + 777, 500],
      [T0 + 2 * HOUR, T0 + 3 * HOUR, 2000],
      [T0, T0 + 3 * HOUR, 3],
    ]) {
      assert.deepEqual(await compacting.h.queryBuckets(['a', 'b'], from, to, n, 'raw'), await hotOnly.h.queryBuckets(['a', 'b'], from, to, n, 'raw'));
    }
  } finally {
    await compacting.done();
    await hotOnly.done();
  }
});

test('3. the source is chosen by range: raw for short ranges, 1-minute rollups, then 1-hour rollups; long ranges never touch raw data', async () => {
  const { db, clock, h, done } = setup({ budgets: { rawBudget: 500, rollupBudget: 600 } });
  try {
    h.registerTags(['T']);
    for (let i = 0; i < 2 * 24 * 360; i++) h.ingest([v('T', T0 + i * 10 * S, i % 360)]); // 2 days at 0.1 Hz
    clock.advance(2 * 24 * HOUR);
    const short = await h.queryBuckets(['T'], T0 + HOUR, T0 + HOUR + 30 * MIN, 100);
    assert.equal(short.resolution, 'raw', '180 samples');
    const medium = await h.queryBuckets(['T'], T0, T0 + 8 * HOUR, 100);
    assert.equal(medium.resolution, '1m', '2,880 samples, 480 minutes');
    assert.equal(medium.bucketMs, 5 * MIN, 'buckets rounded up to whole minutes');
    const long = await h.queryBuckets(['T'], T0, T0 + 2 * 24 * HOUR, 2000);
    assert.equal(long.resolution, '1h', '2,880 minutes');
    assert.equal(long.t.length, 48, 'fewer buckets than asked: one per hour');
    // Remove every raw sample: the long query does not change, so it never read them.
    db.exec('DELETE FROM sample; DELETE FROM chunk;');
    assert.deepEqual(await h.queryBuckets(['T'], T0, T0 + 2 * 24 * HOUR, 2000), long);
    assert.deepEqual(long.series[0].max.slice(0, 3), [359, 359, 359]);
  } finally {
    await done();
  }
});

test('4. a trend over a long range comes from rollups as min/max pairs; booleans are 0/1, text is a gap', async () => {
  const { clock, h, done } = setup({ budgets: { rawBudget: 100, rollupBudget: 10_000 } });
  try {
    h.registerTags(['n', 'flag', 'text']);
    for (let i = 0; i < 2000; i++) h.ingest([v('n', T0 + i * 30 * S, i === 1000 ? 1e6 : i % 10), v('flag', T0 + i * 30 * S, i % 2 === 0), v('text', T0 + i * 30 * S, 'x')]);
    clock.advance(2000 * 30 * S);
    const s = await h.query('n', T0, T0 + 2000 * 30 * S, 200);
    assert.ok(s.decimated);
    assert.ok(s.v.includes(1e6), 'the spike survives');
    assert.ok(s.t.length <= 200);
    const flag = await h.queryBuckets(['flag', 'text'], T0, T0 + 10 * MIN, 10, 'raw');
    assert.deepEqual(flag.series[0].min.slice(0, 3), [0, 0, 0]);
    assert.deepEqual(flag.series[0].max.slice(0, 3), [1, 1, 1]);
    assert.ok(flag.series[1].avg.every((x) => x === null), 'text has no numeric value');
    const raw = [...h.readRaw(['flag', 'text'], T0, T0 + 30 * S)];
    assert.deepEqual(
      raw.map((r) => r.value),
      [true, 'x', false, 'x'],
      'raw reads give booleans and text back as they went in',
    );
  } finally {
    await done();
  }
});

test('5. queryTrend: several tags in the order asked, one flush for all, each as query() gives it', async () => {
  const { clock, h, done } = setup({ budgets: { rawBudget: 100, rollupBudget: 10_000 } });
  try {
    h.registerTags(['a', 'b', 'long']);
    for (let i = 0; i < 2000; i++) h.ingest([v('long', T0 + i * 30 * S, i === 700 ? 500 : i % 7)]);
    clock.advance(2000 * 30 * S);
    // still in memory (no flush timer has fired since): queryTrend must flush to see them
    for (let i = 0; i < 50; i++) h.ingest([v('a', T0 + i * S, i), v('b', T0 + i * S, 100 - i)]);
    let flushes = 0;
    const flush = h.flush.bind(h);
    h.flush = () => {
      flushes++;
      return flush();
    };
    const to = T0 + 2000 * 30 * S;
    const r = await h.queryTrend(['long', 'b', 'never', 'a'], T0, to, 200);
    assert.equal(flushes, 1, 'one flush for all tags');
    assert.deepEqual([r.from, r.to], [T0, to]);
    assert.deepEqual(r.series.map((s) => s.tagId), ['long', 'b', 'never', 'a']);
    const [long, b, never, a] = r.series;
    assert.deepEqual([a.decimated, a.v.length, a.v[49]], [false, 50, 49], 'raw: every sample');
    assert.deepEqual(b.v.slice(0, 3), [100, 99, 98]);
    assert.deepEqual(never, { tagId: 'never', from: T0, to, t: [], v: [], decimated: false }, 'unknown to the historian: empty');
    assert.equal(long.decimated, true);
    assert.ok(long.t.length <= 200 && long.v.includes(500), 'min/max per bucket keeps the spike');
    assert.deepEqual(long, await h.query('long', T0, to, 200), 'the same as query() for that tag');
  } finally {
    await done();
  }
});
