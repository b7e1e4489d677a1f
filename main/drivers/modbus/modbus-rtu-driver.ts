/**
 * Modbus RTU: one driver per unit id, all units of a serial line sharing one ModbusRtuBus.
 *
 * Each unit has its own ConnectionSupervisor, whose "client" is the bus's open port: its state,
 * counters and backoff are the unit's own. A unit that does not answer (or answers garbage) backs
 * off alone, so a dead unit costs the line one timeout per backoff period instead of one per
 * scan, and the other units keep reading. A port failure is the bus's: it reopens the port and
 * tells every unit, which then back off and come back through the new port.
 *
 * A unit that timed out is not asked again for at least one more timeout period. RTU answers
 * carry no transaction id: a late answer arriving while the same unit's next request (same
 * function code and length) is outstanding would be taken for its answer. Arriving while no
 * request to it is outstanding, it is matched to the request that timed out and dropped.
 */
import type ModbusRTU from 'modbus-serial';
import type { WordOrder } from '../../../shared/modbus-address';
import type { DeviceStatus, TagScalar } from '../../../shared/types';
import type { Clock } from '../../util/clock';
import { ConnectionSupervisor, defaultBackoff, errorText, type BackoffPolicy } from '../connection-supervisor';
import type { Driver, DriverError, DriverReading, DriverTag, ReadPlan } from '../driver';
import { classifyModbusError, ModbusRequestError } from './modbus-request';
import { processRtuBuses, type ModbusRtuBus, type ModbusRtuBusMember, type ModbusRtuBusOptions, type ModbusRtuBusRegistry, type SerialLineSettings } from './modbus-rtu-bus';
import { ModbusSession, type ModbusPlan, type ModbusTransport } from './modbus-session';
import type { PlannerLimits } from './read-planner';

export interface ModbusRtuDriverOptions {
  deviceId: string;
  name: string;
  line: SerialLineSettings;
  unitId: number;
  timeoutMs: number;
  wordOrder: WordOrder;
  clock: Clock;
  /** the unit's backoff after it failed to answer; also the port's when the bus is created */
  backoff?: BackoffPolicy;
  limits?: PlannerLimits;
  /** default: the process-wide registry (a serial port opens once per process) */
  buses?: ModbusRtuBusRegistry;
  /** timeouts in a row on the line after which the port is reopened (see ModbusRtuBus) */
  reopenAfterTimeouts?: number;
  /** see ModbusRtuBusOptions.openPort */
  openPort?: ModbusRtuBusOptions['openPort'];
}

export class ModbusRtuDriver implements Driver, ModbusTransport, ModbusRtuBusMember {
  readonly deviceId: string;
  readonly timeoutMs: number;
  private readonly bus: ModbusRtuBus;
  private readonly buses: ModbusRtuBusRegistry;
  private readonly unit: ConnectionSupervisor<ModbusRTU>;
  private readonly session: ModbusSession;
  private closing: Promise<void> | null = null;

  constructor(private readonly opts: ModbusRtuDriverOptions) {
    this.deviceId = opts.deviceId;
    this.timeoutMs = opts.timeoutMs;
    this.buses = opts.buses ?? processRtuBuses;
    this.bus = this.buses.attach(opts.line, { clock: opts.clock, backoff: opts.backoff, reopenAfterTimeouts: opts.reopenAfterTimeouts, openPort: opts.openPort }, this);
    this.session = new ModbusSession(this, { wordOrder: opts.wordOrder, clock: opts.clock, limits: opts.limits });
    this.unit = new ConnectionSupervisor<ModbusRTU>({
      deviceId: opts.deviceId,
      name: opts.name,
      protocol: 'modbus-rtu',
      endpoint: `${opts.line.path} unit ${opts.unitId}`,
      clock: opts.clock,
      backoff: unitBackoff(opts.backoff ?? defaultBackoff, opts.timeoutMs),
      connect: () => this.bus.port(),
      // the port belongs to the bus: a unit that failed only lets go of it
      destroy: async () => undefined,
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
    return this.unit.status();
  }

  onStatus(listener: (status: DeviceStatus) => void): () => void {
    return this.unit.onStatus(listener);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.unit.close();
      await this.buses.detach(this.bus, this);
    })();
    return this.closing;
  }

  portLost(err: DriverError): void {
    this.unit.fail(err);
  }

  async request<T>(what: string, run: (client: ModbusRTU) => Promise<T>): Promise<T> {
    // A unit backing off is answered at once, without waiting for its turn on the line.
    await this.acquire(what);
    return this.bus.exclusive(async () => {
      const client = await this.acquire(what); // the port may have been replaced while queued
      this.bus.prepare(client, this.opts.unitId, this.opts.timeoutMs);
      const started = this.opts.clock.now();
      try {
        const result = await run(client);
        this.unit.countRequest(true, this.opts.clock.now() - started);
        this.bus.noteAnswer();
        return result;
      } catch (err) {
        this.unit.countRequest(false, this.opts.clock.now() - started);
        const e = classifyModbusError(err, `${what} (unit ${this.opts.unitId})`, this.opts.timeoutMs);
        if (e.code === 'device_exception') {
          this.bus.noteAnswer();
        } else if (e.code === 'timeout') {
          this.unit.fail(e);
          this.bus.noteTimeout(client, e, this);
        } else if (e.code === 'protocol') {
          this.bus.noteAnswer(); // garbage, but something answered: the port works
          this.unit.fail(e);
        } else {
          // The port failed: the bus tells every unit, this one included. If the port had
          // already been replaced, only this request was lost.
          if (!this.bus.portFailed(client, e)) this.unit.fail(e);
        }
        throw e;
      }
    });
  }

  noteDeviceError(message: string): void {
    this.unit.noteDeviceError(new Error(message));
  }

  private async acquire(what: string): Promise<ModbusRTU> {
    try {
      return await this.unit.acquire();
    } catch (err) {
      throw new ModbusRequestError('connect_failed', `${errorText(err)} (${what}, unit ${this.opts.unitId})`);
    }
  }
}

/** The unit's backoff: never shorter than its request timeout (see the file comment). */
export function unitBackoff(b: BackoffPolicy, timeoutMs: number): BackoffPolicy {
  const initialMs = Math.max(b.initialMs, timeoutMs / Math.max(0.1, 1 - b.jitter));
  return { ...b, initialMs, maxMs: Math.max(b.maxMs, initialMs) };
}
