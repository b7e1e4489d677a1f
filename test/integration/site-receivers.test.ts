/**
 * Receivers side by side on one PostgreSQL database (docs/plant-scale.md), behind one mosquitto:
 * by an MQTT shared subscription (the broker gives each delivery to one member of the group;
 * one member dropped in the middle) and by lines (disjoint topic filters). Every record of every
 * node once, whichever receiver took it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openDatabase } from '../../main/historian/database';
import { Historian } from '../../main/historian/historian';
import { startMqttReceiver, type MqttReceiver } from '../../main/receiver/mqtt-receiver';
import { PgReceiverStore } from '../../main/receiver/pg-store';
import { defaultSyncOptions, SyncService } from '../../main/sync/sync-service';
import { receiverTopics, type ReceiverScope } from '../../main/sync/wire';
import { parseScope } from '../../main/cli/receiver';
import { systemClock } from '../../main/util/clock';
import { createLogger } from '../../main/util/log';
import type { TagValue } from '../../shared/types';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto';
import { startPostgres, type PostgresServer } from '../helpers/postgres';
import { tempDir, waitFor } from '../helpers/temp';

const tmp = tempDir('lineside-site-rx-');
const log = createLogger('test');
let pgServer: PostgresServer;
let broker: Mosquitto;

before(async () => {
  pgServer = await startPostgres({ dir: join(tmp.dir, 'pg') });
  broker = await startMosquitto({ dir: join(tmp.dir, 'broker') });
});
after(async () => {
  await broker?.stop().catch(() => undefined);
  await pgServer?.stop('fast').catch(() => undefined);
  tmp.cleanup();
});

/** A line PC's sync with a historian making numbered samples, nothing else. */
function linePc(name: string, site: string, line: string) {
  const db = openDatabase(join(tmp.dir, `${name}.db`));
  const historian = new Historian(db, systemClock, { writer: 'inline', sampleOutbox: true, flushIntervalMs: 50 });
  historian.registerTags(['T1', 'T2']);
  const sync = new SyncService({
    db,
    clock: systemClock,
    log,
    tables: [],
    sampleOutbox: historian.sampleOutbox(),
    options: {
      ...defaultSyncOptions,
      site,
      line,
      ackTimeoutMs: 2000,
      backoff: { initialMs: 200, maxMs: 1000 },
      batchMaxRecords: 200,
      sinks: [{ id: 'site', type: 'mqtt', url: broker.url, topicPrefix: 'lineside', ack: 'receiver', keepaliveS: 30, streams: ['sample'] }],
    },
  });
  let t = Date.now() * 10;
  return {
    sync,
    async samples(n: number) {
      const batch: TagValue[] = [];
      for (let i = 0; i < n; i++) batch.push({ tagId: i % 2 ? 'T1' : 'T2', ts: ++t, sourceTs: t, value: i, quality: { level: 'good', reason: 'ok' } });
      historian.ingest(batch);
      await historian.flush();
    },
    acked: () => sync.status().sinks[0].streams[0].acked,
    async close() {
      await sync.close();
      await historian.close();
      db.close();
    },
  };
}

async function receiver(clientId: string, scope: ReceiverScope, counts: Map<string, number>) {
  const store = await PgReceiverStore.open({ url: pgServer.url, poolSize: 4 });
  const rx: MqttReceiver = startMqttReceiver(store, { url: broker.url, clientId, topicPrefix: 'lineside', concurrency: 4, scope }, log, (ack) => {
    if (ack.upTo > 0 || ack.ranges.length > 0) counts.set(clientId, (counts.get(clientId) ?? 0) + 1);
  });
  await rx.ready;
  return { store, rx };
}

async function positionsOf(store: PgReceiverStore, node: string) {
  return (await store.positions()).find((p) => p.node === node && p.stream === 'sample');
}

test('1. the topic filters: every line, some lines, any line of a site, shared', () => {
  assert.deepEqual(receiverTopics('lineside'), ['lineside/+/+/+/+', 'lineside/+/+/+/+/historical']);
  assert.deepEqual(receiverTopics('lineside', parseScope('north/L1,Plant 7_North/+', 'site')), [
    '$share/site/lineside/north/L1/+/+',
    '$share/site/lineside/north/L1/+/+/historical',
    '$share/site/lineside/Plant 7_North/+/+/+',
    '$share/site/lineside/Plant 7_North/+/+/+/historical',
  ]);
  assert.throws(() => parseScope('north', undefined), /"north" is not <site>\/<line>/);
  assert.throws(() => parseScope('north/L#1', undefined), /is not <site>\/<line>/);
  assert.throws(() => parseScope('north/L+', undefined), /is not <site>\/<line>/);
  assert.throws(() => parseScope(undefined, 'a/b'), /--share: "a\/b" must be/);
});

test('2. a shared subscription: two receivers split the deliveries; one dropped in the middle; every record once', { timeout: 120_000 }, async () => {
  const counts = new Map<string, number>();
  const a = await receiver('rx-a', { share: 'site' }, counts);
  const b = await receiver('rx-b', { share: 'site' }, counts);
  const pcs = [linePc('shared-1', 'plant', 'L1'), linePc('shared-2', 'plant', 'L2')];
  let aClosed = false;
  try {
    for (const pc of pcs) pc.sync.start();
    for (let round = 0; round < 10; round++) {
      for (const pc of pcs) await pc.samples(1000);
      if (round === 4) {
        // receiver A goes away without a word (its socket cut): B takes the rest, and what A had
        // taken but not acknowledged comes again after the senders' ack timeout
        a.rx.client.stream.destroy();
        await a.rx.client.endAsync(true);
        aClosed = true;
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    await waitFor('every sample acknowledged', () => pcs.every((pc) => pc.acked() === 10_000), 60_000, 200);
    for (const pc of pcs) {
      const p = await positionsOf(b.store, pc.sync.nodeId);
      assert.ok(p, 'the node is known');
      assert.deepEqual([p.contiguous, p.stored, p.missing], [10_000, 10_000, 0], `${pc.sync.nodeId}: every record once`);
    }
    assert.ok((counts.get('rx-a') ?? 0) > 0 && (counts.get('rx-b') ?? 0) > 0, `both receivers committed batches: ${JSON.stringify([...counts])}`);
    assert.equal(Number(pgServer.psql('SELECT count(*) FROM sample').trim()), 20_000);
  } finally {
    for (const pc of pcs) await pc.close();
    if (!aClosed) await a.rx.close();
    await b.rx.close();
    await a.store.close();
    await b.store.close();
  }
});

test('3. receivers by lines: a receiver takes only its lines; a second one for the other line fills it in', { timeout: 120_000 }, async () => {
  const counts = new Map<string, number>();
  const north = await receiver('rx-north', { lines: [{ site: 'north', line: 'L1' }] }, counts);
  const pcs = [linePc('north-1', 'north', 'L1'), linePc('south-1', 'south', 'L1')];
  let south: Awaited<ReturnType<typeof receiver>> | null = null;
  try {
    for (const pc of pcs) pc.sync.start();
    for (const pc of pcs) await pc.samples(3000);
    await waitFor('the north line acknowledged', () => pcs[0].acked() === 3000, 30_000, 200);
    await new Promise((r) => setTimeout(r, 2500)); // past the senders' ack timeout
    assert.equal(pcs[1].acked(), 0, 'nobody takes the south line yet');
    assert.equal(await positionsOf(north.store, pcs[1].sync.nodeId), undefined, 'nothing of the south line stored');

    south = await receiver('rx-south', { lines: [{ site: 'south', line: '+' }] }, counts);
    await waitFor('the south line acknowledged', () => pcs[1].acked() === 3000, 30_000, 200);
    for (const pc of pcs) {
      const p = await positionsOf(north.store, pc.sync.nodeId);
      assert.deepEqual([p?.contiguous, p?.stored, p?.missing], [3000, 3000, 0]);
    }
    assert.ok((counts.get('rx-north') ?? 0) > 0 && (counts.get('rx-south') ?? 0) > 0);
  } finally {
    for (const pc of pcs) await pc.close();
    await north.rx.close();
    await south?.rx.close();
    await north.store.close();
    await south?.store.close();
  }
});
