/**
 * ModbusSession: reading a plan and writing a tag, the same for Modbus TCP and RTU. What differs
 * between them (a socket per device, or one serial line shared by several unit ids) is behind
 * ModbusTransport; each function code is handled once, here, not once per transport.
 */
import type ModbusRTU from 'modbus-serial';
import { parseModbusAddress, type WordOrder } from '../../../shared/modbus-address';
import type { Quality } from '../../../shared/quality';
import type { TagScalar } from '../../../shared/types';
import type { Clock } from '../../util/clock';
import { DriverError, type DriverReading, type DriverTag, type ReadPlan } from '../driver';
import { GarbledResponseError, ModbusRequestError } from './modbus-request';
import { planReads, type PlannedTag, type PlannerLimits, type ReadBlock } from './read-planner';
import { decodeRegisters, encodeRegisters, UnrepresentableValueError } from './register-codec';

export interface ModbusTransport {
  /** per-request timeout, for messages */
  readonly timeoutMs: number;
  /**
   * Runs one request with exclusive use of the link, addressed to this device's unit id.
   * Rejects with a ModbusRequestError; by then the transport has already dealt with the link
   * (client destroyed, unit backed off), so the caller only decides what the values become.
   */
  request<T>(what: string, run: (client: ModbusRTU) => Promise<T>): Promise<T>;
  /** the device answered with an error of its own: shown in diagnostics, link state unchanged */
  noteDeviceError(message: string): void;
}

export interface ModbusPlan extends ReadPlan {
  /** replaced by a finer plan when the device refuses a block (see read) */
  blocks: ReadBlock[];
  requestCount: number;
  invalid: { tag: DriverTag; error: string }[];
}

export interface ModbusSessionOptions {
  wordOrder: WordOrder;
  clock: Clock;
  limits?: PlannerLimits;
}

const BAD_COMM: Quality = { level: 'bad', reason: 'comm_failure' };
const BAD_CONFIG: Quality = { level: 'bad', reason: 'config_error' };
const BAD_DEVICE: Quality = { level: 'bad', reason: 'device_error' };
const BAD_RANGE: Quality = { level: 'bad', reason: 'out_of_range' };
const GOOD: Quality = { level: 'good', reason: 'ok' };

/** Modbus exception codes that mean "this address/function is wrong for this device". */
const CONFIG_EXCEPTIONS = new Set([1, 2, 3]);

export class ModbusSession {
  constructor(
    private readonly transport: ModbusTransport,
    private readonly opts: ModbusSessionOptions,
  ) {}

  plan(tags: readonly DriverTag[]): ModbusPlan {
    const { blocks, invalid } = planReads(tags, this.opts.wordOrder, this.opts.limits);
    return { tags, blocks, invalid, requestCount: blocks.length };
  }

  async read(plan: ModbusPlan): Promise<DriverReading[]> {
    const out: DriverReading[] = [];
    const now = () => this.opts.clock.now();
    const bad = (tags: readonly PlannedTag[], quality: Quality) => {
      for (const p of tags) out.push({ tagId: p.tag.tagId, value: null, quality, sourceTs: now() });
    };
    for (const { tag } of plan.invalid) out.push({ tagId: tag.tagId, value: null, quality: BAD_CONFIG, sourceTs: now() });

    let linkDown = false;
    const kept: ReadBlock[] = [];
    // A work list, because a block refused with "illegal address" is bisected and its halves
    // read in its place: good neighbours keep reading, only the offending tags go bad.
    const work = [...plan.blocks];
    let split = false;
    while (work.length > 0) {
      const block = work.shift()!;
      if (linkDown) {
        // No request: the link just failed, and more requests would only queue behind timeouts.
        kept.push(block);
        bad(block.tags, BAD_COMM);
        continue;
      }
      let data: number[] | boolean[];
      try {
        data = await this.transport.request(`reading ${formatBlock(block)}`, (client) => readBlock(client, block));
      } catch (err) {
        const e = err instanceof ModbusRequestError ? err : new ModbusRequestError('connection_lost', String(err));
        if (e.code === 'device_exception' && e.exceptionCode !== null) {
          // The device answered: the connection is healthy, this block is not.
          if (CONFIG_EXCEPTIONS.has(e.exceptionCode) && block.tags.length > 1) {
            work.unshift(...bisect(block));
            split = true;
            continue;
          }
          kept.push(block);
          this.transport.noteDeviceError(e.message);
          bad(block.tags, CONFIG_EXCEPTIONS.has(e.exceptionCode) ? BAD_CONFIG : BAD_DEVICE);
        } else {
          linkDown = true;
          kept.push(block);
          bad(block.tags, BAD_COMM);
        }
        continue;
      }
      kept.push(block);
      const ts = now();
      for (const p of block.tags) out.push(this.decode(p, block, data, ts));
    }
    if (split) {
      plan.blocks = kept;
      plan.requestCount = kept.length;
    }
    return out;
  }

  async write(tag: DriverTag, value: TagScalar): Promise<void> {
    const parsed = parseModbusAddress(tag.address);
    if (!parsed.ok) throw new DriverError('bad_value', parsed.error);
    const a = parsed.value;
    if (a.area === 'input' || a.area === 'discrete') throw new DriverError('not_supported', `${tag.address} is read-only`);
    if (a.bit !== undefined) {
      // A read-modify-write of one bit would race the PLC's own writes to the other 15.
      throw new DriverError('not_supported', `writing a bit in a register (${tag.address}) is not supported`);
    }
    let registers: number[] = [];
    if (a.area === 'holding') {
      try {
        registers = encodeRegisters(value, tag.dataType, tag.wordOrder ?? this.opts.wordOrder, tag.length);
      } catch (err) {
        throw new DriverError('bad_value', `${tag.address}: ${(err as Error).message}`);
      }
    }
    try {
      await this.transport.request(`writing ${tag.address}`, async (client) => {
        if (a.area === 'coil') await client.writeCoil(a.offset, value === true || value === 1); // FC5
        else if (registers.length === 1) await client.writeRegister(a.offset, registers[0]); // FC6
        else await client.writeRegisters(a.offset, registers); // FC16
      });
    } catch (err) {
      const e = err instanceof ModbusRequestError ? err : new ModbusRequestError('connection_lost', String(err));
      if (e.code === 'device_exception') throw new ModbusRequestError(e.code, `the PLC refused the write to ${tag.address}: ${e.message}`, e.exceptionCode);
      throw e;
    }
  }

  private decode(p: PlannedTag, block: ReadBlock, data: number[] | boolean[], ts: number): DriverReading {
    const rel = p.address.offset - block.start;
    if (typeof data[0] === 'boolean') return { tagId: p.tag.tagId, value: (data as boolean[])[rel], quality: GOOD, sourceTs: ts };
    try {
      const value = decodeRegisters((data as number[]).slice(rel, rel + p.length), p.tag.dataType, p.wordOrder, p.address.bit);
      return { tagId: p.tag.tagId, value, quality: GOOD, sourceTs: ts };
    } catch (err) {
      // The registers arrived; the value cannot be shown truthfully (a 64-bit integer beyond 2^53).
      const quality = err instanceof UnrepresentableValueError ? BAD_RANGE : BAD_CONFIG;
      return { tagId: p.tag.tagId, value: null, quality, sourceTs: ts };
    }
  }
}

/**
 * One read request. The answer's size is checked here: modbus-serial trusts the byte count inside
 * the frame, and a frame whose byte count lies would otherwise shift every value after it.
 */
async function readBlock(client: ModbusRTU, block: ReadBlock): Promise<number[] | boolean[]> {
  const { start, length } = block;
  const registers = (data: number[]) => {
    if (data.length !== length) throw new GarbledResponseError(`${data.length} registers in the answer to a request for ${length}`);
    return data;
  };
  const bits = (data: boolean[]) => {
    const expected = Math.ceil(length / 8) * 8;
    if (data.length !== expected) throw new GarbledResponseError(`${data.length / 8} bytes of bits in the answer to a request for ${length} bits`);
    return data.slice(0, length);
  };
  switch (block.area) {
    case 'holding':
      return registers((await client.readHoldingRegisters(start, length)).data); // FC3
    case 'input':
      return registers((await client.readInputRegisters(start, length)).data); // FC4
    case 'coil':
      return bits((await client.readCoils(start, length)).data); // FC1
    case 'discrete':
      return bits((await client.readDiscreteInputs(start, length)).data); // FC2
  }
}

/** Halves a block by its tags; each half spans only its own tags' registers. */
function bisect(block: ReadBlock): ReadBlock[] {
  const mid = Math.ceil(block.tags.length / 2);
  return [block.tags.slice(0, mid), block.tags.slice(mid)].map((tags) => {
    const start = Math.min(...tags.map((t) => t.address.offset));
    const end = Math.max(...tags.map((t) => t.address.offset + t.length));
    return { area: block.area, start, length: end - start, tags };
  });
}

export function formatBlock(b: ReadBlock): string {
  const prefix = { holding: 'HR', input: 'IR', coil: 'CO', discrete: 'DI' }[b.area];
  return b.length === 1 ? `${prefix}${b.start}` : `${prefix}${b.start}..${prefix}${b.start + b.length - 1}`;
}
