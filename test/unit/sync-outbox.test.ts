/**
 * The historian's sample outbox: sequence numbers given in the writer's transaction, per
 * committed batch, dense and never reused — and stable across restart and compaction, since
 * the outbox keeps its own copy (compressed) and nothing the historian does to its samples
 * later touches it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase } from '../../main/historian/database';
import { Historian } from '../../main/historian/historian';
import { decodeOutboxBatch, encodeOutboxBatch, type OutboxSample } from '../../main/historian/sample-outbox';
import { emptyBatch, setValue } from '../../main/historian/samples';
import { FakeClock } from '../../main/util/clock';
import type { TagScalar, TagValue } from '../../shared/types';
import { tempDir } from '../helpers/temp';

const T0 = 1_736_143_200_000;
const good = { level: 'good', reason: 'ok' } as const;

function value(tagId: string, ts: number, v: TagScalar | null, quality: TagValue['quality'] = good): TagValue {
  return { tagId, ts, sourceTs: ts - 3, value: v, quality };
}

function strip(s: OutboxSample): string {
  return JSON.stringify([s.tag, s.ts, s.sourceTs, typeof s.value === 'number' && Number.isNaN(s.value) ? 'NaN' : s.value, s.quality]);
}

test('1. a committed batch takes [next, next + n): numbered by tag, then time, then arrival', async () => {
  const clock = new FakeClock(T0);
  const db = openDatabase(':memory:');
  const h = new Historian(db, clock, { writer: 'inline', sampleOutbox: true });
  try {
    h.registerTags(['b', 'a']); // ids: b = 1, a = 2
    h.ingest([value('a', T0 + 2, 1.5), value('b', T0 + 1, true), value('a', T0 + 1, 'text'), value('b', T0 + 1, false)]);
    await h.flush();
    h.ingest([value('a', T0 + 5, NaN), value('b', T0 + 4, 7)]);
    await h.flush();
    const outbox = h.sampleOutbox()!;
    assert.equal(outbox.head(), 6);
    assert.equal(outbox.lowest(), 1);
    const all = outbox.read(1, 100, 100);
    assert.deepEqual(
      all.map((s) => s.seq),
      [1, 2, 3, 4, 5, 6],
    );
    assert.deepEqual(
      all.map((s) => [s.tag, s.ts, s.value]),
      [
        ['b', T0 + 1, true], // tag id 1 first; equal times keep arrival order
        ['b', T0 + 1, false],
        ['a', T0 + 1, 'text'], // then tag 2, by time
        ['a', T0 + 2, 1.5],
        ['b', T0 + 4, 7], // second batch
        ['a', T0 + 5, NaN],
      ],
    );
    assert.deepEqual(outbox.read(3, 4, 100).map((s) => s.seq), [3, 4], 'a range inside a batch');
    assert.deepEqual(outbox.read(4, 100, 2).map((s) => s.seq), [4, 5], 'across batches, bounded');
    assert.equal(outbox.committedAt(5), T0);
  } finally {
    await h.close();
    db.close();
  }
});

test('2. numbers and contents survive compaction, late and repeated samples, gap markers and a restart', async () => {
  const { dir, cleanup } = tempDir();
  const file = join(dir, 'h.db');
  const clock = new FakeClock(T0);
  let before: string[];
  try {
    {
      const db = openDatabase(file);
      const h = new Historian(db, clock, { writer: 'inline', sampleOutbox: true, hotMs: 60_000, chunkMaxSamples: 50 });
      h.registerTags(['x', 'y']);
      h.markStart(T0); // gap markers (value null, bad/shutdown) are samples too
      for (let i = 1; i <= 400; i++) h.ingest([value('x', T0 + i * 1000, Math.sin(i)), value('y', T0 + i * 1000, i % 3 === 0)]);
      await h.flush();
      // a late sample in the middle of compacted history, and a repeat of an existing instant
      h.ingest([value('x', T0 + 150_500, 42), value('x', T0 + 200_000, -1, { level: 'uncertain', reason: 'stale' })]);
      clock.advance(3_600_000);
      await h.maintain(); // compaction: hot rows into chunks; the repeat replaced the old sample there
      const raw = [...h.readRaw(['x'], T0 + 200_000, T0 + 200_000)];
      assert.equal(raw.length, 1, 'the historian keeps one sample per (tag, ts); the outbox has both');
      const chunks = (db.prepare('SELECT COUNT(*) AS n FROM chunk').get() as { n: number }).n;
      assert.ok(chunks >= 10, `compacted into ${chunks} chunks`);
      before = h.sampleOutbox()!.read(1, 10_000, 10_000).map((s) => `${s.seq}:${strip(s)}`);
      assert.equal(before.length, 2 + 800 + 2, 'every sample ever committed has a number, the replaced one too');
      await h.close();
      db.close();
    }
    {
      const db = openDatabase(file);
      const h = new Historian(db, clock, { writer: 'inline', sampleOutbox: true });
      const outbox = h.sampleOutbox()!;
      const after = outbox.read(1, 10_000, 10_000).map((s) => `${s.seq}:${strip(s)}`);
      assert.deepEqual(after, before, 'same numbers, same samples after a restart');
      assert.ok(after.some((s) => s.includes('"x",1736143350500,1736143350497,42')), 'the late sample has its own number');
      // numbering goes on from the head
      h.ingest([value('x', T0 + 9_000_000, 1)]);
      await h.flush();
      assert.equal(outbox.head(), 805);
      await h.close();
      db.close();
    }
  } finally {
    cleanup();
  }
});

test('3. a failed commit (disk full) takes no numbers; the retry numbers the batch densely', async () => {
  const { dir, cleanup } = tempDir();
  const clock = new FakeClock(T0);
  const db = openDatabase(join(dir, 'full.db'));
  const h = new Historian(db, clock, { writer: 'inline', sampleOutbox: true, retryMs: 1000 });
  try {
    h.registerTags(['x']);
    h.ingest([value('x', T0 + 1, 1)]);
    await h.flush();
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    const big: TagValue[] = [];
    for (let i = 0; i < 5000; i++) big.push(value('x', T0 + 10 + i, `a long string that takes room ${i}`.repeat(4)));
    h.ingest(big);
    await h.flush();
    assert.equal(h.status().state, 'error');
    assert.equal(h.sampleOutbox()!.head(), 1, 'nothing numbered while nothing is stored');
    db.pragma('max_page_count = 1073741823');
    clock.advance(1000);
    assert.equal(h.status().state, 'ok');
    assert.equal(h.sampleOutbox()!.head(), 5001);
    assert.equal(h.sampleOutbox()!.read(2, 2, 1)[0].ts, T0 + 10);
  } finally {
    await h.close();
    db.close();
    cleanup();
  }
});

test('4. deleting acknowledged batches and dropping the oldest keep the totals; numbers are never reused', async () => {
  const { dir, cleanup } = tempDir();
  const file = join(dir, 'h.db');
  const clock = new FakeClock(T0);
  try {
    let db = openDatabase(file);
    let h = new Historian(db, clock, { writer: 'inline', sampleOutbox: true });
    h.registerTags(['x']);
    for (let b = 0; b < 5; b++) {
      const batch: TagValue[] = [];
      for (let i = 0; i < 10; i++) batch.push(value('x', T0 + b * 100 + i, i));
      h.ingest(batch);
      await h.flush();
    }
    const outbox = h.sampleOutbox()!;
    const total = outbox.totals();
    assert.equal(total.rows, 5);
    assert.equal(outbox.deleteThrough(15), 1, 'only whole batches below the position');
    assert.equal(outbox.lowest(), 11);
    const dropped = outbox.dropOldest(1);
    assert.deepEqual({ first: dropped!.first, last: dropped!.last, n: dropped!.n }, { first: 11, last: 20, n: 10 });
    assert.equal(outbox.totals().rows, 3);
    assert.equal(outbox.totals().bytes, (db.prepare('SELECT SUM(bytes) AS b FROM sample_outbox').get() as { b: number }).b);
    outbox.deleteThrough(50);
    assert.equal(outbox.lowest(), null);
    assert.deepEqual(outbox.totals(), { bytes: 0, rows: 0 });
    await h.close();
    db.close();
    db = openDatabase(file);
    h = new Historian(db, clock, { writer: 'inline', sampleOutbox: true });
    h.ingest([value('x', T0 + 10_000, 1)]);
    await h.flush();
    assert.equal(h.sampleOutbox()!.lowest(), 51, 'after an empty outbox and a restart, numbering goes on');
    await h.close();
    db.close();
  } finally {
    cleanup();
  }
});

test('5. without sync there is no outbox; the encoding falls back to JSON for timestamps the codec cannot hold', () => {
  const db = openDatabase(':memory:');
  const h = new Historian(db, new FakeClock(T0), { writer: 'inline' });
  assert.equal(h.sampleOutbox(), null);
  assert.equal(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sample_outbox'").get(), undefined);
  void h.close();
  db.close();

  const b = emptyBatch(3);
  const rows: [number, number, TagScalar | null][] = [
    [T0 + 0.5, 7, 1],
    [T0, 7, Infinity],
    [T0 + 1, 9, null],
  ];
  rows.forEach(([ts, tag, v], i) => {
    b.tag[i] = tag;
    b.ts[i] = ts;
    b.sourceTs[i] = ts;
    b.quality[i] = 0;
    setValue(b, i, v);
  });
  b.length = 3;
  const enc = encodeOutboxBatch(b);
  const groups = decodeOutboxBatch(enc.data);
  assert.deepEqual(
    groups.map((g) => [g.tag, [...g.samples.ts.subarray(0, g.samples.length)], g.samples.num[0]]),
    [
      [7, [T0, T0 + 0.5], Infinity],
      [9, [T0 + 1], 0],
    ],
  );
});
