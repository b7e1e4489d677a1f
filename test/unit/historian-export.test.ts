/**
 * CSV export of raw samples: columns, formats, escaping, order; bounded ranges and work, an
 * export that stops when its destination closes and yields to the event loop as it goes.
 * (Constant memory over a large range: test/integration/historian-export.test.ts; the scan
 * undisturbed by an export in the running app: test/integration/heavy-queries.test.ts.)
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { test } from 'node:test';
import { openDatabase } from '../../main/historian/database';
import { csvField, exportCsv, ExportAborted } from '../../main/historian/export-csv';
import { Historian } from '../../main/historian/historian';
import { SampleStore } from '../../main/historian/sample-store';
import { ApiError } from '../../shared/api';
import { FakeClock } from '../../main/util/clock';
import type { Quality } from '../../shared/quality';
import { tempDir } from '../helpers/temp';

const GOOD: Quality = { level: 'good', reason: 'ok' };
const T0 = Date.UTC(2025, 0, 6, 6, 0, 0);

test('1. one line per sample: ISO 8601 UTC time, tag, value, units, quality; text escaped; tags in order at equal times', async () => {
  const { dir, cleanup } = tempDir();
  const db = openDatabase(join(dir, 'h.db'));
  const h = new Historian(db, new FakeClock(T0 + 60_000));
  try {
    h.registerTags([{ name: 'L1.Speed', units: 'packs/min' }, { name: 'L1.Running' }, { name: 'L1.Note, "quoted"', units: '°C' }]);
    h.markStart(T0);
    h.ingest([
      { tagId: 'L1.Speed', ts: T0 + 1002, sourceTs: T0 + 1000, value: 118.5, quality: GOOD },
      { tagId: 'L1.Running', ts: T0 + 1002, sourceTs: T0 + 1000, value: true, quality: GOOD },
      { tagId: 'L1.Note, "quoted"', ts: T0 + 1500, sourceTs: T0 + 1500, value: 'line 1\nline "2", end', quality: GOOD },
      { tagId: 'L1.Speed', ts: T0 + 2000, sourceTs: T0 + 2000, value: 0.1 + 0.2, quality: { level: 'uncertain', reason: 'stale' } },
      { tagId: 'L1.Speed', ts: T0 + 3000, sourceTs: T0 + 3000, value: 118.5, quality: { level: 'bad', reason: 'comm_failure' } },
    ]);
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const result = await exportCsv(h, { tagIds: ['L1.Speed', 'L1.Running', 'L1.Note, "quoted"'], from: T0, to: T0 + 60_000 }, out);
    const text = Buffer.concat(chunks).toString('utf8');
    assert.equal(
      text,
      [
        'timestamp,tag,value,units,quality',
        '2025-01-06T06:00:00.000Z,L1.Speed,,packs/min,bad:shutdown',
        '2025-01-06T06:00:00.000Z,L1.Running,,,bad:shutdown',
        '2025-01-06T06:00:00.000Z,"L1.Note, ""quoted""",,°C,bad:shutdown',
        '2025-01-06T06:00:01.002Z,L1.Speed,118.5,packs/min,good',
        '2025-01-06T06:00:01.002Z,L1.Running,true,,good',
        '2025-01-06T06:00:01.500Z,"L1.Note, ""quoted""","line 1\nline ""2"", end",°C,good',
        '2025-01-06T06:00:02.000Z,L1.Speed,0.30000000000000004,packs/min,uncertain:stale',
        '2025-01-06T06:00:03.000Z,L1.Speed,118.5,packs/min,bad:comm_failure',
        '',
      ].join('\n'),
    );
    assert.equal(result.rows, 8);
    assert.equal(result.bytes, Buffer.byteLength(text));
    assert.equal(csvField(' padded'), '" padded"');
  } finally {
    await h.close();
    db.close();
    cleanup();
  }
});

const DAY = 86_400_000;

/** A historian whose tags have a few samples decades apart: old ones in chunks, recent ones hot. */
async function sparse(now: number) {
  const { dir, cleanup } = tempDir();
  const db = openDatabase(join(dir, 'h.db'));
  const h = new Historian(db, new FakeClock(now), { hotMs: 3_600_000 });
  h.registerTags([{ name: 'A', units: 'u' }, { name: 'B' }]);
  const times = [now - 300 * DAY, now - 299 * DAY, now - 100 * DAY, now - 2 * DAY, now - 60_000, now - 1000];
  for (const ts of times) {
    h.ingest([
      { tagId: 'A', ts, sourceTs: ts, value: ts % 1000, quality: GOOD },
      { tagId: 'B', ts: ts + 1, sourceTs: ts, value: true, quality: GOOD },
    ]);
    // one chunk per old sample (compacted: older than the hot hour); the last two stay hot rows
    await h.maintain();
  }
  assert.ok((db.prepare('SELECT COUNT(*) FROM chunk').pluck().get() as number) >= 8, 'the old samples are in chunks');
  return {
    h,
    times,
    async done() {
      await h.close();
      db.close();
      cleanup();
    },
  };
}

function collect(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  return { out, text: () => Buffer.concat(chunks).toString('utf8') };
}

test('2. from 0 to now over sparse history: every sample, and the work follows the samples, not the range (empty time is jumped over)', async () => {
  const now = Date.UTC(2025, 5, 1);
  const s = await sparse(now);
  const reads = { n: 0 };
  const read = SampleStore.prototype.read;
  SampleStore.prototype.read = function (this: SampleStore, ...args: Parameters<typeof read>) {
    reads.n++;
    return read.apply(this, args);
  };
  try {
    const c = collect();
    const result = await exportCsv(s.h, { tagIds: ['A', 'B'], from: 0, to: now }, c.out);
    assert.equal(result.rows, s.times.length * 2);
    const lines = c.text().trim().split('\n').slice(1);
    assert.deepEqual(lines.map((l) => l.split(',')[0]), s.times.flatMap((t) => [new Date(t).toISOString(), new Date(t + 1).toISOString()]));
    // 55 years in 15-minute windows were 1.9 million windows (two reads each); now a few per sample.
    assert.ok(reads.n < 200, `${reads.n} window reads`);
    // the same through readRaw with the longest possible range
    assert.equal([...s.h.readRaw(['A', 'B'], 0, 8.64e15)].length, s.times.length * 2);
    assert.deepEqual([...s.h.readRaw(['A', 'B'], now - 299 * DAY, now - 100 * DAY + 1)].map((r) => r.ts), [now - 299 * DAY, now - 299 * DAY + 1, now - 100 * DAY, now - 100 * DAY + 1]);
  } finally {
    SampleStore.prototype.read = read;
    await s.done();
  }
});

test('3. a `to` more than a day after now is refused before anything is written, naming `to`; a `to` a little ahead is clamped to now', async () => {
  const now = Date.UTC(2025, 5, 1);
  const s = await sparse(now);
  try {
    for (const to of [8_640_000_000_000_000, now + DAY + 1, 9e15]) {
      const c = collect();
      await assert.rejects(exportCsv(s.h, { tagIds: ['A'], from: 0, to }, c.out), (err: unknown) => {
        assert.ok(err instanceof ApiError);
        assert.equal(err.code, 'bad_request');
        assert.match(err.message, /`to` \(.+\) is more than a day after now/);
        assert.equal(err.context?.field, 'to');
        return true;
      });
      assert.equal(c.text(), '', 'nothing written');
    }
    const c = collect();
    const r = await exportCsv(s.h, { tagIds: ['A'], from: now - 90_000, to: now + 3_600_000 }, c.out);
    assert.equal(r.rows, 2);
    // nothing stored for the tag: just the header
    const none = collect();
    assert.equal((await exportCsv(s.h, { tagIds: ['L1.Unknown'], from: 0, to: now }, none.out)).rows, 0);
    assert.equal(none.text(), 'timestamp,tag,value,units,quality\n');
  } finally {
    await s.done();
  }
});

/** A historian with `n` samples of one tag, one per 100 ms, up to its clock's now. */
async function dense(n: number) {
  const { dir, cleanup } = tempDir();
  const db = openDatabase(join(dir, 'h.db'));
  const clock = new FakeClock(T0 + n * 100);
  const h = new Historian(db, clock, { hotMs: 3_600_000 });
  h.registerTags(['D']);
  for (let i = 0; i < n; i += 1000) {
    h.ingest(Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({ tagId: 'D', ts: T0 + (i + k) * 100, sourceTs: T0, value: i + k, quality: GOOD })));
  }
  await h.maintain();
  return {
    h,
    async done() {
      await h.close();
      db.close();
      cleanup();
    },
  };
}

test('4. a destination that closes mid-export (the client went away) stops the work at once', async () => {
  const d = await dense(200_000);
  try {
    const out = new PassThrough();
    let got = 0;
    out.on('data', (c: Buffer) => {
      got += c.length;
      if (got > 128 * 1024) out.destroy();
    });
    const started = performance.now();
    await assert.rejects(exportCsv(d.h, { tagIds: ['D'], from: 0, to: T0 + 200_000 * 100 }, out), (err: unknown) => {
      assert.ok(err instanceof ExportAborted, String(err));
      assert.ok(err.rows < 50_000, `stopped after ${err.rows} rows`);
      return true;
    });
    assert.ok(performance.now() - started < 5000);
    // closed before it starts: nothing read
    const closed = new PassThrough();
    closed.destroy();
    await assert.rejects(exportCsv(d.h, { tagIds: ['D'], from: 0, to: T0 + 200_000 * 100 }, closed), (err: unknown) => err instanceof ExportAborted && err.rows === 0);
    // an abort signal stops it the same way
    const ac = new AbortController();
    const sink = collect();
    sink.out.once('data', () => ac.abort());
    await assert.rejects(exportCsv(d.h, { tagIds: ['D'], from: 0, to: T0 + 200_000 * 100, signal: ac.signal }, sink.out), ExportAborted);
  } finally {
    await d.done();
  }
});

test('5. a long export gives the event loop a turn every few milliseconds, even to a destination that never pushes back', async () => {
  const d = await dense(300_000);
  try {
    let last = performance.now();
    let worst = 0;
    let ticks = 0;
    const timer = setInterval(() => {
      const t = performance.now();
      worst = Math.max(worst, t - last);
      last = t;
      ticks++;
    }, 2);
    const sink = new Writable({
      highWaterMark: 1 << 30,
      write(_chunk, _enc, done) {
        done();
      },
    });
    const r = await exportCsv(d.h, { tagIds: ['D'], from: 0, to: T0 + 300_000 * 100 }, sink);
    clearInterval(timer);
    assert.equal(r.rows, 300_000);
    assert.ok(ticks > 5, `${ticks} timer ticks during the export`);
    // slices are ~10 ms; generous for a busy machine, far below the whole export in one go
    assert.ok(worst < 150, `worst pause of a 2 ms timer during the export: ${worst.toFixed(0)} ms`);
  } finally {
    await d.done();
  }
});
