/**
 * Modbus TCP faults through the real acquisition path (AcquisitionService → ScanGroup →
 * ModbusTcpDriver) on the real clock, against the built-in simulator's Modbus server and a
 * scripted server that counts what it receives.
 *
 * The real clock is the point here: these are the timings an operator sees (values bad within
 * two scan periods of a PLC dying, good again within 5 s of its return).
 */
import assert from 'node:assert/strict';
import { after, afterEach, test } from 'node:test';
import { AcquisitionService } from '../../main/acquisition/acquisition-service';
import type { AcquiredTag } from '../../main/acquisition/scan-group';
import type { Driver } from '../../main/drivers/driver';
import { ModbusTcpDriver } from '../../main/drivers/modbus/modbus-tcp-driver';
import { systemClock as simulatorClock } from '../../main/simulator/clock';
import { LineModel } from '../../main/simulator/line-model';
import { startModbusServer, type ModbusSimulatorServer } from '../../main/simulator/modbus-server';
import { FakeClock, systemClock } from '../../main/util/clock';
import type { TagValue } from '../../shared/types';
import { startScriptedServer } from '../helpers/modbus-scripted-server';
import { waitFor } from '../helpers/temp';

const SCAN_MS = 200;
// Each test stops what it started before the next begins, so test 4 counts only its own handles.
const cleanups: (() => Promise<void>)[] = [];
const cleanUp = async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
};
afterEach(cleanUp);
after(cleanUp);

const model = new LineModel({ seed: 7, startTimeMs: Date.now(), idlePeriods: false });
const simServer = (port: number, responseDelayMs = 0) =>
  startModbusServer({ host: '127.0.0.1', port, model, clock: simulatorClock, responseDelayMs, log: () => undefined });

function tcpDriver(port: number, timeoutMs: number, clock = systemClock): ModbusTcpDriver {
  return new ModbusTcpDriver({ deviceId: 'plc', name: 'plc', host: '127.0.0.1', port, unitId: 1, timeoutMs, wordOrder: 'ABCD', clock });
}

function acquire(driver: Driver, addresses: [string, 'uint16' | 'uint32' | 'float32'][]) {
  const tags: AcquiredTag[] = addresses.map(([address, dataType]) => ({
    id: address,
    deviceId: driver.deviceId,
    scanMs: SCAN_MS,
    driverTag: { tagId: address, address, dataType },
  }));
  const history: { at: number; v: TagValue }[] = [];
  const latest = new Map<string, TagValue>();
  const service = new AcquisitionService(new Map([[driver.deviceId, driver]]), tags, systemClock, (batch) => {
    for (const v of batch) {
      history.push({ at: Date.now(), v });
      latest.set(v.tagId, v);
    }
  });
  const all = (level: string, reason?: string) =>
    tags.every((t) => latest.get(t.id)?.quality.level === level && (reason === undefined || latest.get(t.id)?.quality.reason === reason));
  /** when each tag was first published with `level` at or after `since` */
  const firstAt = (level: string, since: number) =>
    tags.map((t) => history.find((h) => h.at >= since && h.v.tagId === t.id && h.v.quality.level === level)?.at ?? Infinity);
  return { service, history, latest, all, firstAt, tags };
}

test('1. PLC killed and restarted on the same port mid-scan: bad within two scans, good within 5 s, same runtime', async () => {
  let server: ModbusSimulatorServer = await simServer(0);
  const port = server.port;
  cleanups.push(() => server.close());
  const driver = tcpDriver(port, 150);
  const a = acquire(driver, [
    ['HR0', 'uint16'],
    ['HR2', 'uint32'],
    ['HR10', 'float32'],
  ]);
  a.service.start();
  cleanups.push(() => a.service.stop());
  await waitFor('all values good', () => a.all('good'), 5000, 20);

  const killedAt = Date.now();
  await server.close();
  await waitFor('all values bad', () => a.all('bad', 'comm_failure'), 5000, 20);
  const badAfter = Math.max(...a.firstAt('bad', killedAt)) - killedAt;
  assert.ok(badAfter <= 2 * SCAN_MS, `bad ${badAfter} ms after the server died (limit ${2 * SCAN_MS})`);
  for (const t of a.tags) assert.notEqual(a.latest.get(t.id)!.value, null, `${t.id}: the last value is held, marked bad`);

  await new Promise((r) => setTimeout(r, 1000)); // a PLC reboot: one second away
  server = await simServer(port);
  const backAt = Date.now();
  await waitFor('all values good again', () => a.all('good'), 8000, 20);
  const goodAfter = Math.max(...a.firstAt('good', backAt)) - backAt;
  assert.ok(goodAfter <= 5000, `good ${goodAfter} ms after the server came back`);
  assert.equal(driver.status().state, 'online');
  assert.ok(driver.status().reconnects >= 1);
  assert.equal(a.latest.get('HR0')!.value, model.snapshot().speedSetpoint);
});

test('2. answers slower than the timeout (simulator delay): bad comm_failure, one request at a time', async () => {
  const server = await simServer(0, 400);
  cleanups.push(() => server.close());
  const driver = tcpDriver(server.port, 150);
  const a = acquire(driver, [['HR0', 'uint16']]);
  let maxQueue = 0;
  const sample = setInterval(() => (maxQueue = Math.max(maxQueue, driver.queueDepth)), 5);
  cleanups.push(async () => clearInterval(sample));
  a.service.start();
  cleanups.push(() => a.service.stop());
  await waitFor('a comm failure', () => a.all('bad', 'comm_failure'), 3000, 20);
  const since = Date.now();
  const requestsBefore = driver.status().requests;
  await new Promise((r) => setTimeout(r, 1500));
  // Unchanged bad values are not re-published every scan (the bus carries changes and a
  // heartbeat), but the scans go on trying.
  assert.ok(driver.status().requests > requestsBefore, 'scans keep trying');
  const later = a.history.filter((h) => h.at >= since);
  assert.ok(later.every((h) => h.v.quality.reason === 'comm_failure'), 'never good, never anything but comm_failure');
  assert.ok(maxQueue <= 1, `requests queued in the driver: ${maxQueue}`);
  assert.ok(driver.status().timeouts >= 2, `timeouts: ${driver.status().timeouts}`);
});

test('3. answers slower than the scan period but within the timeout: scans are skipped, never queued', async () => {
  const server = await startScriptedServer();
  cleanups.push(() => server.close());
  server.registers[0] = 42;
  server.delayMs = 350; // > SCAN_MS, < timeout
  const driver = tcpDriver(server.port, 1000);
  const a = acquire(driver, [['HR0', 'uint16']]);
  const started = Date.now();
  a.service.start();
  cleanups.push(() => a.service.stop());
  await waitFor('the value', () => a.all('good'), 3000, 20);
  await new Promise((r) => setTimeout(r, 2000));
  const elapsed = Date.now() - started;
  assert.equal(server.stats.maxInFlightPerConnection, 1, 'one request in flight');
  assert.ok(server.stats.requests <= Math.ceil(elapsed / 350) + 1, `${server.stats.requests} requests in ${elapsed} ms at 350 ms each`);
  assert.equal(server.stats.connections, 1, 'slow is not broken: the connection is kept');
  assert.equal(a.latest.get('HR0')!.value, 42);
});

test('4. 50 forced reconnects: no listener, socket or timer leaks, no MaxListenersExceededWarning', async () => {
  const server = await startScriptedServer();
  cleanups.push(() => server.close());
  server.registers[5] = 5;
  const clock = new FakeClock(Date.now());
  const driver = new ModbusTcpDriver({
    deviceId: 'plc',
    name: 'plc',
    host: '127.0.0.1',
    port: server.port,
    unitId: 1,
    timeoutMs: 500,
    wordOrder: 'ABCD',
    clock,
    backoff: { initialMs: 10, maxMs: 10, jitter: 0 },
  });
  cleanups.push(() => driver.close());
  const plan = driver.plan([{ tagId: 'x', address: 'HR5', dataType: 'uint16' }]);
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  cleanups.push(async () => void process.off('warning', onWarning));

  const listenerCounts = () => Object.fromEntries(process.eventNames().map((e) => [String(e), process.listenerCount(e)]));
  const resources = () => {
    const counts: Record<string, number> = {};
    for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
    return counts;
  };
  const readGood = async (i: number) => {
    const [good] = await driver.read(plan);
    assert.deepEqual([good.value, good.quality.level], [5, 'good'], `cycle ${i}: read`);
  };
  const cycle = async (i: number) => {
    server.dropConnections();
    await waitFor('the connection to close', () => server.openSockets() === 0, 2000, 5);
    const [bad] = await driver.read(plan);
    assert.equal(bad.quality.reason, 'comm_failure', `cycle ${i}: dropped`);
    clock.advance(10);
    await readGood(i);
  };
  await readGood(0);
  await cycle(0);
  const baseline = { listeners: listenerCounts(), resources: resources() };
  for (let i = 1; i <= 50; i++) await cycle(i);
  assert.equal(driver.status().reconnects, 51);
  assert.equal(server.openSockets(), 1, 'one live connection, every old one closed');
  assert.deepEqual(listenerCounts(), baseline.listeners, 'process listeners');
  // Closing sockets and destroy's fallback timers take a moment to go; leaks never do.
  const settled = () => Object.entries(resources()).every(([k, n]) => n <= (baseline.resources[k] ?? 0));
  await waitFor('the handles to settle', settled, 2000, 10).catch(() => undefined);
  assert.ok(settled(), `active handles after 50 cycles ${JSON.stringify(resources())}, before ${JSON.stringify(baseline.resources)}`);
  assert.deepEqual(
    warnings.map((w) => w.name),
    [],
    'no warnings (MaxListenersExceededWarning)',
  );
});
