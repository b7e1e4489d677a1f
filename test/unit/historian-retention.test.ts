/**
 * Retention: by age per tag (a default and per-tag overrides) and by a disk quota, oldest data
 * first, with the oldest available time per tag visible in the status.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../main/historian/database';
import { Historian } from '../../main/historian/historian';
import { SeededRandom } from '../../main/simulator/random';
import { FakeClock } from '../../main/util/clock';
import type { Quality } from '../../shared/quality';
import { tempDir } from '../helpers/temp';

const GOOD: Quality = { level: 'good', reason: 'ok' };
const T0 = 1_736_143_200_000;
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

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

test('1. by age: the default, a shorter override and "forever"; rollups go with the samples; the oldest time per tag is visible', async () => {
  const { clock, h, done } = setup({ hotMs: HOUR, flushIntervalMs: 600_000, retention: { maxAgeMs: DAY, perTag: { short: 2 * HOUR, forever: null } } });
  try {
    h.registerTags(['default', 'short', 'forever']);
    for (let t = T0; t < T0 + 3 * DAY; t += MIN) {
      clock.advance(t - clock.now());
      h.ingest(['default', 'short', 'forever'].map((tagId) => ({ tagId, ts: t, sourceTs: t, value: (t - T0) / MIN, quality: GOOD })));
    }
    await h.maintain();
    const now = clock.now();
    const oldest = Object.fromEntries(h.status().oldest.map((o) => [o.tagId, o]));
    // Whole chunks go, so up to one chunk span (hotMs here) older than the cut-off remains.
    assert.ok(oldest.default.raw! >= now - DAY - HOUR && oldest.default.raw! < now - DAY + MIN, `default: ${(now - oldest.default.raw!) / HOUR} h`);
    assert.ok(oldest.short.raw! >= now - 2 * HOUR - HOUR && oldest.short.raw! < now - 2 * HOUR + MIN, `short: ${(now - oldest.short.raw!) / HOUR} h`);
    assert.equal(oldest.forever.raw, T0);
    assert.ok(oldest.default.rollup1m! >= now - DAY - MIN && oldest.default.rollup1h! >= now - DAY - HOUR);
    assert.equal(oldest.forever.rollup1h, T0);
    // What is left reads back whole.
    const b = await h.queryBuckets(['default', 'forever'], now - 6 * HOUR, now, 6, '1h');
    assert.ok(b.series.every((s) => s.avg.every((x) => x !== null)));
  } finally {
    await done();
  }
});

test('2. by quota: the oldest data goes first, the database stays under the quota, recent data stays', async () => {
  const quotaBytes = 400 * 1024;
  const { db, clock, h, done } = setup({ hotMs: HOUR, flushIntervalMs: 600_000, retention: { quotaBytes } });
  try {
    h.registerTags(['a', 'b']);
    const rng = new SeededRandom(1);
    for (let t = T0; t < T0 + 4 * DAY; t += 10_000) {
      clock.advance(t - clock.now());
      h.ingest(['a', 'b'].map((tagId) => ({ tagId, ts: t, sourceTs: t, value: rng.gaussian(), quality: GOOD })));
      if ((t - T0) % (6 * HOUR) === 0) await h.maintain();
    }
    await h.maintain();
    const status = h.status();
    assert.ok(status.usedBytes <= quotaBytes, `${status.usedBytes} bytes used`);
    assert.equal(status.quotaBytes, quotaBytes);
    const oldest = status.oldest.find((o) => o.tagId === 'a')!;
    assert.ok(oldest.raw! > T0 + HOUR, 'the oldest samples are gone');
    const pages = db.pragma('page_count', { simple: true }) as number;
    assert.ok(pages * 4096 < 2 * quotaBytes, `the file stays near the quota (${pages} pages)`);
    const recent = await h.queryBuckets(['a', 'b'], clock.now() - HOUR, clock.now(), 60, 'raw');
    assert.ok(recent.series.every((s) => s.avg.every((x) => x !== null)), 'the last hour is complete');
    assert.equal(h.status().droppedSamples, 0);
  } finally {
    await done();
  }
});
