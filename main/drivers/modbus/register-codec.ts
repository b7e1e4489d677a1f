/**
 * Decoding Modbus registers into typed values, for every word order (see WordOrder in
 * shared/modbus-address.ts). Registers arrive as 16-bit words, each big-endian on the wire.
 */
import type { WordOrder } from '../../../shared/modbus-address';
import type { TagDataType, TagScalar } from '../../../shared/types';

/** Wire bytes of `words` registers → the value's bytes, most significant first. */
export function toBigEndianBytes(registers: readonly number[], order: WordOrder): Buffer {
  const n = registers.length;
  const out = Buffer.alloc(n * 2);
  const wordSwap = order === 'CDAB' || order === 'DCBA';
  const byteSwap = order === 'BADC' || order === 'DCBA';
  for (let i = 0; i < n; i++) {
    const word = registers[wordSwap ? n - 1 - i : i] & 0xffff;
    const hi = word >> 8;
    const lo = word & 0xff;
    out[i * 2] = byteSwap ? lo : hi;
    out[i * 2 + 1] = byteSwap ? hi : lo;
  }
  return out;
}

/** The inverse of toBigEndianBytes: a value's bytes → the registers to write. */
export function fromBigEndianBytes(bytes: Buffer, order: WordOrder): number[] {
  const n = bytes.length / 2;
  const wordSwap = order === 'CDAB' || order === 'DCBA';
  const byteSwap = order === 'BADC' || order === 'DCBA';
  const regs = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const hi = bytes[i * 2];
    const lo = bytes[i * 2 + 1];
    regs[wordSwap ? n - 1 - i : i] = byteSwap ? (lo << 8) | hi : (hi << 8) | lo;
  }
  return regs;
}

export function decodeRegisters(
  registers: readonly number[],
  dataType: TagDataType,
  order: WordOrder,
  bit?: number,
): TagScalar {
  if (bit !== undefined) return ((registers[0] >> bit) & 1) === 1;
  switch (dataType) {
    case 'bool':
      return registers[0] !== 0;
    case 'int16':
      // single registers are not reordered by word swap, only by byte swap
      return toBigEndianBytes(registers.slice(0, 1), order).readInt16BE(0);
    case 'uint16':
      return toBigEndianBytes(registers.slice(0, 1), order).readUInt16BE(0);
    case 'int32':
      return toBigEndianBytes(registers.slice(0, 2), order).readInt32BE(0);
    case 'uint32':
      return toBigEndianBytes(registers.slice(0, 2), order).readUInt32BE(0);
    case 'float32':
      return toBigEndianBytes(registers.slice(0, 2), order).readFloatBE(0);
    case 'float64':
      return toBigEndianBytes(registers.slice(0, 4), order).readDoubleBE(0);
    case 'string':
      return toBigEndianBytes(registers, order).toString('latin1').replace(/\0+$/, '');
  }
}

const INT_RANGES: Partial<Record<TagDataType, [number, number]>> = {
  int16: [-0x8000, 0x7fff],
  uint16: [0, 0xffff],
  int32: [-0x80000000, 0x7fffffff],
  uint32: [0, 0xffffffff],
};

/** A value → the registers that hold it; throws RangeError for a value the type cannot hold. */
export function encodeRegisters(value: TagScalar, dataType: TagDataType, order: WordOrder): number[] {
  if (dataType === 'bool') return [value ? 1 : 0];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`${String(value)} is not a number`);
  const range = INT_RANGES[dataType];
  if (range) {
    if (!Number.isInteger(value)) throw new RangeError(`${value} is not a whole number (${dataType})`);
    if (value < range[0] || value > range[1]) throw new RangeError(`${value} does not fit ${dataType} (${range[0]}..${range[1]})`);
  }
  const bytes = Buffer.alloc(dataType === 'float64' ? 8 : dataType === 'int16' || dataType === 'uint16' ? 2 : 4);
  switch (dataType) {
    case 'int16':
      bytes.writeInt16BE(value);
      break;
    case 'uint16':
      bytes.writeUInt16BE(value);
      break;
    case 'int32':
      bytes.writeInt32BE(value);
      break;
    case 'uint32':
      bytes.writeUInt32BE(value);
      break;
    case 'float32':
      if (Math.abs(value) > 3.4028234663852886e38) throw new RangeError(`${value} does not fit float32`);
      bytes.writeFloatBE(value);
      break;
    case 'float64':
      bytes.writeDoubleBE(value);
      break;
    default:
      throw new RangeError(`writing ${dataType} is not supported`);
  }
  return fromBigEndianBytes(bytes, order);
}
