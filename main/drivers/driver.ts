/**
 * The one interface acquisition sees. A driver owns its connection (connect, timeouts,
 * reconnection with backoff) and turns device errors into qualities: `read` never rejects for a
 * device problem, it answers with bad values that say why.
 */
import type { Quality } from '../../shared/quality';
import type { WordOrder } from '../../shared/modbus-address';
import type { DeviceStatus, TagDataType, TagScalar } from '../../shared/types';
import type { OpcUaDeadband } from '../../shared/opcua';

export interface DriverTag {
  tagId: string;
  /** protocol address as written in the project (validated at load) */
  address: string;
  dataType: TagDataType;
  wordOrder?: WordOrder;
  /** Modbus strings: length in registers (2 characters each) */
  length?: number;
  /** how often the device should sample the value (OPC UA monitored items); the tag's scan rate */
  samplingMs?: number;
  /** OPC UA subscriptions: report a change only beyond this deadband (DataChangeFilter) */
  opcuaDeadband?: OpcUaDeadband;
}

/** A raw reading, before scaling to engineering units. */
export interface DriverReading {
  tagId: string;
  value: TagScalar | null;
  quality: Quality;
  /** the device's timestamp where the protocol has one, else when the response arrived */
  sourceTs: number;
}

/** Whatever a driver precomputes for a set of tags read together (e.g. Modbus request blocks). */
export interface ReadPlan {
  readonly tags: readonly DriverTag[];
  /** number of protocol requests one read of this plan costs */
  readonly requestCount: number;
}

export interface Driver {
  readonly deviceId: string;
  plan(tags: readonly DriverTag[]): ReadPlan;
  read(plan: ReadPlan): Promise<DriverReading[]>;
  /**
   * Writes a raw value (already converted from engineering units). Rejects with a DriverError
   * saying why; verification by read-back is the caller's (acquisition's WriteService).
   */
  write(tag: DriverTag, value: TagScalar): Promise<void>;
  status(): DeviceStatus;
  onStatus(listener: (status: DeviceStatus) => void): () => void;
  close(): Promise<void>;
}

/**
 * Optional capability of a driver whose device pushes changes (OPC UA subscriptions): readings
 * of a plan's tags as they arrive, between reads, for low latency. `read(plan)` still answers
 * with the latest values and their current quality, so scan groups keep their timing and their
 * staleness rules; pushed readings only arrive earlier.
 */
export interface PushingDriver extends Driver {
  onReadings(plan: ReadPlan, listener: (readings: DriverReading[]) => void): () => void;
}

export function isPushingDriver(driver: Driver): driver is PushingDriver {
  return typeof (driver as Partial<PushingDriver>).onReadings === 'function';
}

export class DriverError extends Error {
  constructor(
    readonly code: 'timeout' | 'connect_failed' | 'connection_lost' | 'device_exception' | 'protocol' | 'not_supported' | 'bad_value',
    message: string,
  ) {
    super(message);
    this.name = 'DriverError';
  }
}
