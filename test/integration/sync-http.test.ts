/**
 * Store-and-forward over HTTP to the reference receiver (its CLI, a child process on a fixed
 * loopback port): the runtime on the built-in simulator sends while the receiver is killed
 * (SIGKILL) and started again several times; at the end the receiver holds exactly what the PC
 * produced. Also: the token, and the receiver refusing to listen beyond loopback without one.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startRuntime } from '../../main/app/runtime';
import type { RuntimeHost } from '../../main/app/runtime-host';
import { startSimulator } from '../../main/simulator/simulator';
import type { SyncStatus } from '../../shared/sync-api';
import { freePort } from '../helpers/mosquitto';
import { drainLeftovers, expectExactlyOnce, runReceiverCli, startReceiverCli, writeSyncProject, type ReceiverProcess } from '../helpers/mosquitto-sync';
import { tempDir, waitFor } from '../helpers/temp';
import { as } from '../helpers/runtime-session';

const tmp = tempDir('lineside-sync-http-');
after(() => tmp.cleanup());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TOKEN = 'receiver-token-0123456789';

async function call<T>(rt: RuntimeHost, method: string, params: unknown): Promise<T> {
  const r = await (await as(rt, ['operator'])).conn.handle(method, params);
  if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
  return r.result as T;
}

test('1. HTTP sink, the receiver killed and restarted several times: every record exactly once', { timeout: 120_000 }, async () => {
  const dir = join(tmp.dir, 'run');
  const port = await freePort();
  const receiverDb = join(dir, 'receiver.db');
  const rxArgs = ['--db', receiverDb, '--http', `127.0.0.1:${port}`, '--token', TOKEN];
  let rx: ReceiverProcess = await startReceiverCli(rxArgs);
  assert.equal(rx.httpUrl, `http://127.0.0.1:${port}/v1/ingest`);
  const sim = await startSimulator({ pkiDir: join(dir, 'sim-pki'), log: () => undefined });
  let runtime: RuntimeHost | null = null;
  try {
    const project = writeSyncProject(sim, dir, {
      ackTimeoutS: 5,
      batchMaxRecords: 50,
      retry: { initialS: 0.2, maxS: 1 },
      sinks: [
        { id: 'collector', type: 'http', url: rx.httpUrl, token: TOKEN, timeoutS: 3 },
        { id: 'wrong-token', type: 'http', url: rx.httpUrl, token: 'not-the-token', streams: ['alarm'] },
      ],
    });
    const dataDir = join(dir, 'data');
    runtime = await startRuntime({ projectFile: project, dataDir, shell: 'headless' });
    const rt = runtime;
    const status = () => call<SyncStatus>(rt, 'sync.status', {});
    await waitFor('the sink to be online', async () => (await status()).sinks[0].state === 'online', 20_000);
    let n = 0;
    const act = async () => {
      await call(rt, 'alarms.comment', { alarmId: 'L1.Vibration.H', text: `note ${++n}` });
      await call(rt, 'tags.write', { tagId: 'L1.SpeedSetpoint', value: 100 + (n % 20) }).catch(() => undefined);
    };
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 3; i++) await act();
      await sleep(1200);
      await rx.stop('SIGKILL'); // mid-stream: batches in flight get no answer
      for (let i = 0; i < 3; i++) await act();
      await waitFor('the sink to notice', async () => (await status()).sinks[0].state !== 'online', 10_000, 100);
      await sleep(800);
      rx = await startReceiverCli(rxArgs);
      await waitFor('the sink to be back', async () => (await status()).sinks[0].state === 'online', 10_000, 100);
    }
    await waitFor('the wrong token to be refused', async () => /refused the token \(HTTP 401\)/.test((await status()).sinks[1].lastError?.message ?? ''), 5000, 100);
    assert.notEqual((await status()).sinks[1].state, 'online');
    await sim.stop();
    await waitFor('the sink to catch up', async () => (await status()).sinks[0].backlog === 0, 60_000, 500);
    await runtime.close();
    runtime = null;
    // The wrong-token sink never gets its alarms through: drain with the good one only.
    const { writeFileSync, readFileSync } = await import('node:fs');
    // drop the wrong-token sink (up to the next top-level section of the file)
    writeFileSync(project, readFileSync(project, 'utf8').replace(/\n {4}- id: wrong-token[\s\S]*?(?=\n\S|$)/, ''));
    await drainLeftovers(project, dataDir);
    await rx.stop();
    const counts = expectExactlyOnce(join(dataDir, 'lineside.db'), receiverDb);
    assert.ok(counts.alarm.produced >= 18 && counts.sample.produced > 50, JSON.stringify(counts));
  } finally {
    await runtime?.close();
    await sim.stop().catch(() => undefined);
    await rx.stop();
  }
});

test('2. the receiver refuses to listen beyond loopback without a token; GET answers only with the token', { timeout: 30_000 }, async () => {
  const r = await runReceiverCli(['--db', join(tmp.dir, 'x.db'), '--http', '0.0.0.0:0']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /not loopback\) needs a token/);
  const rx = await startReceiverCli(['--db', join(tmp.dir, 'y.db'), '--http', '127.0.0.1:0', '--token', TOKEN]);
  try {
    const no = await fetch(rx.httpUrl!);
    assert.equal(no.status, 401);
    const yes = await fetch(rx.httpUrl!, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(yes.status, 200);
    assert.deepEqual(((await yes.json()) as { positions: unknown[] }).positions, []);
    const bad = await fetch(rx.httpUrl!, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{"v":1,"node":"n"}' });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /unknown stream/);
  } finally {
    await rx.stop();
  }
});
