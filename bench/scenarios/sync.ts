/**
 * sync: a backlog of samples drained upstream through a real broker while live data keeps
 * flowing.
 *
 * Setup: Debian's mosquitto on a free loopback port (test/helpers/mosquitto.ts); the reference
 * receiver's CLI as a child process (its own core, its own SQLite file, fsync per batch,
 * acknowledging on the ack topic); on this side the runtime's write path — Historian with the
 * writer on its worker thread and the sample outbox on — and a SyncService with one MQTT sink
 * (receiver acks, default batches: 1,000 records / 256 KB, 8 in flight of which 4 backfill).
 *
 * 1. Backlog: BENCH_SYNC_BACKLOG (default 1,000,000) samples of 100 tags (noisy full-precision
 *    readings at 1 Hz) are committed while no sink runs (an outage), then left to age past the
 *    live window.
 * 2. The sink starts; meanwhile 8 live tags produce 10 samples/s each (80/s), flushed every
 *    100 ms. The backlog drains as backfill (historical); live batches go first.
 * 3. Reported once everything is acknowledged, from the receiver's database: drain rate, live
 *    latency (a live sample's receive time → committed at the receiver, for samples produced
 *    while the backlog drained), duplicate deliveries the receiver dropped by key, duplicates
 *    stored (records with the same tag, ts and value stored under two keys — a numbering bug
 *    would show here), and sequence numbers missing.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../main/historian/database';
import { Historian } from '../../main/historian/historian';
import { defaultSyncOptions, SyncService } from '../../main/sync/sync-service';
import { systemClock } from '../../main/util/clock';
import { createLogger } from '../../main/util/log';
import type { TagValue } from '../../shared/types';
import { startMosquitto } from '../../test/helpers/mosquitto';
import { repoRoot, tempDir } from '../../test/helpers/temp';
import { cpuMeter, percentile, progress, report, round } from '../report';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const GOOD = { level: 'good', reason: 'ok' } as const;

export async function run(): Promise<void> {
  const backlog = Number(process.env.BENCH_SYNC_BACKLOG ?? 1_000_000);
  const liveTags = 8;
  const liveHz = 10;
  const liveWindowMs = 3000;
  const tmp = tempDir('lineside-bench-sync-');
  const broker = await startMosquitto({ dir: join(tmp.dir, 'broker') });
  const rxDb = join(tmp.dir, 'receiver.db');
  const receiver = spawn(process.execPath, [join(repoRoot(), 'dist', 'main', 'cli', 'receiver.js'), '--db', rxDb, '--mqtt', broker.url], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, LINESIDE_LOG: 'warn' },
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    receiver.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('receiver ready')) resolve();
    });
    receiver.once('exit', (code) => reject(new Error(`the receiver exited (${code})`)));
  });
  const db = openDatabase(join(tmp.dir, 'lineside.db'));
  const historian = new Historian(db, systemClock, { writer: 'worker', sampleOutbox: true, flushIntervalMs: 100 });
  const backlogTags = Array.from({ length: 100 }, (_, i) => `B${String(i).padStart(3, '0')}`);
  const live = Array.from({ length: liveTags }, (_, i) => `LIVE${i}`);
  historian.registerTags([...backlogTags, ...live]);
  let sync: SyncService | null = null;
  try {
    // 1. The backlog: ~3 h of 100 tags at 1 Hz, committed while no sink runs.
    progress(`sync: committing a backlog of ${backlog} samples`);
    const fillStarted = performance.now();
    const steps = Math.ceil(backlog / backlogTags.length);
    const t0 = Date.now() - steps * 1000 - 60_000;
    let made = 0;
    let seed = 12345;
    const noise = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    for (let k = 0; k < steps && made < backlog; k++) {
      const batch: TagValue[] = [];
      for (let j = 0; j < backlogTags.length && made < backlog; j++, made++) {
        const ts = t0 + k * 1000 + j;
        // full-precision noisy readings: the outbox compresses them least well (~8 bytes each)
        batch.push({ tagId: backlogTags[j], ts, sourceTs: ts, value: 50 + Math.sin(k / 60 + j) * 10 + noise() * 0.01, quality: GOOD });
      }
      historian.ingest(batch);
      if (k % 200 === 0) await historian.whenBacklogBelow(200_000);
    }
    await historian.flush();
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    const outbox = historian.sampleOutbox()!;
    const backlogHead = outbox.head();
    progress(`sync: ${backlogHead} samples in the outbox (${round(outbox.totals().bytes / 1048576, 1)} MB) after ${round(fillSeconds, 1)} s; letting them age past the live window`);
    await sleep(liveWindowMs + 500);

    // 2. Drain while live data flows.
    sync = new SyncService({
      db,
      clock: systemClock,
      log: createLogger('sync'),
      tables: [],
      sampleOutbox: outbox,
      options: {
        ...defaultSyncOptions,
        site: 'bench',
        line: 'L1',
        liveWindowMs,
        sinks: [{ id: 'bench', type: 'mqtt', url: broker.url, topicPrefix: 'lineside', ack: 'receiver', keepaliveS: 30, streams: ['sample', 'event'] }],
      },
    });
    const sender = sync.senders[0];
    let producing = true;
    let liveMade = 0;
    const producer = (async () => {
      let next = performance.now();
      while (producing) {
        const now = Date.now();
        const batch: TagValue[] = live.map((tagId, i) => ({ tagId, ts: now, sourceTs: now, value: Math.sin(now / 1000 + i), quality: GOOD }));
        historian.ingest(batch);
        liveMade += batch.length;
        next += 1000 / liveHz;
        await sleep(Math.max(0, next - performance.now()));
      }
    })();
    const cpu = cpuMeter();
    const drainStartedAt = Date.now();
    const started = performance.now();
    sync.start();
    let lastReport = performance.now();
    while ((sender.floor('sample') ?? 0) < backlogHead) {
      await sleep(100);
      if (performance.now() - lastReport > 5000) {
        lastReport = performance.now();
        const acked = sender.floor('sample') ?? 0;
        progress(`sync: ${acked} of ${backlogHead} acknowledged (${Math.round(acked / ((performance.now() - started) / 1000))}/s)`);
      }
      if (performance.now() - started > 600_000) throw new Error('the backlog did not drain within 10 minutes');
    }
    const drainSeconds = (performance.now() - started) / 1000;
    const drainEndedAt = Date.now();
    const cpuPercent = cpu.stop();
    producing = false;
    await producer;
    await historian.flush();
    const head = outbox.head();
    while ((sender.floor('sample') ?? 0) < head) await sleep(50);
    const status = sync.status().sinks[0];
    await sync.close();
    sync = null;
    receiver.kill('SIGTERM');
    await new Promise((r) => receiver.once('exit', r));

    // 3. What the receiver holds.
    const rx = new Database(rxDb, { readonly: true });
    const stored = rx.prepare("SELECT COUNT(*) FROM record WHERE stream = 'sample'").pluck().get() as number;
    const inRange = rx.prepare("SELECT COUNT(*) FROM record WHERE stream = 'sample' AND seq BETWEEN 1 AND ?").pluck().get(head) as number;
    const distinct = rx
      .prepare("SELECT COUNT(*) FROM (SELECT DISTINCT json_extract(payload, '$.tag'), ts, json_extract(payload, '$.value') FROM record WHERE stream = 'sample')")
      .pluck()
      .get() as number;
    const duplicatesDelivered = rx.prepare("SELECT coalesce(SUM(duplicates), 0) FROM position WHERE stream = 'sample'").pluck().get() as number;
    const historicalStored = rx.prepare("SELECT COUNT(*) FROM record WHERE stream = 'sample' AND historical = 1").pluck().get() as number;
    const latencies = (
      rx
        .prepare("SELECT received_at - ts FROM record WHERE stream = 'sample' AND historical = 0 AND json_extract(payload, '$.tag') LIKE 'LIVE%' AND ts BETWEEN ? AND ?")
        .pluck()
        .all(drainStartedAt, drainEndedAt) as number[]
    ).sort((a, b) => a - b);
    rx.close();
    report('sync', {
      case: 'mqtt-backlog-drain-with-live-data',
      backlogRecords: backlogHead,
      fillSeconds: round(fillSeconds, 1),
      drainSeconds: round(drainSeconds, 2),
      drainRecordsPerSecond: Math.round(backlogHead / drainSeconds),
      liveSamplesPerSecond: liveTags * liveHz,
      liveRecordsDuringDrain: latencies.length,
      liveLatencyP50MsDuringDrain: percentile(latencies, 50),
      liveLatencyP99MsDuringDrain: percentile(latencies, 99),
      liveLatencyMaxMsDuringDrain: latencies.length > 0 ? latencies[latencies.length - 1] : null,
      historicalStored,
      duplicatesDelivered,
      duplicatesStored: stored - distinct,
      missing: head - inRange,
      recordsStored: stored,
      recordsProduced: head,
      liveProduced: liveMade,
      resentBatches: status.resentBatches,
      batchMaxRecords: defaultSyncOptions.batchMaxRecords,
      batchMaxBytes: defaultSyncOptions.batchMaxBytes,
      maxInFlight: defaultSyncOptions.maxInFlight,
      historianFlushMs: 100,
      senderCpuPercent: round(cpuPercent),
      rssMb: round(process.memoryUsage().rss / 1048576, 1),
      loadAvg1: round(loadavg()[0]),
    });
  } finally {
    await sync?.close();
    if (receiver.exitCode === null && receiver.signalCode === null) receiver.kill('SIGKILL');
    await historian.close();
    db.close();
    await broker.stop('SIGTERM');
    tmp.cleanup();
  }
}
