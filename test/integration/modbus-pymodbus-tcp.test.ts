/**
 * Modbus TCP against an independent peer: Debian's pymodbus 3.0 server, which lays out the
 * data type × word order matrix with its own BinaryPayloadBuilder. Our driver reads every entry;
 * then writes every type in every order and pymodbus decodes what arrived with its own decoder.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ModbusTcpDriver } from '../../main/drivers/modbus/modbus-tcp-driver';
import { systemClock } from '../../main/util/clock';
import { buildMatrix, writeCases, type MatrixEntry } from '../helpers/pymodbus-matrix';
import { pymodbusMissing, startPymodbus, type PymodbusServer } from '../helpers/pymodbus-server';
import { tempDir } from '../helpers/temp';

const missing = pymodbusMissing();
const tmp = tempDir();
const matrix: MatrixEntry[] = buildMatrix(1);
let peer: PymodbusServer;
let driver: ModbusTcpDriver;

before(async () => {
  if (missing) return;
  peer = await startPymodbus({ spec: { units: { '1': matrix.map((m) => m.item) } }, dir: tmp.dir, tcpPort: 0 });
  driver = new ModbusTcpDriver({ deviceId: 'py', name: 'pymodbus', host: '127.0.0.1', port: peer.port, unitId: 1, timeoutMs: 2000, wordOrder: 'ABCD', clock: systemClock });
});

after(async () => {
  await driver?.close();
  await peer?.stop();
  tmp.cleanup();
});

test('1. every data type in every word order reads exactly what pymodbus serves', { skip: missing ?? false }, async () => {
  const plan = driver.plan(matrix.map((m) => m.tag));
  const readings = new Map((await driver.read(plan)).map((r) => [r.tagId, r]));
  assert.equal(readings.size, matrix.length);
  for (const m of matrix) {
    const r = readings.get(m.tag.tagId)!;
    if (m.expected === 'out_of_range') {
      assert.deepEqual([r.value, r.quality], [null, { level: 'bad', reason: 'out_of_range' }], m.tag.tagId);
    } else {
      assert.deepEqual([r.value, r.quality.level], [m.expected, 'good'], m.tag.tagId);
    }
  }
  assert.ok(plan.requestCount <= 6, `coalesced into ${plan.requestCount} requests`);
});

test('2. writes of every type in every order: pymodbus decodes the value written', { skip: missing ?? false }, async () => {
  const cases = writeCases(1);
  for (const c of cases) await driver.write(c.tag, c.value);
  const decoded = await peer.decode(
    1,
    cases.map((c) => ({ address: c.address, type: c.type, order: c.order, length: c.tag.length })),
  );
  cases.forEach((c, i) => {
    const want = c.type === 'int64' || c.type === 'uint64' ? String(c.value) : c.value;
    assert.equal(decoded[i], want, `${c.type} ${c.order} at HR${c.address}`);
  });
  // and our own read sees the same
  const readings = await driver.read(driver.plan(cases.map((c) => c.tag)));
  assert.deepEqual(
    readings.map((r) => r.value),
    cases.map((c) => c.value),
  );
});

test('3. a string is padded with NULs on the device; a coil write lands', { skip: missing ?? false }, async () => {
  await driver.write({ tagId: 's', address: 'HR700', dataType: 'string', length: 3 }, 'AB');
  assert.deepEqual(await peer.registers(1, 700, 3), [0x4142, 0, 0]);
  await driver.write({ tagId: 'c', address: 'CO9', dataType: 'bool' }, true);
  assert.deepEqual(await peer.coils(1, 8, 3), [false, true, false]);
});

test('4. a value the type cannot hold is refused before anything is sent', { skip: missing ?? false }, async () => {
  const before = await peer.registers(1, 710, 4);
  await assert.rejects(driver.write({ tagId: 'x', address: 'HR710', dataType: 'int64' }, 2 ** 53), /does not fit int64/);
  await assert.rejects(driver.write({ tagId: 'x', address: 'HR710', dataType: 'string', length: 2 }, 'too long'), /holds 4/);
  assert.deepEqual(await peer.registers(1, 710, 4), before);
});
