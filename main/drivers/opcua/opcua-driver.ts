import {
  AttributeIds,
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  StatusCodes,
  type ClientSession,
  type DataValue,
} from 'node-opcua';
import type { Quality } from '../../../shared/quality';
import type { DeviceStatus, TagDataType, TagScalar } from '../../../shared/types';
import type { Clock } from '../../util/clock';
import { ConnectionSupervisor, errorText, type BackoffPolicy } from '../connection-supervisor';
import { DriverError, type Driver, type DriverReading, type DriverTag, type ReadPlan } from '../driver';

export interface OpcUaDriverOptions {
  deviceId: string;
  name: string;
  endpoint: string;
  timeoutMs: number;
  /** our own PKI folder (in the data directory): the client certificate lives here */
  pkiDir: string;
  clock: Clock;
  backoff?: BackoffPolicy;
}

interface Connection {
  client: OPCUAClient;
  session: ClientSession;
}

const BAD_COMM: Quality = { level: 'bad', reason: 'comm_failure' };

const OPCUA_TYPES: Record<TagDataType, DataType> = {
  bool: DataType.Boolean,
  int16: DataType.Int16,
  uint16: DataType.UInt16,
  int32: DataType.Int32,
  uint32: DataType.UInt32,
  float32: DataType.Float,
  float64: DataType.Double,
  string: DataType.String,
};

/**
 * Reads by polling (session.read of all nodes of a scan group in one request). The acquisition
 * issue adds subscriptions; polling stays as the fallback for servers without them.
 */
export class OpcUaDriver implements Driver {
  readonly deviceId: string;
  private readonly supervisor: ConnectionSupervisor<Connection>;
  private certificateManager: OPCUACertificateManager | null = null;

  constructor(private readonly opts: OpcUaDriverOptions) {
    this.deviceId = opts.deviceId;
    this.supervisor = new ConnectionSupervisor<Connection>({
      deviceId: opts.deviceId,
      name: opts.name,
      protocol: 'opcua',
      endpoint: opts.endpoint,
      clock: opts.clock,
      backoff: opts.backoff,
      connect: () => this.connect(),
      destroy: (c) => this.destroy(c),
    });
  }

  plan(tags: readonly DriverTag[]): ReadPlan {
    return { tags, requestCount: tags.length > 0 ? 1 : 0 };
  }

  async read(plan: ReadPlan): Promise<DriverReading[]> {
    const now = () => this.opts.clock.now();
    let conn: Connection;
    try {
      conn = await this.supervisor.acquire();
    } catch {
      return plan.tags.map((t) => ({ tagId: t.tagId, value: null, quality: BAD_COMM, sourceTs: now() }));
    }
    let values: DataValue[];
    try {
      values = await withTimeout(
        conn.session.read(plan.tags.map((t) => ({ nodeId: t.address, attributeId: AttributeIds.Value }))),
        this.opts.timeoutMs,
        `read of ${plan.tags.length} nodes`,
      );
      this.supervisor.countRequest(true);
    } catch (err) {
      this.supervisor.countRequest(false);
      this.supervisor.fail(err);
      return plan.tags.map((t) => ({ tagId: t.tagId, value: null, quality: BAD_COMM, sourceTs: now() }));
    }
    const received = now();
    return plan.tags.map((tag, i) => toReading(tag, values[i], received));
  }

  async write(tag: DriverTag, value: TagScalar): Promise<void> {
    const conn = await this.supervisor.acquire();
    const dataType = OPCUA_TYPES[tag.dataType];
    let status;
    try {
      status = await withTimeout(
        conn.session.write({ nodeId: tag.address, attributeId: AttributeIds.Value, value: { value: { dataType, value } } }),
        this.opts.timeoutMs,
        `write of ${tag.address}`,
      );
      this.supervisor.countRequest(true);
    } catch (err) {
      this.supervisor.countRequest(false);
      this.supervisor.fail(err);
      throw new DriverError('timeout', errorText(err));
    }
    if (status.isNotGood()) throw new DriverError('device_exception', `the server refused the write to ${tag.address}: ${status.name}`);
  }

  status(): DeviceStatus {
    return this.supervisor.status();
  }

  onStatus(listener: (status: DeviceStatus) => void): () => void {
    return this.supervisor.onStatus(listener);
  }

  async close(): Promise<void> {
    await this.supervisor.close();
    await this.certificateManager?.dispose().catch(() => undefined);
    this.certificateManager = null;
  }

  private async connect(): Promise<Connection> {
    if (!this.certificateManager) {
      this.certificateManager = new OPCUACertificateManager({ rootFolder: this.opts.pkiDir, automaticallyAcceptUnknownCertificate: false });
      await this.certificateManager.initialize();
    }
    const client = OPCUAClient.create({
      applicationName: 'Lineside HMI',
      // We rebuild the client ourselves on failure (ConnectionSupervisor); node-opcua's own
      // endless retry loop would hide the outage from the quality of the values.
      connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
      endpointMustExist: false,
      securityMode: MessageSecurityMode.None,
      securityPolicy: SecurityPolicy.None,
      clientCertificateManager: this.certificateManager,
      requestedSessionTimeout: 60_000,
      keepSessionAlive: true,
      transportTimeout: this.opts.timeoutMs * 4,
    });
    client.on('connection_lost', () => this.supervisor.fail(new DriverError('connection_lost', 'OPC UA connection lost')));
    try {
      await withTimeout(client.connect(this.opts.endpoint), this.opts.timeoutMs * 4, `connect to ${this.opts.endpoint}`);
      const session = await withTimeout(client.createSession(), this.opts.timeoutMs * 4, 'create session');
      return { client, session };
    } catch (err) {
      await client.disconnect().catch(() => undefined);
      throw new DriverError('connect_failed', `${this.opts.endpoint}: ${errorText(err)}`);
    }
  }

  private async destroy(conn: Connection): Promise<void> {
    conn.client.removeAllListeners('connection_lost');
    // Close the session first so the server frees it (no BadTooManySessions after a reconnect
    // loop); bounded, since the server may be the thing that is gone.
    await withTimeout(conn.session.close(true), 1000, 'close session').catch(() => undefined);
    await withTimeout(conn.client.disconnect(), 1000, 'disconnect').catch(() => undefined);
  }
}

function toReading(tag: DriverTag, dv: DataValue | undefined, received: number): DriverReading {
  const sourceTs = dv?.sourceTimestamp?.getTime() ?? dv?.serverTimestamp?.getTime() ?? received;
  if (!dv) return { tagId: tag.tagId, value: null, quality: BAD_COMM, sourceTs: received };
  const sc = dv.statusCode;
  if (sc.isBad()) {
    const config =
      sc.equals(StatusCodes.BadNodeIdUnknown) ||
      sc.equals(StatusCodes.BadNodeIdInvalid) ||
      sc.equals(StatusCodes.BadAttributeIdInvalid) ||
      sc.equals(StatusCodes.BadNotReadable) ||
      sc.equals(StatusCodes.BadUserAccessDenied);
    return { tagId: tag.tagId, value: null, quality: { level: 'bad', reason: config ? 'config_error' : 'device_error' }, sourceTs };
  }
  const value = coerce(dv.value.value, dv.value.dataType, tag.dataType);
  if (value === undefined) {
    return { tagId: tag.tagId, value: null, quality: { level: 'bad', reason: 'config_error' }, sourceTs };
  }
  // StatusCode severity is in the top two bits: 00 Good, 01 Uncertain, 10 Bad.
  const uncertain = (sc.value & 0xc0000000) >>> 30 === 1;
  const quality: Quality = uncertain ? { level: 'uncertain', reason: 'device_error' } : { level: 'good', reason: 'ok' };
  return { tagId: tag.tagId, value, quality, sourceTs };
}

/** The server's value as the tag's declared type; undefined when it does not fit (config error). */
function coerce(raw: unknown, type: DataType, want: TagDataType): TagScalar | undefined {
  if (raw === null || raw === undefined || Array.isArray(raw)) return undefined;
  switch (want) {
    case 'bool':
      return typeof raw === 'boolean' ? raw : undefined;
    case 'string':
      return typeof raw === 'string' ? raw : typeof raw === 'object' && 'text' in raw ? String((raw as { text: unknown }).text ?? '') : undefined;
    default:
      if (typeof raw === 'number') return raw;
      if (type === DataType.Int64 || type === DataType.UInt64) {
        // node-opcua gives 64-bit integers as [high, low] pairs
        return undefined;
      }
      return undefined;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new DriverError('timeout', `${what}: no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
