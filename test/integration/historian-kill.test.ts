/**
 * A process killed (SIGKILL) while it writes and compacts: the file reopens with
 * `PRAGMA integrity_check` = ok, and every sample whose commit was confirmed is there, once.
 *
 * The child is this same file run with LINESIDE_HISTORIAN_CHILD=<db file>: it writes with the
 * runtime's setup (writer thread), compacting all the time (tiny hot window and chunks), and
 * prints the last timestamp of each confirmed flush. Values are a function of tag and time, so
 * the parent knows what every sample must be.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'node:test';
import { openDatabase } from '../../main/historian/database';
import { Historian } from '../../main/historian/historian';
import { FakeClock, systemClock } from '../../main/util/clock';
import type { TagValue } from '../../shared/types';
import { tempDir, waitFor } from '../helpers/temp';

const T0 = 1_736_143_200_000;
const TAGS = ['a', 'b', 'c', 'd'];
const STEP_MS = 10;
const valueOf = (tag: number, ts: number) => (tag === 3 ? ((ts - T0) / STEP_MS) % 7 === 0 : Math.sin((ts - T0) / 1e5 + tag) * 100);

async function child(file: string): Promise<void> {
  const db = openDatabase(file);
  const h = new Historian(db, systemClock, { writer: 'worker', hotMs: 1000, chunkMaxSamples: 300, flushIntervalMs: 20 });
  h.registerTags(TAGS);
  let ts = T0;
  for (;;) {
    const batch: TagValue[] = [];
    for (let i = 0; i < 50; i++) {
      ts += STEP_MS;
      TAGS.forEach((tagId, k) => batch.push({ tagId, ts, sourceTs: ts - 1, value: valueOf(k, ts), quality: { level: 'good', reason: 'ok' } }));
    }
    h.ingest(batch);
    await h.flush();
    process.stdout.write(`committed ${ts}\n`);
  }
}

if (process.env.LINESIDE_HISTORIAN_CHILD) {
  void child(process.env.LINESIDE_HISTORIAN_CHILD);
} else {
  test('1. SIGKILL while writing and compacting: integrity ok, nothing confirmed is lost or doubled', async () => {
    const { dir, cleanup } = tempDir();
    const file = join(dir, 'h.db');
    try {
      const proc = spawn(process.execPath, [__filename], { env: { ...process.env, LINESIDE_HISTORIAN_CHILD: file, LINESIDE_LOG: 'error' }, stdio: ['ignore', 'pipe', 'inherit'] });
      let confirmed = 0;
      let lines = 0;
      let buffered = '';
      proc.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const parts = buffered.split('\n');
        buffered = parts.pop() ?? '';
        for (const p of parts) {
          const m = /^committed (\d+)$/.exec(p);
          if (m) {
            confirmed = Number(m[1]);
            lines++;
          }
        }
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
      // Let it write and compact for a while (hundreds of flushes), then kill it mid-stride.
      await waitFor('the child to confirm 300 flushes', () => lines >= 300, 60_000, 10);
      proc.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
      const lastConfirmed = confirmed;

      const raw = new Database(file);
      assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
      const chunks = (raw.prepare('SELECT COUNT(*) AS n FROM chunk').get() as { n: number }).n;
      assert.ok(chunks > 10, `it was compacting (${chunks} chunks)`);
      raw.close();

      const db = openDatabase(file);
      const h = new Historian(db, new FakeClock(lastConfirmed + 1));
      try {
        h.registerTags(TAGS);
        const samples = [...h.readRaw(TAGS, T0, lastConfirmed)];
        const expected = (lastConfirmed - T0) / STEP_MS;
        assert.equal(samples.length, expected * TAGS.length, 'every confirmed sample, exactly once');
        samples.forEach((s, i) => {
          const k = i % TAGS.length;
          const ts = T0 + (Math.floor(i / TAGS.length) + 1) * STEP_MS;
          assert.ok(s.tagId === TAGS[k] && s.ts === ts && s.sourceTs === ts - 1 && Object.is(s.value, valueOf(k, ts)), `sample ${i}: ${JSON.stringify(s)}`);
        });
        // Rollups of the confirmed range agree with the samples.
        const minutes = Math.floor((lastConfirmed - T0) / 60_000);
        const fromRollups = await h.queryBuckets(['a'], T0, T0 + minutes * 60_000, minutes, '1m');
        const fromRaw = await h.queryBuckets(['a'], T0, T0 + minutes * 60_000, minutes, 'raw');
        assert.ok(minutes >= 1);
        assert.deepEqual(fromRollups.series[0].max, fromRaw.series[0].max);
      } finally {
        await h.close();
        db.close();
      }
    } finally {
      cleanup();
    }
  });
}
