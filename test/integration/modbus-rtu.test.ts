/**
 * Modbus RTU over a real serial line in software: a socat pseudo-terminal pair, Debian's pymodbus
 * 3.0 RTU server on one end serving units 1 and 2, our ModbusRtuDriver (one per unit, one shared
 * bus) on the other. Pseudo-terminals refuse parity (EINVAL), hence parity none here.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DriverReading, DriverTag } from '../../main/drivers/driver';
import { ModbusRtuBusRegistry, type SerialLineSettings } from '../../main/drivers/modbus/modbus-rtu-bus';
import { ModbusRtuDriver } from '../../main/drivers/modbus/modbus-rtu-driver';
import { systemClock } from '../../main/util/clock';
import { buildMatrix, writeCases } from '../helpers/pymodbus-matrix';
import { pymodbusMissing, startPymodbus, type PymodbusServer } from '../helpers/pymodbus-server';
import { socatMissing, startPtyPair, type PtyPair } from '../helpers/socat-pty';
import { tempDir, waitFor } from '../helpers/temp';

const missing = pymodbusMissing() ?? socatMissing();
const skip = missing ?? false;
const tmp = tempDir();
const units = { 1: buildMatrix(1), 2: buildMatrix(2) };
const spec = { units: { '1': units[1].map((m) => m.item), '2': units[2].map((m) => m.item) } };
const buses = new ModbusRtuBusRegistry();
let pty: PtyPair;
let peer: PymodbusServer;
let line: SerialLineSettings;
const drivers: ModbusRtuDriver[] = [];

function rtuDriver(unitId: number, timeoutMs = 500): ModbusRtuDriver {
  const d = new ModbusRtuDriver({
    deviceId: `unit${unitId}`,
    name: `unit ${unitId}`,
    line,
    unitId,
    timeoutMs,
    wordOrder: 'ABCD',
    clock: systemClock,
    backoff: { initialMs: 50, maxMs: 400, jitter: 0 },
    buses,
  });
  drivers.push(d);
  return d;
}

async function readAll(d: ModbusRtuDriver, tags: DriverTag[]): Promise<Map<string, DriverReading>> {
  return new Map((await d.read(d.plan(tags))).map((r) => [r.tagId, r]));
}

before(async () => {
  if (missing) return;
  pty = await startPtyPair(tmp.dir, 'rs485');
  line = { path: pty.b, baudRate: 19200, parity: 'none', dataBits: 8, stopBits: 1 };
  peer = await startPymodbus({ spec, dir: tmp.dir, rtu: { device: pty.a, parity: 'N' } });
});

after(async () => {
  for (const d of drivers) await d.close();
  await peer?.stop();
  await pty?.stop();
  tmp.cleanup();
});

test('1. two units on one line: each reads its whole matrix, through one shared port', { skip }, async () => {
  const u1 = rtuDriver(1);
  const u2 = rtuDriver(2);
  // both at once: the bus serialises them on the wire
  const [r1, r2] = await Promise.all([readAll(u1, units[1].map((m) => m.tag)), readAll(u2, units[2].map((m) => m.tag))]);
  for (const [unit, r] of [
    [1, r1],
    [2, r2],
  ] as const) {
    for (const m of units[unit]) {
      const x = r.get(m.tag.tagId)!;
      if (m.expected === 'out_of_range') assert.deepEqual([x.value, x.quality.reason], [null, 'out_of_range'], m.tag.tagId);
      else assert.deepEqual([x.value, x.quality.level], [m.expected, 'good'], m.tag.tagId);
    }
  }
  assert.equal(buses.size, 1, 'one bus for the port');
  assert.equal(buses.get(pty.b)!.status().reconnects, 0);
  for (const d of [u1, u2]) {
    const s = d.status();
    assert.deepEqual([s.state, s.protocol, s.errors], ['online', 'modbus-rtu', 0]);
  }
  assert.match(u2.status().endpoint, /rs485-b unit 2$/);
});

test('2. writes of every type in every order reach unit 2 only; pymodbus decodes them', { skip }, async () => {
  const u2 = drivers[1];
  const cases = writeCases(2);
  const before1 = await peer.registers(1, 500, 100);
  for (const c of cases) await u2.write(c.tag, c.value);
  const decoded = await peer.decode(
    2,
    cases.map((c) => ({ address: c.address, type: c.type, order: c.order, length: c.tag.length })),
  );
  cases.forEach((c, i) => assert.equal(decoded[i], c.type.endsWith('64') && c.type !== 'float64' ? String(c.value) : c.value, `${c.type} ${c.order}`));
  assert.deepEqual(await peer.registers(1, 500, 100), before1, 'unit 1 untouched');
  const back = await u2.read(u2.plan(cases.map((c) => c.tag)));
  assert.deepEqual(
    back.map((r) => r.value),
    cases.map((c) => c.value),
  );
});

test('3. a unit that never answers is bad alone: the others stay good and online, the port stays open', { skip }, async () => {
  const [u1, u2] = drivers;
  const u3 = rtuDriver(3, 300); // pymodbus ignores unit 3, as a missing slave on a real bus would be silent
  const tag = (unit: number): DriverTag[] => [units[unit === 3 ? 1 : (unit as 1 | 2)][0].tag];
  const [r1, r2, r3] = await Promise.all([readAll(u1, tag(1)), readAll(u2, tag(2)), readAll(u3, tag(3))]);
  assert.equal([...r3.values()][0].quality.reason, 'comm_failure');
  assert.equal(u3.status().state, 'backoff');
  assert.match(u3.status().lastError ?? '', /no answer within 300 ms reading HR0 \(unit 3\)/);
  assert.equal([...r1.values()][0].quality.level, 'good');
  assert.equal([...r2.values()][0].quality.level, 'good');
  // again, after unit 3's failure
  const again = await Promise.all([readAll(u1, tag(1)), readAll(u2, tag(2))]);
  assert.ok(again.every((r) => [...r.values()][0].quality.level === 'good'));
  assert.deepEqual([u1.status().state, u2.status().state], ['online', 'online']);
  assert.equal(buses.get(pty.b)!.status().reconnects, 0, 'the port was not reopened for one silent unit');
  await u3.close();
  assert.equal(buses.size, 1, 'the bus stays while units 1 and 2 use it');
});

test('4. the line disappears (adapter unplugged) and comes back: every unit recovers through a new port', { skip }, async () => {
  const [u1, u2] = drivers;
  const tag1 = [units[1][0].tag];
  const tag2 = [units[2][0].tag];
  await peer.stop();
  await pty.stop();
  await waitFor('both units to fail', async () => {
    const [a, b] = await Promise.all([readAll(u1, tag1), readAll(u2, tag2)]);
    return [...a.values()][0].quality.reason === 'comm_failure' && [...b.values()][0].quality.reason === 'comm_failure';
  }, 10_000, 50);
  assert.notEqual(u1.status().state, 'online');

  pty = await startPtyPair(tmp.dir, 'rs485'); // same link paths, new /dev/pts devices
  peer = await startPymodbus({ spec, dir: tmp.dir, rtu: { device: pty.a, parity: 'N' } });
  const backAt = Date.now();
  await waitFor('both units good again', async () => {
    const [a, b] = await Promise.all([readAll(u1, tag1), readAll(u2, tag2)]);
    return [...a.values()][0].value === units[1][0].expected && [...b.values()][0].value === units[2][0].expected;
  }, 10_000, 50);
  assert.ok(Date.now() - backAt < 5000, `recovered in ${Date.now() - backAt} ms`);
  assert.ok(buses.get(pty.b)!.status().reconnects >= 1, 'the port was reopened');
  assert.deepEqual([u1.status().state, u2.status().state], ['online', 'online']);
});
