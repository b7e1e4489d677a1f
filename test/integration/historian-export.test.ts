/**
 * The CSV export streams: exporting a large range (1.2 M samples, ~80 MB of CSV) to a slow
 * destination keeps memory flat — it reads a window at a time and waits for the destination.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openDatabase } from '../../main/historian/database';
import { exportCsv } from '../../main/historian/export-csv';
import { Historian } from '../../main/historian/historian';
import { FakeClock } from '../../main/util/clock';
import type { TagValue } from '../../shared/types';
import { tempDir } from '../helpers/temp';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const T0 = Date.UTC(2025, 0, 6, 6, 0, 0);
const TAGS = ['L1.Speed', 'L1.MotorCurrent', 'L1.Running', 'L1.State'];

test('1. exporting 1.2 M samples keeps the heap flat and respects backpressure', async () => {
  const { dir, cleanup } = tempDir();
  const db = openDatabase(join(dir, 'h.db'));
  const seconds = 300_000;
  const clock = new FakeClock(T0 + seconds * 1000);
  const h = new Historian(db, clock, { hotMs: 3_600_000 });
  try {
    h.registerTags(TAGS.map((name) => ({ name, units: name === 'L1.Speed' ? 'packs/min' : '' })));
    for (let i = 0; i < seconds; i++) {
      const ts = T0 + i * 1000;
      const values: TagValue['value'][] = [100 + Math.sin(i / 60) * 20, Math.fround(11 + Math.cos(i / 7)), i % 300 < 200, (i / 500) % 4 | 0];
      h.ingest(values.map((value, k) => ({ tagId: TAGS[k], ts, sourceTs: ts, value, quality: { level: 'good', reason: 'ok' } })));
    }
    await h.maintain();

    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    let bytes = 0;
    let writes = 0;
    let waits = 0;
    // A slow destination: each block is acknowledged on a later turn of the event loop, so
    // writes beyond its small buffer must wait for 'drain'.
    const sink = new Writable({
      highWaterMark: 256 * 1024,
      write(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        if (++writes % 100 === 0) {
          gc();
          peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
        }
        setImmediate(done);
      },
    });
    const write = sink.write.bind(sink);
    sink.write = ((...args: Parameters<typeof sink.write>) => {
      const ok = write(...args);
      if (!ok) waits++;
      return ok;
    }) as typeof sink.write;
    const result = await exportCsv(h, { tagIds: TAGS, from: T0, to: T0 + seconds * 1000 }, sink);
    assert.equal(result.rows, seconds * TAGS.length);
    assert.equal(result.bytes, bytes);
    assert.ok(bytes > 60 * 1024 * 1024, `${(bytes / 1048576).toFixed(0)} MB exported`);
    assert.ok(waits > 10, `the export waited for the destination ${waits} times`);
    assert.ok(peak < 16 * 1024 * 1024, `heap grew by at most ${(peak / 1048576).toFixed(1)} MB while ${(bytes / 1048576).toFixed(0)} MB went out`);
  } finally {
    await h.close();
    db.close();
    cleanup();
  }
});
