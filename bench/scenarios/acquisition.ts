/**
 * acquisition: many tags through the whole pipeline (drivers → bus → cache + SQLite) for a
 * sustained period. Modbus: DEVICES load devices (child process) × TAGS_PER_DEVICE tags at
 * SCAN_MS, each device answering after DELAY_MS, every register changing every scan period.
 * Env: BENCH_SECONDS (60), DEVICES (10), SCAN_MS (100), DELAY_MS (3).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { stringify } from 'yaml';
import { startRuntime } from '../../main/app/runtime';
import type { DeviceStatus } from '../../shared/types';
import { tempDir } from '../../test/helpers/temp';
import { cpuMeter, eventLoopBlockMonitor, mainThreadBusyMeter, percentile, progress, report, round } from '../report';

const UINT16_TAGS = 300;
const FLOAT32_TAGS = 199;
const FIRST = 4; // HR0..3: the bank's update time (float64)

function modbusProject(ports: number[], scanMs: number) {
  const registers = FIRST + UINT16_TAGS + FLOAT32_TAGS * 2;
  const devices = ports.map((port, d) => ({ id: `plc${d}`, protocol: 'modbus-tcp', host: '127.0.0.1', port, unitId: 1, timeoutMs: 1000 }));
  const tags = ports.flatMap((_, d) => [
    { id: `plc${d}.stamp`, device: `plc${d}`, address: 'HR0', dataType: 'float64', scanMs, decimals: 0 },
    ...Array.from({ length: UINT16_TAGS }, (_, i) => ({ id: `plc${d}.u${i}`, device: `plc${d}`, address: `HR${FIRST + i}`, dataType: 'uint16', scanMs })),
    ...Array.from({ length: FLOAT32_TAGS }, (_, i) => ({ id: `plc${d}.f${i}`, device: `plc${d}`, address: `HR${FIRST + UINT16_TAGS + i * 2}`, dataType: 'float32', scanMs })),
  ]);
  return { project: { version: 1, name: 'acquisition benchmark', devices, tags }, registers, minRequestsPerScan: ports.length * Math.ceil(registers / 125) };
}

export async function run(): Promise<void> {
  const protocols = (process.env.PROTOCOLS ?? 'modbus,opcua').split(',');
  if (protocols.includes('modbus')) await runModbus();
  if (protocols.includes('opcua')) await runOpcUa();
}

async function runModbus(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 60);
  const deviceCount = Number(process.env.DEVICES ?? 10);
  const scanMs = Number(process.env.SCAN_MS ?? 100);
  const delayMs = Number(process.env.DELAY_MS ?? 3);
  const tmp = tempDir('lineside-bench-acq-');
  const registers = FIRST + UINT16_TAGS + FLOAT32_TAGS * 2;
  const child = spawn(process.execPath, [join(__dirname, '..', 'servers', 'register-banks.js')], {
    env: { ...process.env, DEVICES: String(deviceCount), REGISTERS: String(registers), UPDATE_MS: String(scanMs), DELAY_MS: String(delayMs) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const ports = await new Promise<number[]>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve((JSON.parse(line) as { ports: number[] }).ports);
      });
      child.once('exit', (code) => reject(new Error(`load devices exited with ${code}`)));
    });
    const { project, minRequestsPerScan } = modbusProject(ports, scanMs);
    const file = join(tmp.dir, 'bench.yaml');
    writeFileSync(file, stringify(project));
    const tags = project.tags.length;
    progress(`modbus: ${tags} tags on ${deviceCount} devices at ${scanMs} ms, ${delayMs} ms device delay, ${seconds} s`);

    let values = 0;
    let measuring = false;
    const lastStamp = new Map<string, number>();
    const latencies: number[] = [];
    const runtime = await startRuntime({
      projectFile: file,
      dataDir: join(tmp.dir, 'data'),
      shell: 'headless',
      onBatch: (batch) => {
        if (!measuring) return;
        values += batch.length;
        for (const v of batch) {
          if (!v.tagId.endsWith('.stamp') || typeof v.value !== 'number' || v.quality.level !== 'good') continue;
          if (lastStamp.get(v.tagId) === v.value) continue;
          lastStamp.set(v.tagId, v.value);
          latencies.push(v.ts - v.value);
        }
      },
    });
    try {
      await new Promise((r) => setTimeout(r, 3000)); // connect, first scans
      const devicesBefore = (await runtime.connect({ sessionId: 'bench', station: 'bench', push: () => undefined }).handle('devices.list', {})) as { ok: true; result: DeviceStatus[] };
      const requestsBefore = devicesBefore.result.reduce((n, d) => n + d.requests, 0);
      const dbFile = join(tmp.dir, 'data', 'lineside.db');
      const storedBefore = countSamples(dbFile);
      measuring = true;
      const cpu = cpuMeter();
      const busy = mainThreadBusyMeter();
      const loop = eventLoopBlockMonitor();
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, seconds * 1000));
      const elapsedS = (performance.now() - t0) / 1000;
      measuring = false;
      const cpuPercent = cpu.stop();
      const mainThreadBusyPercent = busy.stop();
      const maxBlock = loop.stop();
      const devicesAfter = (await runtime.connect({ sessionId: 'bench', station: 'bench', push: () => undefined }).handle('devices.list', {})) as { ok: true; result: DeviceStatus[] };
      const requests = devicesAfter.result.reduce((n, d) => n + d.requests, 0) - requestsBefore;
      const rssMb = process.memoryUsage().rss / 1048576;
      await runtime.close(); // flushes the historian
      const stored = countSamples(dbFile) - storedBefore;
      latencies.sort((a, b) => a - b);
      const scans = (elapsedS * 1000) / scanMs;
      report('acquisition', {
        protocol: 'modbus',
        tags,
        devices: deviceCount,
        scanMs,
        deviceDelayMs: delayMs,
        seconds: round(elapsedS, 1),
        valuesPerSecond: round(values / elapsedS),
        storedSamplesPerSecond: round(stored / elapsedS),
        p50LatencyMs: percentile(latencies, 50),
        p99LatencyMs: percentile(latencies, 99),
        requestsPerScan: round(requests / scans, 2),
        minRequestsPerScan,
        naiveRequestsPerScan: tags,
        cpuPercent: round(cpuPercent),
        mainThreadBusyPercent: round(mainThreadBusyPercent),
        rssMb: round(rssMb, 1),
        maxEventLoopBlockMs: round(maxBlock),
        errors: devicesAfter.result.reduce((n, d) => n + d.errors, 0),
      });
    } finally {
      await runtime.close();
    }
  } finally {
    child.kill('SIGTERM');
    tmp.cleanup();
  }
}

/**
 * OPC UA: ITEMS monitored items at SCAN_MS on one server (child process) changing every item
 * every SCAN_MS. Delivered = distinct (tag, SourceTimestamp) good values that reached the live
 * cache; published = the data-change notifications the server's subscriptions sent.
 */
async function runOpcUa(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 60);
  const items = Number(process.env.ITEMS ?? 5000);
  const scanMs = Number(process.env.SCAN_MS ?? 100);
  const tmp = tempDir('lineside-bench-ua-');
  const child = spawn(process.execPath, [join(__dirname, '..', 'servers', 'opcua-items.js')], {
    env: { ...process.env, ITEMS: String(items), UPDATE_MS: String(scanMs) },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.startsWith('{')) continue; // node-opcua writes its warnings to stdout
      const w = waiters.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  const nextLine = () => new Promise<string>((resolve) => (lines.length > 0 ? resolve(lines.shift()!) : waiters.push(resolve)));
  const stats = async () => {
    child.stdin.write('stats\n');
    return JSON.parse(await nextLine()) as { changed: number; notifications: number };
  };
  try {
    const { endpoint } = JSON.parse(await nextLine()) as { endpoint: string };
    const project = {
      version: 1,
      name: 'acquisition benchmark (OPC UA)',
      devices: [{ id: 'ua', protocol: 'opcua', endpoint, timeoutMs: 5000, mode: 'subscription' }],
      tags: Array.from({ length: items }, (_, i) => ({ id: `ua.v${i}`, device: 'ua', address: `ns=1;s=Bench.V${i}`, dataType: 'float64', scanMs })),
    };
    const file = join(tmp.dir, 'bench.yaml');
    writeFileSync(file, stringify(project));
    progress(`opcua: ${items} monitored items at ${scanMs} ms, ${seconds} s`);
    let windowStart = Infinity;
    let windowEnd = Infinity;
    let delivered = 0;
    const lastSource = new Map<string, number>();
    const latencies: number[] = [];
    const runtime = await startRuntime({
      projectFile: file,
      dataDir: join(tmp.dir, 'data'),
      shell: 'headless',
      onBatch: (batch) => {
        for (const v of batch) {
          if (v.quality.level !== 'good' || lastSource.get(v.tagId) === v.sourceTs) continue;
          lastSource.set(v.tagId, v.sourceTs);
          // Counted by the server's change time, so values in flight at either end of the
          // window are neither lost nor counted twice.
          if (v.sourceTs < windowStart || v.sourceTs >= windowEnd) continue;
          delivered++;
          latencies.push(v.ts - v.sourceTs);
        }
      },
    });
    try {
      await new Promise((r) => setTimeout(r, 8000)); // session, subscription, 5,000 monitored items
      const before = await stats();
      windowStart = Date.now();
      const cpu = cpuMeter();
      const busy = mainThreadBusyMeter();
      const loop = eventLoopBlockMonitor();
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, seconds * 1000));
      const after = await stats();
      windowEnd = Date.now();
      const elapsedS = (performance.now() - t0) / 1000;
      const cpuPercent = cpu.stop();
      const mainThreadBusyPercent = busy.stop();
      const maxBlock = loop.stop();
      await new Promise((r) => setTimeout(r, 3000)); // let values changed in the window arrive
      const published = after.notifications - before.notifications;
      const changedInWindow = after.changed - before.changed;
      latencies.sort((a, b) => a - b);
      report('acquisition', {
        protocol: 'opcua',
        tags: items,
        scanMs,
        seconds: round(elapsedS, 1),
        serverChangedPerSecond: round((after.changed - before.changed) / elapsedS),
        serverPublishedPerSecond: round(published / elapsedS),
        valuesPerSecond: round(delivered / elapsedS),
        deliveredPercentOfPublished: published > 0 ? round((delivered / published) * 100, 2) : null,
        deliveredPercentOfChanged: changedInWindow > 0 ? round((delivered / changedInWindow) * 100, 2) : null,
        p50LatencyMs: percentile(latencies, 50),
        p99LatencyMs: percentile(latencies, 99),
        requestsPerScan: 0,
        naiveRequestsPerScan: items,
        cpuPercent: round(cpuPercent),
        mainThreadBusyPercent: round(mainThreadBusyPercent),
        rssMb: round(process.memoryUsage().rss / 1048576, 1),
        maxEventLoopBlockMs: round(maxBlock),
      });
    } finally {
      await runtime.close();
    }
  } finally {
    child.kill('SIGTERM');
    tmp.cleanup();
  }
}

function countSamples(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM sample').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
