/**
 * The app killed while it sends: the headless CLI (the README's command, a child process) runs
 * the demo project against the simulator with an MQTT sink; it is SIGKILLed twice mid-stream and
 * started again on the same data folder, and the broker is killed in between. Sending resumes
 * from the acknowledged position each time, with the same node id; at the end the receiver
 * holds exactly the records produced — nothing missing, every duplicate delivery dropped by key.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import { startMqttReceiver } from '../../main/receiver/mqtt-receiver';
import { ReceiverStore } from '../../main/receiver/receiver-store';
import { startSimulator } from '../../main/simulator/simulator';
import { createLogger } from '../../main/util/log';
import type { SyncStatus } from '../../shared/sync-api';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';
import { TEST_PASSWORD } from '../helpers/runtime-session';
import { startMosquitto } from '../helpers/mosquitto';
import { drainLeftovers, expectExactlyOnce, writeSyncProject } from '../helpers/mosquitto-sync';
import { tempDir, waitFor } from '../helpers/temp';

const tmp = tempDir('lineside-sync-kill-');
after(() => tmp.cleanup());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The headless shell's WebSocket API: {id, method, params} → {id, reply}. */
async function apiOf(app: HeadlessProcess): Promise<{ call<T>(method: string, params: unknown): Promise<T>; close(): void }> {
  const ws = new WebSocket(`ws://${new URL(app.url).host}/api`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let next = 1;
  const waiting = new Map<number, (reply: { ok: boolean; result?: unknown; error?: { message: string } }) => void>();
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as { id?: number; reply?: { ok: boolean; result?: unknown; error?: { message: string } } };
    if (typeof m.id === 'number' && m.reply) waiting.get(m.id)?.(m.reply);
  });
  const api = {
    call<T>(method: string, params: unknown): Promise<T> {
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, (r) => (r.ok ? resolve(r.result as T) : reject(new Error(`${method}: ${r.error?.message}`))));
        ws.send(JSON.stringify({ id, method, params }));
      });
    },
    close: () => ws.close(),
  };
  // The actions need someone signed in: the first administrator, made on the first start.
  const status = await api.call<{ setupRequired: boolean }>('session.status', {});
  if (status.setupRequired) await api.call('session.createFirstAdmin', { userId: 'admin', name: 'Test Administrator', password: TEST_PASSWORD });
  else await api.call('session.signIn', { userId: 'admin', password: TEST_PASSWORD });
  return api;
}

test('1. SIGKILL of the app while sending, twice, and a broker kill: sending resumes, every record exactly once', { timeout: 180_000 }, async () => {
  const dir = tmp.dir;
  const broker = await startMosquitto({ dir: join(dir, 'broker') });
  const sim = await startSimulator({ pkiDir: join(dir, 'sim-pki'), log: () => undefined });
  const receiverDb = join(dir, 'receiver.db');
  const store = new ReceiverStore(receiverDb);
  const receiver = startMqttReceiver(store, { url: broker.url, clientId: 'kill-test-receiver', topicPrefix: 'lineside' }, createLogger('receiver'));
  const dataDir = join(dir, 'data');
  const project = writeSyncProject(sim, dir, {
    ackTimeoutS: 2,
    batchMaxRecords: 40,
    retry: { initialS: 0.2, maxS: 1 },
    sinks: [{ id: 'plant', type: 'mqtt', url: broker.url }],
  });
  const args = ['--project', project, '--data-dir', dataDir, '--listen', '127.0.0.1:0'];
  let app: HeadlessProcess | null = null;
  let n = 0;
  const act = async (api: Awaited<ReturnType<typeof apiOf>>, count: number) => {
    for (let i = 0; i < count; i++) {
      await api.call('alarms.comment', { alarmId: 'L1.Vibration.H', text: `note ${++n}` });
      await api.call('tags.write', { tagId: 'L1.SpeedSetpoint', value: 100 + (n % 20) }).catch(() => undefined);
    }
  };
  const sampleCount = () => store.positions().find((p) => p.stream === 'sample')?.contiguous ?? 0;
  try {
    await receiver.ready;
    const nodeIds = new Set<string>();

    // Run 1: sending, then killed.
    app = await startHeadless(args, 60_000);
    let api = await apiOf(app);
    await waitFor('samples at the receiver', () => sampleCount() > 20, 30_000);
    nodeIds.add((await api.call<SyncStatus>('sync.status', {})).nodeId);
    await act(api, 5);
    await sleep(300);
    api.close();
    assert.equal(await app.stop('SIGKILL'), 'SIGKILL');

    // The broker goes down too; run 2 starts without it, stores, then sends when it is back.
    await broker.stop('SIGKILL');
    app = await startHeadless(args, 60_000);
    api = await apiOf(app);
    nodeIds.add((await api.call<SyncStatus>('sync.status', {})).nodeId);
    await act(api, 5);
    await sleep(1000);
    assert.notEqual((await api.call<SyncStatus>('sync.status', {})).sinks[0].state, 'online');
    await broker.start();
    const before = sampleCount();
    await waitFor('sending again', () => sampleCount() > before, 30_000);
    await act(api, 3);
    api.close();
    assert.equal(await app.stop('SIGKILL'), 'SIGKILL');

    // Run 3: resumes, then stops cleanly once the line is quiet and everything is sent.
    app = await startHeadless(args, 60_000);
    api = await apiOf(app);
    const s3 = await api.call<SyncStatus>('sync.status', {});
    nodeIds.add(s3.nodeId);
    assert.equal(nodeIds.size, 1, 'the same node id across restarts');
    await act(api, 3);
    await sim.stop();
    await waitFor('the sink to catch up', async () => (await api.call<SyncStatus>('sync.status', {})).sinks[0].backlog === 0, 60_000, 500);
    api.close();
    assert.equal(await app.stop('SIGTERM'), 0);
    app = null;

    await drainLeftovers(project, dataDir);
    const counts = expectExactlyOnce(join(dataDir, 'lineside.db'), receiverDb);
    assert.ok(counts.alarm.produced >= 16 && counts.audit.produced >= 16, JSON.stringify(counts));
    const p = store.positions();
    assert.ok(p.every((x) => x.missing === 0 && x.refused === 0), JSON.stringify(p));
    process.stderr.write(`[sync-kill] ${JSON.stringify(counts)}\n`);
  } finally {
    await app?.stop('SIGKILL');
    await receiver.close();
    store.close();
    await sim.stop().catch(() => undefined);
    await broker.stop();
  }
});
