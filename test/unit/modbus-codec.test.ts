import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseModbusAddress, type WordOrder } from '../../shared/modbus-address';
import { decodeRegisters, fromBigEndianBytes, toBigEndianBytes } from '../../main/drivers/modbus/register-codec';

// 0x41 0x20 0x00 0x00 is float32 10.0 big-endian.
const wire: Record<WordOrder, number[]> = {
  ABCD: [0x4120, 0x0000],
  CDAB: [0x0000, 0x4120],
  BADC: [0x2041, 0x0000],
  DCBA: [0x0000, 0x2041],
};

test('1. float32 10.0 in each word order', () => {
  for (const [order, regs] of Object.entries(wire) as [WordOrder, number[]][]) {
    assert.equal(decodeRegisters(regs, 'float32', order), 10, order);
  }
});

test('2. signed and unsigned integers', () => {
  assert.equal(decodeRegisters([0xffff], 'int16', 'ABCD'), -1);
  assert.equal(decodeRegisters([0xffff], 'uint16', 'ABCD'), 65535);
  assert.equal(decodeRegisters([0xfffe, 0x7960], 'int32', 'ABCD'), -100_000);
  assert.equal(decodeRegisters([0x7960, 0xfffe], 'int32', 'CDAB'), -100_000);
  assert.equal(decodeRegisters([0x0001, 0x0000], 'uint32', 'ABCD'), 65536);
  assert.equal(decodeRegisters([0x0000, 0x0001], 'uint32', 'CDAB'), 65536);
  // a byte-swapping device also swaps single registers
  assert.equal(decodeRegisters([0x3412], 'uint16', 'BADC'), 0x1234);
});

test('3. float64 and round trips through every order', () => {
  const values = [Math.PI, -1e-300, 123456789.125];
  for (const order of ['ABCD', 'CDAB', 'BADC', 'DCBA'] as WordOrder[]) {
    for (const v of values) {
      const be = Buffer.alloc(8);
      be.writeDoubleBE(v);
      const regs = fromBigEndianBytes(be, order);
      assert.equal(decodeRegisters(regs, 'float64', order), v, `${order} ${v}`);
      assert.deepEqual(toBigEndianBytes(regs, order), be);
    }
  }
});

test('4. bit in a register, bool register', () => {
  assert.equal(decodeRegisters([0b1000], 'bool', 'ABCD', 3), true);
  assert.equal(decodeRegisters([0b1000], 'bool', 'ABCD', 2), false);
  assert.equal(decodeRegisters([0], 'bool', 'ABCD'), false);
});

test('5. addresses: named, classic, bits, errors', () => {
  assert.deepEqual(parseModbusAddress('HR10'), { ok: true, value: { area: 'holding', offset: 10 } });
  assert.deepEqual(parseModbusAddress('400011'), { ok: true, value: { area: 'holding', offset: 10 } });
  assert.deepEqual(parseModbusAddress('30001'), { ok: true, value: { area: 'input', offset: 0 } });
  assert.deepEqual(parseModbusAddress('hr20.3'), { ok: true, value: { area: 'holding', offset: 20, bit: 3 } });
  assert.equal(parseModbusAddress('HR70000').ok, false);
  assert.equal(parseModbusAddress('HR1.16').ok, false);
  assert.equal(parseModbusAddress('CO1.2').ok, false);
  assert.equal(parseModbusAddress('40000').ok, false);
});
