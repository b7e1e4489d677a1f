/**
 * Bit-level writer and reader for the chunk codec (MSB first), plus the one variable-length
 * integer code every stream of the codec uses. Numbers stay JS numbers: values up to 2^53 are
 * split into 32-bit halves with arithmetic, never with 64-bit bit operators (which JS lacks).
 */

const TWO_32 = 4294967296;

export class BitWriter {
  private buf: Uint8Array;
  private pos = 0;
  private acc = 0;
  private accBits = 0;

  constructor(initialBytes = 1024) {
    this.buf = new Uint8Array(initialBytes);
  }

  /** Writes the low `n` bits of `v` (0 ≤ n ≤ 32, v an unsigned integer below 2^n). */
  writeBits(v: number, n: number): void {
    while (n > 0) {
      const take = Math.min(8 - this.accBits, n);
      n -= take;
      // n ≤ 24 here for any take ≥ 8 - accBits, so the shifted value stays exact
      const part = Math.floor(v / 2 ** n) & ((1 << take) - 1);
      this.acc = (this.acc << take) | part;
      this.accBits += take;
      if (this.accBits === 8) {
        if (this.pos === this.buf.length) this.grow();
        this.buf[this.pos++] = this.acc;
        this.acc = 0;
        this.accBits = 0;
      }
    }
  }

  writeBit(b: number): void {
    this.writeBits(b, 1);
  }

  /** Writes an unsigned integer below 2^n, n ≤ 53. */
  writeBig(v: number, n: number): void {
    if (n <= 32) {
      this.writeBits(v, n);
      return;
    }
    this.writeBits(Math.floor(v / TWO_32), n - 32);
    this.writeBits(v % TWO_32, 32);
  }

  /** Writes the low `n` bits (n ≤ 64) of the 64-bit word (hi, lo), both unsigned 32-bit. */
  writeWord(hi: number, lo: number, n: number): void {
    if (n > 32) {
      this.writeBits(hi >>> 0, n - 32);
      this.writeBits(lo >>> 0, 32);
    } else {
      this.writeBits(n === 32 ? lo >>> 0 : (lo >>> 0) & (2 ** n - 1), n);
    }
  }

  /**
   * A signed integer (|x| < 2^53) in a prefix code sized for the small differences that
   * dominate time series: 0 costs one bit, ±8 six bits, ±128 eleven, ±4096 seventeen.
   */
  writeVarInt(x: number): void {
    const z = x >= 0 ? x * 2 : -x * 2 - 1;
    if (z === 0) this.writeBits(0b0, 1);
    else if (z < 16) {
      this.writeBits(0b10, 2);
      this.writeBits(z, 4);
    } else if (z < 256) {
      this.writeBits(0b110, 3);
      this.writeBits(z, 8);
    } else if (z < 8192) {
      this.writeBits(0b1110, 4);
      this.writeBits(z, 13);
    } else if (z < 1048576) {
      this.writeBits(0b11110, 5);
      this.writeBits(z, 20);
    } else {
      const n = bitLength(z);
      this.writeBits(0b11111, 5);
      this.writeBits(n, 6);
      this.writeBig(z, n);
    }
  }

  /** Raw bytes, byte-aligned or not (used for string contents). */
  writeBytes(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.writeBits(bytes[i], 8);
  }

  /** The written bits, padded with zeros to a whole byte. */
  finish(): Uint8Array {
    if (this.accBits > 0) {
      if (this.pos === this.buf.length) this.grow();
      this.buf[this.pos++] = this.acc << (8 - this.accBits);
      this.acc = 0;
      this.accBits = 0;
    }
    return this.buf.slice(0, this.pos);
  }

  private grow(): void {
    const next = new Uint8Array(this.buf.length * 2);
    next.set(this.buf);
    this.buf = next;
  }
}

/** Number of bits of the cost of `x` in `writeVarInt`, without writing it. */
export function varIntBits(x: number): number {
  const z = x >= 0 ? x * 2 : -x * 2 - 1;
  if (z === 0) return 1;
  if (z < 16) return 6;
  if (z < 256) return 11;
  if (z < 8192) return 17;
  if (z < 1048576) return 25;
  return 11 + bitLength(z);
}

function bitLength(z: number): number {
  return z < TWO_32 ? 32 - Math.clz32(z) : 64 - Math.clz32(Math.floor(z / TWO_32));
}

/**
 * Reads what BitWriter wrote. Works on a copy padded with 8 zero bytes, so that peeking 32 bits
 * near the end never reads past the array (out-of-bounds typed-array reads are slow in V8).
 */
export class BitReader {
  private readonly buf: Uint8Array;
  private readonly bitLength: number;
  private pos = 0;

  constructor(data: Uint8Array) {
    this.buf = new Uint8Array(data.length + 8);
    this.buf.set(data);
    this.bitLength = data.length * 8;
  }

  /** The next 32 bits, not consumed (zeros past the end). */
  peek32(): number {
    const i = this.pos >>> 3;
    const shift = this.pos & 7;
    const b = this.buf;
    const w = ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
    return shift === 0 ? w : ((w << shift) | (b[i + 4] >>> (8 - shift))) >>> 0;
  }

  skip(n: number): void {
    this.pos += n;
    if (this.pos > this.bitLength) throw new RangeError('chunk data ends early');
  }

  readBits(n: number): number {
    if (n === 0) return 0;
    if (n <= 24) {
      const v = this.peek32() >>> (32 - n);
      this.skip(n);
      return v;
    }
    const hi = this.readBits(n - 16);
    return hi * 65536 + this.readBits(16);
  }

  readBit(): number {
    return this.readBits(1);
  }

  readBig(n: number): number {
    if (n <= 32) return this.readBits(n);
    const hi = this.readBits(n - 32);
    return hi * TWO_32 + this.readBits(32);
  }

  readVarInt(): number {
    const p = this.peek32();
    let z: number;
    switch (Math.clz32(~p)) {
      case 0:
        this.skip(1);
        return 0;
      case 1:
        z = (p >>> 26) & 0xf;
        this.skip(6);
        break;
      case 2:
        z = (p >>> 21) & 0xff;
        this.skip(11);
        break;
      case 3:
        z = (p >>> 15) & 0x1fff;
        this.skip(17);
        break;
      case 4:
        z = (p >>> 7) & 0xfffff;
        this.skip(25);
        break;
      default:
        this.skip(5);
        z = this.readBig(this.readBits(6));
    }
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  readBytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.readBits(8);
    return out;
  }
}
