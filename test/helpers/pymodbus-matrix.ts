/**
 * The data type × word order matrix served by the pymodbus peer: what each address holds, as a
 * pymodbus spec (pymodbus lays out the registers) and as Lineside tags with the values they must
 * read. Values differ per order and per unit, so a mixed-up order or unit cannot pass.
 */
import type { DriverTag } from '../../main/drivers/driver';
import { wordOrders, type WordOrder } from '../../shared/modbus-address';
import type { TagDataType, TagScalar } from '../../shared/types';
import type { PymodbusItem } from './pymodbus-server';

type RegisterType = Exclude<TagDataType, 'bool'>;

export interface MatrixEntry {
  item: PymodbusItem;
  tag: DriverTag;
  /** the value the tag must read, or 'out_of_range' when it must read bad for that reason */
  expected: TagScalar | 'out_of_range';
}

const SIZE: Record<RegisterType, number> = { int16: 1, uint16: 1, int32: 2, uint32: 2, int64: 4, uint64: 4, float32: 2, float64: 4, string: 5 };

/** A value of `type` for order number `o` on `unit`; exact in JSON and in a JS number. */
export function sampleValue(type: RegisterType, o: number, unit: number): TagScalar {
  const k = o + 10 * unit;
  switch (type) {
    case 'int16':
      return -12345 + k;
    case 'uint16':
      return 54321 + k;
    case 'int32':
      return -123456789 - k;
    case 'uint32':
      return 3_000_000_000 + k;
    case 'int64':
      return -(2 ** 50) - 3 - k;
    case 'uint64':
      return 2 ** 52 + 12345 + k;
    case 'float32':
      return Math.fround(-1234.5678 - k);
    case 'float64':
      return 1234567.891 + k / 8;
    case 'string':
      return `Lot-${['ABCD', 'CDAB', 'BADC', 'DCBA'][o]}/${unit}`;
  }
}

const TYPES: RegisterType[] = ['int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64', 'string'];

export function buildMatrix(unit: number): MatrixEntry[] {
  const out: MatrixEntry[] = [];
  let address = 0;
  wordOrders.forEach((order: WordOrder, o) => {
    for (const type of TYPES) {
      const value = sampleValue(type, o, unit);
      const length = type === 'string' ? SIZE.string : undefined;
      const id = `u${unit}.HR${address}.${type}.${order}`;
      out.push({
        item: { area: 'holding', address, type, order, length, value },
        tag: { tagId: id, address: `HR${address}`, dataType: type, wordOrder: order, length },
        expected: value,
      });
      address += SIZE[type];
    }
  });
  // Beyond 2^53: served exactly by pymodbus, must not be shown as a (rounded) good number.
  for (const [type, order, text] of [
    ['int64', 'ABCD', '9007199254740993'],
    ['uint64', 'DCBA', '18446744073709551615'],
  ] as const) {
    out.push({
      item: { area: 'holding', address, type, order, value: text },
      tag: { tagId: `u${unit}.HR${address}.${type}.big`, address: `HR${address}`, dataType: type, wordOrder: order },
      expected: 'out_of_range',
    });
    address += 4;
  }
  // Input registers, coils, discrete inputs, a bit in a register.
  const ir: [RegisterType, WordOrder, number][] = [
    ['float32', 'CDAB', 0],
    ['int32', 'BADC', 2],
    ['uint64', 'DCBA', 4],
  ];
  for (const [type, order, at] of ir) {
    const value = sampleValue(type, 3, unit);
    out.push({
      item: { area: 'input', address: at, type, order, value },
      tag: { tagId: `u${unit}.IR${at}`, address: `IR${at}`, dataType: type, wordOrder: order },
      expected: value,
    });
  }
  out.push({
    item: { area: 'holding', address: 200, type: 'uint16', value: 0b1000_0000_0010_0000 },
    tag: { tagId: `u${unit}.HR200.5`, address: 'HR200.5', dataType: 'bool' },
    expected: true,
  });
  out.push({ item: { area: 'coil', address: 3 + unit, value: true }, tag: { tagId: `u${unit}.CO${3 + unit}`, address: `CO${3 + unit}`, dataType: 'bool' }, expected: true });
  out.push({ item: { area: 'coil', address: 2, value: false }, tag: { tagId: `u${unit}.CO2`, address: 'CO2', dataType: 'bool' }, expected: false });
  out.push({ item: { area: 'discrete', address: 7, value: true }, tag: { tagId: `u${unit}.DI7`, address: 'DI7', dataType: 'bool' }, expected: true });
  return out;
}

/** Values to write, one per type and order, different from what the matrix serves. */
export function writeCases(unit: number, base = 500): { tag: DriverTag; value: TagScalar; type: RegisterType; order: WordOrder; address: number }[] {
  const cases: { tag: DriverTag; value: TagScalar; type: RegisterType; order: WordOrder; address: number }[] = [];
  let address = base;
  wordOrders.forEach((order, o) => {
    for (const type of TYPES) {
      const raw = sampleValue(type, o, unit + 5);
      const value = type === 'string' ? `W${String(raw).slice(0, 6)}` : raw;
      const length = type === 'string' ? SIZE.string : undefined;
      cases.push({ tag: { tagId: `w${address}`, address: `HR${address}`, dataType: type, wordOrder: order, length }, value, type, order, address });
      address += SIZE[type];
    }
  });
  return cases;
}
