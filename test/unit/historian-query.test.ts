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

test('6. queryTrend shares the read budgets among its pens: raw when they fit together, else rollups chosen for all', async () => {
  const { clock, h, done } = setup({ budgets: { rawBudget: 5000, rollupBudget: 600 } });
  try {
    const pens = ['p0', 'p1', 'p2', 'p3'];
    h.registerTags([...pens, 'small']);
    // 4 pens × 2 h at 1 Hz (7,200 samples each), a spike in p2; 'small' has 20 samples
    for (let i = 0; i < 7200; i++) h.ingest(pens.map((p, k) => v(p, T0 + i * S, k === 2 && i === 1234 ? 999 : k * 10 + (i % 60))));
    for (let i = 0; i < 20; i++) h.ingest([v('small', T0 + i * 60 * S, i)]);
    clock.advance(7200 * S);
    await h.flush();
    await h.maintain();
    // one pen over 20 min: 1,200 samples, within the raw budget on its own → every sample, decimated to fit
    const one = await h.queryTrend(['p0'], T0, T0 + 20 * MIN, 400);
    assert.equal(one.series[0].decimated, true);
    assert.ok(one.series[0].t.length <= 400);
    // four pens over 40 min: each fits the raw budget alone (estimated from the hour's rollup:
    // 3,600 ≤ 5,000), together they do not (14,400); 4 × 40 one-minute rows = 160 ≤ 600 → 1-minute rollups for all four
    const four = await h.queryTrend([...pens, 'small'], T0, T0 + 40 * MIN, 200);
    const minute = await h.queryBuckets(pens, T0, T0 + 40 * MIN, 100, '1m');
    assert.equal(minute.bucketMs % MIN, 0);
    for (let k = 0; k < 4; k++) {
      const s = four.series[k];
      assert.equal(s.decimated, true);
      assert.ok(s.t.length <= 200, `${s.tagId}: ${s.t.length} points for 200`);
      // one-minute buckets: min at the minute, max half a minute later (raw decimation would give
      // the samples' own times, the maximum at :59)
      assert.ok(s.t.every((t) => (t - T0) % (MIN / 2) === 0), `${s.tagId}: points on the one-minute grid`);
      assert.equal(s.v[0], minute.series[k].min[0]);
    }
    assert.ok(four.series[2].v.includes(999), 'the spike survives');
    assert.deepEqual(four.series[4].v, Array.from({ length: 20 }, (_, i) => i), 'a pen that fits comes raw');
    assert.equal(four.series[4].decimated, false);
  } finally {
    await done();
  }
});

test('7. queryTrend: pens whose one-minute rows together exceed the rollup budget come from 1-hour rollups', async () => {
  const { clock, h, done } = setup({ budgets: { rawBudget: 3000, rollupBudget: 100 } });
  try {
    const pens = ['p0', 'p1', 'p2', 'p3'];
    h.registerTags(pens);
    for (let i = 0; i < 7200; i++) h.ingest(pens.map((p, k) => v(p, T0 + i * S, k * 10 + (i % 60))));
    clock.advance(7200 * S);
    await h.flush();
    await h.maintain();
    // 4 pens × 120 one-minute rows = 480 > 100 → hours: two buckets a pen, min then max
    const r = await h.queryTrend(pens, T0, T0 + 7200 * S, 200);
    for (const [k, s] of r.series.entries()) {
      assert.deepEqual(s.t, [T0, T0 + 30 * MIN, T0 + 60 * MIN, T0 + 90 * MIN], `${s.tagId} on the hour grid`);
      assert.deepEqual(s.v, [k * 10, k * 10 + 59, k * 10, k * 10 + 59]);
    }
  } finally {
    await done();
  }
});

test('8. queryTrend: a pen that did not change in the range still has the value in force when it starts', async () => {
  const { clock, h, done } = setup();
  try {
    h.registerTags(['steady', 'lost']);
    h.ingest([v('steady', T0, 42), v('lost', T0, 7)]);
    h.ingest([v('lost', T0 + 5 * MIN, 7, { level: 'bad', reason: 'comm_failure' })]);
    clock.advance(30 * MIN);
    const r = await h.queryTrend(['steady', 'lost'], T0 + 10 * MIN, T0 + 20 * MIN, 100);
    assert.deepEqual([r.series[0].t, r.series[0].v], [[T0], [42]], 'the sample before the range, at its own time');
    assert.deepEqual([r.series[1].t, r.series[1].v], [[T0 + 5 * MIN], [null]], 'not good when the range starts: a gap from the left edge');
  } finally {
    await done();
  }
});
