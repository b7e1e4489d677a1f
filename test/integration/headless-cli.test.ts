/**
 * The headless entry point as scripts use it: the URL on its own line, clean stop on SIGTERM,
 * clear non-zero exits on a bad project file or a busy port, and the WebSocket's guards.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { startSimulator, type SimulatedLine } from '../../main/simulator/simulator';
import { runHeadlessToExit, startHeadless, type HeadlessProcess } from '../helpers/headless-process';
import { writeDemoProjectFor } from '../helpers/simulated-project';
import { tempDir, waitFor } from '../helpers/temp';

let sim: SimulatedLine;
let app: HeadlessProcess;
const tmp = tempDir();

before(async () => {
  sim = await startSimulator({ pkiDir: join(tmp.dir, 'sim-pki'), log: () => undefined });
  const project = writeDemoProjectFor(sim, tmp.dir);
  app = await startHeadless(['--project', project, '--data-dir', join(tmp.dir, 'data'), '--listen', '127.0.0.1:0', '--token', 's3cret-token']);
});

after(async () => {
  await app?.stop('SIGKILL');
  await sim?.stop();
  tmp.cleanup();
});

function wsUrl(token: string | null): string {
  const u = new URL(app.url);
  return `ws://${u.host}/api${token ? `?token=${token}` : ''}`;
}

function connect(url: string, origin?: string, host?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ...(origin ? { origin } : {}), ...(host ? { headers: { Host: host } } : {}) });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, id: number, method: string, params: unknown): Promise<{ ok: boolean; result?: unknown; error?: { code: string; message: string } }> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(data.toString()) as { id?: number; reply?: never };
      if (msg.id === id) {
        ws.off('message', onMessage);
        resolve(msg.reply!);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, method, params }));
  });
}

test('1. prints only the URL on stdout, with the token in the fragment', () => {
  assert.match(app.url, /^http:\/\/127\.0\.0\.1:\d+\/#token=s3cret-token$/);
});

test('2. the WebSocket refuses a wrong token, a foreign Origin and a foreign Host', async () => {
  await assert.rejects(connect(wsUrl(null)), /HTTP 401/);
  await assert.rejects(connect(wsUrl('wrong')), /HTTP 401/);
  await assert.rejects(connect(wsUrl('s3cret-token'), 'http://evil.example'), /HTTP 403/);
  const u = new URL(app.url);
  // DNS rebinding: a page on rebound.example whose name now resolves to 127.0.0.1
  await assert.rejects(connect(wsUrl('s3cret-token'), undefined, `rebound.example:${u.port}`), /HTTP 403/);
  const ws = await connect(wsUrl('s3cret-token'), `http://${u.host}`);
  ws.close();
});

test('3. bad payloads get errors that name what is wrong; live values arrive as frames', async () => {
  const ws = await connect(wsUrl('s3cret-token'));
  try {
    const bad = await call(ws, 1, 'history.query', { tagId: 'L1.Speed', from: 10, to: 5, maxPoints: 1 });
    assert.equal(bad.ok, false);
    assert.equal(bad.error!.code, 'bad_request');
    assert.match(bad.error!.message, /maxPoints/);
    assert.match(bad.error!.message, /to/);
    const unknown = await call(ws, 2, 'fs.readFile', {});
    assert.equal(unknown.error!.code, 'unknown_method');
    const extra = await call(ws, 3, 'tags.list', { sneaky: true });
    assert.equal(extra.error!.code, 'bad_request');
    const notFound = await call(ws, 4, 'history.query', { tagId: 'No.Such', from: 0, to: 10, maxPoints: 10 });
    assert.equal(notFound.error!.code, 'not_found');
    ws.send('not json at all');
    const tags = await call(ws, 5, 'tags.list', {});
    assert.ok(Array.isArray(tags.result) && tags.result.length > 20, 'still serving after garbage');
    const frames: number[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { event?: string; data?: { values: unknown[] } };
      if (m.event === 'values') frames.push(Date.now());
    });
    await waitFor('5 value frames', () => frames.length >= 5, 10_000);
    const span = frames[frames.length - 1] - frames[0];
    assert.ok(span >= 4 * 90, `frames are coalesced (~10/s at most): 5 frames in ${span} ms`);
  } finally {
    ws.close();
  }
});

test('3b. raw samples export as a streamed CSV download, behind the same guards', async () => {
  const u = new URL(app.url);
  const now = Date.now();
  const base = `http://${u.host}/export/samples.csv?tags=L1.Speed,L1.Running&from=${now - 600_000}&to=${now + 1000}`;
  // The export needs the app's session: the cookie the page sets.
  const page = await fetch(`http://${u.host}/`);
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0];
  assert.match(cookie, /^lineside_sid=[A-Za-z0-9_-]{32,}$/);
  assert.match(page.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict; Path=\//);
  const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers: { Cookie: cookie, ...headers } });
  assert.equal((await fetch(`${base}&token=s3cret-token`)).status, 401, 'no session cookie');
  assert.equal((await get(`${base}&token=s3cret-token`)).status, 403, 'a cookie, but the app is not open with it');
  // the app is open: its WebSocket carries the cookie
  const appSocket = new WebSocket(`ws://${u.host}/api?token=s3cret-token`, { headers: { Cookie: cookie } });
  await new Promise<void>((resolve, reject) => {
    appSocket.once('open', () => resolve());
    appSocket.once('error', reject);
  });
  assert.equal((await get(`${base}&token=s3cret-token`, { 'Sec-Fetch-Site': 'cross-site' })).status, 403, 'another site’s page');
  assert.equal((await get(`${base}&token=s3cret-token`, { Origin: 'http://evil.example' })).status, 403, 'another origin');
  const ok = await get(`${base}&token=s3cret-token`);
  assert.equal(ok.status, 200);
  assert.match(ok.headers.get('content-disposition') ?? '', /attachment; filename="lineside-.*\.csv"/);
  const text = await ok.text();
  const lines = text.trim().split('\n');
  assert.equal(lines[0], 'timestamp,tag,value,units,quality');
  assert.ok(lines.length > 3, `${lines.length} lines`);
  assert.ok(lines.slice(1).every((l) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,L1\.(Speed|Running),/.test(l)), lines.slice(1, 4).join('\n'));
  assert.ok(lines.some((l) => /,L1\.Speed,[\d.]+,packs\/min,good$/.test(l)), 'a good speed sample with units');
  assert.equal((await get(base)).status, 401, 'no token');
  assert.equal((await get(`${base.replace('tags=L1.Speed,L1.Running', 'tags=No.Such')}&token=s3cret-token`)).status, 404);
  const bad = await get(`http://${u.host}/export/samples.csv?tags=L1.Speed&from=10&to=5&token=s3cret-token`);
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /to/);
  appSocket.close();
});

test('4. SIGTERM stops cleanly and leaves a consistent database with samples', async () => {
  const code = await app.stop('SIGTERM');
  assert.equal(code, 0, app.stderr());
  const db = new Database(join(tmp.dir, 'data', 'lineside.db'), { readonly: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    const n = (db.prepare('SELECT count(*) AS n FROM sample').get() as { n: number }).n;
    assert.ok(n > 10, `${n} samples stored`);
  } finally {
    db.close();
  }
});

test('5. a broken project file: non-zero exit, the file, place and problem named', async () => {
  const file = join(tmp.dir, 'broken.yaml');
  writeFileSync(file, 'version: 1\nname: x\ndevices:\n  - id: plc\n    protocol: modbus-tcp\n    host: 127.0.0.1\ntags:\n  - id: A\n    device: plc\n    address: HR1\n    dataType: floaty\n');
  const r = await runHeadlessToExit(['--project', file, '--data-dir', join(tmp.dir, 'data2'), '--listen', '127.0.0.1:0']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '', 'no URL printed');
  assert.match(r.stderr, /broken\.yaml:11:\d+ tags\[0\]\.dataType: /);
});

test('6. a busy port: non-zero exit with a clear message', async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
  const port = (blocker.address() as { port: number }).port;
  try {
    const project = writeDemoProjectFor(sim, tmp.dir);
    const r = await runHeadlessToExit(['--project', project, '--data-dir', join(tmp.dir, 'data3'), '--listen', `127.0.0.1:${port}`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is already in use`));
  } finally {
    blocker.close();
  }
});

test('7. unknown options are refused', async () => {
  const r = await runHeadlessToExit(['--prjoect', 'x.yaml']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown option --prjoect/);
});
