/**
 * The writer on its worker thread (the runtime's setup): samples cross to the worker as
 * transferred columns, are committed by its own connection, and are read back on this thread
 * through WAL; compaction runs in the worker; closing stops the thread and leaves a sound file.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'node:test';
import { openDatabase } from '../../main/historian/database';
import { Historian } from '../../main/historian/historian';
import { FakeClock } from '../../main/util/clock';
import type { Quality } from '../../shared/quality';
import type { TagValue } from '../../shared/types';
import { tempDir } from '../helpers/temp';

const GOOD: Quality = { level: 'good', reason: 'ok' };
const BAD: Quality = { level: 'bad', reason: 'device_error' };
const T0 = 1_736_143_200_000;
const HOUR = 3_600_000;

test('1. worker writer: commits off this thread, reads back through WAL, compacts, closes cleanly', async () => {
  const { dir, cleanup } = tempDir();
  const file = join(dir, 'h.db');
  const db = openDatabase(file);
  const clock = new FakeClock(T0);
  const h = new Historian(db, clock, { writer: 'worker', hotMs: HOUR, chunkMaxSamples: 2000 });
  try {
    const tags = ['a', 'b', 'flag', 'text'];
    h.registerTags(tags);
    h.markStart(T0);
    const sent: TagValue[] = [];
    for (let i = 1; i <= 25_000; i++) {
      const ts = T0 + i * 1000;
      const batch: TagValue[] = [
        { tagId: 'a', ts, sourceTs: ts - 1, value: i / 8, quality: i % 1000 < 10 ? BAD : GOOD },
        { tagId: 'b', ts, sourceTs: ts, value: Math.fround(Math.sin(i / 300) * 40), quality: GOOD },
        { tagId: 'flag', ts, sourceTs: ts, value: i % 120 < 60, quality: GOOD },
        { tagId: 'text', ts, sourceTs: ts, value: i % 500 < 250 ? 'Running' : 'Idle', quality: GOOD },
      ];
      h.ingest(batch);
      sent.push(...batch);
    }
    clock.advance(25_001 * 1000);
    await h.flush();
    let status = h.status();
    assert.equal(status.writer, 'worker');
    assert.equal(status.state, 'ok');
    assert.equal(status.storedSamples, 100_000 + tags.length, 'every sample and the start markers committed');
    assert.equal(h.stats.stored, 100_004);

    await h.maintain();
    assert.ok((db.prepare('SELECT COUNT(*) AS n FROM chunk').get() as { n: number }).n >= 40, 'the worker compacted');
    const raw = [...h.readRaw(tags, T0 + 1, T0 + 25_000 * 1000)];
    assert.equal(raw.length, sent.length);
    raw.forEach((r, i) => {
      const s = sent[i];
      assert.ok(r.tagId === s.tagId && r.ts === s.ts && r.sourceTs === s.sourceTs && Object.is(r.value, s.value), `sample ${i}`);
    });
    const b = await h.queryBuckets(['a', 'b', 'flag'], T0, T0 + 6 * HOUR, 6);
    assert.equal(b.resolution, 'raw');
    assert.deepEqual(b.series[2].avg.slice(1, 6), [0.5, 0.5, 0.5, 0.5, 0.5], 'a boolean averages to the share of time it was true');
    status = h.status();
    assert.ok(status.oldest.every((o) => o.raw === T0 && o.rollup1h === T0));
    assert.ok(status.usedBytes > 0);
  } finally {
    await h.close();
    db.close();
  }
  const again = new Database(file);
  assert.equal(again.pragma('integrity_check', { simple: true }), 'ok');
  assert.equal((again.prepare('SELECT SUM(n) AS n FROM chunk').get() as { n: number }).n + (again.prepare('SELECT COUNT(*) AS n FROM sample').get() as { n: number }).n, 100_004);
  again.close();
  cleanup();
});

test('2. an in-memory database cannot be shared with a thread: the writer stays on this thread', async () => {
  const db = openDatabase(':memory:');
  const h = new Historian(db, new FakeClock(T0), { writer: 'worker' });
  try {
    h.registerTags(['a']);
    h.ingest([{ tagId: 'a', ts: T0, sourceTs: T0, value: 1, quality: GOOD }]);
    await h.flush();
    assert.equal(h.status().writer, 'inline');
    assert.equal(h.status().storedSamples, 1);
  } finally {
    await h.close();
    db.close();
  }
});

test('3. the writer thread dies: the status says so, what it held is counted as dropped, a new thread takes over', async () => {
  const { dir, cleanup } = tempDir();
  const db = openDatabase(join(dir, 'h.db'));
  const clock = new FakeClock(T0);
  const h = new Historian(db, clock, { writer: 'worker', retryMs: 1000 });
  try {
    h.registerTags(['a']);
    const send = (from: number, to: number) => {
      for (let i = from; i < to; i++) h.ingest([{ tagId: 'a', ts: T0 + i * 1000, sourceTs: T0 + i * 1000, value: i, quality: GOOD }]);
    };
    send(0, 100);
    await h.flush();
    assert.equal(h.status().storedSamples, 100);
    // Kill the thread from outside, as a crash would.
    const worker = (h as unknown as { host: { worker: { terminate(): Promise<number> } } }).host.worker;
    await worker.terminate();
    await new Promise((r) => setImmediate(r));
    send(100, 150);
    await h.flush();
    let s = h.status();
    assert.equal(s.state, 'error');
    assert.equal(s.error?.code, 'writer_failed');
    assert.equal(s.droppedSamples, 50, 'samples sent to the dead thread are counted as dropped');
    clock.advance(1000); // the retry starts a new thread
    send(150, 200);
    await h.flush();
    s = h.status();
    assert.equal(s.state, 'ok');
    assert.equal(s.writer, 'worker');
    assert.equal(s.storedSamples, 150);
    assert.equal(s.droppedSamples, 50);
    const values = [...h.readRaw(['a'], T0, T0 + 200_000)].map((r) => r.value);
    assert.deepEqual(values, [...Array.from({ length: 100 }, (_, i) => i), ...Array.from({ length: 50 }, (_, i) => 150 + i)]);
  } finally {
    await h.close();
    db.close();
    cleanup();
  }
});
