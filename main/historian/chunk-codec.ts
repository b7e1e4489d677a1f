/**
 * The compressed form of a run of one tag's samples (a chunk). Lossless for timestamps, source
 * timestamps, quality and value, with an encoding per value type:
 *
 *   timestamps     delta-of-delta in a prefix code (Gorilla): a steady scan costs 1 bit
 *   source ts      whichever is smaller: the offset from the timestamp, delta-coded (Modbus:
 *                  read time ≈ receive time), or its own delta-of-delta (OPC UA source clocks)
 *   quality        run-length (qualities change rarely)
 *   value kind     run-length (null / number / boolean / string)
 *   numbers        decimal-scaled integers (x = m / 10^k exactly, for every x of the chunk),
 *                  delta or delta-of-delta coded — counters, scaled registers, setpoints; else
 *                  XOR with the previous value's bits (Gorilla) — float32 readings leave 29 zero
 *                  bits, a held value costs 1 bit, full-precision noise ~7 bytes
 *   booleans       run-length
 *   strings        a dictionary of the distinct strings, and run-length indices into it
 *
 * Layout (one bit stream, MSB first): format(8) · n · timestamps · source ts · quality runs ·
 * kind runs · [numbers] · [booleans] · [strings], each integer in the prefix code of
 * BitWriter.writeVarInt. docs/database.md describes it for readers in other languages.
 */
import { BitReader, BitWriter, varIntBits } from './bits';
import { emptyColumns, ValueKind, type SampleColumns } from './samples';

export const CHUNK_FORMAT = 1;

const NumberMode = { Xor: 0, DecimalDelta: 1, DecimalDod: 2 } as const;
const MAX_SAFE_TS = 2 ** 52;
const MAX_DECIMAL_MANTISSA = 2 ** 49;
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

export class ChunkEncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChunkEncodeError';
  }
}

/** Encodes samples sorted by timestamp (integers, ms). */
export function encodeChunk(c: SampleColumns): Uint8Array {
  const n = c.length;
  if (n < 1) throw new ChunkEncodeError('a chunk holds at least one sample');
  for (let i = 0; i < n; i++) {
    const t = c.ts[i];
    const s = c.sourceTs[i];
    if (!Number.isInteger(t) || !Number.isInteger(s) || t < 0 || t > MAX_SAFE_TS || Math.abs(s) > MAX_SAFE_TS) {
      throw new ChunkEncodeError(`timestamp ${t}/${s} is not an integer number of ms in range`);
    }
    if (i > 0 && t < c.ts[i - 1]) throw new ChunkEncodeError('samples are not in time order');
  }
  const w = new BitWriter(64 + n * 4);
  w.writeBits(CHUNK_FORMAT, 8);
  w.writeVarInt(n);
  writeTimes(w, c.ts, n);
  writeSourceTimes(w, c, n);
  writeRuns(w, c.quality, n, 16);
  writeRuns(w, c.kind, n, 2);

  let numbers = 0;
  let bools = 0;
  let strings = 0;
  for (let i = 0; i < n; i++) {
    const k = c.kind[i];
    if (k === ValueKind.Number) numbers++;
    else if (k === ValueKind.Bool) bools++;
    else if (k === ValueKind.String) strings++;
  }
  if (numbers > 0) writeNumbers(w, pick(c.num, c.kind, n, ValueKind.Number, numbers));
  if (bools > 0) writeBooleans(w, pick(c.num, c.kind, n, ValueKind.Bool, bools));
  if (strings > 0) {
    const list: string[] = [];
    for (let i = 0; i < n; i++) if (c.kind[i] === ValueKind.String) list.push(c.str?.[i] ?? '');
    writeStrings(w, list);
  }
  return w.finish();
}

export function decodeChunk(data: Uint8Array): SampleColumns {
  const r = new BitReader(data);
  const format = r.readBits(8);
  if (format !== CHUNK_FORMAT) throw new RangeError(`unknown chunk format ${format}`);
  const n = r.readVarInt();
  const c = emptyColumns(n);
  c.length = n;
  readTimes(r, c.ts, n);
  readSourceTimes(r, c, n);
  readRuns(r, c.quality, n, 16);
  readRuns(r, c.kind, n, 2);
  let numbers = 0;
  let bools = 0;
  let strings = 0;
  for (let i = 0; i < n; i++) {
    const k = c.kind[i];
    if (k === ValueKind.Number) numbers++;
    else if (k === ValueKind.Bool) bools++;
    else if (k === ValueKind.String) strings++;
  }
  if (numbers > 0) scatter(c.num, c.kind, n, ValueKind.Number, readNumbers(r, numbers));
  if (bools > 0) scatter(c.num, c.kind, n, ValueKind.Bool, readBooleans(r, bools));
  if (strings > 0) {
    const list = readStrings(r, strings);
    c.str = new Array<string | null>(n).fill(null);
    let j = 0;
    for (let i = 0; i < n; i++) if (c.kind[i] === ValueKind.String) c.str[i] = list[j++];
  }
  return c;
}

function pick(num: Float64Array, kind: Uint8Array, n: number, k: number, count: number): Float64Array {
  const out = new Float64Array(count);
  let j = 0;
  for (let i = 0; i < n; i++) if (kind[i] === k) out[j++] = num[i];
  return out;
}

function scatter(num: Float64Array, kind: Uint8Array, n: number, k: number, values: Float64Array): void {
  let j = 0;
  for (let i = 0; i < n; i++) if (kind[i] === k) num[i] = values[j++];
}

// --- timestamps -----------------------------------------------------------------------------

function writeTimes(w: BitWriter, ts: Float64Array, n: number): void {
  w.writeBig(ts[0], 53);
  if (n < 2) return;
  let prevDelta = ts[1] - ts[0];
  w.writeVarInt(prevDelta);
  for (let i = 2; i < n; i++) {
    const d = ts[i] - ts[i - 1];
    w.writeVarInt(d - prevDelta);
    prevDelta = d;
  }
}

function readTimes(r: BitReader, ts: Float64Array, n: number): void {
  ts[0] = r.readBig(53);
  if (n < 2) return;
  let d = r.readVarInt();
  ts[1] = ts[0] + d;
  for (let i = 2; i < n; i++) {
    d += r.readVarInt();
    ts[i] = ts[i - 1] + d;
  }
}

function writeSourceTimes(w: BitWriter, c: SampleColumns, n: number): void {
  // Cost both ways without writing, then write the cheaper one.
  let offsetBits = 0;
  let prevOffset = 0;
  for (let i = 0; i < n; i++) {
    const o = c.ts[i] - c.sourceTs[i];
    offsetBits += varIntBits(o - prevOffset);
    prevOffset = o;
  }
  let ownBits = varIntBits(c.sourceTs[0] - c.ts[0]);
  if (n > 1) ownBits += varIntBits(c.sourceTs[1] - c.sourceTs[0]);
  for (let i = 2; i < n; i++) ownBits += varIntBits(c.sourceTs[i] - 2 * c.sourceTs[i - 1] + c.sourceTs[i - 2]);
  if (offsetBits <= ownBits) {
    w.writeBit(0);
    prevOffset = 0;
    for (let i = 0; i < n; i++) {
      const o = c.ts[i] - c.sourceTs[i];
      w.writeVarInt(o - prevOffset);
      prevOffset = o;
    }
  } else {
    w.writeBit(1);
    w.writeVarInt(c.sourceTs[0] - c.ts[0]);
    if (n > 1) w.writeVarInt(c.sourceTs[1] - c.sourceTs[0]);
    for (let i = 2; i < n; i++) w.writeVarInt(c.sourceTs[i] - 2 * c.sourceTs[i - 1] + c.sourceTs[i - 2]);
  }
}

function readSourceTimes(r: BitReader, c: SampleColumns, n: number): void {
  if (r.readBit() === 0) {
    let o = 0;
    for (let i = 0; i < n; i++) {
      o += r.readVarInt();
      c.sourceTs[i] = c.ts[i] - o;
    }
    return;
  }
  c.sourceTs[0] = c.ts[0] + r.readVarInt();
  if (n < 2) return;
  let d = r.readVarInt();
  c.sourceTs[1] = c.sourceTs[0] + d;
  for (let i = 2; i < n; i++) {
    d += r.readVarInt();
    c.sourceTs[i] = c.sourceTs[i - 1] + d;
  }
}

// --- run-length -----------------------------------------------------------------------------

function writeRuns(w: BitWriter, values: Uint16Array | Uint8Array, n: number, bits: number): void {
  const runs: number[] = [];
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i === n || values[i] !== values[start]) {
      runs.push(values[start], i - start);
      start = i;
    }
  }
  w.writeVarInt(runs.length / 2);
  for (let k = 0; k < runs.length; k += 2) {
    w.writeBits(runs[k], bits);
    w.writeVarInt(runs[k + 1] - 1);
  }
}

function readRuns(r: BitReader, out: Uint16Array | Uint8Array, n: number, bits: number): void {
  const count = r.readVarInt();
  let i = 0;
  for (let k = 0; k < count; k++) {
    const v = r.readBits(bits);
    const len = r.readVarInt() + 1;
    if (i + len > n) throw new RangeError('chunk run exceeds its sample count');
    out.fill(v, i, i + len);
    i += len;
  }
  if (i !== n) throw new RangeError('chunk runs do not cover its samples');
}

// --- numbers --------------------------------------------------------------------------------

/** The smallest k with x = round(x·10^k) / 10^k exactly for every x, or -1. */
function decimalScale(v: Float64Array): number {
  for (let k = 0; k < POW10.length; k++) {
    const p = POW10[k];
    let ok = true;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      const m = Math.round(x * p);
      if (!(Math.abs(m) < MAX_DECIMAL_MANTISSA) || (k === 0 ? m !== x : m / p !== x) || (x === 0 && 1 / x < 0)) {
        ok = false;
        break;
      }
    }
    if (ok) return k;
  }
  return -1;
}

function writeNumbers(w: BitWriter, v: Float64Array): void {
  const k = decimalScale(v);
  if (k < 0) {
    w.writeBits(NumberMode.Xor, 2);
    writeXor(w, v);
    return;
  }
  const p = POW10[k];
  const m = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) m[i] = Math.round(v[i] * p);
  let deltaBits = 0;
  let dodBits = 0;
  for (let i = 1; i < m.length; i++) {
    deltaBits += varIntBits(m[i] - m[i - 1]);
    dodBits += i === 1 ? varIntBits(m[1] - m[0]) : varIntBits(m[i] - 2 * m[i - 1] + m[i - 2]);
  }
  const dod = dodBits < deltaBits;
  w.writeBits(dod ? NumberMode.DecimalDod : NumberMode.DecimalDelta, 2);
  w.writeBits(k, 4);
  w.writeVarInt(m[0]);
  if (!dod) {
    for (let i = 1; i < m.length; i++) w.writeVarInt(m[i] - m[i - 1]);
  } else if (m.length > 1) {
    w.writeVarInt(m[1] - m[0]);
    for (let i = 2; i < m.length; i++) w.writeVarInt(m[i] - 2 * m[i - 1] + m[i - 2]);
  }
}

function readNumbers(r: BitReader, count: number): Float64Array {
  const mode = r.readBits(2);
  const out = new Float64Array(count);
  if (mode === NumberMode.Xor) {
    readXor(r, out);
    return out;
  }
  const k = r.readBits(4);
  const p = POW10[k];
  if (p === undefined) throw new RangeError(`bad decimal scale ${k}`);
  const m = new Float64Array(count);
  m[0] = r.readVarInt();
  if (mode === NumberMode.DecimalDelta) {
    for (let i = 1; i < count; i++) m[i] = m[i - 1] + r.readVarInt();
  } else if (count > 1) {
    let d = r.readVarInt();
    m[1] = m[0] + d;
    for (let i = 2; i < count; i++) {
      d += r.readVarInt();
      m[i] = m[i - 1] + d;
    }
  }
  for (let i = 0; i < count; i++) out[i] = k === 0 ? m[i] : m[i] / p;
  return out;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = LITTLE_ENDIAN ? 1 : 0;

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

function writeXor(w: BitWriter, v: Float64Array): void {
  f64[0] = v[0];
  let ph = u32[HI];
  let pl = u32[LO];
  w.writeBits(ph, 32);
  w.writeBits(pl, 32);
  let prevLead = -1;
  let prevTrail = 0;
  for (let i = 1; i < v.length; i++) {
    f64[0] = v[i];
    const h = u32[HI];
    const l = u32[LO];
    const xh = (h ^ ph) >>> 0;
    const xl = (l ^ pl) >>> 0;
    ph = h;
    pl = l;
    if (xh === 0 && xl === 0) {
      w.writeBit(0);
      continue;
    }
    let lead = xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl);
    const trail = xl !== 0 ? ctz32(xl) : 32 + ctz32(xh);
    if (lead > 31) lead = 31;
    if (prevLead >= 0 && lead >= prevLead && trail >= prevTrail) {
      w.writeBits(0b10, 2);
      writeShifted(w, xh, xl, prevTrail, 64 - prevLead - prevTrail);
    } else {
      const meaningful = 64 - lead - trail;
      w.writeBits(0b11, 2);
      w.writeBits(lead, 5);
      w.writeBits(meaningful - 1, 6);
      writeShifted(w, xh, xl, trail, meaningful);
      prevLead = lead;
      prevTrail = trail;
    }
  }
}

/** Writes bits [shift, shift + len) of the 64-bit word (xh, xl). */
function writeShifted(w: BitWriter, xh: number, xl: number, shift: number, len: number): void {
  let h: number;
  let l: number;
  if (shift === 0) {
    h = xh;
    l = xl;
  } else if (shift >= 32) {
    h = 0;
    l = xh >>> (shift - 32);
  } else {
    l = ((xl >>> shift) | (xh << (32 - shift))) >>> 0;
    h = xh >>> shift;
  }
  w.writeWord(h, l, len);
}

function readXor(r: BitReader, out: Float64Array): void {
  let ph = r.readBig(32);
  let pl = r.readBig(32);
  u32[HI] = ph;
  u32[LO] = pl;
  out[0] = f64[0];
  let lead = 0;
  let trail = 0;
  for (let i = 1; i < out.length; i++) {
    const p = r.peek32();
    if (p >>> 31 === 0) {
      r.skip(1);
      out[i] = out[i - 1];
      continue;
    }
    if ((p >>> 30) & 1) {
      lead = (p >>> 25) & 0x1f;
      const meaningful = ((p >>> 19) & 0x3f) + 1;
      trail = 64 - lead - meaningful;
      r.skip(13);
    } else r.skip(2);
    const len = 64 - lead - trail;
    let h = 0;
    let l: number;
    if (len > 32) {
      h = r.readBits(len - 32);
      l = r.readBig(32);
    } else l = r.readBig(len);
    // shift left by trail
    if (trail >= 32) {
      h = l << (trail - 32);
      l = 0;
    } else if (trail > 0) {
      h = (h << trail) | (l >>> (32 - trail));
      l = l << trail;
    }
    ph = (ph ^ h) >>> 0;
    pl = (pl ^ l) >>> 0;
    u32[HI] = ph;
    u32[LO] = pl;
    out[i] = f64[0];
  }
}

// --- booleans and strings -------------------------------------------------------------------

function writeBooleans(w: BitWriter, v: Float64Array): void {
  const lengths: number[] = [];
  let start = 0;
  for (let i = 1; i <= v.length; i++) {
    if (i === v.length || v[i] !== v[start]) {
      lengths.push(i - start);
      start = i;
    }
  }
  w.writeBit(v[0] !== 0 ? 1 : 0);
  w.writeVarInt(lengths.length);
  for (const len of lengths) w.writeVarInt(len - 1);
}

function readBooleans(r: BitReader, count: number): Float64Array {
  const out = new Float64Array(count);
  let value = r.readBit();
  const runs = r.readVarInt();
  let i = 0;
  for (let k = 0; k < runs; k++) {
    const len = r.readVarInt() + 1;
    if (i + len > count) throw new RangeError('boolean run exceeds its count');
    out.fill(value, i, i + len);
    i += len;
    value ^= 1;
  }
  return out;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

function writeStrings(w: BitWriter, list: string[]): void {
  const index = new Map<string, number>();
  const dict: string[] = [];
  const ids = list.map((s) => {
    let id = index.get(s);
    if (id === undefined) {
      id = dict.length;
      index.set(s, id);
      dict.push(s);
    }
    return id;
  });
  w.writeVarInt(dict.length);
  for (const s of dict) {
    const bytes = utf8.encode(s);
    w.writeVarInt(bytes.length);
    w.writeBytes(bytes);
  }
  const runs: number[] = [];
  let start = 0;
  for (let i = 1; i <= ids.length; i++) {
    if (i === ids.length || ids[i] !== ids[start]) {
      runs.push(ids[start], i - start);
      start = i;
    }
  }
  w.writeVarInt(runs.length / 2);
  for (let k = 0; k < runs.length; k += 2) {
    w.writeVarInt(runs[k]);
    w.writeVarInt(runs[k + 1] - 1);
  }
}

function readStrings(r: BitReader, count: number): string[] {
  const size = r.readVarInt();
  const dict: string[] = [];
  for (let k = 0; k < size; k++) dict.push(fromUtf8.decode(r.readBytes(r.readVarInt())));
  const out: string[] = [];
  const runs = r.readVarInt();
  for (let k = 0; k < runs; k++) {
    const s = dict[r.readVarInt()];
    if (s === undefined) throw new RangeError('string index outside the dictionary');
    const len = r.readVarInt() + 1;
    for (let j = 0; j < len; j++) out.push(s);
  }
  if (out.length !== count) throw new RangeError('string runs do not cover their samples');
  return out;
}
