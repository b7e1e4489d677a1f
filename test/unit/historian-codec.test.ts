/**
 * The chunk codec: lossless for every value type, quality and both timestamps, and compact for
 * the signals a line produces.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BitReader, BitWriter, varIntBits } from '../../main/historian/bits';
import { ChunkEncodeError, decodeChunk, encodeChunk } from '../../main/historian/chunk-codec';
import { emptyColumns, setValue, valueAt, type SampleColumns } from '../../main/historian/samples';
import { SeededRandom } from '../../main/simulator/random';
import { encodeQuality } from '../../shared/quality';
import type { TagScalar } from '../../shared/types';

const GOOD = encodeQuality({ level: 'good', reason: 'ok' });
const BAD = encodeQuality({ level: 'bad', reason: 'comm_failure' });
const SHUTDOWN = encodeQuality({ level: 'bad', reason: 'shutdown' });

function columns(values: readonly (TagScalar | null)[], opts: { t0?: number; step?: (i: number) => number; src?: (ts: number, i: number) => number; quality?: (i: number) => number } = {}): SampleColumns {
  const c = emptyColumns(values.length);
  let t = opts.t0 ?? 1_736_143_200_000;
  values.forEach((v, i) => {
    if (i > 0) t += opts.step ? opts.step(i) : 1000;
    c.ts[i] = t;
    c.sourceTs[i] = opts.src ? opts.src(t, i) : t;
    c.quality[i] = opts.quality ? opts.quality(i) : GOOD;
    setValue(c, i, v);
  });
  c.length = values.length;
  return c;
}

function assertSame(a: SampleColumns, b: SampleColumns): void {
  assert.equal(b.length, a.length);
  for (let i = 0; i < a.length; i++) {
    assert.equal(b.ts[i], a.ts[i], `ts[${i}]`);
    assert.equal(b.sourceTs[i], a.sourceTs[i], `sourceTs[${i}]`);
    assert.equal(b.quality[i], a.quality[i], `quality[${i}]`);
    assert.equal(b.kind[i], a.kind[i], `kind[${i}]`);
    const va = valueAt(a, i);
    const vb = valueAt(b, i);
    assert.ok(Object.is(va, vb), `value[${i}]: ${String(va)} came back as ${String(vb)}`);
  }
}

const roundTrip = (c: SampleColumns) => {
  const bytes = encodeChunk(c);
  assertSame(c, decodeChunk(bytes));
  return bytes.length;
};

test('1. the integer prefix code round-trips its edge values and says what it costs', () => {
  const values = [0, 1, -1, 7, -8, 8, 127, -128, 128, 4095, -4096, 4096, 524_287, -524_288, 524_288, 2 ** 40, -(2 ** 40), 2 ** 52, -(2 ** 52) + 1];
  const w = new BitWriter(4);
  let bits = 0;
  for (const v of values) {
    w.writeVarInt(v);
    bits += varIntBits(v);
  }
  w.writeBits(0b101, 3);
  w.writeBig(2 ** 53 - 1, 53);
  const bytes = w.finish();
  assert.equal(bytes.length, Math.ceil((bits + 3 + 53) / 8), 'varIntBits matches what writeVarInt writes');
  const r = new BitReader(bytes);
  for (const v of values) assert.equal(r.readVarInt(), v);
  assert.equal(r.readBits(3), 0b101);
  assert.equal(r.readBig(53), 2 ** 53 - 1);
  assert.throws(() => r.readBits(16), RangeError, 'reading past the end is an error, not zeros');
});

test('2. floats of every sort come back bit for bit: noise, float32, NaN, ±Infinity, -0, subnormals, huge', () => {
  const rng = new SeededRandom(3);
  const values: number[] = [];
  for (let i = 0; i < 3000; i++) values.push(50 + rng.gaussian() * 3);
  for (let i = 0; i < 500; i++) values.push(Math.fround(11 + rng.gaussian() * 0.04));
  values.push(NaN, Infinity, -Infinity, -0, 0, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 2 ** 53 + 2, 1e300, 123.456);
  roundTrip(columns(values));
});

test('3. decimal, integer and counter values round-trip exactly and cost a few bits each', () => {
  const rng = new SeededRandom(4);
  let ambient = 21.5;
  const scaled = Array.from({ length: 4096 }, () => (ambient = Math.round((ambient + rng.gaussian() * 0.02) * 10) / 10));
  const scaledBytes = roundTrip(columns(scaled));
  assert.ok(scaledBytes / 4096 < 1, `a 0.1-resolution register costs ${(scaledBytes / 4096).toFixed(2)} B/sample`);

  let count = 123_456;
  const counter = Array.from({ length: 4096 }, () => (count += 2 + (rng.next() < 0.3 ? 1 : 0)));
  const counterBytes = roundTrip(columns(counter));
  assert.ok(counterBytes / 4096 < 1, `a counter costs ${(counterBytes / 4096).toFixed(2)} B/sample`);

  // Large integers beyond the decimal path fall back to XOR and still come back exactly.
  roundTrip(columns([2 ** 50, 2 ** 50 + 1, -(2 ** 51), 7]));
  // Values that only look decimal (0.1 + 0.2) come back as they were.
  roundTrip(columns([0.1 + 0.2, 0.3, 1 / 3, 21.299999999999997]));
});

test('4. booleans, strings (unicode, empty, commas), gap markers and quality changes round-trip', () => {
  const values: (TagScalar | null)[] = [];
  for (let i = 0; i < 200; i++) values.push(i % 50 < 25);
  values.push(null, 'Running', 'Running', '', 'Stopped, "jammed"', 'Störung 🚨', null, 42, true, 'x'.repeat(300));
  const q = (i: number) => (i === 200 || i === 206 ? SHUTDOWN : i >= 100 && i < 120 ? BAD : GOOD);
  roundTrip(columns(values, { quality: q }));
  // One sample alone.
  roundTrip(columns(['only']));
  roundTrip(columns([null], { quality: () => SHUTDOWN }));
});

test('5. both source-timestamp shapes are exact and cheap: Modbus (read time) and OPC UA (source clock)', () => {
  const rng = new SeededRandom(5);
  const jitter = Array.from({ length: 4096 }, () => Math.floor(rng.next() * 4));
  const step = (i: number) => 1000 + jitter[i] - jitter[i - 1];
  // Modbus: source = read time, a ms or two before receipt.
  const modbus = roundTrip(columns(new Array(4096).fill(true), { step, src: (ts, i) => ts - (i % 2) }));
  // OPC UA: source time on the server's exact grid, receipt jittered; and a skewed device clock.
  const opcua = roundTrip(columns(new Array(4096).fill(true), { step, src: (_ts, i) => 1_736_143_200_000 + i * 1000 - 3_600_000 }));
  assert.ok(modbus / 4096 < 2, `${(modbus / 4096).toFixed(2)} B/sample`);
  assert.ok(opcua / 4096 < 1.2, `${(opcua / 4096).toFixed(2)} B/sample`);
  // Irregular, change-driven timestamps (hours apart, ms apart) and a source clock far off.
  const irregular = [0, 1, 3_600_000, 3_600_001, 3_600_002, 86_400_000, 86_400_000 + 59_999];
  roundTrip(columns([1, 2, 3, 4, 5, 6, 7], { step: (i) => irregular[i] - irregular[i - 1], src: (ts) => ts - 1e9 }));
});

test('6. a steady signal costs next to nothing; full-precision noise costs about 8 bytes, not more', () => {
  const held = roundTrip(columns(new Array(4096).fill(120.00000000000001)));
  // one bit each for the timestamp, the source timestamp and the value
  assert.ok(held <= Math.ceil((3 * 4096) / 8) + 32, `a held float costs ${held} bytes for 4096 samples`);
  const rng = new SeededRandom(6);
  const noisy = roundTrip(columns(Array.from({ length: 4096 }, () => 1.2 + rng.gaussian() * 0.08)));
  assert.ok(noisy / 4096 < 8.5, `noise costs ${(noisy / 4096).toFixed(2)} B/sample`);
});

test('7. what the codec cannot store exactly is refused, not rounded', () => {
  assert.throws(() => encodeChunk(columns([1, 2], { step: () => 0.5 })), ChunkEncodeError);
  assert.throws(() => encodeChunk(columns([1, 2], { step: () => -5 })), ChunkEncodeError);
  assert.throws(() => encodeChunk(emptyColumns(0)), ChunkEncodeError);
  const bytes = encodeChunk(columns([1, 2, 3]));
  assert.throws(() => decodeChunk(bytes.subarray(0, 3)), RangeError, 'a truncated chunk is an error');
  const other = Uint8Array.from(bytes);
  other[0] = 99;
  assert.throws(() => decodeChunk(other), /unknown chunk format 99/);
});
