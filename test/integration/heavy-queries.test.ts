/**
 * Heavy history work must not disturb acquisition. The headless CLI runs on a day of seeded
 * history against the simulator's real Modbus TCP and OPC UA servers (in this process, so they
 * keep answering whatever the runtime does); a second WebSocket watches the live frames of a
 * Modbus tag scanned every 500 ms and the device's state. Then, over HTTP and the WebSocket:
 *
 *   1. an absurd export (to = the last representable date) is refused at once, naming `to`;
 *   2. an export from 0 to now (the whole history) completes while the scan keeps its rate;
 *   3. a client that closes the connection mid-export stops the work;
 *   4. 1,000 history.buckets calls in a row on one WebSocket, a write in the middle: the write
 *      succeeds, the device never goes into backoff, the scan keeps its rate, and every call is
 *      answered (carried out, or refused as too many in flight).
 *
 * "Keeps its rate": the worst gap between successive good values of L1.MotorCurrent (Modbus,
 * scan 500 ms, a new source time every scan, so every scan is on the bus) stays below
 * MAX_SCAN_GAP_MS — 4 scan periods, generous for a busy 2-core machine, and far below what a
 * stalled event loop produces (seconds to minutes).
 */
import assert from 'node:assert/strict';
import { get, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { startSimulator, type SimulatedLine } from '../../main/simulator/simulator';
import type { DeviceStatus, TagValue } from '../../shared/types';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';
import { seedHistory } from '../helpers/seed-history';
import { writeDemoProjectFor } from '../helpers/simulated-project';
import { tempDir, waitFor } from '../helpers/temp';
import { TEST_PASSWORD } from '../helpers/runtime-session';

const SCAN_TAG = 'L1.MotorCurrent';
const SCAN_MS = 500;
const MAX_SCAN_GAP_MS = 4 * SCAN_MS;
const DEVICE = 'filler_plc';
const HOUR = 3_600_000;
const SEED_PERIOD_MS = 1000;
const SEED_TAGS = ['L1.Speed', 'L1.MotorCurrent'];

let sim: SimulatedLine;
let app: HeadlessProcess;
let watch: WebSocket;
const tmp = tempDir();
const seedFrom = Math.floor((Date.now() - 26 * HOUR) / 1000) * 1000;
const seedTo = seedFrom + 24 * HOUR;
let seeded = 0;
/** the app's session cookie (set with the page): the WebSockets and the exports carry it */
let cookie = '';

/** arrival of every good SCAN_TAG value (its acquisition time, ts) */
const scans: number[] = [];
/** every state the device was reported in, with when */
const deviceStates: { at: number; state: string }[] = [];

before(async () => {
  const seed = await seedHistory({
    dataDir: join(tmp.dir, 'data'),
    tags: SEED_TAGS.map((name) => ({ name })),
    from: seedFrom,
    to: seedTo,
    periodMs: SEED_PERIOD_MS,
    value: (name, t) => (name === 'L1.Speed' ? 120 + Math.sin(t / 60_000) * 10 : 11 + Math.cos(t / 7000)),
  });
  seeded = seed.samples;
  sim = await startSimulator({ pkiDir: join(tmp.dir, 'sim-pki'), log: () => undefined, idlePeriods: false });
  const project = writeDemoProjectFor(sim, tmp.dir);
  app = await startHeadless(['--project', project, '--data-dir', join(tmp.dir, 'data'), '--listen', '127.0.0.1:0']);
  cookie = ((await fetch(new URL('/index.html', app.url))).headers.get('set-cookie') ?? '').split(';')[0];
  assert.match(cookie, /^lineside_sid=/);
  watch = await connect();
  // Writes need someone signed in: the first administrator, on the cookie's session (so every socket with it).
  const made = await call(watch, 'session.createFirstAdmin', { userId: 'admin', name: 'Test Administrator', password: TEST_PASSWORD });
  assert.ok(made.ok, JSON.stringify(made));
  watch.on('message', (data: WebSocket.RawData) => {
    const msg = JSON.parse(data.toString()) as { event?: string; data?: { values?: TagValue[]; devices?: DeviceStatus[] } };
    if (msg.event === 'values') {
      for (const v of msg.data?.values ?? []) if (v.tagId === SCAN_TAG && v.quality.level === 'good') scans.push(v.ts);
    } else if (msg.event === 'devices') {
      for (const d of msg.data?.devices ?? []) if (d.deviceId === DEVICE) deviceStates.push({ at: Date.now(), state: d.state });
    }
  });
  await waitFor('the Modbus device online and its values good', async () => {
    const d = await call<DeviceStatus[]>(watch, 'devices.list', {});
    return d.ok && d.result.find((x) => x.deviceId === DEVICE)?.state === 'online' && scans.length >= 4;
  }, 20_000);
});

after(async () => {
  watch?.terminate();
  await app?.stop('SIGKILL');
  await sim?.stop();
  tmp.cleanup();
});

function base(): URL {
  return new URL(app.url);
}

function connect(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${base().host}/api`, { headers: { Cookie: cookie } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

let nextId = 1;
type Reply<T> = { ok: true; result: T } | { ok: false; error: { code: string; message: string; context?: Record<string, unknown> } };
/** one dispatcher per socket: a reply goes to its caller, parsed once */
const pending = new WeakMap<WebSocket, Map<number, (reply: Reply<unknown>) => void>>();

function call<T>(ws: WebSocket, method: string, params: unknown, timeoutMs = 10_000): Promise<Reply<T>> {
  let waiting = pending.get(ws);
  if (!waiting) {
    const map = new Map<number, (reply: Reply<unknown>) => void>();
    waiting = map;
    pending.set(ws, map);
    ws.on('message', (data: WebSocket.RawData) => {
      const text = data.toString();
      if (!text.startsWith('{"id":')) return;
      const msg = JSON.parse(text) as { id: number; reply: Reply<unknown> };
      map.get(msg.id)?.(msg.reply);
    });
  }
  const id = nextId++;
  const map = waiting;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      map.delete(id);
      reject(new Error(`${method}: no reply within ${timeoutMs} ms`));
    }, timeoutMs);
    map.set(id, (reply) => {
      clearTimeout(timer);
      map.delete(id);
      resolve(reply as Reply<T>);
    });
    ws.send(JSON.stringify({ id, method, params }));
  });
}

async function device(): Promise<DeviceStatus> {
  const d = await call<DeviceStatus[]>(watch, 'devices.list', {});
  assert.ok(d.ok);
  return d.result.find((x) => x.deviceId === DEVICE)!;
}

/** The worst gap between successive good scans in [from, to] (wall clock), its edges included. */
function worstScanGap(from: number, to: number): number {
  const inside = scans.filter((t) => t >= from && t <= to);
  let worst = 0;
  let prev = scans.filter((t) => t < from).at(-1) ?? from;
  for (const t of [...inside, to]) {
    worst = Math.max(worst, t - prev);
    prev = t;
  }
  return worst;
}

function exportUrl(query: string): string {
  return `http://${base().host}/export/samples.csv?${query}`;
}

/** GET with a deadline: status, body size and line count, or a rejection when it takes too long. */
function download(url: string, timeoutMs: number): Promise<{ status: number; bytes: number; lines: number; text: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = get(url, { headers: { Cookie: cookie } }, (res) => {
      let bytes = 0;
      let lines = 0;
      let head = '';
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        for (let i = c.indexOf(10); i >= 0; i = c.indexOf(10, i + 1)) lines++;
        if (head.length < 4096) head += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, lines, text: head, ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no complete answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

test('1. an absurd export (to = 8.64e15) is refused at once with a bad_request naming `to`; the runtime stays responsive', async () => {
  const from = Date.now();
  const r = await download(exportUrl('tags=L1.Speed&from=0&to=8640000000000000'), 15_000);
  assert.equal(r.status, 400, r.text);
  assert.match(r.text, /`to`/);
  assert.ok(r.ms < 5000, `refused in ${r.ms.toFixed(0)} ms`);
  // Beyond what a Date can show: refused too (the file name once threw there, killing the process).
  const beyond = await download(exportUrl('tags=L1.Speed&from=9000000000000000&to=9000000000000001'), 15_000);
  assert.equal(beyond.status, 400, beyond.text);
  assert.match(beyond.text, /`to`/);
  const t0 = performance.now();
  const info = await call(watch, 'app.info', {}, 5000);
  process.stderr.write(`# absurd exports refused in ${r.ms.toFixed(0)} and ${beyond.ms.toFixed(0)} ms; app.info ${(performance.now() - t0).toFixed(0)} ms\n`);
  assert.ok(info.ok);
  const gap = worstScanGap(from, Date.now());
  assert.ok(gap < MAX_SCAN_GAP_MS, `worst scan gap ${gap} ms`);
});

test('2. an export of everything (from 0 to now) completes, and the Modbus scan keeps its rate meanwhile', async () => {
  const before = await device();
  const from = Date.now();
  const r = await download(exportUrl(`tags=${SEED_TAGS.join(',')}&from=0&to=${Date.now()}`), 90_000);
  const to = Date.now();
  const after = await device();
  const gap = worstScanGap(from, to);
  process.stderr.write(`# export 0..now: ${r.lines - 1} rows, ${(r.bytes / 1048576).toFixed(1)} MB in ${r.ms.toFixed(0)} ms; worst scan gap ${gap} ms\n`);
  assert.equal(r.status, 200, r.text);
  assert.ok(r.lines - 1 >= seeded, `${r.lines - 1} rows, ${seeded} seeded`);
  assert.ok(gap < MAX_SCAN_GAP_MS, `worst gap between good ${SCAN_TAG} scans during the export: ${gap} ms (limit ${MAX_SCAN_GAP_MS})`);
  assert.equal(after.timeouts, before.timeouts, 'no Modbus request timed out during the export');
  assert.deepEqual(deviceStates.filter((s) => s.at >= from && s.state !== 'online'), [], 'the device stayed online');
});

test('3. a client that closes the connection mid-export stops the work', async () => {
  const marker = app.stderr().length;
  const got = await new Promise<number>((resolve, reject) => {
    const req = get(exportUrl(`tags=${SEED_TAGS.join(',')}&from=0&to=${Date.now()}`), { headers: { Cookie: cookie } }, (res: IncomingMessage) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        // the first blocks are in: hang up
        if (bytes >= 256 * 1024) {
          req.destroy();
          resolve(bytes);
        }
      });
      res.on('end', () => reject(new Error('the export ended before the client closed it')));
    });
    req.setTimeout(20_000, () => req.destroy(new Error('no 256 KB of export within 20 s')));
    req.on('error', (err) => {
      if (!/socket hang up|aborted/.test(err.message)) reject(err);
    });
  });
  assert.ok(got >= 256 * 1024);
  const line = await waitFor('the runtime to report that the export stopped', () => {
    const m = /export of \d+ tag\(s\) stopped after (\d+) rows/.exec(app.stderr().slice(marker));
    return m ?? undefined;
  }, 5000);
  process.stderr.write(`# client closed after ${got} bytes; the export stopped after ${line[1]} rows of ${seeded}\n`);
  assert.ok(Number(line[1]) < seeded, `stopped after ${line[1]} rows of ${seeded}`);
  const info = await call(watch, 'app.info', {}, 5000);
  assert.ok(info.ok);
});

test('4. 1,000 history.buckets calls in a row on one WebSocket: the write in the middle succeeds, no backoff, the scan keeps its rate', async () => {
  const ws = await connect();
  try {
    const before = await device();
    const from = Date.now();
    // Each asks for 22 h of two tags: ~158,000 raw samples, just inside the raw budget.
    const params = { tagIds: SEED_TAGS, from: seedFrom, to: seedFrom + 22 * HOUR, buckets: 1000 };
    const replies: Promise<Reply<unknown>>[] = [];
    let write: Promise<Reply<{ verified: boolean }>> | null = null;
    for (let i = 0; i < 1000; i++) {
      if (i === 500) write = call<{ verified: boolean }>(ws, 'tags.write', { tagId: 'L1.SpeedSetpoint', value: 140 }, 120_000);
      replies.push(call(ws, 'history.buckets', params, 120_000));
    }
    const all = await Promise.all(replies);
    const w = await write!;
    const to = Date.now();
    const after = await device();
    const done = all.filter((r) => r.ok).length;
    const refused = all.filter((r) => !r.ok && r.error.code === 'refused' && /too many history queries in flight/.test(r.error.message));
    const gap = worstScanGap(from, to);
    process.stderr.write(
      `# 1000 buckets: ${done} answered, ${refused.length} refused in ${to - from} ms; write ${JSON.stringify(w).slice(0, 200)}; worst scan gap ${gap} ms; timeouts ${before.timeouts} → ${after.timeouts}\n`,
    );
    assert.equal(done + refused.length, 1000, 'every call is answered: carried out or refused as too many in flight');
    assert.ok(done >= 2, `${done} carried out`);
    assert.ok(w.ok && w.result.verified, `the write in the middle: ${JSON.stringify(w)}`);
    assert.deepEqual(deviceStates.filter((s) => s.at >= from && s.state !== 'online'), [], 'the device stayed online (never in backoff)');
    assert.equal(after.timeouts, before.timeouts, 'no Modbus request timed out');
    assert.ok(gap < MAX_SCAN_GAP_MS, `worst gap between good ${SCAN_TAG} scans during the burst: ${gap} ms (limit ${MAX_SCAN_GAP_MS})`);
  } finally {
    ws.close();
  }
});

test('5. 1,000 history.buckets calls kept 16 in flight (a greedy client within the queue): all carried out, the write in the middle succeeds, the scan keeps its rate', async () => {
  const ws = await connect();
  try {
    const before = await device();
    const from = Date.now();
    const params = { tagIds: SEED_TAGS, from: seedFrom, to: seedFrom + 22 * HOUR, buckets: 1000 };
    let sent = 0;
    let done = 0;
    let write: Promise<Reply<{ verified: boolean }>> | null = null;
    const failures: string[] = [];
    const lane = async () => {
      while (sent < 1000) {
        if (++sent === 500) write = call<{ verified: boolean }>(ws, 'tags.write', { tagId: 'L1.SpeedSetpoint', value: 130 }, 60_000);
        const r = await call(ws, 'history.buckets', params, 60_000);
        if (r.ok) done++;
        else failures.push(r.error.message);
      }
    };
    await Promise.all(Array.from({ length: 16 }, lane));
    const w = await write!;
    const to = Date.now();
    const after = await device();
    const gap = worstScanGap(from, to);
    process.stderr.write(`# 1000 buckets, 16 in flight: ${done} answered in ${to - from} ms; write verified ${w.ok && w.result.verified}; worst scan gap ${gap} ms; timeouts ${before.timeouts} → ${after.timeouts}\n`);
    assert.deepEqual(failures.slice(0, 3), [], `${failures.length} calls failed`);
    assert.equal(done, 1000);
    assert.ok(w.ok && w.result.verified, `the write in the middle: ${JSON.stringify(w)}`);
    assert.deepEqual(deviceStates.filter((s) => s.at >= from && s.state !== 'online'), [], 'the device stayed online (never in backoff)');
    assert.equal(after.timeouts, before.timeouts, 'no Modbus request timed out');
    assert.ok(gap < MAX_SCAN_GAP_MS, `worst gap between good ${SCAN_TAG} scans during the load: ${gap} ms (limit ${MAX_SCAN_GAP_MS})`);
  } finally {
    ws.close();
  }
});
