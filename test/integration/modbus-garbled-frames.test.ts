/**
 * Answers that do not belong to the request, against a hand-written misbehaving Modbus TCP server
 * on loopback: the driver must never apply their data (every register of a wrong answer holds
 * 0xDEAD), must report the values bad (comm_failure), must rebuild the connection, and must read
 * correctly again once the server behaves.
 *
 * What modbus-serial 8.0 does with each (verified here, see docs/modbus.md):
 *   wrong or stale transaction id  ignored (no pending request has that id) → our timeout
 *   truncated frame, garbage       waits for the bytes the MBAP header promised → our timeout
 *   wrong unit id, function code   rejected ("Unexpected data error") → garbled
 *   fewer registers than asked     rejected ("Data length error") → garbled
 *   byte count lying about the registers it carries: accepted by modbus-serial (it trusts the
 *                                  byte count); rejected by our own register-count check
 * The backoff runs on a FakeClock; only modbus-serial's request timeout is real time.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DriverReading } from '../../main/drivers/driver';
import { ModbusTcpDriver } from '../../main/drivers/modbus/modbus-tcp-driver';
import { FakeClock } from '../../main/util/clock';
import { startScriptedServer, type Misbehaviour, type ScriptedServer } from '../helpers/modbus-scripted-server';

const TIMEOUT_MS = 150;
let server: ScriptedServer;
let driver: ModbusTcpDriver;
const clock = new FakeClock(Date.now());
const tags = [
  { tagId: 'speed', address: 'HR0', dataType: 'uint16' as const },
  { tagId: 'count', address: 'HR1', dataType: 'int32' as const },
  { tagId: 'temp', address: 'IR10', dataType: 'float32' as const, wordOrder: 'CDAB' as const },
];

before(async () => {
  server = await startScriptedServer();
  driver = new ModbusTcpDriver({
    deviceId: 'plc',
    name: 'plc',
    host: '127.0.0.1',
    port: server.port,
    unitId: 1,
    timeoutMs: TIMEOUT_MS,
    wordOrder: 'ABCD',
    clock,
    backoff: { initialMs: 100, maxMs: 100, jitter: 0 },
  });
});

after(async () => {
  await driver.close();
  await server.close();
});

function setValues(speed: number, count: number, temp: number): void {
  server.registers[0] = speed;
  server.registers[1] = (count >>> 16) & 0xffff;
  server.registers[2] = count & 0xffff;
  const b = Buffer.alloc(4);
  b.writeFloatBE(temp);
  server.registers[10] = b.readUInt16BE(2); // CDAB: low word first
  server.registers[11] = b.readUInt16BE(0);
}

async function read(): Promise<Map<string, DriverReading>> {
  const plan = driver.plan(tags);
  return new Map((await driver.read(plan)).map((r) => [r.tagId, r]));
}

async function expectGood(speed: number, count: number, temp: number): Promise<void> {
  const r = await read();
  assert.deepEqual(
    tags.map((t) => [r.get(t.tagId)!.value, r.get(t.tagId)!.quality.level]),
    [
      [speed, 'good'],
      [count, 'good'],
      [temp, 'good'],
    ],
  );
}

const cases: [Misbehaviour, RegExp][] = [
  ['wrong-transaction', /no answer within 150 ms reading/],
  ['stale-transaction', /no answer within 150 ms reading/],
  ['wrong-unit', /garbled answer reading HR0\.\.HR2: Unexpected data error, expected address 1 got 2/],
  ['wrong-function', /garbled answer reading HR0\.\.HR2: Unexpected data error, expected code 3 got 4/],
  ['short', /garbled answer reading HR0\.\.HR2: Data length error/],
  ['lying-byte-count', /garbled answer reading HR0\.\.HR2: 2 registers in the answer to a request for 3/],
  ['truncated', /no answer within 150 ms reading/],
  ['garbage', /no answer within 150 ms reading/],
  ['silent', /no answer within 150 ms reading/],
];

test('0. a well-behaved server reads good', async () => {
  setValues(120, -70_000, 21.5);
  await expectGood(120, -70_000, 21.5);
  assert.equal(driver.status().state, 'online');
});

for (const [n, [misbehaviour, error]] of cases.entries()) {
  test(`${n + 1}. ${misbehaviour}: discarded, values bad (comm_failure), connection rebuilt, then good again`, async () => {
    setValues(100 + n, 1000 * n, n + 0.5);
    await expectGood(100 + n, 1000 * n, n + 0.5);
    const connections = server.stats.connections;
    const timeoutsBefore = driver.status().timeouts;

    server.misbehave = misbehaviour;
    const r = await read();
    for (const t of tags) {
      const x = r.get(t.tagId)!;
      assert.deepEqual(x.quality, { level: 'bad', reason: 'comm_failure' }, `${t.tagId} quality`);
      assert.equal(x.value, null, `${t.tagId}: nothing from the wrong answer is applied`);
    }
    const s = driver.status();
    assert.equal(s.state, 'backoff', 'the connection is not trusted any more');
    assert.match(s.lastError ?? '', error);
    assert.equal(s.timeouts - timeoutsBefore, error.source.startsWith('no answer') ? 1 : 0, 'timeouts counted as timeouts only');

    server.misbehave = null;
    clock.advance(100);
    await expectGood(100 + n, 1000 * n, n + 0.5);
    assert.equal(server.stats.connections, connections + 1, 'a new connection, not the suspect one');
    assert.equal(driver.status().state, 'online');
  });
}

test(`${cases.length + 1}. an answer later than the timeout is never taken for the next request's`, async () => {
  setValues(1, 1, 1);
  await expectGood(1, 1, 1);
  server.delayMs = TIMEOUT_MS + 150;
  const slow = await read();
  assert.equal(slow.get('speed')!.quality.reason, 'comm_failure');
  server.delayMs = 0;
  setValues(2, 2, 2);
  clock.advance(100);
  // The late answer (speed 1) is sent on the old connection, which was destroyed at the timeout.
  await expectGood(2, 2, 2);
  await server.delayedAnswersSent(); // the late answer has been sent...
  await expectGood(2, 2, 2); // ...and still nothing of it shows
});
