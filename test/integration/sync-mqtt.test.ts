/**
 * Store-and-forward over a real MQTT broker (Debian's mosquitto, started by the test on a free
 * loopback port): the runtime on the built-in simulator sends to it while the broker is killed
 * and restarted several times; at the end the reference receiver holds exactly what the PC
 * produced. Also: username/password, the broker-only acknowledgement, and the quarantine with
 * the receiver's CLI.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import mqtt from 'mqtt';
import { startRuntime } from '../../main/app/runtime';
import type { RuntimeHost } from '../../main/app/runtime-host';
import { openDatabase } from '../../main/historian/database';
import { Historian } from '../../main/historian/historian';
import { startMqttReceiver } from '../../main/receiver/mqtt-receiver';
import { ReceiverStore } from '../../main/receiver/receiver-store';
import { startSimulator } from '../../main/simulator/simulator';
import { defaultSyncOptions, SyncService, type SyncOptions } from '../../main/sync/sync-service';
import { systemClock } from '../../main/util/clock';
import { createLogger } from '../../main/util/log';
import type { SyncStatus } from '../../shared/sync-api';
import type { TagValue } from '../../shared/types';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto';
import { drainLeftovers, expectExactlyOnce, runReceiverCli, startReceiverCli, writeSyncProject } from '../helpers/mosquitto-sync';
import { tempDir, waitFor } from '../helpers/temp';
import { as } from '../helpers/runtime-session';

const tmp = tempDir('lineside-sync-mqtt-');
const log = createLogger('test');
after(() => tmp.cleanup());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function call<T>(rt: RuntimeHost, method: string, params: unknown): Promise<T> {
  const r = await (await as(rt, ['operator'])).conn.handle(method, params);
  if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
  return r.result as T;
}

test('1. the runtime on the simulator, the broker killed and restarted several times: every record exactly once', { timeout: 120_000 }, async () => {
  const dir = join(tmp.dir, 'run');
  const broker = await startMosquitto({ dir: join(dir, 'broker') });
  const sim = await startSimulator({ pkiDir: join(dir, 'sim-pki'), log: () => undefined });
  const receiverDb = join(dir, 'receiver.db');
  const store = new ReceiverStore(receiverDb);
  const receiver = startMqttReceiver(store, { url: broker.url, clientId: 'test-receiver', topicPrefix: 'lineside' }, log);
  let runtime: RuntimeHost | null = null;
  try {
    await receiver.ready;
    const project = writeSyncProject(sim, dir, {
      ackTimeoutS: 2,
      retry: { initialS: 0.2, maxS: 1 },
      sinks: [{ id: 'plant', type: 'mqtt', url: broker.url }],
    });
    const dataDir = join(dir, 'data');
    runtime = await startRuntime({ projectFile: project, dataDir, shell: 'headless' });
    const rt = runtime;
    const status = () => call<SyncStatus>(rt, 'sync.status', {});
    await waitFor('the sink to be online', async () => (await status()).sinks[0].state === 'online', 20_000);

    let n = 0;
    const act = async () => {
      // each: an alarm journal line and an audit record (one transaction), and a setpoint write
      await call(rt, 'alarms.comment', { alarmId: 'L1.Vibration.H', text: `shift note ${++n}` });
      await call(rt, 'tags.write', { tagId: 'L1.SpeedSetpoint', value: 100 + (n % 20) }).catch(() => undefined);
    };
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 3; i++) await act();
      await sleep(1500);
      // a crash (state saved a second ago at best) and clean shutdowns, alternately
      await broker.stop(round % 2 === 0 ? 'SIGKILL' : 'SIGTERM');
      for (let i = 0; i < 3; i++) await act(); // stored while the broker is away
      await sleep(1200);
      const offline = (await status()).sinks[0];
      assert.notEqual(offline.state, 'online', 'the sink noticed');
      await broker.start();
      await sleep(1500);
    }
    // Stop producing, let it catch up, stop the app, then send whatever it left (records
    // written while it stopped) and compare.
    await sim.stop();
    await waitFor('the sink to catch up', async () => (await status()).sinks[0].backlog === 0, 60_000, 500);
    const st = (await status()).sinks[0];
    assert.equal(st.quarantined, 0);
    assert.ok(st.streams.find((s) => s.stream === 'alarm')!.head >= 24);
    await runtime.close();
    runtime = null;
    await drainLeftovers(project, dataDir);
    const counts = expectExactlyOnce(join(dataDir, 'lineside.db'), receiverDb);
    log.info(`exactly once: ${JSON.stringify(counts)}`);
    assert.ok(counts.sample.produced > 50, `samples produced: ${counts.sample.produced}`);
    assert.ok(counts.audit.produced >= 24);
  } finally {
    await runtime?.close();
    await receiver.close();
    store.close();
    await sim.stop().catch(() => undefined);
    await broker.stop();
  }
});

function producer(file: string) {
  const db = openDatabase(file);
  const historian = new Historian(db, systemClock, { writer: 'inline', sampleOutbox: true, flushIntervalMs: 50 });
  historian.registerTags(['ok', 'bad']);
  return {
    db,
    historian,
    async samples(n: number, tag = 'ok') {
      const t = Date.now();
      const batch: TagValue[] = [];
      for (let i = 0; i < n; i++) batch.push({ tagId: i % 4 === 0 ? tag : 'ok', ts: t * 10 + i, sourceTs: t, value: i, quality: { level: 'good', reason: 'ok' } });
      historian.ingest(batch);
      await historian.flush();
    },
  };
}

function options(sinks: SyncOptions['sinks'], over: Partial<SyncOptions> = {}): SyncOptions {
  return { ...defaultSyncOptions, site: 'plant', line: 'L1', ackTimeoutMs: 2000, backoff: { initialMs: 200, maxMs: 1000 }, sinks, ...over };
}

test('2. username and password: refused credentials are a visible error; the right ones deliver', { timeout: 60_000 }, async () => {
  const dir = join(tmp.dir, 'auth');
  const broker = await startMosquitto({ dir: join(dir, 'broker'), users: { line7: 'secret-7', receiver: 'rx-pass' } });
  const store = new ReceiverStore(join(dir, 'receiver.db'));
  const p = producer(join(dir, 'pc.db'));
  process.env.LINESIDE_TEST_MQTT_PASSWORD = 'secret-7';
  const sync = new SyncService({
    db: p.db,
    clock: systemClock,
    log,
    tables: [],
    sampleOutbox: p.historian.sampleOutbox(),
    options: options([
      { id: 'wrong', type: 'mqtt', url: broker.url, username: 'line7', password: 'guess', topicPrefix: 'lineside', ack: 'receiver', keepaliveS: 30, streams: ['sample'] },
      { id: 'anonymous', type: 'mqtt', url: broker.url, topicPrefix: 'lineside', ack: 'receiver', keepaliveS: 30, streams: ['sample'] },
      { id: 'right', type: 'mqtt', url: broker.url, username: 'line7', passwordEnv: 'LINESIDE_TEST_MQTT_PASSWORD', topicPrefix: 'lineside', ack: 'receiver', keepaliveS: 30, streams: ['sample'] },
    ]),
  });
  const receiver = startMqttReceiver(store, { url: broker.url, clientId: 'rx', username: 'receiver', password: 'rx-pass', topicPrefix: 'lineside' }, log);
  try {
    await receiver.ready;
    sync.start();
    await p.samples(200);
    await waitFor('the right sink to deliver', () => store.positions()[0]?.contiguous === 200, 20_000);
    await waitFor('the others to report why', () => sync.status().sinks.slice(0, 2).every((s) => s.lastError !== null), 10_000);
    const [wrong, anonymous, right] = sync.status().sinks;
    for (const s of [wrong, anonymous]) {
      assert.notEqual(s.state, 'online');
      assert.match(s.lastError!.message, /refused the credentials/);
      assert.equal(s.streams[0].acked, 0);
    }
    assert.equal(right.state, 'online');
    assert.equal(right.target, broker.url, 'no secrets in the status');
    assert.equal(right.streams[0].acked, 200);
  } finally {
    await sync.close();
    await receiver.close();
    await p.historian.close();
    p.db.close();
    store.close();
    await broker.stop();
    delete process.env.LINESIDE_TEST_MQTT_PASSWORD;
  }
});

test('3. without a receiver that acknowledges: the PUBACK is the ack; topics and payloads carry the key', { timeout: 60_000 }, async () => {
  const dir = join(tmp.dir, 'broker-ack');
  const broker = await startMosquitto({ dir: join(dir, 'broker') });
  const p = producer(join(dir, 'pc.db'));
  const seen: { topic: string; body: { node: string; stream: string; first: number; last: number; records: { seq: number; tag: string }[] } }[] = [];
  const subscriber = mqtt.connect(broker.url, { clientId: 'dashboard', clean: true });
  await new Promise<void>((resolve) => subscriber.on('connect', () => subscriber.subscribe('lineside/#', { qos: 1 }, () => resolve())));
  subscriber.on('message', (topic, payload) => seen.push({ topic, body: JSON.parse(payload.toString()) }));
  const sync = new SyncService({
    db: p.db,
    clock: systemClock,
    log,
    tables: [],
    sampleOutbox: p.historian.sampleOutbox(),
    options: options([{ id: 'dash', type: 'mqtt', url: broker.url, topicPrefix: 'lineside', ack: 'broker', keepaliveS: 30, streams: ['sample'] }], { site: 'Plant 7/North', line: 'L#1' }),
  });
  try {
    sync.start();
    await p.samples(300);
    await waitFor('the PUBACKs', () => sync.status().sinks[0].streams[0].acked === 300, 10_000);
    await waitFor('the subscriber to see them', () => seen.reduce((n, s) => n + s.body.records.length, 0) >= 300, 10_000);
    const node = sync.nodeId;
    assert.ok(seen.every((s) => s.topic === `lineside/Plant 7_North/L_1/${node}/sample`), `topics: ${[...new Set(seen.map((s) => s.topic))].join(', ')}`);
    const seqs = seen.flatMap((s) => s.body.records.map((r) => r.seq)).sort((a, b) => a - b);
    assert.deepEqual(seqs, Array.from({ length: 300 }, (_, i) => i + 1));
    assert.ok(seen.every((s) => s.body.node === node && s.body.stream === 'sample' && s.body.records[0].seq === s.body.first));
    assert.equal(sync.status().sinks[0].ackMode, 'broker');
  } finally {
    await sync.close();
    await subscriber.endAsync();
    await p.historian.close();
    p.db.close();
    await broker.stop();
  }
});

test('4. records the receiver refuses land in the quarantine, the stream goes on; a retry delivers them once it accepts them', { timeout: 90_000 }, async () => {
  const dir = join(tmp.dir, 'quarantine');
  const broker: Mosquitto = await startMosquitto({ dir: join(dir, 'broker') });
  const p = producer(join(dir, 'pc.db'));
  const rxDb = join(dir, 'receiver.db');
  let rx = await startReceiverCli(['--db', rxDb, '--mqtt', broker.url, '--reject-tag', 'bad']);
  const sync = new SyncService({
    db: p.db,
    clock: systemClock,
    log,
    tables: [],
    sampleOutbox: p.historian.sampleOutbox(),
    options: options([{ id: 'plant', type: 'mqtt', url: broker.url, topicPrefix: 'lineside', ack: 'receiver', keepaliveS: 30, streams: ['sample', 'event'] }]),
  });
  try {
    sync.start();
    await p.samples(400, 'bad'); // 100 of them on tag "bad"
    await p.samples(400);
    await waitFor('everything acknowledged', () => sync.status().sinks[0].streams[0].acked === 800, 20_000);
    const q = sync.quarantine(1000);
    assert.equal(q.total, 100);
    assert.ok(q.entries.every((e) => e.reason === 'unknown tag "bad"'));
    // The receiver learns the tag: started again without the refusal, the engineer retries.
    await rx.stop();
    rx = await startReceiverCli(['--db', rxDb, '--mqtt', broker.url]);
    assert.equal(sync.retryQuarantined(q.entries.map((e) => e.id)), 100);
    await waitFor('the quarantine to empty', () => sync.quarantine(10).total === 0, 20_000);
    await rx.stop();
    const { stdout } = await runReceiverCli(['--db', rxDb, '--status']);
    const positions = JSON.parse(stdout) as { stream: string; stored: number; refused: number; missing: number; contiguous: number }[];
    const sample = positions.find((x) => x.stream === 'sample')!;
    assert.deepEqual([sample.contiguous, sample.stored, sample.missing], [800, 800, 0]);
  } finally {
    await sync.close();
    await rx.stop();
    await p.historian.close();
    p.db.close();
    await broker.stop();
  }
});
