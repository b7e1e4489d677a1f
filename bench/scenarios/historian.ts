/**
 * historian: months of line data through the real write path, then its size and query speed.
 *
 * Data: 8 tags of the demo line at 1 Hz for BENCH_HISTORIAN_DAYS (default 30) simulated days
 * (30 × 86,400 × 8 ≈ 20.7 M samples), from the simulator's LineModel stepped a second at a time
 * and shaped the way the drivers deliver them: OPC UA doubles (line speed: steps and ramps;
 * vibration: full-precision noise), Modbus float32 (motor current, bearing temperature: noisy),
 * a scaled int16 register (ambient temperature), a uint32 counter, a boolean and a state code.
 * Receive times jitter by 0–3 ms around the scan; Modbus source time = read time, OPC UA source
 * time = the server's 1 s grid. Every sample is stored (no deadband), so booleans and steps are
 * stored at 1 Hz too.
 *
 * Parameters: BENCH_HISTORIAN_DAYS, BENCH_HISTORIAN_INLINE_DAYS, BENCH_HISTORIAN_CHUNK (samples
 * per chunk; default the historian's).
 *
 * Cases (one JSON line each):
 *  1. ingest through Historian.ingest with the writer on its worker thread (the runtime's
 *     setup), at full speed, the producer pausing only when more than 400 k samples are in
 *     flight; compaction and rollups run concurrently in the worker. The historian's clock
 *     follows the data's time. Reported: samples/s, the main thread's worst event-loop block,
 *     then sizes (dbstat) — chunks vs. the same samples in a plain row-per-sample table (filled
 *     from the decoded chunks, which also checks them) — and query latencies.
 *  2. the same ingest for BENCH_HISTORIAN_INLINE_DAYS (default 2) with the writer on the main
 *     thread, for comparison: why the writer is on a worker.
 * The event loop's worst block depends on what else runs on the machine (the main thread waits
 * for a core): the lines carry the 1-minute load average and the main thread's worst GC pause,
 * and the p99 of the event-loop delay beside the maximum.
 */
import Database from 'better-sqlite3';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { openDatabase } from '../../main/historian/database';
import { Historian } from '../../main/historian/historian';
import { defaultWriterConfig } from '../../main/historian/writer';
import { decodeChunk } from '../../main/historian/chunk-codec';
import { hotRowsToColumns } from '../../main/historian/sample-store';
import { valueAt } from '../../main/historian/samples';
import { scaleValue } from '../../main/acquisition/scaling';
import { LineModel } from '../../main/simulator/line-model';
import { SeededRandom } from '../../main/simulator/random';
import { systemClock, type Clock } from '../../main/util/clock';
import { GOOD } from '../../shared/quality';
import type { TagValue } from '../../shared/types';
import { tempDir } from '../../test/helpers/temp';
import { cpuMeter, eventLoopBlockMonitor, percentile, progress, report, round } from '../report';

const TAGS = ['L1.Speed', 'L1.Vibration', 'L1.MotorCurrent', 'L1.BearingTemp', 'L1.AmbientTemp', 'L1.GoodCount', 'L1.Running', 'L1.State'];
const OPCUA = new Set(['L1.Speed', 'L1.Vibration', 'L1.Running', 'L1.State']);
const START = Date.UTC(2025, 0, 6, 6, 0, 0);
const DAY = 86_400_000;
const AMBIENT_SCALING = { rawMin: -1000, rawMax: 1000, engMin: -100, engMax: 100 };

/** A clock whose "now" is the data's time while its timers are real. */
class DataClock implements Clock {
  t = START;
  now(): number {
    return this.t;
  }
  setTimeout = systemClock.setTimeout;
  clearTimeout = systemClock.clearTimeout;
}

/** One second of the line: eight values as the drivers would deliver them. */
export function* lineData(seconds: number): Generator<TagValue[]> {
  const model = new LineModel({ seed: 7, startTimeMs: START });
  const jitter = new SeededRandom(11);
  for (let k = 0; k < seconds; k++) {
    model.step(1000);
    const grid = START + k * 1000;
    const ts = grid + Math.floor(jitter.next() * 4);
    const readAt = ts - Math.floor(jitter.next() * 2);
    const raw = Math.round(model.ambientTemperature * 10);
    const ambient = scaleValue(raw, AMBIENT_SCALING, GOOD).value as number;
    const values: [string, number | boolean][] = [
      ['L1.Speed', model.lineSpeed],
      ['L1.Vibration', model.vibration],
      ['L1.MotorCurrent', Math.fround(model.motorCurrent)],
      ['L1.BearingTemp', Math.fround(model.bearingTemperature)],
      ['L1.AmbientTemp', ambient],
      ['L1.GoodCount', model.goodCount],
      ['L1.Running', model.motorRunning],
      ['L1.State', model.state],
    ];
    yield values.map(([tagId, value]) => ({ tagId, value, quality: GOOD, ts, sourceTs: OPCUA.has(tagId) ? grid : readAt }));
  }
}

interface IngestResult {
  samples: number;
  seconds: number;
  maxBlockMs: number;
  delayP99Ms: number;
  maxGcPauseMs: number;
  mainCpuPercent: number;
  ingestCallUsPerSample: number;
}

async function ingest(h: Historian, clock: DataClock, days: number, label: string): Promise<IngestResult> {
  const seconds = Math.round(days * 86_400);
  const loop = eventLoopBlockMonitor();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let maxGcPauseMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) maxGcPauseMs = Math.max(maxGcPauseMs, e.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  const cpu = cpuMeter();
  const t0 = performance.now();
  let samples = 0;
  let inIngest = 0;
  let nextReport = t0 + 10_000;
  const gen = lineData(seconds);
  for (;;) {
    // Generate in slices of a few ms, then yield, so the monitor sees the historian's blocking
    // rather than the generator's.
    const sliceEnd = performance.now() + 4;
    let done = false;
    while (performance.now() < sliceEnd) {
      const next = gen.next();
      if (next.done) {
        done = true;
        break;
      }
      clock.t = next.value[0].ts;
      const a = performance.now();
      h.ingest(next.value);
      inIngest += performance.now() - a;
      samples += next.value.length;
    }
    if (done) break;
    if (h.backlog() > 400_000) await h.whenBacklogBelow(200_000);
    else await new Promise((r) => setImmediate(r));
    if (performance.now() > nextReport) {
      nextReport += 10_000;
      progress(`${label}: ${(samples / 1e6).toFixed(1)} M samples, ${Math.round(samples / ((performance.now() - t0) / 1000))}/s`);
    }
  }
  await h.flush();
  const secondsTaken = (performance.now() - t0) / 1000;
  delay.disable();
  gc.disconnect();
  return {
    samples,
    seconds: secondsTaken,
    maxBlockMs: loop.stop(),
    delayP99Ms: delay.percentile(99) / 1e6,
    maxGcPauseMs,
    mainCpuPercent: cpu.stop(),
    ingestCallUsPerSample: (inIngest * 1000) / samples,
  };
}

function tableBytes(db: Database.Database, names: string[]): number {
  const rows = db.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name').all() as { name: string; bytes: number }[];
  return rows.filter((r) => names.includes(r.name)).reduce((s, r) => s + r.bytes, 0);
}

/** The same samples, one row each, in the v1 layout: the baseline the chunks are compared with. */
function plainRowBytes(db: Database.Database, dir: string): { bytes: number; rows: number } {
  const plain = new Database(join(dir, 'plain.db'));
  plain.pragma('journal_mode = WAL');
  plain.pragma('synchronous = OFF');
  plain.exec('CREATE TABLE sample (tag INTEGER NOT NULL, ts INTEGER NOT NULL, value, quality INTEGER NOT NULL, source_ts INTEGER NOT NULL, PRIMARY KEY (tag, ts)) WITHOUT ROWID');
  const insert = plain.prepare('INSERT INTO sample VALUES (?, ?, ?, ?, ?)');
  let rows = 0;
  const put = plain.transaction((tag: number, c: ReturnType<typeof decodeChunk>) => {
    for (let i = 0; i < c.length; i++) {
      const v = valueAt(c, i);
      insert.run(tag, c.ts[i], typeof v === 'boolean' ? (v ? 1 : 0) : v, c.quality[i], c.sourceTs[i]);
    }
    rows += c.length;
  });
  for (const r of db.prepare('SELECT tag, data FROM chunk ORDER BY tag, t_start').iterate() as Iterable<{ tag: number; data: Uint8Array }>) put(r.tag, decodeChunk(r.data));
  const hot = db.prepare('SELECT tag, ts, value, quality, source_ts, value_type FROM sample ORDER BY tag, ts').raw(true).all() as [number, number, number, number, number, number][];
  for (const r of hot) put(r[0], hotRowsToColumns([[r[1], r[2], r[3], r[4], r[5]]]));
  const bytes = tableBytes(plain, ['sample']);
  plain.close();
  return { bytes, rows };
}

async function timeQueries(n: number, q: (i: number) => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = performance.now();
    await q(i);
    ms.push(performance.now() - a);
  }
  return ms.sort((a, b) => a - b);
}

export async function run(): Promise<void> {
  const days = Number(process.env.BENCH_HISTORIAN_DAYS ?? 30);
  const inlineDays = Number(process.env.BENCH_HISTORIAN_INLINE_DAYS ?? 2);
  const tmp = tempDir('lineside-bench-historian-');
  try {
    // --- 1. worker writer, the whole range -------------------------------------------------
    progress(`historian: ${days} days × ${TAGS.length} tags at 1 Hz through the worker writer`);
    const clock = new DataClock();
    const db = openDatabase(join(tmp.dir, 'worker.db'));
    const chunkMaxSamples = process.env.BENCH_HISTORIAN_CHUNK ? Number(process.env.BENCH_HISTORIAN_CHUNK) : undefined;
    const h = new Historian(db, clock, { writer: 'worker', chunkMaxSamples });
    h.registerTags(TAGS);
    const r = await ingest(h, clock, days, 'worker');
    const hotAtIngestEnd = h.writerStatus().hotSamples;
    progress(`historian: ingest done in ${r.seconds.toFixed(1)} s (${hotAtIngestEnd} samples not compacted yet); finishing compaction`);
    const m0 = performance.now();
    await h.maintain();
    const maintainMs = performance.now() - m0;
    const status = h.status();
    const writer = h.writerStatus();

    const chunkSamples = (db.prepare('SELECT COALESCE(SUM(n), 0) AS n FROM chunk').get() as { n: number }).n;
    const hotSamples = (db.prepare('SELECT COUNT(*) AS n FROM sample').get() as { n: number }).n;
    const chunkBytes = tableBytes(db, ['chunk', 'chunk_tag_start', 'chunk_start']);
    const rollupBytes = tableBytes(db, ['rollup_1m', 'rollup_1h']);
    const hotBytes = tableBytes(db, ['sample']);
    const fileBytes = (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
    progress('historian: plain row table for comparison');
    const plain = plainRowBytes(db, tmp.dir);

    progress('historian: queries');
    const end = START + Math.round(days * DAY);
    const hours = Math.floor((end - START) / 3_600_000);
    let raw1hResolution = '';
    const q1h = await timeQueries(200, async (i) => {
      const from = START + ((i * 7919) % (hours - 1)) * 3_600_000;
      const b = await h.queryBuckets(TAGS, from, from + 3_600_000, 2000);
      raw1hResolution = b.resolution;
    });
    let hotResolution = '';
    const q1hHot = await timeQueries(50, async () => {
      const b = await h.queryBuckets(TAGS, end - 3_600_000, end, 2000);
      hotResolution = b.resolution;
    });
    let longResolution = '';
    let longBuckets = 0;
    const q30d = await timeQueries(100, async () => {
      const b = await h.queryBuckets(TAGS, START, end, 2000);
      longResolution = b.resolution;
      longBuckets = b.t.length;
    });
    let weekResolution = '';
    const q7d = await timeQueries(20, async () => {
      const b = await h.queryBuckets(TAGS, end - 7 * DAY, end, 2000);
      weekResolution = b.resolution;
    });
    const rssMb = round(process.memoryUsage().rss / 1048576, 1);
    await h.close();
    db.close();

    report('historian', {
      case: 'worker',
      days,
      tags: TAGS.length,
      rateHz: 1,
      chunkMaxSamples: chunkMaxSamples ?? defaultWriterConfig.chunkMaxSamples,
      hotMs: defaultWriterConfig.hotMs,
      samples: r.samples,
      ingestSeconds: round(r.seconds, 1),
      ingestSamplesPerSecond: Math.round(r.samples / r.seconds),
      maxEventLoopBlockMs: round(r.maxBlockMs),
      eventLoopDelayP99Ms: round(r.delayP99Ms),
      maxMainThreadGcPauseMs: round(r.maxGcPauseMs),
      loadAverage1m: round(loadavg()[0]),
      processCpuPercent: round(r.mainCpuPercent),
      ingestCallUsPerSample: round(r.ingestCallUsPerSample, 3),
      writerMaxCommitMs: round(writer.maxCommitMs),
      chunksWritten: writer.chunksWritten,
      hotSamplesAtIngestEnd: hotAtIngestEnd,
      finalMaintenanceMs: round(maintainMs),
      ingestAndCompactSamplesPerSecond: Math.round(r.samples / (r.seconds + maintainMs / 1000)),
      droppedSamples: status.droppedSamples,
      chunkSamples,
      hotSamples,
      bytesPerSampleCompacted: round(chunkBytes / chunkSamples, 3),
      bytesPerSamplePlainRow: round(plain.bytes / plain.rows, 2),
      compactionRatio: round(plain.bytes / plain.rows / (chunkBytes / chunkSamples), 1),
      rollupBytesPerSample: round(rollupBytes / r.samples, 3),
      hotBytesPerSample: hotSamples > 0 ? round(hotBytes / hotSamples, 2) : null,
      fileBytesPerSample: round(fileBytes / r.samples, 3),
      fileMb: round(fileBytes / 1048576, 1),
      query1hRaw8TagsMsP50: round(percentile(q1h, 50)),
      query1hRaw8TagsMsP99: round(percentile(q1h, 99)),
      query1hResolution: raw1hResolution,
      query1hHot8TagsMsP50: round(percentile(q1hHot, 50)),
      query1hHot8TagsMsP99: round(percentile(q1hHot, 99)),
      query1hHotResolution: hotResolution,
      query30d8TagsMsP50: round(percentile(q30d, 50)),
      query30d8TagsMsP99: round(percentile(q30d, 99)),
      query30dResolution: longResolution,
      query30dBuckets: longBuckets,
      query7d8TagsMsP50: round(percentile(q7d, 50)),
      query7d8TagsMsP99: round(percentile(q7d, 99)),
      query7dResolution: weekResolution,
      targetBuckets: 2000,
      rssMb,
    });

    // --- 2. inline writer, for comparison --------------------------------------------------
    if (inlineDays > 0) {
      progress(`historian: ${inlineDays} days with the writer on the main thread, for comparison`);
      const clock2 = new DataClock();
      const db2 = openDatabase(join(tmp.dir, 'inline.db'));
      const h2 = new Historian(db2, clock2, { writer: 'inline' });
      h2.registerTags(TAGS);
      const r2 = await ingest(h2, clock2, inlineDays, 'inline');
      const writer2 = h2.writerStatus();
      await h2.close();
      db2.close();
      report('historian', {
        case: 'inline',
        days: inlineDays,
        tags: TAGS.length,
        samples: r2.samples,
        ingestSamplesPerSecond: Math.round(r2.samples / r2.seconds),
        maxEventLoopBlockMs: round(r2.maxBlockMs),
        eventLoopDelayP99Ms: round(r2.delayP99Ms),
        maxMainThreadGcPauseMs: round(r2.maxGcPauseMs),
        loadAverage1m: round(loadavg()[0]),
        processCpuPercent: round(r2.mainCpuPercent),
        writerMaxCommitMs: round(writer2.maxCommitMs),
      });
    }
  } finally {
    tmp.cleanup();
  }
}
