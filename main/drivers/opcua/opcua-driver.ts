/**
 * The OPC UA driver. Values normally arrive by subscription: one subscription per connection,
 * one monitored item per (node, sampling interval, deadband), sampling at the tag's scan rate,
 * queue of 10 with the oldest dropped. The driver keeps the latest DataValue of every node, so
 * `read(plan)` answers the scan groups from memory (no request per scan) and `onReadings` pushes
 * changes as they are notified. Nodes the server will not monitor, and every node of a
 * connection whose CreateSubscription was refused (or `mode: polling`), are read each scan.
 *
 * A value is good only while this connection has confirmed it: by a notification or a Read on
 * the current connection, while the subscription is alive (see SubscriptionWatchdog). A broken
 * link makes every value bad at once (comm failure) until node-opcua has restored the session
 * and one Read has re-confirmed them; a silent subscription makes them uncertain (stale) and the
 * connection is rebuilt. See opcua-connection.ts for the recovery states.
 */
import { AttributeIds, resolveNodeId, type StatusCode } from 'node-opcua';
import type { CertificateSummary, OpcUaAcquisitionMode, OpcUaBrowseResult, OpcUaCertificates, OpcUaSecurityMode, OpcUaSecurityPolicy, ServerCertificateStatus } from '../../../shared/opcua';
import type { DeviceStatus, TagScalar } from '../../../shared/types';
import type { Clock } from '../../util/clock';
import { createLogger } from '../../util/log';
import { ConnectionSupervisor, errorText, type BackoffPolicy } from '../connection-supervisor';
import { DriverError, type DriverReading, type DriverTag, type PushingDriver, type ReadPlan } from '../driver';
import { BAD_COMM, BAD_WAITING, OPCUA_TYPES, toReading, UNCERTAIN_STALE } from './data-value-reading';
import { MonitoredNodeRegistry, type MonitoredNode } from './monitored-nodes';
import { browseChildren } from './opcua-browse';
import { OpcUaConnection, SESSION_TIMEOUT_MS, type ConnectionEvents, type ConnectionSettings, type UserCredentials } from './opcua-connection';
import { describeOpcUaError, withTimeout } from './opcua-errors';
import { routeNodeOpcuaLogs } from './opcua-log';
import { OpcUaPki } from './opcua-pki';
import { resolveSecurity } from './opcua-security';
import { RepairProbe } from './repair-probe';
import { defaultSubscriptionTuning, type SubscriptionTuning } from './subscription-watchdog';

const log = createLogger('opcua');

export interface OpcUaDriverOptions {
  deviceId: string;
  name: string;
  endpoint: string;
  timeoutMs: number;
  /** our own PKI folder (in the data directory): the client certificate lives here */
  pkiDir: string;
  clock: Clock;
  backoff?: BackoffPolicy;
  /** default subscription */
  mode?: OpcUaAcquisitionMode;
  /** default None */
  securityMode?: OpcUaSecurityMode;
  /** default None without security, Basic256Sha256 with */
  securityPolicy?: OpcUaSecurityPolicy;
  /** null or absent: anonymous */
  user?: UserCredentials | null;
  tuning?: Partial<SubscriptionTuning>;
  /** how long node-opcua may try to repair a broken link before the connection is rebuilt */
  repairLimitMs?: number;
}

/** A rebooting PLC is retried within 3 s at worst; a line of HMIs does not hammer it (jitter). */
export const opcuaBackoff: BackoffPolicy = { initialMs: 250, maxMs: 3000, jitter: 0.3 };
/**
 * After this long node-opcua's repair is abandoned for a new connection. Twice the session
 * timeout: by then the server has dropped the old session itself, so the new one never adds to
 * the sessions of a PLC that allows few.
 */
export const DEFAULT_REPAIR_LIMIT_MS = 2 * SESSION_TIMEOUT_MS;

const CONFIG_ERROR = { level: 'bad', reason: 'config_error' } as const;

class OpcUaReadPlan implements ReadPlan {
  /** unique valid nodes, for requests */
  readonly nodes: MonitoredNode[];

  constructor(
    readonly tags: readonly DriverTag[],
    /** per tag; null when the address is not a NodeId */
    readonly tagNodes: readonly (MonitoredNode | null)[],
    private readonly requests: (plan: OpcUaReadPlan) => number,
  ) {
    this.nodes = [...new Set(tagNodes.filter((n): n is MonitoredNode => n !== null))];
  }

  get requestCount(): number {
    return this.requests(this);
  }
}

interface PushEntry {
  plan: OpcUaReadPlan;
  listener: (readings: DriverReading[]) => void;
}

export class OpcUaDriver implements PushingDriver {
  readonly deviceId: string;
  private readonly supervisor: ConnectionSupervisor<OpcUaConnection>;
  private readonly pki: OpcUaPki;
  private readonly registry = new MonitoredNodeRegistry();
  private readonly settings: ConnectionSettings;
  private readonly repairLimitMs: number;
  private conn: OpcUaConnection | null = null;
  private readonly listeners = new Set<(s: DeviceStatus) => void>();
  private readonly pushes = new Set<PushEntry>();
  /** nodes written to: the next read asks the device, not the subscription (write read-back) */
  private readonly readThrough = new Set<MonitoredNode>();
  private certificate: ServerCertificateStatus | null = null;
  private repairs = 0;
  /** connections whose opening was counted as an answered request (the device is online) */
  private readonly countedOpen = new WeakSet<OpcUaConnection>();
  /** while node-opcua repairs a connection: is the server answering meanwhile? */
  private readonly probes = new Map<OpcUaConnection, RepairProbe>();
  private closed = false;

  constructor(private readonly opts: OpcUaDriverOptions) {
    routeNodeOpcuaLogs();
    this.deviceId = opts.deviceId;
    this.pki = OpcUaPki.acquire(opts.pkiDir);
    this.repairLimitMs = opts.repairLimitMs ?? DEFAULT_REPAIR_LIMIT_MS;
    this.settings = {
      deviceId: opts.deviceId,
      endpoint: opts.endpoint,
      timeoutMs: opts.timeoutMs,
      security: resolveSecurity(opts.securityMode, opts.securityPolicy),
      user: opts.user ?? null,
      mode: opts.mode ?? 'subscription',
      tuning: { ...defaultSubscriptionTuning, ...opts.tuning },
    };
    this.supervisor = new ConnectionSupervisor<OpcUaConnection>({
      deviceId: opts.deviceId,
      name: opts.name,
      protocol: 'opcua',
      endpoint: opts.endpoint,
      clock: opts.clock,
      backoff: opts.backoff ?? opcuaBackoff,
      connect: () => this.open(),
      destroy: (c) => this.teardown(c),
    });
    this.supervisor.onStatus(() => this.emitStatus());
  }

  plan(tags: readonly DriverTag[]): ReadPlan {
    const nodes = tags.map((t) => (isNodeId(t.address) ? this.registry.nodeFor(t) : null));
    return new OpcUaReadPlan(tags, nodes, (p) => this.requestsPerRead(p));
  }

  async read(plan: ReadPlan): Promise<DriverReading[]> {
    const p = this.own(plan);
    let conn: OpcUaConnection;
    try {
      conn = await this.supervisor.acquire();
    } catch {
      return this.readings(p, null);
    }
    const now = this.opts.clock.now();
    if (conn.repairing) {
      if (now - conn.repairingSince > this.repairLimitMs) {
        this.rebuild(conn, false, new DriverError('connection_lost', `not reconnected within ${this.repairLimitMs / 1000} s: opening a new connection`));
      } else if (this.repairProbe(conn).poll(now)) {
        const answering = this.probes.get(conn)?.answeringForMs(now) ?? 0;
        this.rebuild(conn, false, new DriverError('connection_lost', `the server answers again but the session was not restored within ${answering} ms: opening a new connection`));
      }
      return this.readings(p, null);
    }
    this.endRepairProbe(conn);
    if (conn.watchdog?.expired(now)) {
      const silent = conn.watchdog.silentMs(now);
      // Declared dead: from here the values are a communication failure, not just unconfirmed.
      this.rebuild(conn, false, new DriverError('timeout', `no publish response or keepalive for ${silent} ms: opening a new connection`));
      return this.readings(p, null);
    }
    if (conn.watchdog?.suspect(now)) {
      // A keepalive is overdue: hold the values as uncertain until the server is heard again
      // (or the watchdog expires and the connection is rebuilt).
      return this.readings(p, null, true);
    }
    try {
      await conn.ensureMonitored(p.nodes);
      if (!this.countedOpen.has(conn)) {
        this.countedOpen.add(conn);
        this.supervisor.countRequest(true);
      }
      const direct = p.nodes.filter((n) => conn.isPolled(n) || this.readThrough.has(n));
      if (direct.length > 0) {
        const started = this.opts.clock.now();
        await conn.read(direct);
        this.supervisor.countRequest(true, this.opts.clock.now() - started);
        for (const n of direct) this.readThrough.delete(n);
      }
    } catch (err) {
      if (conn.repairing || this.conn !== conn) return this.readings(p, null);
      this.supervisor.countRequest(false);
      this.rebuild(conn, !(err instanceof DriverError && err.code === 'timeout'), err);
      return this.readings(p, null);
    }
    return this.readings(p, conn);
  }

  onReadings(plan: ReadPlan, listener: (readings: DriverReading[]) => void): () => void {
    const entry: PushEntry = { plan: this.own(plan), listener };
    this.pushes.add(entry);
    return () => this.pushes.delete(entry);
  }

  async write(tag: DriverTag, value: TagScalar): Promise<void> {
    if (!isNodeId(tag.address)) throw new DriverError('bad_value', `${tag.address} is not an OPC UA NodeId`);
    const conn = await this.supervisor.acquire();
    if (conn.unconfirmed) throw new DriverError('connection_lost', 'the connection is being re-established; nothing was written');
    const started = this.opts.clock.now();
    let status: StatusCode;
    try {
      status = await withTimeout(
        conn.session.write({ nodeId: tag.address, attributeId: AttributeIds.Value, value: { value: { dataType: OPCUA_TYPES[tag.dataType], value } } }),
        this.opts.timeoutMs,
        `write of ${tag.address}`,
        this.opts.clock,
      );
      this.supervisor.countRequest(true, this.opts.clock.now() - started);
    } catch (err) {
      this.supervisor.countRequest(false);
      const timeout = err instanceof DriverError && err.code === 'timeout';
      if (!conn.repairing) this.rebuild(conn, !timeout, err);
      throw new DriverError(timeout ? 'timeout' : 'connection_lost', describeOpcUaError(err));
    } finally {
      // The read-back that follows a write must ask the device: a notification of the new
      // value comes only after the next sampling and publishing interval.
      for (const n of this.registry.all()) if (n.address === tag.address) this.readThrough.add(n);
    }
    if (status.isNotGood()) throw new DriverError('device_exception', `the server refused the write to ${tag.address}: ${status.name}`);
  }

  /** Children of a node (default: the Objects folder), for picking tags. */
  async browse(nodeId?: string): Promise<OpcUaBrowseResult> {
    const conn = await this.supervisor.acquire();
    if (conn.repairing) throw new DriverError('connection_lost', 'the connection is being re-established');
    return browseChildren(conn.session, this.deviceId, nodeId, this.opts.timeoutMs * 4, this.opts.clock);
  }

  /** Moves a rejected server certificate to trusted; the next connection attempt uses it. */
  async trustServerCertificate(thumbprint: string): Promise<CertificateSummary> {
    const trusted = await this.pki.trust(thumbprint);
    log.info(`${this.deviceId}: server certificate ${trusted.thumbprint} (${trusted.subject}) is now trusted`);
    if (this.certificate?.thumbprint === trusted.thumbprint) {
      this.certificate = { ...this.certificate, trusted: true };
      this.emitStatus();
    }
    return trusted;
  }

  async certificates(): Promise<OpcUaCertificates> {
    const [own, { trusted, rejected }] = await Promise.all([this.pki.ownCertificate(), this.pki.list()]);
    return { deviceId: this.deviceId, pkiFolder: this.pki.rootFolder, own, trusted, rejected };
  }

  status(): DeviceStatus {
    const s = this.supervisor.status();
    const conn = this.conn;
    const monitored = conn ? conn.counts().monitored : 0;
    return {
      ...s,
      // node-opcua repairing a broken link: not online, not backing off either
      state: conn?.repairing && s.state === 'online' ? 'connecting' : s.state,
      reconnects: s.reconnects + this.repairs,
      ...(this.certificate ? { certificate: this.certificate } : {}),
      acquisition: {
        mode: conn?.mode ?? this.settings.mode,
        monitoredItems: monitored,
        polledItems: conn ? this.registry.size - monitored : 0,
        fallback: conn?.fallback ?? null,
        securityMode: this.settings.security.mode,
        securityPolicy: this.settings.security.policy,
      },
    };
  }

  onStatus(listener: (status: DeviceStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pushes.clear();
    await this.supervisor.close();
    this.listeners.clear();
    await this.pki.release();
  }

  private async open(): Promise<OpcUaConnection> {
    let self: OpcUaConnection | null = null;
    // Events of a connection that is not (or no longer) the current one are ignored.
    const current = () => self !== null && this.conn === self;
    const events: ConnectionEvents = {
      certificate: (st) => {
        this.certificate = st;
        this.emitStatus();
      },
      lost: (reason) => {
        if (!current()) return;
        this.supervisor.noteDeviceError(reason);
        this.pushAll(null);
        this.emitStatus();
      },
      restored: () => {
        if (!current()) return;
        this.repairs++;
        this.pushAll(self);
        this.emitStatus();
      },
      repairFailed: (reason) => {
        if (!current()) return;
        this.supervisor.noteDeviceError(reason);
        this.emitStatus();
      },
      values: (nodes) => {
        if (current()) this.push(self!, nodes);
      },
      heard: () => {
        if (current()) this.supervisor.countRequest(true);
      },
      dead: (reason) => {
        if (!current()) return;
        this.rebuild(self!, true, new DriverError('connection_lost', reason));
      },
    };
    self = await OpcUaConnection.open(this.settings, this.pki, this.opts.clock, events, this.registry.all());
    if (this.closed) return self; // the supervisor destroys it
    this.conn = self;
    return self;
  }

  private async teardown(conn: OpcUaConnection): Promise<void> {
    if (this.conn === conn) this.conn = null;
    this.endRepairProbe(conn);
    await conn.destroy();
  }

  /**
   * Destroys the connection (closing the session when the link still carries requests) and backs
   * off. Pushed values turn bad, or uncertain (`stale`) when nothing says they changed.
   */
  private rebuild(conn: OpcUaConnection, linkAlive: boolean, err: unknown, stale = false): void {
    if (this.conn !== conn) return;
    conn.linkAlive = linkAlive;
    log.warn(`${this.deviceId}: ${errorText(err)}`);
    this.supervisor.fail(err);
    this.pushAll(null, stale);
  }

  /** the probe of the repair this connection is in (see repair-probe.ts), made on first use */
  private repairProbe(conn: OpcUaConnection): RepairProbe {
    let probe = this.probes.get(conn);
    if (!probe) {
      probe = new RepairProbe(this.settings.endpoint, this.opts.clock, Math.min(this.settings.timeoutMs, 1000));
      this.probes.set(conn, probe);
    }
    return probe;
  }

  private endRepairProbe(conn: OpcUaConnection): void {
    this.probes.get(conn)?.stop();
    this.probes.delete(conn);
  }

  private own(plan: ReadPlan): OpcUaReadPlan {
    return plan instanceof OpcUaReadPlan ? plan : (this.plan(plan.tags) as OpcUaReadPlan);
  }

  private requestsPerRead(p: OpcUaReadPlan): number {
    const conn = this.conn;
    if (p.nodes.length === 0) return 0;
    if (!conn) return this.settings.mode === 'polling' ? 1 : 0;
    return p.nodes.some((n) => conn.isPolled(n)) ? 1 : 0;
  }

  /**
   * The plan's readings: from the nodes confirmed on `conn`; all comm failure without one;
   * `stale`: the last values held as uncertain (the subscription went silent).
   */
  private readings(p: OpcUaReadPlan, conn: OpcUaConnection | null, stale = false): DriverReading[] {
    const now = this.opts.clock.now();
    return p.tags.map((tag, i) => {
      const node = p.tagNodes[i];
      if (!node) return { tagId: tag.tagId, value: null, quality: CONFIG_ERROR, sourceTs: now };
      if (stale) {
        const last = toReading(tag, node.latest, node.receivedAt);
        return last.quality.level === 'good' ? { ...last, quality: UNCERTAIN_STALE } : { ...last, value: null, quality: BAD_COMM };
      }
      if (!conn) return { tagId: tag.tagId, value: null, quality: BAD_COMM, sourceTs: now };
      if (!conn.isConfirmed(node)) return { tagId: tag.tagId, value: null, quality: node.latest ? BAD_COMM : BAD_WAITING, sourceTs: now };
      return toReading(tag, node.latest, node.receivedAt);
    });
  }

  private push(conn: OpcUaConnection, nodes: readonly MonitoredNode[]): void {
    // Every sample notified since the last push, in order, not only the latest of each item.
    const changed = new Map(nodes.map((n) => [n, n.takePending()]));
    for (const { plan, listener } of this.pushes) {
      const readings: DriverReading[] = [];
      plan.tags.forEach((tag, i) => {
        const n = plan.tagNodes[i];
        const values = n ? changed.get(n) : undefined;
        if (!n || !values || !conn.isConfirmed(n)) return;
        for (const dv of values) readings.push(toReading(tag, dv, n.receivedAt));
      });
      if (readings.length > 0) this.deliver(listener, readings);
    }
  }

  /** Every pushed tag at once: as confirmed on `conn`, or comm failure (or stale). */
  private pushAll(conn: OpcUaConnection | null, stale = false): void {
    for (const { plan, listener } of this.pushes) this.deliver(listener, this.readings(plan, conn, stale));
  }

  private deliver(listener: (readings: DriverReading[]) => void, readings: DriverReading[]): void {
    try {
      listener(readings);
    } catch (err) {
      log.error(`${this.deviceId}: a readings listener failed: ${(err as Error).stack ?? String(err)}`);
    }
  }

  private emitStatus(): void {
    if (this.closed) return;
    const s = this.status();
    for (const l of this.listeners) l(s);
  }
}

function isNodeId(address: string): boolean {
  try {
    resolveNodeId(address);
    return true;
  } catch {
    return false;
  }
}
