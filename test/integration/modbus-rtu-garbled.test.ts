/**
 * Garbled Modbus RTU answers on a real (pseudo-terminal) serial line: a hand-written slave on one
 * end of a socat pair answers our ModbusRtuDriver on the other end correctly or wrongly, as each
 * test scripts it. Nothing of a wrong answer may be applied (its registers hold 0xDEAD); the value
 * goes bad (comm_failure); the next request after the fault reads correctly.
 *
 * What modbus-serial 8.0's buffered RTU port does with each (verified here, see docs/modbus.md):
 *   CRC error                      rejected ("CRC error") → garbled
 *   another unit's or function's   skipped while scanning for the expected header → our timeout
 *   short frame                    waits for the missing bytes → our timeout; the leftover bytes
 *                                  are dropped before the next request (ModbusRtuBus.prepare)
 *   noise before a valid answer    skipped: the answer is found behind it
 * Backoff on a FakeClock and no inter-frame gap, so no fake-time waits block the line; the
 * request timeout is modbus-serial's real one.
 */
import assert from 'node:assert/strict';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { after, before, test } from 'node:test';
import type { DriverReading } from '../../main/drivers/driver';
import { ModbusRtuBusRegistry } from '../../main/drivers/modbus/modbus-rtu-bus';
import { ModbusRtuDriver } from '../../main/drivers/modbus/modbus-rtu-driver';
import { FakeClock, systemClock } from '../../main/util/clock';
import { socatMissing, startPtyPair, type PtyPair } from '../helpers/socat-pty';
import { tempDir, waitFor } from '../helpers/temp';

const missing = socatMissing();
const skip = missing ?? false;
const tmp = tempDir();
const clock = new FakeClock(Date.now());
const buses = new ModbusRtuBusRegistry();
const POISON = 0xdead;
let pty: PtyPair;
let slave: FakeSlave;
let driver: ModbusRtuDriver;

function crc16(buf: Buffer): number {
  let crc = 0xffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

function withCrc(body: Buffer): Buffer {
  const out = Buffer.alloc(body.length + 2, body);
  out.writeUInt16LE(crc16(body), body.length);
  return out;
}

type Script = (req: { unit: number; fc: number; address: number; count: number }, registers: number[]) => { frame: Buffer | null; delayMs?: number };

/** The slave end: parses FC3 requests, answers what `script` says from `registers`. */
class FakeSlave {
  readonly registers = new Array<number>(100).fill(0);
  script: Script = (req, regs) => ({ frame: answerFrame(req.unit, req.fc, regs) });
  private readonly fd: number;
  private readonly input: ReadStream;
  private buf = Buffer.alloc(0);
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly onSent: (() => void)[] = [];

  /** resolves when the slave has written its next frame */
  nextFrameSent(): Promise<void> {
    return new Promise((resolve) => this.onSent.push(resolve));
  }

  constructor(path: string) {
    this.fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY);
    this.input = new ReadStream(this.fd);
    this.input.setRawMode(true);
    this.input.on('data', (d: Buffer) => this.onData(d));
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    while (this.buf.length >= 8) {
      const req = this.buf.subarray(0, 8);
      this.buf = this.buf.subarray(8);
      const parsed = { unit: req[0], fc: req[1], address: req.readUInt16BE(2), count: req.readUInt16BE(4) };
      const { frame, delayMs = 0 } = this.script(parsed, this.registers.slice(parsed.address, parsed.address + parsed.count));
      if (!frame) continue;
      const t = setTimeout(() => {
        this.timers.delete(t);
        writeSync(this.fd, frame);
        for (const f of this.onSent.splice(0)) f();
      }, delayMs);
      this.timers.add(t);
    }
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.input.destroy();
    try {
      closeSync(this.fd);
    } catch {
      // already closed by the stream
    }
  }
}

function answerFrame(unit: number, fc: number, regs: number[]): Buffer {
  const body = Buffer.alloc(3 + regs.length * 2);
  body[0] = unit;
  body[1] = fc;
  body[2] = regs.length * 2;
  regs.forEach((r, i) => body.writeUInt16BE(r, 3 + 2 * i));
  return withCrc(body);
}

before(async () => {
  if (missing) return;
  pty = await startPtyPair(tmp.dir, 'rtu');
  slave = new FakeSlave(pty.a);
  slave.registers[0] = 1234;
  slave.registers[1] = 5678;
  driver = new ModbusRtuDriver({
    deviceId: 'scale',
    name: 'scale',
    line: { path: pty.b, baudRate: 19200, parity: 'none', dataBits: 8, stopBits: 1, interFrameDelayMs: 0 },
    unitId: 1,
    timeoutMs: 300,
    wordOrder: 'ABCD',
    clock,
    backoff: { initialMs: 100, maxMs: 100, jitter: 0 },
    buses,
  });
});

after(async () => {
  await driver?.close();
  slave?.close();
  await pty?.stop();
  tmp.cleanup();
});

const plan = () => driver.plan([
  { tagId: 'a', address: 'HR0', dataType: 'uint16' },
  { tagId: 'b', address: 'HR1', dataType: 'uint16' },
]);

async function read(): Promise<DriverReading[]> {
  return driver.read(plan());
}

async function expectGood(): Promise<void> {
  const r = await read();
  assert.deepEqual(
    r.map((x) => [x.value, x.quality.level]),
    [
      [1234, 'good'],
      [5678, 'good'],
    ],
  );
}

async function expectBadThenGood(lastError: RegExp): Promise<void> {
  const r = await read();
  assert.deepEqual(
    r.map((x) => [x.value, x.quality.reason]),
    [
      [null, 'comm_failure'],
      [null, 'comm_failure'],
    ],
    'nothing of the wrong answer applied',
  );
  assert.match(driver.status().lastError ?? '', lastError);
  slave.script = (req, regs) => ({ frame: answerFrame(req.unit, req.fc, regs) });
  clock.advance(300); // the unit's backoff, never shorter than its timeout
  await expectGood(); // the very next request: no leftovers of the bad answer in the way
  assert.equal(buses.get(pty.b)!.status().reconnects, 0, 'one unit\'s bad answer never reopens the port');
}

const poisoned = (n: number) => new Array<number>(n).fill(POISON);

test('0. a correct slave reads good', { skip }, async () => {
  await expectGood();
  assert.equal(driver.status().state, 'online');
});

test('1. CRC error: rejected as garbled', { skip }, async () => {
  slave.script = (req) => {
    const f = answerFrame(req.unit, req.fc, poisoned(req.count));
    f[f.length - 1] ^= 0xff;
    return { frame: f };
  };
  await expectBadThenGood(/garbled answer reading HR0\.\.HR1 \(unit 1\): CRC error/);
});

test('2. an answer from another unit is not ours: timeout', { skip }, async () => {
  slave.script = (req) => ({ frame: answerFrame(req.unit + 1, req.fc, poisoned(req.count)) });
  await expectBadThenGood(/no answer within 300 ms/);
});

test('3. an answer to another function code is not ours: timeout', { skip }, async () => {
  slave.script = (req) => ({ frame: answerFrame(req.unit, 4, poisoned(req.count)) });
  await expectBadThenGood(/no answer within 300 ms/);
});

test('4. a short frame: timeout, and its bytes do not spoil the next answer', { skip }, async () => {
  slave.script = (req) => ({ frame: answerFrame(req.unit, req.fc, poisoned(req.count)).subarray(0, 5) });
  await expectBadThenGood(/no answer within 300 ms/);
});

test('5. noise on the line before a valid answer is skipped; the answer is found', { skip }, async () => {
  slave.script = (req, regs) => ({ frame: Buffer.concat([Buffer.from([0x00, 0xff, 0x55]), answerFrame(req.unit, req.fc, regs)]) });
  await expectGood();
  slave.script = (req, regs) => ({ frame: answerFrame(req.unit, req.fc, regs) });
});

test('6. an answer later than the timeout is dropped, never taken for the next request\'s', { skip }, async () => {
  // Real time for this unit: what matters is when its next request goes out, in real time,
  // relative to the late answer. Its backoff (50 ms asked) is stretched to its timeout (300 ms).
  const unit2 = new ModbusRtuDriver({
    deviceId: 'scale2',
    name: 'scale 2',
    line: { path: pty.b, baudRate: 19200, parity: 'none', dataBits: 8, stopBits: 1, interFrameDelayMs: 0 },
    unitId: 2,
    timeoutMs: 300,
    wordOrder: 'ABCD',
    clock: systemClock,
    backoff: { initialMs: 50, maxMs: 50, jitter: 0 },
    buses,
  });
  try {
    const plan2 = unit2.plan(plan().tags);
    slave.script = (req) => ({ frame: answerFrame(req.unit, req.fc, poisoned(req.count)), delayMs: 450 });
    const lateAnswer = slave.nextFrameSent();
    const [first] = await unit2.read(plan2);
    assert.equal(first.quality.reason, 'comm_failure');
    // A slow but valid answer next: asked too early, the late one would land while it is awaited.
    slave.script = (req, regs) => ({ frame: answerFrame(req.unit, req.fc, regs), delayMs: 200 });
    // poll as scans would; the first good answer must be the right one, not the late one
    const good = await waitFor('a good read', async () => {
      const r = await unit2.read(plan2);
      return r[0].quality.level === 'good' ? r : null;
    }, 3000, 20);
    assert.deepEqual(good.map((x) => x.value), [1234, 5678]);
    await lateAnswer;
    slave.script = (req, regs) => ({ frame: answerFrame(req.unit, req.fc, regs) });
  } finally {
    await unit2.close();
  }
});

test('7. a Modbus exception is the device speaking: config error, the unit stays online', { skip }, async () => {
  slave.script = (req) => ({ frame: withCrc(Buffer.from([req.unit, req.fc | 0x80, 2])) });
  const r = await driver.read(driver.plan([{ tagId: 'x', address: 'HR50', dataType: 'uint16' }]));
  assert.deepEqual(r[0].quality, { level: 'bad', reason: 'config_error' });
  assert.equal(driver.status().state, 'online');
  slave.script = (req, regs) => ({ frame: answerFrame(req.unit, req.fc, regs) });
  await expectGood();
});
