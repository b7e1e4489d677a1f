/**
 * Every Modbus data type in every word order: known wire vectors, round trips, limits.
 *
 * The 32-bit vectors are the table in pymodbus' payload example (examples/client_payload.py):
 * 0x12345678 is 0x1234 0x5678 (big word order, big byte order), 0x5678 0x1234 (little word,
 * big byte), 0x3412 0x7856 (big word, little byte), 0x7856 0x3412 (little, little). Our names
 * for those four: ABCD, CDAB, BADC, DCBA. The 64-bit vectors extend the same rule to four words.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registerCount, wordOrders, type WordOrder } from '../../shared/modbus-address';
import type { TagDataType, TagScalar } from '../../shared/types';
import { decodeRegisters, encodeRegisters, UnrepresentableValueError } from '../../main/drivers/modbus/register-codec';

type Vector = { type: TagDataType; value: TagScalar; wire: Record<WordOrder, number[]>; length?: number };

const vectors: Vector[] = [
  { type: 'int16', value: 0x1234, wire: { ABCD: [0x1234], CDAB: [0x1234], BADC: [0x3412], DCBA: [0x3412] } },
  { type: 'int16', value: -2, wire: { ABCD: [0xfffe], CDAB: [0xfffe], BADC: [0xfeff], DCBA: [0xfeff] } },
  { type: 'uint16', value: 0xabcd, wire: { ABCD: [0xabcd], CDAB: [0xabcd], BADC: [0xcdab], DCBA: [0xcdab] } },
  {
    type: 'int32',
    value: 0x12345678,
    wire: { ABCD: [0x1234, 0x5678], CDAB: [0x5678, 0x1234], BADC: [0x3412, 0x7856], DCBA: [0x7856, 0x3412] },
  },
  {
    type: 'int32',
    value: -100_000, // 0xFFFE7960
    wire: { ABCD: [0xfffe, 0x7960], CDAB: [0x7960, 0xfffe], BADC: [0xfeff, 0x6079], DCBA: [0x6079, 0xfeff] },
  },
  {
    type: 'uint32',
    value: 0xdeadbeef,
    wire: { ABCD: [0xdead, 0xbeef], CDAB: [0xbeef, 0xdead], BADC: [0xadde, 0xefbe], DCBA: [0xefbe, 0xadde] },
  },
  {
    type: 'float32',
    value: 10, // 0x41200000
    wire: { ABCD: [0x4120, 0x0000], CDAB: [0x0000, 0x4120], BADC: [0x2041, 0x0000], DCBA: [0x0000, 0x2041] },
  },
  {
    type: 'float32',
    value: -1.5, // 0xBFC00000
    wire: { ABCD: [0xbfc0, 0x0000], CDAB: [0x0000, 0xbfc0], BADC: [0xc0bf, 0x0000], DCBA: [0x0000, 0xc0bf] },
  },
  {
    type: 'int64',
    value: 0x0001020304050607, // 283686952306183, within 2^53
    wire: {
      ABCD: [0x0001, 0x0203, 0x0405, 0x0607],
      CDAB: [0x0607, 0x0405, 0x0203, 0x0001],
      BADC: [0x0100, 0x0302, 0x0504, 0x0706],
      DCBA: [0x0706, 0x0504, 0x0302, 0x0100],
    },
  },
  {
    type: 'int64',
    value: -2, // 0xFFFFFFFFFFFFFFFE
    wire: {
      ABCD: [0xffff, 0xffff, 0xffff, 0xfffe],
      CDAB: [0xfffe, 0xffff, 0xffff, 0xffff],
      BADC: [0xffff, 0xffff, 0xffff, 0xfeff],
      DCBA: [0xfeff, 0xffff, 0xffff, 0xffff],
    },
  },
  {
    type: 'uint64',
    value: Number.MAX_SAFE_INTEGER, // 0x001FFFFFFFFFFFFF
    wire: {
      ABCD: [0x001f, 0xffff, 0xffff, 0xffff],
      CDAB: [0xffff, 0xffff, 0xffff, 0x001f],
      BADC: [0x1f00, 0xffff, 0xffff, 0xffff],
      DCBA: [0xffff, 0xffff, 0xffff, 0x1f00],
    },
  },
  {
    type: 'float64',
    value: 1, // 0x3FF0000000000000
    wire: {
      ABCD: [0x3ff0, 0, 0, 0],
      CDAB: [0, 0, 0, 0x3ff0],
      BADC: [0xf03f, 0, 0, 0],
      DCBA: [0, 0, 0, 0xf03f],
    },
  },
  {
    type: 'float64',
    value: -2.5, // 0xC004000000000000
    wire: {
      ABCD: [0xc004, 0, 0, 0],
      CDAB: [0, 0, 0, 0xc004],
      BADC: [0x04c0, 0, 0, 0],
      DCBA: [0, 0, 0, 0x04c0],
    },
  },
  // Text: characters in register order, two per register; BADC/DCBA swap within the register.
  {
    type: 'string',
    value: 'PK-330',
    length: 4,
    wire: {
      ABCD: [0x504b, 0x2d33, 0x3330, 0x0000],
      CDAB: [0x504b, 0x2d33, 0x3330, 0x0000],
      BADC: [0x4b50, 0x332d, 0x3033, 0x0000],
      DCBA: [0x4b50, 0x332d, 0x3033, 0x0000],
    },
  },
  {
    type: 'string',
    value: 'Abc',
    length: 2,
    wire: { ABCD: [0x4162, 0x6300], CDAB: [0x4162, 0x6300], BADC: [0x6241, 0x0063], DCBA: [0x6241, 0x0063] },
  },
];

test('1. known wire vectors: decode and encode, every type in every word order', () => {
  const seen = new Set<TagDataType>();
  for (const v of vectors) {
    seen.add(v.type);
    for (const order of wordOrders) {
      const label = `${v.type} ${String(v.value)} ${order}`;
      assert.equal(decodeRegisters(v.wire[order], v.type, order), v.value, `decode ${label}`);
      assert.deepEqual(encodeRegisters(v.value, v.type, order, v.length), v.wire[order], `encode ${label}`);
    }
  }
  const all: TagDataType[] = ['int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64', 'string'];
  assert.deepEqual([...seen].sort(), [...all].sort(), 'every register type has vectors');
});

test('2. round trips at the edges of every type, every order', () => {
  const edges: Partial<Record<TagDataType, number[]>> = {
    int16: [-0x8000, -1, 0, 1, 0x7fff],
    uint16: [0, 1, 0x7fff, 0x8000, 0xffff],
    int32: [-0x80000000, -1, 0, 65535, 65536, 0x7fffffff],
    uint32: [0, 65535, 65536, 0x80000000, 0xffffffff],
    int64: [-Number.MAX_SAFE_INTEGER, -(2 ** 32), -1, 0, 2 ** 32, 2 ** 48 + 3, Number.MAX_SAFE_INTEGER],
    uint64: [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 52 + 1, Number.MAX_SAFE_INTEGER],
    float32: [0, -0, 1.5, -3.25, Math.fround(Math.PI), Math.fround(1e-38), 3.4028234663852886e38],
    float64: [0, Math.PI, -1e-300, 123456789.125, Number.MAX_VALUE, Number.MIN_VALUE],
  };
  for (const [type, values] of Object.entries(edges) as [TagDataType, number[]][]) {
    for (const order of wordOrders) {
      for (const value of values) {
        const regs = encodeRegisters(value, type, order);
        assert.equal(regs.length, registerCount(type), `${type} register count`);
        assert.ok(regs.every((r) => Number.isInteger(r) && r >= 0 && r <= 0xffff), `${type} ${value} ${order}: 16-bit registers`);
        assert.ok(Object.is(decodeRegisters(regs, type, order), value), `${type} ${value} ${order}`);
      }
    }
  }
  for (const order of wordOrders) {
    for (const text of ['', 'A', 'AB', 'Lot 4711/B', 'Gr\u00f6\u00dfe \u00b15 \u00b5m', '~'.repeat(16)]) {
      const regs = encodeRegisters(text, 'string', order, 8);
      assert.equal(regs.length, 8);
      assert.equal(decodeRegisters(regs, 'string', order), text, `"${text}" ${order}`);
    }
  }
});

test('3. 64-bit integers beyond ±(2^53 − 1) are not shown: decode throws, encode refuses', () => {
  const beyond: [TagDataType, number[]][] = [
    ['int64', [0x0020, 0, 0, 0]], // 2^53
    ['int64', [0xffdf, 0xffff, 0xffff, 0xffff]], // -(2^53) - 1
    ['int64', [0x7fff, 0xffff, 0xffff, 0xffff]], // max int64
    ['uint64', [0xffff, 0xffff, 0xffff, 0xffff]], // max uint64 (-1 as int64 is fine)
  ];
  for (const [type, regs] of beyond) {
    assert.throws(() => decodeRegisters(regs, type, 'ABCD'), UnrepresentableValueError, `${type} ${regs.join(',')}`);
  }
  assert.equal(decodeRegisters([0xffff, 0xffff, 0xffff, 0xffff], 'int64', 'ABCD'), -1);
  assert.equal(decodeRegisters([0xffe0, 0, 0, 1], 'int64', 'ABCD'), -(2 ** 53) + 1);
  assert.throws(() => encodeRegisters(2 ** 53, 'int64', 'ABCD'), RangeError);
  assert.throws(() => encodeRegisters(-1, 'uint64', 'ABCD'), /does not fit uint64/);
  assert.throws(() => encodeRegisters(1.5, 'int64', 'ABCD'), /not a whole number/);
});

test('4. strings: NUL ends the text, trailing spaces go, leading spaces stay', () => {
  const regs = (text: string) => encodeRegisters(text, 'string', 'ABCD', Math.ceil(text.length / 2));
  assert.equal(decodeRegisters([0x4142, 0x4300, 0x5858], 'string', 'ABCD'), 'ABC', 'garbage after the NUL is not shown');
  assert.equal(decodeRegisters([0x4142, 0x2020, 0x2020], 'string', 'ABCD'), 'AB', 'space padding');
  assert.equal(decodeRegisters([0x2041, 0x2042, 0x2000], 'string', 'ABCD'), ' A B', 'inner and leading spaces kept');
  assert.equal(decodeRegisters([0, 0x4142], 'string', 'ABCD'), '', 'a leading NUL is an empty string');
  assert.equal(decodeRegisters(regs('\u00e9t\u00e9'), 'string', 'ABCD'), 'été', 'latin1, one byte per character');
  assert.deepEqual(encodeRegisters('AB', 'string', 'ABCD', 3), [0x4142, 0, 0], 'NUL padding');
});

test('5. writes the device cannot hold are refused, never truncated or rounded', () => {
  assert.throws(() => encodeRegisters('123456789', 'string', 'ABCD', 4), /9 characters; the tag holds 8/);
  assert.throws(() => encodeRegisters('€uro', 'string', 'ABCD', 4), /not a latin1 character/);
  assert.throws(() => encodeRegisters('a\0b', 'string', 'ABCD', 4), /NUL/);
  assert.throws(() => encodeRegisters('abc', 'string', 'ABCD'), /length in registers/);
  assert.throws(() => encodeRegisters(42, 'string', 'ABCD', 4), /not text/);
  assert.throws(() => encodeRegisters('42', 'int16', 'ABCD'), /not a number/);
  assert.throws(() => encodeRegisters(0x8000, 'int16', 'ABCD'), /does not fit int16/);
  assert.throws(() => encodeRegisters(-1, 'uint32', 'CDAB'), /does not fit uint32/);
  assert.throws(() => encodeRegisters(2.5, 'uint16', 'ABCD'), /not a whole number/);
  assert.throws(() => encodeRegisters(1e39, 'float32', 'ABCD'), /does not fit float32/);
  assert.throws(() => encodeRegisters(Number.NaN, 'float64', 'ABCD'), /not a number/);
  assert.deepEqual(encodeRegisters(true, 'bool', 'DCBA'), [1]);
});

test('6. a bit in a register ignores the word order; too few registers is an error, not garbage', () => {
  for (const order of wordOrders) {
    assert.equal(decodeRegisters([0x8001], 'bool', order, 15), true);
    assert.equal(decodeRegisters([0x8001], 'bool', order, 1), false);
  }
  assert.throws(() => decodeRegisters([1, 2], 'float64', 'ABCD'), /needs 4 registers, got 2/);
});
