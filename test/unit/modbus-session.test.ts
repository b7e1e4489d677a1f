/**
 * ModbusSession over a fake transport: what each kind of answer does to the values. No network:
 * the transport hands the session a fake modbus-serial client whose answers the test chooses.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type ModbusRTU from 'modbus-serial';
import type { DriverReading, DriverTag } from '../../main/drivers/driver';
import { classifyModbusError, ModbusRequestError, ModbusRequestQueue } from '../../main/drivers/modbus/modbus-request';
import { ModbusSession, type ModbusTransport } from '../../main/drivers/modbus/modbus-session';
import { FakeClock } from '../../main/util/clock';

type Answer = (start: number, length: number) => { data: number[] } | Promise<never>;

function setup(answer: Answer) {
  const clock = new FakeClock();
  const requests: string[] = [];
  const failures: ModbusRequestError[] = [];
  const deviceErrors: string[] = [];
  const writes: { fc: number; address: number; values: number[] | boolean }[] = [];
  const client = {
    readHoldingRegisters: async (start: number, length: number) => answer(start, length),
    readInputRegisters: async (start: number, length: number) => answer(start, length),
    writeRegister: async (address: number, value: number) => void writes.push({ fc: 6, address, values: [value] }),
    writeRegisters: async (address: number, values: number[]) => void writes.push({ fc: 16, address, values }),
    writeCoil: async (address: number, value: boolean) => void writes.push({ fc: 5, address, values: value }),
  } as unknown as ModbusRTU;
  const transport: ModbusTransport = {
    timeoutMs: 100,
    async request(what, run) {
      requests.push(what);
      try {
        return await run(client);
      } catch (err) {
        const e = classifyModbusError(err, what, 100);
        failures.push(e);
        throw e;
      }
    },
    noteDeviceError: (m) => void deviceErrors.push(m),
  };
  const session = new ModbusSession(transport, { wordOrder: 'ABCD', clock });
  const read = async (tags: DriverTag[]) => {
    const readings = await session.read(session.plan(tags));
    return new Map<string, DriverReading>(readings.map((r) => [r.tagId, r]));
  };
  return { session, read, requests, failures, deviceErrors, writes };
}

const tag = (tagId: string, address: string, dataType: DriverTag['dataType'], extra: Partial<DriverTag> = {}): DriverTag => ({ tagId, address, dataType, ...extra });

test('1. a 64-bit integer beyond 2^53 is bad (out_of_range) alone; its neighbours in the block stay good', async () => {
  const regs = [0x0020, 0, 0, 0, /* HR4 */ 0, 0, 0, 7, /* HR8 */ 42];
  const { read } = setup((start, length) => ({ data: regs.slice(start, start + length) }));
  const r = await read([tag('big', 'HR0', 'int64'), tag('small', 'HR4', 'uint64'), tag('n', 'HR8', 'int16')]);
  assert.deepEqual(r.get('big')!.quality, { level: 'bad', reason: 'out_of_range' });
  assert.equal(r.get('big')!.value, null, 'a wrong number is never shown');
  assert.equal(r.get('small')!.value, 7);
  assert.equal(r.get('n')!.value, 42);
  assert.equal(r.get('n')!.quality.level, 'good');
});

test('2. an answer with fewer registers than asked (its byte count lies) is discarded: nothing decoded', async () => {
  const { read, failures } = setup((_start, length) => ({ data: new Array<number>(length - 1).fill(0x1234) }));
  const r = await read([tag('a', 'HR0', 'uint16'), tag('b', 'HR1', 'uint16'), tag('c', 'IR0', 'uint16')]);
  for (const id of ['a', 'b', 'c']) assert.deepEqual(r.get(id)!.quality, { level: 'bad', reason: 'comm_failure' }, id);
  assert.equal(failures[0].code, 'protocol');
  assert.match(failures[0].message, /garbled answer reading HR0\.\.HR1: 1 registers in the answer to a request for 2/);
  assert.equal(failures.length, 1, 'after a link failure the rest of the plan is not requested');
});

test('3. modbus-serial failures are classified once: exception, timeout, garbled, connection', () => {
  const exc = classifyModbusError(Object.assign(new Error('Modbus exception 2'), { modbusCode: 2 }), 'reading HR7', 100);
  assert.deepEqual([exc.code, exc.exceptionCode], ['device_exception', 2]);
  assert.match(exc.message, /illegal data address/);
  assert.equal(classifyModbusError({ name: 'TransactionTimedOutError', message: 'Timed out', errno: 'ETIMEDOUT' }, 'x', 100).code, 'timeout');
  assert.equal(classifyModbusError(new Error('CRC error'), 'x', 100).code, 'protocol');
  assert.equal(classifyModbusError(new Error('Unexpected data error, expected address 1 got 2'), 'x', 100).code, 'protocol');
  assert.equal(classifyModbusError(new Error('Data length error, expected 9 got 7'), 'x', 100).code, 'protocol');
  assert.equal(classifyModbusError({ name: 'PortNotOpenError', message: 'Port Not Open', errno: 'ECONNREFUSED' }, 'x', 100).code, 'connection_lost');
});

test('4. exceptions: illegal address splits the block and marks only the offender; device failure is device_error', async () => {
  const { read, deviceErrors, requests } = setup((start, length) => {
    if (start <= 5 && start + length > 5) return Promise.reject(Object.assign(new Error('exception'), { modbusCode: 2 }));
    if (start === 100) return Promise.reject(Object.assign(new Error('exception'), { modbusCode: 4 }));
    return { data: new Array<number>(length).fill(1) };
  });
  const r = await read([tag('a', 'HR4', 'uint16'), tag('hole', 'HR5', 'uint16'), tag('b', 'HR6', 'uint16'), tag('busy', 'HR100', 'uint16', { wordOrder: 'CDAB' })]);
  assert.equal(r.get('a')!.quality.level, 'good');
  assert.equal(r.get('b')!.quality.level, 'good');
  assert.deepEqual(r.get('hole')!.quality, { level: 'bad', reason: 'config_error' });
  assert.deepEqual(r.get('busy')!.quality, { level: 'bad', reason: 'device_error' });
  assert.ok(requests.length > 2, 'the refused block was split into further requests');
  assert.ok(deviceErrors.some((m) => /exception 4 \(server device failure\) reading HR100/.test(m)), deviceErrors.join('; '));
});

test('5. a string needs its length; a string tag reads exactly its registers', async () => {
  const text = [0x504b, 0x2d33, 0x3330, 0, 0x4142];
  const { read, requests } = setup((start, length) => ({ data: text.slice(start, start + length) }));
  const r = await read([tag('code', 'HR0', 'string', { length: 4 }), tag('nolen', 'HR10', 'string')]);
  assert.equal(r.get('code')!.value, 'PK-330');
  assert.deepEqual(r.get('nolen')!.quality, { level: 'bad', reason: 'config_error' });
  assert.deepEqual(requests, ['reading HR0..HR3']);
});

test('6. writes: each type with the right function code and registers; read-only areas refused', async () => {
  const { session, writes } = setup(() => ({ data: [] }));
  await session.write(tag('s', 'HR10', 'string', { length: 3, wordOrder: 'BADC' }), 'AB');
  await session.write(tag('i', 'HR20', 'int64', { wordOrder: 'CDAB' }), -2);
  await session.write(tag('u', 'HR30', 'uint16'), 7);
  await session.write(tag('c', 'CO3', 'bool'), true);
  assert.deepEqual(writes, [
    { fc: 16, address: 10, values: [0x4241, 0, 0] },
    { fc: 16, address: 20, values: [0xfffe, 0xffff, 0xffff, 0xffff] },
    { fc: 6, address: 30, values: [7] },
    { fc: 5, address: 3, values: true },
  ]);
  await assert.rejects(session.write(tag('ir', 'IR0', 'uint16'), 1), /read-only/);
  await assert.rejects(session.write(tag('bit', 'HR1.3', 'bool'), true), /bit in a register/);
  await assert.rejects(session.write(tag('long', 'HR1', 'string', { length: 1 }), 'abc'), /HR1: "abc" has 3 characters/);
  assert.equal(writes.length, 4, 'refused writes send nothing');
});

test('7. the request queue runs one job at a time and keeps the gap on the injected clock', async () => {
  const clock = new FakeClock();
  const queue = new ModbusRequestQueue(clock, 5);
  const log: string[] = [];
  let release!: () => void;
  const first = queue.run(async () => {
    log.push('1 start');
    await new Promise<void>((r) => (release = r));
    log.push('1 end');
  });
  const second = queue.run(async () => void log.push('2 start'));
  assert.equal(queue.depth, 2);
  await Promise.resolve();
  await Promise.resolve();
  assert.deepEqual(log, ['1 start']);
  release();
  await first;
  for (let i = 0; i < 5; i++) await Promise.resolve();
  assert.deepEqual(log, ['1 start', '1 end'], 'the next request waits for the inter-frame gap');
  clock.advance(4);
  for (let i = 0; i < 5; i++) await Promise.resolve();
  assert.deepEqual(log, ['1 start', '1 end']);
  clock.advance(1);
  await second;
  assert.deepEqual(log, ['1 start', '1 end', '2 start']);
  assert.equal(queue.depth, 0);
});
