/**
 * The live Sparkplug B view over a real MQTT broker (Debian's mosquitto on a free loopback
 * port), checked by a host of our own that decodes every message with Eclipse Tahu's codec:
 * 1. the edge node fed by a tag bus with scripted values: NBIRTH first with bdSeq, DBIRTH per
 *    device with every metric (type, engUnit, Quality), DDATA with the changed metrics only and
 *    seq counting mod 256 without gaps, a bad value as null with Quality 0, the NCMD rebirth,
 *    a broker restart (new session, bdSeq + 1, births with the current values, nothing
 *    replayed), an unclean drop (the broker publishes the will: NDEATH with the last NBIRTH's
 *    bdSeq), a clean close (NDEATH), and the bdSeq kept across a restart of the edge node.
 * 2. the runtime on the built-in simulator with a `sparkplug:` section: births of the project's
 *    devices and tags, live DDATA, NDEATH when it closes.
 * 3. the headless process killed (SIGKILL): the broker publishes its will, NDEATH with the
 *    bdSeq of its NBIRTH; started again on the same data folder, it goes on with bdSeq + 1.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { stringify } from 'yaml';
import { bindToSimulator, startRuntime } from '../../main/app/runtime';
import type { RuntimeHost } from '../../main/app/runtime-host';
import { loadProjectFile } from '../../main/config/project-loader';
import { startSimulator } from '../../main/simulator/simulator';
import { EdgeNode, type EdgeNodeOptions } from '../../main/sparkplug/edge-node';
import type { MetricDef } from '../../main/sparkplug/payloads';
import { SqliteBdSeqStore } from '../../main/sparkplug/sequence';
import { TagBus } from '../../main/tags/tag-bus';
import { systemClock } from '../../main/util/clock';
import { createLogger } from '../../main/util/log';
import type { QualityLevel } from '../../shared/quality';
import type { TagValue } from '../../shared/types';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';
import { startMosquitto } from '../helpers/mosquitto';
import { bdSeqOf, checkSeqPerSession, num, startSparkplugSubscriber, type SpMessage } from '../helpers/sparkplug-subscriber';
import { repoRoot, tempDir, waitFor } from '../helpers/temp';

const tmp = tempDir('lineside-sparkplug-');
after(() => tmp.cleanup());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP relay in front of the broker: `cut()` drops every connection without an MQTT DISCONNECT. */
async function startRelay(port: number): Promise<{ port: number; cut(): void; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((down) => {
    const up = net.connect({ host: '127.0.0.1', port });
    for (const s of [down, up]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        down.destroy();
        up.destroy();
      });
    }
    down.pipe(up);
    up.pipe(down);
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut: () => sockets.forEach((s) => s.destroy()),
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}

const metrics: MetricDef[] = [
  { tagId: 'L1.Speed', deviceId: 'plc', dataType: 'float64', units: 'packs/min', description: 'Line speed' },
  { tagId: 'L1.Count', deviceId: 'plc', dataType: 'uint32', units: 'packs', description: '' },
  { tagId: 'L1.Running', deviceId: 'plc', dataType: 'bool', units: '', description: '' },
  { tagId: 'L1.BearingTemp', deviceId: 'drive', dataType: 'float32', units: '°C', description: '' },
  { tagId: 'L1.Mode', deviceId: 'drive', dataType: 'string', units: '', description: '' },
];

function value(tagId: string, v: TagValue['value'], level: QualityLevel = 'good'): TagValue {
  const now = Date.now();
  return { tagId, value: v, quality: { level, reason: level === 'good' ? 'ok' : 'comm_failure' }, sourceTs: now, ts: now };
}

/** The latest value each metric was published with in `msgs` (births and data, in order). */
function lastValues(msgs: readonly SpMessage[], device: string): Map<string, { value: unknown; quality: unknown }> {
  const out = new Map<string, { value: unknown; quality: unknown }>();
  for (const m of msgs) {
    if (m.device !== device) continue;
    for (const [name, metric] of m.metrics) out.set(name, { value: metric.value, quality: metric.properties?.Quality?.value });
  }
  return out;
}

test('1. edge node on a tag bus: births, data, quality, rebirth, broker restart, unclean drop, clean close', { timeout: 120_000 }, async () => {
  const dir = join(tmp.dir, 'edge');
  const broker = await startMosquitto({ dir: join(dir, 'broker') });
  const relay = await startRelay(broker.port);
  const host = await startSparkplugSubscriber(broker.url);
  const db = new Database(join(dir, 'lineside.db'));
  const bus = new TagBus();
  const options: EdgeNodeOptions = {
    url: `mqtt://127.0.0.1:${relay.port}`,
    clientId: 'lineside-sparkplug-test',
    rejectUnauthorized: true,
    groupId: 'Plant7',
    edgeNodeId: 'L1',
    keepaliveS: 5,
    minPublishIntervalMs: 0,
    // longer than the test host's reconnect, so that it is subscribed again before the births
    reconnectMs: 1000,
    connectTimeoutMs: 2000,
    metrics,
  };
  const newEdge = (over: Partial<EdgeNodeOptions> = {}) => new EdgeNode({ ...options, ...over }, { clock: systemClock, log: createLogger('sparkplug'), store: new SqliteBdSeqStore(db, 'Plant7/L1') });
  let edge = newEdge();
  const unsubscribe = bus.subscribe((b) => edge.ingest(b));
  try {
    bus.publish([value('L1.Speed', 120.5), value('L1.Count', 3_000_000_000), value('L1.Running', true), value('L1.BearingTemp', 41.5), value('L1.Mode', 'auto')]);
    edge.start();

    // --- the first session: NBIRTH, then a DBIRTH per device with every metric
    const nbirth = await host.next('NBIRTH', (m) => m.type === 'NBIRTH');
    await host.next('DBIRTH drive', (m) => m.type === 'DBIRTH' && m.device === 'drive');
    const firstOfNode = host.messages.find((m) => m.node === 'L1')!;
    assert.equal(firstOfNode.type, 'NBIRTH', 'NBIRTH comes first');
    assert.equal(nbirth.topic, 'spBv1.0/Plant7/NBIRTH/L1');
    assert.equal(nbirth.seq, 0);
    assert.equal(bdSeqOf(nbirth), 0, 'a fresh database: bdSeq 0');
    assert.equal(nbirth.metrics.get('bdSeq')!.type, 'Int64');
    assert.deepEqual([nbirth.metrics.get('Node Control/Rebirth')!.type, nbirth.metrics.get('Node Control/Rebirth')!.value], ['Boolean', false]);
    const plc = host.of('DBIRTH', 'plc')[0];
    assert.equal(plc.topic, 'spBv1.0/Plant7/DBIRTH/L1/plc');
    assert.deepEqual([...plc.metrics.keys()], ['L1.Speed', 'L1.Count', 'L1.Running']);
    assert.deepEqual([...plc.metrics.values()].map((m) => m.type), ['Double', 'UInt32', 'Boolean']);
    assert.deepEqual([...plc.metrics.values()].map((m) => m.properties?.engUnit?.value), ['packs/min', 'packs', '']);
    assert.deepEqual([...plc.metrics.values()].map((m) => m.properties?.Quality?.value), [192, 192, 192]);
    assert.equal(plc.metrics.get('L1.Speed')!.value, 120.5);
    assert.equal(num(plc.metrics.get('L1.Count')!.value), 3_000_000_000);
    assert.equal(plc.metrics.get('L1.Running')!.value, true);
    assert.equal(plc.metrics.get('L1.Speed')!.properties?.Documentation?.value, 'Line speed');
    const drive = host.of('DBIRTH', 'drive')[0];
    assert.deepEqual([...drive.metrics.values()].map((m) => [m.name, m.type, m.value, m.properties?.engUnit?.value]), [
      ['L1.BearingTemp', 'Float', 41.5, '°C'],
      ['L1.Mode', 'String', 'auto', ''],
    ]);

    // --- DDATA: changed metrics only; more than 256 messages, so seq wraps 255 → 0
    const mark = host.messages.length;
    for (let i = 1; i <= 300; i++) {
      // Running and Mode republished unchanged each time: they must not appear in DDATA
      bus.publish([value('L1.Speed', 120 + i), value('L1.Count', 3_000_000_000 + i), value('L1.Running', true), value('L1.Mode', 'auto')]);
      await sleep(2);
    }
    await host.next('the last speed', (m) => m.type === 'DDATA' && m.metrics.get('L1.Speed')?.value === 420, mark);
    const data = host.of('DDATA', 'plc', mark);
    assert.ok(data.length > 256, `DDATA messages: ${data.length}`);
    assert.ok(data.every((m) => !m.metrics.has('L1.Running')), 'an unchanged value is not published again');
    assert.ok(data.every((m) => [...m.metrics.values()].every((x) => x.properties?.Quality?.value === 192 && x.properties?.engUnit === undefined)));
    const speeds = data.map((m) => m.metrics.get('L1.Speed')?.value as number);
    assert.deepEqual(speeds, [...speeds].sort((a, b) => a - b), 'in order');
    assert.equal(num(data.at(-1)!.metrics.get('L1.Count')!.value), 3_000_000_300);
    assert.ok(data.some((m) => m.seq === 255) && data.some((m, i) => i > 0 && m.seq === 0), 'seq wrapped');
    assert.equal(host.of('DDATA', 'drive', mark).length, 0, 'nothing changed on the other device');

    // --- a bad value: null (isNull) with Quality 0, not the held value
    let from = host.messages.length;
    bus.publish([value('L1.BearingTemp', 41.5, 'bad')]);
    const bad = (await host.next('bad temperature', (m) => m.type === 'DDATA' && m.device === 'drive', from)).metrics.get('L1.BearingTemp')!;
    assert.deepEqual([bad.value, bad.properties?.Quality?.value, bad.type], [null, 0, 'Float']);
    bus.publish([value('L1.BearingTemp', 43, 'uncertain')]);
    const uncMsg = await host.next('uncertain temperature', (m) => m.type === 'DDATA' && m.device === 'drive' && m.metrics.get('L1.BearingTemp')?.value === 43, from);
    assert.equal(uncMsg.metrics.get('L1.BearingTemp')!.properties?.Quality?.value, 64, 'uncertain: the value with Quality 64');
    bus.publish([value('L1.BearingTemp', 43, 'bad')]);
    await host.next('bad again', (m) => m.type === 'DDATA' && m.device === 'drive' && m.metrics.get('L1.BearingTemp')?.value === null && m.n > uncMsg.n, from);

    // --- NCMD rebirth: NBIRTH with the same bdSeq and seq 0, DBIRTHs with the current values
    from = host.messages.length;
    host.rebirth('Plant7', 'L1');
    const reborn = await host.next('NBIRTH after NCMD', (m) => m.type === 'NBIRTH', from);
    assert.equal(bdSeqOf(reborn), 0, 'a rebirth keeps the session\'s bdSeq');
    assert.equal(reborn.seq, 0);
    const driveAgain = await host.next('DBIRTH drive after NCMD', (m) => m.type === 'DBIRTH' && m.device === 'drive', from);
    assert.deepEqual([driveAgain.metrics.get('L1.BearingTemp')!.value, driveAgain.metrics.get('L1.BearingTemp')!.properties?.Quality?.value], [null, 0]);
    assert.equal((await host.next('DBIRTH plc after NCMD', (m) => m.type === 'DBIRTH' && m.device === 'plc', from)).metrics.get('L1.Speed')!.value, 420);

    // --- the broker killed and started again: a new session, bdSeq + 1, births with current values
    await broker.stop('SIGKILL');
    await waitFor('the edge node to notice', () => edge.status().state !== 'born', 15_000);
    from = host.messages.length;
    bus.publish([value('L1.Speed', 777)]); // while the broker is away: not replayed, the birth carries it
    bus.publish([value('L1.Speed', 778)]);
    await sleep(300);
    await broker.start();
    await host.connected();
    const nb2 = await host.next('NBIRTH after the broker restart', (m) => m.type === 'NBIRTH', from, 30_000);
    assert.equal(bdSeqOf(nb2), 1, 'a new MQTT session: bdSeq + 1');
    const plc2 = await host.next('DBIRTH plc after the restart', (m) => m.type === 'DBIRTH' && m.device === 'plc', from);
    assert.equal(plc2.metrics.get('L1.Speed')!.value, 778, 'the birth carries the current value');
    assert.ok(!host.messages.slice(from).some((m) => m.type === 'DDATA' && m.metrics.get('L1.Speed')?.value === 777), 'a change while offline is not replayed');
    bus.publish([value('L1.Speed', 800)]);
    await host.next('DDATA in the new session', (m) => m.type === 'DDATA' && m.metrics.get('L1.Speed')?.value === 800, from);

    // --- an unclean drop (no DISCONNECT): the broker publishes the will, NDEATH with the last NBIRTH's bdSeq
    from = host.messages.length;
    relay.cut();
    const death = await host.next('NDEATH by the will', (m) => m.type === 'NDEATH', from);
    assert.equal(death.topic, 'spBv1.0/Plant7/NDEATH/L1');
    assert.equal(bdSeqOf(death), 1, 'the bdSeq of the last NBIRTH');
    assert.equal(death.seq, null, 'NDEATH has no seq');
    const nb3 = await host.next('NBIRTH after the drop', (m) => m.type === 'NBIRTH', from, 30_000);
    assert.equal(bdSeqOf(nb3), 2);
    await host.next('DBIRTH drive after the drop', (m) => m.type === 'DBIRTH' && m.device === 'drive', from);

    // --- a clean close: NDEATH published by the edge node itself
    from = host.messages.length;
    await edge.close();
    const closed = await host.next('NDEATH on close', (m) => m.type === 'NDEATH', from);
    assert.equal(bdSeqOf(closed), 2);
    assert.equal(edge.status().state, 'closed');

    // --- a restart of the edge node (same database): bdSeq goes on, not back to 0
    from = host.messages.length;
    edge = newEdge({ minPublishIntervalMs: 400 });
    edge.start();
    const nb4 = await host.next('NBIRTH after the edge node restarted', (m) => m.type === 'NBIRTH', from);
    assert.equal(bdSeqOf(nb4), 3, 'bdSeq kept across restarts');
    await host.next('DBIRTH drive after the restart', (m) => m.type === 'DBIRTH' && m.device === 'drive', from);
    assert.equal(lastValues(host.messages.slice(from), 'plc').get('L1.Speed')?.value, null, 'a new edge node has no value yet: null, not an old one');
    // changes within minPublishIntervalMs: one DDATA per device, with the latest values
    const burst = host.messages.length;
    for (let i = 0; i < 5; i++) bus.publish([value('L1.Speed', 900 + i), value('L1.Running', i % 2 === 0)]);
    await host.next('DDATA after the restart', (m) => m.type === 'DDATA' && m.metrics.get('L1.Speed')?.value === 904, from);
    await sleep(600);
    const coalesced = host.of('DDATA', 'plc', burst);
    assert.equal(coalesced.length, 1, 'coalesced into one DDATA');
    assert.deepEqual([coalesced[0].metrics.get('L1.Speed')!.value, coalesced[0].metrics.get('L1.Running')!.value], [904, true]);

    // --- seq: every session from 0, +1 per message, mod 256, no gap
    const seq = checkSeqPerSession(host.messages, 'L1');
    assert.equal(seq.sessions, 5, 'births: first, NCMD, broker restart, drop, restart');
    assert.ok(seq.checked > 300);
    const st = edge.status();
    assert.deepEqual([st.state, st.bdSeq, st.births], ['born', 3, 1]);
  } finally {
    unsubscribe();
    await edge.close();
    await host.close();
    await relay.close();
    db.close();
    await broker.stop();
  }
});

test('2. the runtime on the simulator with a sparkplug: section: births of its devices and tags, live data, NDEATH on close', { timeout: 120_000 }, async () => {
  const dir = join(tmp.dir, 'runtime');
  const broker = await startMosquitto({ dir: join(dir, 'broker') });
  const sim = await startSimulator({ pkiDir: join(dir, 'sim-pki'), log: () => undefined });
  const host = await startSparkplugSubscriber(broker.url, 'test-sparkplug-host-2');
  let runtime: RuntimeHost | null = null;
  try {
    const project = bindToSimulator(loadProjectFile(join(repoRoot(), 'projects', 'demo-line.yaml')), sim);
    const file = join(dir, 'project.yaml');
    writeFileSync(file, stringify({ ...project, sparkplug: { enabled: true, url: broker.url, minPublishIntervalMs: 100 } }));
    runtime = await startRuntime({ projectFile: file, dataDir: join(dir, 'data'), shell: 'headless' });
    const nbirth = await host.next('NBIRTH', (m) => m.type === 'NBIRTH', 0, 30_000);
    assert.equal(nbirth.topic, `spBv1.0/${project.site}/NBIRTH/${project.line}`);
    assert.equal(bdSeqOf(nbirth), 0);
    const devices = project.devices.filter((d) => d.enabled).map((d) => d.id);
    for (const device of devices) {
      const birth = await host.next(`DBIRTH ${device}`, (m) => m.type === 'DBIRTH' && m.device === device);
      const tags = project.tags.filter((t) => t.device === device);
      assert.deepEqual([...birth.metrics.keys()], tags.map((t) => t.id), `${device}: every tag a metric`);
      for (const t of tags) assert.equal(birth.metrics.get(t.id)!.properties?.engUnit?.value, t.units, `${t.id} engUnit`);
    }
    // live values from the simulator arrive as DDATA, good, with the tags' types
    const speed = await host.next('DDATA with the line speed', (m) => m.type === 'DDATA' && typeof m.metrics.get('L1.Speed')?.value === 'number', 0, 30_000);
    assert.equal(speed.metrics.get('L1.Speed')!.type, 'Double');
    assert.equal(speed.metrics.get('L1.Speed')!.properties?.Quality?.value, 192);
    await host.next('DDATA from the Modbus device', (m) => m.type === 'DDATA' && m.device === 'filler_plc', 0, 30_000);
    checkSeqPerSession(host.messages, project.line);
    const from = host.messages.length;
    await runtime.close();
    runtime = null;
    const death = await host.next('NDEATH on close', (m) => m.type === 'NDEATH', from);
    assert.equal(bdSeqOf(death), 0);
  } finally {
    await runtime?.close();
    await host.close();
    await sim.stop().catch(() => undefined);
    await broker.stop();
  }
});

test('3. the headless process killed: NDEATH from the will with its bdSeq; restarted, bdSeq + 1 (kept in its SQLite)', { timeout: 180_000 }, async () => {
  const dir = join(tmp.dir, 'headless');
  const broker = await startMosquitto({ dir: join(dir, 'broker') });
  const sim = await startSimulator({ pkiDir: join(dir, 'sim-pki'), log: () => undefined });
  const host = await startSparkplugSubscriber(broker.url, 'test-sparkplug-host-3');
  let app: HeadlessProcess | null = null;
  try {
    const project = bindToSimulator(loadProjectFile(join(repoRoot(), 'projects', 'demo-line.yaml')), sim);
    const file = join(dir, 'project.yaml');
    writeFileSync(file, stringify({ ...project, sparkplug: { enabled: true, url: broker.url, groupId: 'Plant7', edgeNodeId: 'Line1', reconnectS: 0.5 } }));
    const args = ['--project', file, '--data-dir', join(dir, 'data'), '--listen', '127.0.0.1:0'];
    app = await startHeadless(args, 60_000);
    const nb = await host.next('NBIRTH', (m) => m.type === 'NBIRTH' && m.node === 'Line1', 0, 30_000);
    assert.equal(nb.topic, 'spBv1.0/Plant7/NBIRTH/Line1');
    assert.equal(bdSeqOf(nb), 0);
    await host.next('live DDATA', (m) => m.type === 'DDATA' && m.node === 'Line1', 0, 30_000);

    let from = host.messages.length;
    assert.equal(await app.stop('SIGKILL'), 'SIGKILL');
    app = null;
    const death = await host.next('NDEATH by the will', (m) => m.type === 'NDEATH', from, 30_000);
    assert.equal(death.topic, 'spBv1.0/Plant7/NDEATH/Line1');
    assert.equal(bdSeqOf(death), bdSeqOf(nb), 'the will carries the bdSeq of the NBIRTH');

    from = host.messages.length;
    app = await startHeadless(args, 60_000);
    const nb2 = await host.next('NBIRTH after the restart', (m) => m.type === 'NBIRTH', from, 30_000);
    assert.equal(bdSeqOf(nb2), 1, 'bdSeq kept in the data folder: + 1, not 0 again');
    await host.next('DBIRTH after the restart', (m) => m.type === 'DBIRTH' && m.device === 'filler_plc', from);
    from = host.messages.length;
    await app.stop('SIGTERM');
    app = null;
    assert.equal(bdSeqOf(await host.next('NDEATH on a clean stop', (m) => m.type === 'NDEATH', from, 30_000)), 1);
    checkSeqPerSession(host.messages, 'Line1');
  } finally {
    await app?.stop('SIGKILL');
    await host.close();
    await sim.stop().catch(() => undefined);
    await broker.stop();
  }
});
