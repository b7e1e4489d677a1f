/**
 * ModbusRtuBus and ModbusRtuDriver over a fake serial line, on fake time: who shares what, and
 * whose failure rebuilds what. The real line (socat pair + pymodbus) is in
 * test/integration/modbus-rtu.test.ts.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import type ModbusRTU from 'modbus-serial';
import type { BackoffPolicy } from '../../main/drivers/connection-supervisor';
import type { DriverReading } from '../../main/drivers/driver';
import { defaultInterFrameDelayMs, ModbusRtuBusRegistry, type SerialLineSettings } from '../../main/drivers/modbus/modbus-rtu-bus';
import { ModbusRtuDriver } from '../../main/drivers/modbus/modbus-rtu-driver';
import { FakeClock } from '../../main/util/clock';

type UnitBehaviour = 'ok' | 'timeout' | 'crc';

/** One open "port": answers per unit id as the test says, and counts what it was asked. */
class FakePort extends EventEmitter {
  isOpen = true;
  private unit = 0;
  inFlight = 0;
  maxInFlight = 0;
  readonly asked: number[] = [];
  constructor(private readonly line: FakeLine) {
    super();
  }
  setID(id: number) {
    this.unit = id;
  }
  setTimeout() {}
  async readHoldingRegisters(start: number, length: number) {
    const unit = this.unit;
    this.asked.push(unit);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await Promise.resolve();
    this.inFlight--;
    const behaviour = this.line.units.get(unit) ?? 'timeout';
    if (behaviour === 'timeout') throw { name: 'TransactionTimedOutError', message: 'Timed out', errno: 'ETIMEDOUT' };
    if (behaviour === 'crc') throw new Error('CRC error');
    return { data: Array.from({ length }, (_, i) => unit * 100 + start + i) };
  }
  close(cb: () => void) {
    this.isOpen = false;
    cb();
  }
}

class FakeLine {
  readonly units = new Map<number, UnitBehaviour>();
  readonly ports: FakePort[] = [];
  refuseOpen = false;
  open = async (_s: SerialLineSettings): Promise<ModbusRTU> => {
    if (this.refuseOpen) throw new Error('ENOENT: no such file or directory');
    const p = new FakePort(this);
    this.ports.push(p);
    return p as unknown as ModbusRTU;
  };
  get port(): FakePort {
    return this.ports[this.ports.length - 1];
  }
}

const line: SerialLineSettings = { path: '/dev/ttyFAKE0', baudRate: 19200, parity: 'even', dataBits: 8, stopBits: 1, interFrameDelayMs: 0 };
const backoff: BackoffPolicy = { initialMs: 100, maxMs: 1000, jitter: 0 };

function setup(units: Record<number, UnitBehaviour>) {
  const clock = new FakeClock();
  const fake = new FakeLine();
  for (const [id, b] of Object.entries(units)) fake.units.set(Number(id), b);
  const buses = new ModbusRtuBusRegistry();
  const driver = (unitId: number, extra: Partial<ConstructorParameters<typeof ModbusRtuDriver>[0]> = {}) =>
    new ModbusRtuDriver({
      deviceId: `u${unitId}`,
      name: `unit ${unitId}`,
      line,
      unitId,
      timeoutMs: 100,
      wordOrder: 'ABCD',
      clock,
      backoff,
      buses,
      openPort: fake.open,
      ...extra,
    });
  const read = async (d: ModbusRtuDriver): Promise<DriverReading> => (await d.read(d.plan([{ tagId: 't', address: 'HR5', dataType: 'uint16' }])))[0];
  return { clock, fake, buses, driver, read };
}

test('1. units of one port share one bus and one open port; the last to close closes it', async () => {
  const { fake, buses, driver, read } = setup({ 1: 'ok', 2: 'ok' });
  const a = driver(1);
  const b = driver(2);
  assert.equal(buses.size, 1);
  assert.equal((await read(a)).value, 105);
  assert.equal((await read(b)).value, 205);
  assert.equal(fake.ports.length, 1, 'one port for both units');
  assert.throws(() => driver(3, { line: { ...line, baudRate: 9600 } }), /already in use with baudRate 19200 \(not 9600\)/);
  await a.close();
  assert.equal(fake.port.isOpen, true, 'still used by unit 2');
  await b.close();
  assert.equal(fake.port.isOpen, false);
  assert.equal(buses.size, 0);
});

test('2. a unit that does not answer backs off alone; the others stay online; the port stays open', async () => {
  const { clock, fake, driver, read } = setup({ 1: 'ok', 2: 'timeout' });
  const a = driver(1);
  const b = driver(2);
  const r2 = await read(b);
  assert.deepEqual(r2.quality, { level: 'bad', reason: 'comm_failure' });
  assert.equal(b.status().state, 'backoff');
  assert.match(b.status().lastError ?? '', /no answer within 100 ms reading HR5 \(unit 2\)/);
  assert.equal(b.status().timeouts, 1);
  const r1 = await read(a);
  assert.equal(r1.value, 105);
  assert.equal(a.status().state, 'online');
  // During unit 2's backoff the line is not spent on it.
  const askedBefore = fake.port.asked.length;
  assert.deepEqual((await read(b)).quality, { level: 'bad', reason: 'comm_failure' });
  assert.equal(fake.port.asked.length, askedBefore, 'unit 2 not asked while backing off');
  fake.units.set(2, 'ok');
  clock.advance(100);
  assert.equal((await read(b)).value, 205);
  assert.equal(b.status().state, 'online');
  assert.equal(fake.ports.length, 1, 'the port was never reopened');
  await a.close();
  await b.close();
});

test('3. a garbled answer (CRC) is that unit\'s failure, not the port\'s', async () => {
  const { fake, driver, read } = setup({ 1: 'ok', 2: 'crc' });
  const a = driver(1);
  const b = driver(2);
  const r = await read(b);
  assert.deepEqual([r.value, r.quality.reason], [null, 'comm_failure']);
  assert.match(b.status().lastError ?? '', /garbled answer .*CRC error/);
  assert.equal((await read(a)).value, 105);
  assert.equal(fake.ports.length, 1);
  await a.close();
  await b.close();
});

test('4. the port closing (USB unplugged) takes every unit down; the bus reopens it after its backoff', async () => {
  const { clock, fake, driver, read } = setup({ 1: 'ok', 2: 'ok' });
  const a = driver(1);
  const b = driver(2);
  await read(a);
  await read(b);
  fake.refuseOpen = true;
  fake.port.isOpen = false;
  fake.port.emit('close');
  assert.equal(a.status().state, 'backoff');
  assert.equal(b.status().state, 'backoff');
  assert.match(a.status().lastError ?? '', /serial port \/dev\/ttyFAKE0 closed/);
  clock.advance(100);
  assert.deepEqual((await read(a)).quality, { level: 'bad', reason: 'comm_failure' });
  assert.match(a.status().lastError ?? '', /cannot open \/dev\/ttyFAKE0 .*ENOENT/);
  fake.refuseOpen = false;
  clock.advance(1000);
  assert.equal((await read(a)).value, 105);
  assert.equal((await read(b)).value, 205);
  assert.equal(fake.ports.length, 2, 'one new port, shared again');
  assert.equal(a.status().reconnects, 1);
  await a.close();
  await b.close();
});

test('5. several timeouts in a row on the line, whichever units, reopen the port', async () => {
  const { clock, fake, driver, read } = setup({ 1: 'timeout', 2: 'timeout', 3: 'timeout' });
  const ds = [driver(1), driver(2), driver(3)];
  for (const d of ds) await read(d);
  assert.equal(fake.ports[0].isOpen, false, 'the third timeout in a row closed the port');
  assert.match(ds[0].status().lastError ?? '', /3 requests in a row unanswered on \/dev\/ttyFAKE0, port reopened/);
  assert.deepEqual(
    ds.map((d) => d.status().timeouts),
    [1, 1, 1],
    'each unit counts its own timeout, not the port reset',
  );
  fake.units.set(1, 'ok');
  clock.advance(1000);
  assert.equal((await read(ds[0])).value, 105);
  assert.equal(fake.ports.length, 2);
  for (const d of ds) await d.close();
});

test('6. one request on the wire at a time, whatever the number of units asking', async () => {
  const { fake, driver } = setup({ 1: 'ok', 2: 'ok', 3: 'ok' });
  const ds = [driver(1), driver(2), driver(3)];
  const tags = Array.from({ length: 3 }, (_, i) => ({ tagId: `t${i}`, address: `HR${i * 200}`, dataType: 'uint16' as const }));
  const results = await Promise.all(ds.flatMap((d) => [d.read(d.plan(tags)), d.read(d.plan(tags))]));
  assert.equal(results.flat().filter((r) => r.quality.level === 'good').length, 18);
  assert.equal(fake.port.asked.length, 18);
  assert.equal(fake.port.maxInFlight, 1);
  for (const d of ds) await d.close();
});

test('7. inter-frame silence: 3.5 characters, 1.75 ms above 19200 baud', () => {
  assert.ok(Math.abs(defaultInterFrameDelayMs({ baudRate: 9600, parity: 'even', stopBits: 1 }) - 4.0104) < 0.001);
  assert.ok(Math.abs(defaultInterFrameDelayMs({ baudRate: 19200, parity: 'none', stopBits: 1 }) - 1.8229) < 0.001);
  assert.equal(defaultInterFrameDelayMs({ baudRate: 115200, parity: 'none', stopBits: 1 }), 1.75);
});
