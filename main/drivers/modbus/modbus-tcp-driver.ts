import ModbusRTU from 'modbus-serial';
import { parseModbusAddress, type WordOrder } from '../../../shared/modbus-address';
import type { Quality } from '../../../shared/quality';
import type { DeviceStatus, TagScalar } from '../../../shared/types';
import type { Clock } from '../../util/clock';
import { ConnectionSupervisor, errorText, type BackoffPolicy } from '../connection-supervisor';
import { DriverError, type Driver, type DriverReading, type DriverTag, type ReadPlan } from '../driver';
import { decodeRegisters, encodeRegisters } from './register-codec';
import { planReads, type PlannerLimits, type ReadBlock } from './read-planner';

export interface ModbusTcpDriverOptions {
  deviceId: string;
  name: string;
  host: string;
  port: number;
  unitId: number;
  timeoutMs: number;
  wordOrder: WordOrder;
  clock: Clock;
  backoff?: BackoffPolicy;
  limits?: PlannerLimits;
}

interface ModbusPlan extends ReadPlan {
  /** replaced by a finer plan when the device refuses a block (see readNow) */
  blocks: ReadBlock[];
  requestCount: number;
  invalid: { tag: DriverTag; error: string }[];
}

const BAD_COMM: Quality = { level: 'bad', reason: 'comm_failure' };
const BAD_CONFIG: Quality = { level: 'bad', reason: 'config_error' };
const BAD_DEVICE: Quality = { level: 'bad', reason: 'device_error' };
const GOOD: Quality = { level: 'good', reason: 'ok' };

/** Modbus exception codes that mean "this address/function is wrong for this device". */
const CONFIG_EXCEPTIONS = new Set([1, 2, 3]);

export class ModbusTcpDriver implements Driver {
  readonly deviceId: string;
  private readonly supervisor: ConnectionSupervisor<ModbusRTU>;
  /** One request in flight per TCP connection: requests queue here. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: ModbusTcpDriverOptions) {
    this.deviceId = opts.deviceId;
    this.supervisor = new ConnectionSupervisor<ModbusRTU>({
      deviceId: opts.deviceId,
      name: opts.name,
      protocol: 'modbus-tcp',
      endpoint: `${opts.host}:${opts.port} unit ${opts.unitId}`,
      clock: opts.clock,
      backoff: opts.backoff,
      connect: () => this.connect(),
      destroy: (c) => destroyClient(c),
    });
  }

  plan(tags: readonly DriverTag[]): ModbusPlan {
    const { blocks, invalid } = planReads(tags, this.opts.wordOrder, this.opts.limits);
    return { tags, blocks, invalid, requestCount: blocks.length };
  }

  read(plan: ReadPlan): Promise<DriverReading[]> {
    const run = this.queue.then(() => this.readNow(plan as ModbusPlan));
    this.queue = run.catch(() => undefined);
    return run;
  }

  write(tag: DriverTag, value: TagScalar): Promise<void> {
    const run = this.queue.then(() => this.writeNow(tag, value));
    this.queue = run.catch(() => undefined);
    return run;
  }

  status(): DeviceStatus {
    return this.supervisor.status();
  }

  onStatus(listener: (status: DeviceStatus) => void): () => void {
    return this.supervisor.onStatus(listener);
  }

  close(): Promise<void> {
    return this.supervisor.close();
  }

  private async readNow(plan: ModbusPlan): Promise<DriverReading[]> {
    const out: DriverReading[] = [];
    const now = () => this.opts.clock.now();
    for (const { tag } of plan.invalid) out.push({ tagId: tag.tagId, value: null, quality: BAD_CONFIG, sourceTs: now() });

    let client: ModbusRTU;
    try {
      client = await this.supervisor.acquire();
    } catch {
      for (const b of plan.blocks) for (const p of b.tags) out.push({ tagId: p.tag.tagId, value: null, quality: BAD_COMM, sourceTs: now() });
      return out;
    }

    let linkBroken = false;
    const kept: ReadBlock[] = [];
    // A work list, because a block refused with "illegal address" is bisected and its halves
    // read in its place: good neighbours keep reading, only the offending tags go bad.
    const work = [...plan.blocks];
    let split = false;
    while (work.length > 0) {
      const block = work.shift()!;
      if (linkBroken) {
        kept.push(block);
        for (const p of block.tags) out.push({ tagId: p.tag.tagId, value: null, quality: BAD_COMM, sourceTs: now() });
        continue;
      }
      try {
        const data = await readBlock(client, block);
        this.supervisor.countRequest(true);
        kept.push(block);
        const ts = now();
        for (const p of block.tags) {
          const rel = p.address.offset - block.start;
          let value: TagScalar;
          if (typeof data[0] === 'boolean') value = (data as boolean[])[rel];
          else value = decodeRegisters((data as number[]).slice(rel, rel + p.length), p.tag.dataType, p.wordOrder, p.address.bit);
          out.push({ tagId: p.tag.tagId, value, quality: GOOD, sourceTs: ts });
        }
      } catch (err) {
        this.supervisor.countRequest(false);
        const code = modbusExceptionCode(err);
        if (code !== null) {
          // The device answered: the connection is healthy, this block is not.
          if (CONFIG_EXCEPTIONS.has(code) && block.tags.length > 1) {
            work.unshift(...bisect(block));
            split = true;
            continue;
          }
          kept.push(block);
          this.supervisor.noteDeviceError(new Error(`exception ${code} reading ${formatBlock(block)}`));
          const q = CONFIG_EXCEPTIONS.has(code) ? BAD_CONFIG : BAD_DEVICE;
          for (const p of block.tags) out.push({ tagId: p.tag.tagId, value: null, quality: q, sourceTs: now() });
        } else {
          linkBroken = true;
          kept.push(block);
          this.supervisor.fail(
            isTimeout(err)
              ? new DriverError('timeout', `no answer within ${this.opts.timeoutMs} ms reading ${formatBlock(block)}`)
              : new DriverError('connection_lost', `${errorText(err)} reading ${formatBlock(block)}`),
          );
          for (const p of block.tags) out.push({ tagId: p.tag.tagId, value: null, quality: BAD_COMM, sourceTs: now() });
        }
      }
    }
    if (split) {
      plan.blocks = kept;
      plan.requestCount = kept.length;
    }
    return out;
  }

  private async writeNow(tag: DriverTag, value: TagScalar): Promise<void> {
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
        registers = encodeRegisters(value, tag.dataType, tag.wordOrder ?? this.opts.wordOrder);
      } catch (err) {
        throw new DriverError('bad_value', (err as Error).message);
      }
    }
    const client = await this.supervisor.acquire();
    try {
      if (a.area === 'coil') await client.writeCoil(a.offset, value === true || value === 1);
      else if (registers.length === 1) await client.writeRegister(a.offset, registers[0]); // FC6
      else await client.writeRegisters(a.offset, registers); // FC16
      this.supervisor.countRequest(true);
    } catch (err) {
      this.supervisor.countRequest(false);
      const code = modbusExceptionCode(err);
      if (code !== null) throw new DriverError('device_exception', `the PLC refused the write to ${tag.address}: Modbus exception ${code}`);
      this.supervisor.fail(err);
      throw new DriverError(isTimeout(err) ? 'timeout' : 'connection_lost', `write to ${tag.address}: ${isTimeout(err) ? `no answer within ${this.opts.timeoutMs} ms` : errorText(err)}`);
    }
  }

  private async connect(): Promise<ModbusRTU> {
    const client = new ModbusRTU();
    const timer = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new DriverError('timeout', `connect to ${this.opts.host}:${this.opts.port} timed out`)), this.opts.timeoutMs).unref(),
    );
    try {
      await Promise.race([client.connectTCP(this.opts.host, { port: this.opts.port }), timer]);
    } catch (err) {
      await destroyClient(client);
      throw new DriverError('connect_failed', `connect to ${this.opts.host}:${this.opts.port}: ${errorText(err)}`);
    }
    client.setID(this.opts.unitId);
    client.setTimeout(this.opts.timeoutMs);
    // A socket error between requests must not crash the process; the next request fails and
    // the supervisor rebuilds the client.
    client.on('error', () => undefined);
    return client;
  }
}

async function readBlock(client: ModbusRTU, block: ReadBlock): Promise<number[] | boolean[]> {
  switch (block.area) {
    case 'holding':
      return (await client.readHoldingRegisters(block.start, block.length)).data;
    case 'input':
      return (await client.readInputRegisters(block.start, block.length)).data;
    case 'coil':
      return (await client.readCoils(block.start, block.length)).data.slice(0, block.length);
    case 'discrete':
      return (await client.readDiscreteInputs(block.start, block.length)).data.slice(0, block.length);
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

function formatBlock(b: ReadBlock): string {
  const prefix = { holding: 'HR', input: 'IR', coil: 'CO', discrete: 'DI' }[b.area];
  return `${prefix}${b.start}..${prefix}${b.start + b.length - 1}`;
}

function modbusExceptionCode(err: unknown): number | null {
  const code = (err as { modbusCode?: unknown } | null)?.modbusCode;
  return typeof code === 'number' ? code : null;
}

function isTimeout(err: unknown): boolean {
  const e = err as { errno?: unknown; message?: unknown } | null;
  return e?.errno === 'ETIMEDOUT' || e?.message === 'Timed out';
}

function destroyClient(client: ModbusRTU): Promise<void> {
  return new Promise((resolve) => {
    try {
      client.destroy(() => resolve());
    } catch {
      resolve();
    }
    // destroy's callback is not called on every path (e.g. never connected)
    setTimeout(resolve, 200).unref();
  });
}
