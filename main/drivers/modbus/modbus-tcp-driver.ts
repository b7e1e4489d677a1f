/**
 * Modbus TCP: one socket per device, one request in flight on it. Any failed request other than
 * a Modbus exception (timeout, garbled answer, reset) destroys the client: the next request
 * waits for the supervisor's backoff and a fresh connection. A late or stray answer can then
 * never be matched to a later request.
 */
import ModbusRTU from 'modbus-serial';
import type { WordOrder } from '../../../shared/modbus-address';
import type { DeviceStatus, TagScalar } from '../../../shared/types';
import type { Clock } from '../../util/clock';
import { ConnectionSupervisor, errorText, type BackoffPolicy } from '../connection-supervisor';
import { DriverError, type Driver, type DriverReading, type DriverTag, type ReadPlan } from '../driver';
import { classifyModbusError, ModbusRequestError, ModbusRequestQueue } from './modbus-request';
import { ModbusSession, type ModbusPlan, type ModbusTransport } from './modbus-session';
import type { PlannerLimits } from './read-planner';

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

export class ModbusTcpDriver implements Driver, ModbusTransport {
  readonly deviceId: string;
  readonly timeoutMs: number;
  private readonly supervisor: ConnectionSupervisor<ModbusRTU>;
  private readonly queue: ModbusRequestQueue;
  private readonly session: ModbusSession;

  constructor(private readonly opts: ModbusTcpDriverOptions) {
    this.deviceId = opts.deviceId;
    this.timeoutMs = opts.timeoutMs;
    this.queue = new ModbusRequestQueue(opts.clock);
    this.session = new ModbusSession(this, { wordOrder: opts.wordOrder, clock: opts.clock, limits: opts.limits });
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
    return this.session.plan(tags);
  }

  read(plan: ReadPlan): Promise<DriverReading[]> {
    return this.session.read(plan as ModbusPlan);
  }

  write(tag: DriverTag, value: TagScalar): Promise<void> {
    return this.session.write(tag, value);
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

  /** requests queued or in flight (never more than one in flight) */
  get queueDepth(): number {
    return this.queue.depth;
  }

  request<T>(what: string, run: (client: ModbusRTU) => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      let client: ModbusRTU;
      try {
        client = await this.supervisor.acquire();
      } catch (err) {
        throw new ModbusRequestError('connect_failed', `${errorText(err)} (${what})`);
      }
      const started = this.opts.clock.now();
      try {
        const result = await run(client);
        this.supervisor.countRequest(true, this.opts.clock.now() - started);
        return result;
      } catch (err) {
        this.supervisor.countRequest(false, this.opts.clock.now() - started);
        const e = classifyModbusError(err, what, this.opts.timeoutMs);
        if (e.code !== 'device_exception') this.supervisor.fail(e);
        throw e;
      }
    });
  }

  noteDeviceError(message: string): void {
    this.supervisor.noteDeviceError(new Error(message));
  }

  private async connect(): Promise<ModbusRTU> {
    const client = new ModbusRTU();
    // Without a listener an 'error' between requests would be thrown and end the process; the
    // next request fails instead and the supervisor rebuilds the client.
    client.on('error', () => undefined);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DriverError('timeout', `connect to ${this.opts.host}:${this.opts.port} timed out`)), this.opts.timeoutMs);
    });
    try {
      await Promise.race([client.connectTCP(this.opts.host, { port: this.opts.port }), timeout]);
    } catch (err) {
      await destroyClient(client);
      throw new DriverError('connect_failed', `connect to ${this.opts.host}:${this.opts.port}: ${errorText(err)}`);
    } finally {
      clearTimeout(timer);
    }
    client.setID(this.opts.unitId);
    client.setTimeout(this.opts.timeoutMs);
    return client;
  }
}

/** Destroys a client; resolves when it is closed (or soon, if the library never says so). */
export function destroyClient(client: ModbusRTU): Promise<void> {
  return new Promise((resolve) => {
    // destroy's callback is not called on every path (e.g. never connected)
    const fallback = setTimeout(resolve, 200);
    const done = () => {
      clearTimeout(fallback);
      resolve();
    };
    try {
      client.destroy(done);
    } catch {
      done();
    }
  });
}
