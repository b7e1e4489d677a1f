/**
 * npm run bench -- heavy-queries
 *
 * Acquisition while heavy history queries run: does a Modbus scan keep its period when clients
 * pile history calls onto the runtime? The runtime runs in this process on the demo project and
 * a day of seeded history; the built-in simulator (real Modbus TCP and OPC UA servers on
 * loopback) runs in a child process, so its servers answer whatever this event loop does and
 * the CPU figures are the runtime's.
 *
 * Per-scan latency: the interval between successive good values of SCAN_TAG (Modbus, scanned
 * every SCAN_MS on the scan group's fixed grid; its value is noisy, so every scan is on the bus),
 * seen on the tag bus. On a free event loop it is the scan period give or take the read's
 * jitter; a scan held up by synchronous work shows as a longer interval (and a skipped scan as
 * one of two periods or more).
 *
 *   1. baseline: BASELINE_S seconds with no queries;
 *   2. loaded: QUERIES calls (80 % history.buckets, 10 % history.query, 10 % history.trend, each
 *      over 21 h of the seeded day, read raw: the heaviest a call may be) over several connections:
 *      GREEDY_CONNECTIONS greedy clients keeping 16 calls in flight each, and BURSTS bursts of
 *      BURST_SIZE calls sent at once on a fresh connection each (beyond the gate's queue they are
 *      refused at once); the window lasts from the first call to the last reply.
 *
 * Target: the loaded p99 interval at most one scan period above the baseline's.
 * Env: BASELINE_S (30), QUERIES (1000), GREEDY_CONNECTIONS (2), BURSTS (3), BURST_SIZE (100),
 * SCAN_MS (500: the demo project's rate for SCAN_TAG), GATE_OVERALL (the gate's `overall`, to compare).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { bindToSimulator, startRuntime } from '../../main/app/runtime';
import { defaultHeavyQueryLimits } from '../../main/app/heavy-query-gate';
import type { RuntimeConnection, RuntimeHost } from '../../main/app/runtime-host';
import { loadProjectFile } from '../../main/config/project-loader';
import type { ApiReply } from '../../shared/api';
import type { DeviceStatus } from '../../shared/types';
import { seedHistory } from '../../test/helpers/seed-history';
import { repoRoot, tempDir, waitFor } from '../../test/helpers/temp';
import { cpuMeter, eventLoopBlockMonitor, mainThreadBusyMeter, percentile, progress, report, round } from '../report';

const SCAN_TAG = 'L1.MotorCurrent';
const DEVICE = 'filler_plc';
const SEED_TAGS = ['L1.Speed', 'L1.MotorCurrent'];
const HOUR = 3_600_000;
const SEED_PERIOD_MS = 1000;

interface SimulatorProcess {
  endpoints: { modbusTcp: { host: string; port: number }; opcua: string };
  stop(): void;
}

/** The standalone simulator (dist/main/cli/simulator.js) on free ports, in a child process. */
function startSimulatorProcess(pkiDir: string): Promise<SimulatorProcess> {
  const script = join(__dirname, '..', '..', 'main', 'cli', 'simulator.js');
  const child = spawn(process.execPath, [script, '--modbus-port', '0', '--opcua-port', '0', '--no-idle', '--pki-dir', pkiDir], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let modbus: { host: string; port: number } | null = null;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^modbusTcp (\S+):(\d+)$/m.exec(out);
      const u = /^opcua (\S+)$/m.exec(out);
      if (m) modbus = { host: m[1], port: Number(m[2]) };
      if (modbus && u) resolve({ endpoints: { modbusTcp: modbus, opcua: u[1] }, stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code} before it listened`)));
  });
}

/** Intervals between successive arrivals in (from, to], and the worst including the open one at `to`. */
function intervals(arrivals: readonly number[], from: number, to: number): { sorted: number[]; worst: number } {
  const inside = arrivals.filter((t) => t > from && t <= to);
  let prev = arrivals.filter((t) => t <= from).at(-1);
  const gaps: number[] = [];
  for (const t of inside) {
    if (prev !== undefined) gaps.push(t - prev);
    prev = t;
  }
  const sorted = gaps.sort((a, b) => a - b);
  return { sorted, worst: Math.max(sorted.at(-1) ?? 0, to - (prev ?? from)) };
}

type Call = { method: 'history.buckets' | 'history.query' | 'history.trend'; params: Record<string, unknown> };

/**
 * The i-th call of the load: mostly bucket queries, some raw queries and trends, each over 21
 * whole hours of the seeded day (starting on one of its first four hours, so calls do not all
 * read the same rows): 151,200 samples of the two tags, within the raw budget (query.ts), so
 * every call reads raw samples, the most a call may read.
 */
function callFor(i: number, seedFrom: number): Call {
  const from = seedFrom + (i % 4) * HOUR;
  const to = from + 21 * HOUR;
  if (i % 10 === 3) return { method: 'history.query', params: { tagId: 'L1.Speed', from, to, maxPoints: 1000 } };
  if (i % 10 === 7) return { method: 'history.trend', params: { tagIds: SEED_TAGS, from, to, maxPoints: 1000 } };
  return { method: 'history.buckets', params: { tagIds: SEED_TAGS, from, to, buckets: 1000 } };
}

export async function run(): Promise<void> {
  const baselineS = Number(process.env.BASELINE_S ?? 30);
  const queries = Number(process.env.QUERIES ?? 1000);
  const greedyConnections = Number(process.env.GREEDY_CONNECTIONS ?? 2);
  const bursts = Number(process.env.BURSTS ?? 3);
  const burstSize = Number(process.env.BURST_SIZE ?? 100);
  const scanMs = Number(process.env.SCAN_MS ?? 500);
  const limits = { ...defaultHeavyQueryLimits, ...(process.env.GATE_OVERALL ? { overall: Number(process.env.GATE_OVERALL) } : {}) };
  const greedyCalls = queries - bursts * burstSize;
  if (!(greedyCalls > 0)) throw new RangeError('heavy-queries: QUERIES must exceed BURSTS × BURST_SIZE');

  const tmp = tempDir('lineside-bench-heavy-');
  let sim: SimulatorProcess | null = null;
  let runtime: RuntimeHost | null = null;
  try {
    // on the hour, so that the calls' ranges are whole hours of the 1-hour rollups that estimate them
    const seedFrom = Math.floor((Date.now() - 26 * HOUR) / HOUR) * HOUR;
    progress(`heavy-queries: seeding 24 h of ${SEED_TAGS.join(', ')} at ${SEED_PERIOD_MS} ms`);
    const seed = await seedHistory({
      dataDir: join(tmp.dir, 'data'),
      tags: SEED_TAGS.map((name) => ({ name })),
      from: seedFrom,
      to: seedFrom + 24 * HOUR,
      periodMs: SEED_PERIOD_MS,
      value: (name, t) => (name === 'L1.Speed' ? 120 + Math.sin(t / 60_000) * 10 : 11 + Math.cos(t / 7000)),
    });

    sim = await startSimulatorProcess(join(tmp.dir, 'sim-pki'));
    const demo = bindToSimulator(loadProjectFile(join(repoRoot(), 'projects', 'demo-line.yaml')), sim);
    const project = { ...demo, tags: demo.tags.map((t) => (t.id === SCAN_TAG ? { ...t, scanMs } : t)) };
    const projectFile = join(tmp.dir, 'project.yaml');
    writeFileSync(projectFile, stringify(project));

    const arrivals: number[] = [];
    runtime = await startRuntime({
      projectFile,
      dataDir: join(tmp.dir, 'data'),
      shell: 'headless',
      heavyQueryLimits: limits,
      onBatch: (batch) => {
        for (const v of batch) if (v.tagId === SCAN_TAG && v.quality.level === 'good') arrivals.push(v.ts);
      },
    });
    const rt = runtime;
    let sessions = 0;
    const open = (): RuntimeConnection => rt.connect({ sessionId: `bench-heavy-${++sessions}`, station: 'bench', push: () => undefined });
    const watch = open();
    const device = async (): Promise<DeviceStatus> => {
      const r = (await watch.handle('devices.list', {})) as ApiReply<DeviceStatus[]>;
      if (!r.ok) throw new Error(`devices.list: ${r.error.message}`);
      return r.result.find((d) => d.deviceId === DEVICE)!;
    };
    await waitFor('the Modbus device online and scanning', async () => (await device()).state === 'online' && arrivals.length >= 4, 30_000);
    await new Promise((r) => setTimeout(r, 2000)); // past the start-up work (retention, first frames)

    progress(`heavy-queries: baseline, ${baselineS} s with no queries (${SCAN_TAG} every ${scanMs} ms)`);
    const b0 = Date.now();
    await new Promise((r) => setTimeout(r, baselineS * 1000));
    const b1 = Date.now();
    const baseline = intervals(arrivals, b0, b1);

    progress(`heavy-queries: ${queries} calls: ${greedyConnections} greedy connection(s) × 16 in flight, ${bursts} burst(s) of ${burstSize}`);
    const before = await device();
    const answered = { 'history.buckets': 0, 'history.query': 0, 'history.trend': 0 };
    let refused = 0;
    let bucketsReadRaw = 0;
    const failures: string[] = [];
    const tally = (method: Call['method'], r: ApiReply<unknown>) => {
      if (r.ok) {
        answered[method]++;
        if (method === 'history.buckets' && (r.result as { resolution: string }).resolution === 'raw') bucketsReadRaw++;
      }
      else if (r.error.code === 'refused') refused++;
      else failures.push(`${method}: ${r.error.code}: ${r.error.message}`);
    };
    const burstAt = Array.from({ length: bursts }, (_, k) => Math.floor(((k + 1) * greedyCalls) / (bursts + 1)));
    const burstReplies: Promise<void>[] = [];
    let next = 0;
    let sent = 0;
    const fireBurst = () => {
      const conn = open();
      for (let j = 0; j < burstSize; j++) {
        const c = callFor(next++, seedFrom);
        burstReplies.push(conn.handle(c.method, c.params).then((r) => tally(c.method, r)));
      }
    };
    const greedy = async (conn: RuntimeConnection) => {
      while (sent < greedyCalls) {
        sent++;
        if (burstAt.includes(sent)) fireBurst();
        const c = callFor(next++, seedFrom);
        tally(c.method, await conn.handle(c.method, c.params));
      }
    };
    const cpu = cpuMeter();
    const busy = mainThreadBusyMeter();
    const loop = eventLoopBlockMonitor();
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    let maxGcPauseMs = 0;
    const gc = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) maxGcPauseMs = Math.max(maxGcPauseMs, e.duration);
    });
    gc.observe({ entryTypes: ['gc'] });
    const l0 = Date.now();
    const greedyConns = Array.from({ length: greedyConnections }, open);
    await Promise.all(greedyConns.flatMap((conn) => Array.from({ length: 16 }, () => greedy(conn))));
    await Promise.all(burstReplies);
    const l1 = Date.now();
    const cpuPercent = cpu.stop();
    const mainThreadBusyPercent = busy.stop();
    const maxBlock = loop.stop();
    delay.disable();
    gc.disconnect();
    const load1m = loadavg()[0];
    const after = await device();
    const counts = { ...answered, refused, bucketsReadRaw };
    const done = counts['history.buckets'] + counts['history.query'] + counts['history.trend'];
    // What one call costs alone (its flush round trip to the writer, then its synchronous read).
    const solo: number[] = [];
    for (let i = 0; i < 20; i++) {
      const c = callFor(i * 10, seedFrom); // history.buckets
      const t0 = performance.now();
      tally(c.method, await watch.handle(c.method, c.params));
      solo.push(performance.now() - t0);
    }
    solo.sort((a, b) => a - b);
    const loaded = intervals(arrivals, l0, l1);
    if (failures.length > 0) throw new Error(`${failures.length} calls failed, e.g. ${failures[0]}`);

    const p99Delta = percentile(loaded.sorted, 99) - percentile(baseline.sorted, 99);
    // The scan grid is fixed: a window of n periods holds n scans; fewer arrived when scans were skipped (overruns).
    const skipped = (from: number, to: number, w: { sorted: number[] }) => Math.max(0, Math.round((to - from) / scanMs) - w.sorted.length);
    report('heavy-queries', {
      case: 'scanWhileHeavyQueries',
      scanTag: SCAN_TAG,
      scanMs,
      seededSamples: seed.samples,
      baselineSeconds: round((b1 - b0) / 1000, 1),
      baselineScans: baseline.sorted.length,
      baselineP50Ms: percentile(baseline.sorted, 50),
      baselineP99Ms: percentile(baseline.sorted, 99),
      baselineMaxMs: baseline.worst,
      loadedScans: loaded.sorted.length,
      loadedP50Ms: percentile(loaded.sorted, 50),
      loadedP99Ms: percentile(loaded.sorted, 99),
      loadedMaxMs: loaded.worst,
      deltaP99Ms: p99Delta,
      deltaP99Scans: round(p99Delta / scanMs, 2),
      skippedScansBaseline: skipped(b0, b1, baseline),
      skippedScansLoaded: skipped(l0, l1, loaded),
      queries,
      gateOverall: limits.overall,
      gatePerConnection: limits.perConnection,
      greedyConnections,
      bursts,
      burstSize,
      answered: done,
      answeredBuckets: counts['history.buckets'],
      answeredQuery: counts['history.query'],
      answeredTrend: counts['history.trend'],
      bucketsReadRaw: counts.bucketsReadRaw,
      refused: counts.refused,
      totalMs: l1 - l0,
      queriesPerSecond: round(done / ((l1 - l0) / 1000), 1),
      modbusTimeouts: after.timeouts - before.timeouts,
      deviceStayedOnline: after.state === 'online' && after.reconnects === before.reconnects,
      deviceResponseP99Ms: after.responseMs?.p99 ?? null,
      soloBucketsMsP50: round(percentile(solo, 50), 1),
      soloBucketsMsMax: round(solo[solo.length - 1], 1),
      maxEventLoopBlockMs: round(maxBlock),
      eventLoopDelayP99Ms: round(delay.percentile(99) / 1e6, 1),
      maxGcPauseMs: round(maxGcPauseMs, 1),
      loadAverage1m: round(load1m),
      cpuPercent: round(cpuPercent),
      mainThreadBusyPercent: round(mainThreadBusyPercent),
      target_met: p99Delta <= scanMs,
    });
  } finally {
    await runtime?.close();
    sim?.stop();
    tmp.cleanup();
  }
}
