/**
 * Modbus registers ⇄ typed values, for every word order (see WordOrder in
 * shared/modbus-address.ts). Registers are 16-bit words, each big-endian on the wire.
 *
 * Numbers: the value's bytes, most significant first, are A B C D (E F G H for 64-bit).
 *   ABCD  words high first, bytes high first (the Modbus default, "big-endian")
 *   CDAB  words low first ("word swap"), bytes high first
 *   BADC  words high first, bytes swapped within each word ("byte swap")
 *   DCBA  words low first, bytes swapped ("little-endian")
 * A single register (int16, uint16) has no words to swap: only BADC and DCBA change it.
 *
 * Strings are a sequence of characters, not a number: the first character is in the first
 * register, two per register, high byte first; BADC and DCBA put it in the low byte instead.
 * A word swap does not apply. (pymodbus 3.0's payload builder and decoder ignore the byte order
 * for text altogether; devices that byte-swap numbers usually byte-swap text too.)
 *
 * 64-bit integers decode exactly up to ±(2^53 − 1) (Number.MAX_SAFE_INTEGER); beyond that a
 * JavaScript number would silently round, so decoding throws UnrepresentableValueError and the
 * driver reports the value bad (out_of_range) instead of showing a wrong number as good.
 */
import type { WordOrder } from '../../../shared/modbus-address';
import type { TagDataType, TagScalar } from '../../../shared/types';

/** A register content that a JavaScript number cannot hold exactly. */
export class UnrepresentableValueError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'UnrepresentableValueError';
  }
}

function swaps(order: WordOrder): { wordSwap: boolean; byteSwap: boolean } {
  return { wordSwap: order === 'CDAB' || order === 'DCBA', byteSwap: order === 'BADC' || order === 'DCBA' };
}

/** Wire registers → the value's bytes, most significant first. */
export function toBigEndianBytes(registers: readonly number[], order: WordOrder): Buffer {
  const n = registers.length;
  const out = Buffer.alloc(n * 2);
  const { wordSwap, byteSwap } = swaps(order);
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
  const { wordSwap, byteSwap } = swaps(order);
  const regs = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const hi = bytes[i * 2];
    const lo = bytes[i * 2 + 1];
    regs[wordSwap ? n - 1 - i : i] = byteSwap ? (lo << 8) | hi : (hi << 8) | lo;
  }
  return regs;
}

/** Registers → the string's bytes in character order (byte swap only, see the file comment). */
function stringBytes(registers: readonly number[], order: WordOrder): Buffer {
  return toBigEndianBytes(registers, swaps(order).byteSwap ? 'BADC' : 'ABCD');
}

/** Number of registers of the fixed-size numeric types; strings have their own length. */
export function valueRegisters(dataType: TagDataType): number {
  switch (dataType) {
    case 'int32':
    case 'uint32':
    case 'float32':
      return 2;
    case 'int64':
    case 'uint64':
    case 'float64':
      return 4;
    default:
      return 1;
  }
}

function exactInteger(v: bigint, dataType: TagDataType): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new UnrepresentableValueError(`${dataType} ${v} is beyond ±${Number.MAX_SAFE_INTEGER} and cannot be shown exactly`);
  }
  return Number(v);
}

/**
 * Registers → value. `registers` holds exactly the tag's registers (a string's declared length).
 * Throws UnrepresentableValueError for a 64-bit integer beyond ±(2^53 − 1).
 */
export function decodeRegisters(registers: readonly number[], dataType: TagDataType, order: WordOrder, bit?: number): TagScalar {
  if (bit !== undefined) return ((registers[0] >> bit) & 1) === 1;
  const n = valueRegisters(dataType);
  if (dataType !== 'string' && registers.length < n) {
    throw new RangeError(`${dataType} needs ${n} registers, got ${registers.length}`);
  }
  const be = () => toBigEndianBytes(registers.slice(0, n), order);
  switch (dataType) {
    case 'bool':
      return registers[0] !== 0;
    case 'int16':
      return be().readInt16BE(0);
    case 'uint16':
      return be().readUInt16BE(0);
    case 'int32':
      return be().readInt32BE(0);
    case 'uint32':
      return be().readUInt32BE(0);
    case 'int64':
      return exactInteger(be().readBigInt64BE(0), dataType);
    case 'uint64':
      return exactInteger(be().readBigUInt64BE(0), dataType);
    case 'float32':
      return be().readFloatBE(0);
    case 'float64':
      return be().readDoubleBE(0);
    case 'string':
      return decodeString(registers, order);
  }
}

/**
 * latin1, one byte per character. A NUL ends the string (PLCs pad with NULs or terminate C-style
 * and leave garbage after); trailing spaces (space-padded strings) are trimmed.
 */
export function decodeString(registers: readonly number[], order: WordOrder): string {
  const text = stringBytes(registers, order).toString('latin1');
  const nul = text.indexOf('\0');
  return (nul >= 0 ? text.slice(0, nul) : text).replace(/ +$/, '');
}

const INT_RANGES: Partial<Record<TagDataType, [number, number]>> = {
  int16: [-0x8000, 0x7fff],
  uint16: [0, 0xffff],
  int32: [-0x80000000, 0x7fffffff],
  uint32: [0, 0xffffffff],
  int64: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
};

/**
 * A value → the registers that hold it. Throws RangeError for a value the type cannot hold (out
 * of range, not whole, text too long or not latin1): a write is refused, never truncated.
 * `stringRegisters` is a string tag's length in registers (shorter text is padded with NULs).
 */
export function encodeRegisters(value: TagScalar, dataType: TagDataType, order: WordOrder, stringRegisters?: number): number[] {
  if (dataType === 'bool') return [value ? 1 : 0];
  if (dataType === 'string') return encodeString(value, order, stringRegisters);
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`${String(value)} is not a number`);
  const range = INT_RANGES[dataType];
  if (range) {
    if (!Number.isInteger(value)) throw new RangeError(`${value} is not a whole number (${dataType})`);
    if (value < range[0] || value > range[1]) throw new RangeError(`${value} does not fit ${dataType} (${range[0]}..${range[1]})`);
  }
  const bytes = Buffer.alloc(valueRegisters(dataType) * 2);
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
    case 'int64':
      bytes.writeBigInt64BE(BigInt(value));
      break;
    case 'uint64':
      bytes.writeBigUInt64BE(BigInt(value));
      break;
    case 'float32':
      if (Math.abs(value) > 3.4028234663852886e38) throw new RangeError(`${value} does not fit float32`);
      bytes.writeFloatBE(value);
      break;
    case 'float64':
      bytes.writeDoubleBE(value);
      break;
  }
  return fromBigEndianBytes(bytes, order);
}

function encodeString(value: TagScalar, order: WordOrder, registers: number | undefined): number[] {
  if (typeof value !== 'string') throw new RangeError(`${JSON.stringify(value)} is not text`);
  if (registers === undefined || !Number.isInteger(registers) || registers < 1) {
    throw new RangeError('a string tag needs its length in registers');
  }
  const capacity = registers * 2;
  if (value.length > capacity) throw new RangeError(`"${value}" has ${value.length} characters; the tag holds ${capacity}`);
  const bad = [...value].find((c) => c.charCodeAt(0) > 0xff || c.length > 1);
  if (bad !== undefined) throw new RangeError(`"${bad}" is not a latin1 character; the device stores one byte per character`);
  if (value.includes('\0')) throw new RangeError('text may not contain NUL: it ends the string on the device');
  const bytes = Buffer.alloc(capacity); // NUL padding
  bytes.write(value, 'latin1');
  return fromBigEndianBytes(bytes, swaps(order).byteSwap ? 'BADC' : 'ABCD');
}
