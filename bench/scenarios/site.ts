/**
 * site: the site receiver on PostgreSQL, a backlog of many line PCs.
 *
 * Setup: Debian's PostgreSQL, a cluster of the bench's own on a free loopback port (test/helpers/
 * postgres.ts; default settings but shared_buffers 128 MB; synchronous commit on, so every batch
 * is flushed to the WAL before its ack).
 *
 * 1. `pg-store-backlog`: BENCH_SITE_RECORDS (default 1,000,000) samples across 10 nodes (100 tags
 *    each), as the wire carries them (JSON batches of 1,000 records), handed to the receiver's
 *    store (PgReceiverStore: parse → validate → one transaction per batch, bulk insert over arrays
 *    into the day partition, position update, commit) with every node's batches in order and the
 *    nodes side by side on a pool of 8 connections — what one receiver does when 10 PCs come
 *    back from an outage. Then 10 % of the batches delivered again (duplicates). Reported:
 *    records/s, the receiver's CPU per 10,000 records (this process: parsing, validation, the
 *    client), PostgreSQL's CPU per 10,000 records (its processes, from /proc), stored, missing
 *    and duplicates stored (counted in the tables).
 * 2. `mqtt-10-nodes`: the whole path. 10 line PCs' sync (a SyncService with an MQTT sink each, in
 *    this process, over the runtime's SQLite with the sample outbox), each with a backlog of
 *    BENCH_SITE_RECORDS / 10 samples, drained through one mosquitto to the receiver's CLI (a
 *    child process, --pg, 8 batches committed side by side) at once. Reported: records/s from
 *    the first sink started to the last record acknowledged, the receiver's CPU per 10,000
 *    records (its process), PostgreSQL's, missing and duplicates stored.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase } from '../../main/historian/database';
import { Historian } from '../../main/historian/historian';
import { PgReceiverStore } from '../../main/receiver/pg-store';
import { defaultSyncOptions, SyncService } from '../../main/sync/sync-service';
import { batchText, parseBatch, type BatchEnvelope } from '../../main/sync/wire';
import { systemClock } from '../../main/util/clock';
import { createLogger } from '../../main/util/log';
import type { TagValue } from '../../shared/types';
import { startMosquitto } from '../../test/helpers/mosquitto';
import { processCpuMs, startPostgres, type PostgresServer } from '../../test/helpers/postgres';
import { repoRoot, tempDir } from '../../test/helpers/temp';
import { progress, report, round } from '../report';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const NODES = 10;
const TAGS = 100;
const BATCH = 1000;
const GOOD = { level: 'good', reason: 'ok' } as const;

export async function run(): Promise<void> {
  const total = Number(process.env.BENCH_SITE_RECORDS ?? 1_000_000);
  const tmp = tempDir('lineside-bench-site-');
  const server = await startPostgres({ dir: join(tmp.dir, 'pg') });
  try {
    await storeBacklog(server, total);
    await reset(server);
    await mqttBacklog(server, total, tmp.dir);
  } finally {
    await server.stop('fast');
    tmp.cleanup();
  }
}

async function reset(server: PostgresServer): Promise<void> {
  const pool = new pg.Pool({ connectionString: server.url, max: 1 });
  await pool.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  await pool.end();
}

/** What the database holds of the nodes: stored, distinct keys, missing below each head. */
async function tally(server: PostgresServer): Promise<{ stored: number; duplicatesStored: number; missing: number; duplicatesDelivered: number; bytesPerSample: number }> {
  const pool = new pg.Pool({ connectionString: server.url, max: 1 });
  try {
    await pool.query('CHECKPOINT');
    const r = await pool.query<{ stored: string; keys: string }>('SELECT count(*) AS stored, count(DISTINCT (node_id, seq)) AS keys FROM sample');
    // on disk: the partitions' heap, TOAST and every index (unique key, BRIN, tag/time)
    const size = await pool.query<{ bytes: string }>("SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0) AS bytes FROM pg_inherits WHERE inhparent = 'sample'::regclass");
    const p = await pool.query<{ missing: string; dup: string }>(
      "SELECT coalesce(sum(max_seen - contiguous), 0) AS missing, coalesce(sum(duplicates), 0) AS dup FROM receiver_position WHERE stream = 'sample'",
    );
    const stored = Number(r.rows[0].stored);
    return {
      stored,
      duplicatesStored: stored - Number(r.rows[0].keys),
      missing: Number(p.rows[0].missing),
      duplicatesDelivered: Number(p.rows[0].dup),
      bytesPerSample: stored > 0 ? Math.round((Number(size.rows[0].bytes) / stored) * 10) / 10 : 0,
    };
  } finally {
    await pool.end();
  }
}

async function storeBacklog(server: PostgresServer, total: number): Promise<void> {
  const perNode = Math.floor(total / NODES);
  progress(`site: encoding ${perNode * NODES} samples of ${NODES} nodes as batches of ${BATCH}`);
  const t0 = Date.now() - 6 * 3_600_000;
  let seed = 12345;
  const noise = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const nodes = Array.from({ length: NODES }, (_, n) => {
    const node = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const batches: string[] = [];
    for (let first = 1; first <= perNode; first += BATCH) {
      const last = Math.min(perNode, first + BATCH - 1);
      const env: BatchEnvelope = { v: 1, node, site: 'bench', line: `L${n + 1}`, stream: 'sample', first, last, acked: first - 1, historical: true, sentAt: Date.now() };
      const records: string[] = [];
      for (let seq = first; seq <= last; seq++) {
        const ts = t0 + Math.floor((seq - 1) / TAGS) * 1000 + ((seq - 1) % TAGS);
        records.push(JSON.stringify({ seq, tag: `L${n + 1}.T${String((seq - 1) % TAGS).padStart(3, '0')}`, ts, sourceTs: ts, value: 50 + noise() * 10, quality: 'good' }));
      }
      batches.push(batchText(env, records));
    }
    return batches;
  });
  const store = await PgReceiverStore.open({ url: server.url, poolSize: 8 });
  try {
    const pgPids = server.pids();
    const pgCpu0 = processCpuMs(pgPids);
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    const latencies: number[] = [];
    await Promise.all(
      nodes.map(async (batches) => {
        for (const text of batches) {
          const t = performance.now();
          const ack = await store.process(parseBatch(text));
          latencies.push(performance.now() - t);
          if (ack.error) throw new Error(ack.error);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const pgCpu = processCpuMs(pgPids) - pgCpu0;
    const records = perNode * NODES;
    // 10 % again: a redelivery after lost acks.
    const againStarted = performance.now();
    let again = 0;
    await Promise.all(
      nodes.map(async (batches) => {
        for (let i = 0; i < batches.length; i += 10) {
          await store.process(parseBatch(batches[i]));
          again += BATCH;
        }
      }),
    );
    const againSeconds = (performance.now() - againStarted) / 1000;
    const t = await tally(server);
    latencies.sort((a, b) => a - b);
    report('site', {
      case: 'pg-store-backlog',
      nodes: NODES,
      records,
      batchRecords: BATCH,
      poolSize: 8,
      seconds: round(seconds, 2),
      recordsPerSecond: Math.round(records / seconds),
      targetRecordsPerSecond: 50_000,
      batchCommitP50Ms: round(latencies[Math.floor(latencies.length * 0.5)], 1),
      batchCommitP99Ms: round(latencies[Math.floor(latencies.length * 0.99)], 1),
      receiverCpuMsPer10kRecords: round(((cpu.user + cpu.system) / 1000 / records) * 10_000, 1),
      postgresCpuMsPer10kRecords: round((pgCpu / records) * 10_000, 1),
      redeliveredRecords: again,
      redeliveredPerSecond: Math.round(again / againSeconds),
      stored: t.stored,
      duplicatesDelivered: t.duplicatesDelivered,
      duplicatesStored: t.duplicatesStored,
      missing: t.missing,
      diskBytesPerSample: t.bytesPerSample,
      rssMb: round(process.memoryUsage().rss / 1048576, 1),
      loadAvg1: round(loadavg()[0]),
    });
  } finally {
    await store.close();
  }
}

async function mqttBacklog(server: PostgresServer, total: number, dir: string): Promise<void> {
  const perNode = Math.floor(total / NODES);
  const broker = await startMosquitto({ dir: join(dir, 'broker') });
  const pcs: { db: ReturnType<typeof openDatabase>; historian: Historian; head: number; sync: SyncService | null }[] = [];
  const receiver = spawn(process.execPath, [join(repoRoot(), 'dist', 'main', 'cli', 'receiver.js'), '--pg', server.url, '--mqtt', broker.url, '--pg-pool', '8'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, LINESIDE_LOG: 'warn' },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      receiver.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('receiver ready')) resolve();
      });
      receiver.once('exit', (code) => reject(new Error(`the receiver exited (${code})`)));
    });
    progress(`site: committing ${NODES} backlogs of ${perNode} samples (an outage at ${NODES} line PCs)`);
    for (let n = 0; n < NODES; n++) {
      const db = openDatabase(join(dir, `pc${n}`, 'lineside.db'));
      const historian = new Historian(db, systemClock, { writer: 'inline', sampleOutbox: true });
      const tags = Array.from({ length: TAGS }, (_, i) => `L${n + 1}.T${String(i).padStart(3, '0')}`);
      historian.registerTags(tags);
      const t0 = Date.now() - Math.ceil(perNode / TAGS) * 1000 - 60_000;
      for (let k = 0, made = 0; made < perNode; k++) {
        const batch: TagValue[] = [];
        for (let j = 0; j < TAGS && made < perNode; j++, made++) batch.push({ tagId: tags[j], ts: t0 + k * 1000 + j, sourceTs: t0 + k * 1000 + j, value: 50 + Math.sin(k / 60 + j) * 10, quality: GOOD });
        historian.ingest(batch);
        if (k % 100 === 0) await historian.flush();
      }
      await historian.flush();
      pcs.push({ db, historian, head: historian.sampleOutbox()!.head(), sync: null });
    }
    const pgPids = server.pids();
    const pgCpu0 = processCpuMs(pgPids);
    const rxCpu0 = processCpuMs([receiver.pid!]);
    const started = performance.now();
    for (const [n, pc] of pcs.entries()) {
      pc.sync = new SyncService({
        db: pc.db,
        clock: systemClock,
        log: createLogger(`pc${n}`),
        tables: [],
        sampleOutbox: pc.historian.sampleOutbox()!,
        options: {
          ...defaultSyncOptions,
          site: 'bench',
          line: `L${n + 1}`,
          liveWindowMs: 1000,
          sinks: [{ id: 'site', type: 'mqtt', url: broker.url, topicPrefix: 'lineside', ack: 'receiver', keepaliveS: 30, streams: ['sample', 'event'] }],
        },
      });
      pc.sync.start();
    }
    const acked = () => pcs.reduce((s, pc) => s + Math.min(pc.head, pc.sync!.senders[0].floor('sample') ?? 0), 0);
    const records = pcs.reduce((s, pc) => s + pc.head, 0);
    let lastReport = performance.now();
    while (acked() < records) {
      await sleep(100);
      if (performance.now() - lastReport > 5000) {
        lastReport = performance.now();
        progress(`site: ${acked()} of ${records} acknowledged (${Math.round(acked() / ((performance.now() - started) / 1000))}/s)`);
      }
      if (performance.now() - started > 900_000) throw new Error('the backlogs did not drain within 15 minutes');
    }
    const seconds = (performance.now() - started) / 1000;
    const pgCpu = processCpuMs(pgPids) - pgCpu0;
    const rxCpu = processCpuMs([receiver.pid!]) - rxCpu0;
    const resent = pcs.reduce((s, pc) => s + pc.sync!.status().sinks[0].resentBatches, 0);
    for (const pc of pcs) await pc.sync!.close();
    receiver.kill('SIGTERM');
    await new Promise((r) => receiver.once('exit', r));
    const t = await tally(server);
    report('site', {
      case: 'mqtt-10-nodes',
      nodes: NODES,
      records,
      seconds: round(seconds, 2),
      recordsPerSecond: Math.round(records / seconds),
      receiverCpuMsPer10kRecords: round((rxCpu / records) * 10_000, 1),
      postgresCpuMsPer10kRecords: round((pgCpu / records) * 10_000, 1),
      resentBatches: resent,
      stored: t.stored,
      duplicatesDelivered: t.duplicatesDelivered,
      duplicatesStored: t.duplicatesStored,
      missing: records - t.stored,
      batchMaxRecords: defaultSyncOptions.batchMaxRecords,
      maxInFlight: defaultSyncOptions.maxInFlight,
      loadAvg1: round(loadavg()[0]),
    });
  } finally {
    for (const pc of pcs) {
      await pc.sync?.close();
      await pc.historian.close();
      pc.db.close();
    }
    if (receiver.exitCode === null && receiver.signalCode === null) receiver.kill('SIGKILL');
    await broker.stop('SIGTERM');
  }
}
