/**
 * One OPC UA connection: client, session and (normally) one subscription, from opening to
 * destroying. Recovery is split in two on purpose:
 *
 * - A broken link (socket closed or reset, server restarted) is repaired by node-opcua itself:
 *   it reopens the secure channel and first tries to reactivate the same session (so a PLC that
 *   allows few sessions never sees them pile up), otherwise creates a new one and transfers or
 *   recreates the subscription with its monitored items. That is the procedure of OPC UA
 *   Part 4 §6.7. While it runs the connection is `repairing`: values are not confirmed.
 * - A connection that claims to be fine but is not (no publish response or keepalive for a few
 *   keepalive periods, a request that times out) is not repairable from inside: the driver
 *   destroys it and opens a new one (ConnectionSupervisor), as it does when the repair itself
 *   takes too long.
 *
 *   open ──▶ live ── connection_lost ──▶ repairing ── session_restored ──▶ refreshing ──▶ live
 *             │                             │                               (one Read re-confirms
 *             │ watchdog / timeout          │ longer than repairLimitMs      values that did not
 *             ▼                             ▼                                change meanwhile)
 *          destroyed ◀──────────────────────┘
 */
import {
  OPCUAClient,
  TimestampsToReturn,
  UserTokenType,
  type ClientMonitoredItemBase,
  type ClientSession,
  type ClientSubscription,
  type DataValue,
  type EndpointDescription,
  type UserIdentityInfo,
} from 'node-opcua';
import type { OpcUaAcquisitionMode, ServerCertificateStatus } from '../../../shared/opcua';
import type { Clock } from '../../util/clock';
import { errorText } from '../connection-supervisor';
import { DriverError } from '../driver';
import { isConfigStatus } from './data-value-reading';
import { groupBySettings, itemToMonitor, monitoringParameters, type MonitoredNode } from './monitored-nodes';
import { describeOpcUaError, refusesSubscriptions, withTimeout } from './opcua-errors';
import { CLIENT_APPLICATION_NAME, type OpcUaPki } from './opcua-pki';
import { messageSecurityMode, securityPolicyUri, selectEndpoint, type SecuritySettings } from './opcua-security';
import { silenceLimitMs, subscriptionRequest, suspectAfterMs, SubscriptionWatchdog, type SubscriptionTuning } from './subscription-watchdog';

/**
 * How long the server keeps our session without hearing from us: long enough for node-opcua to
 * reactivate it after a short network cut, short enough that a session we could not close (the
 * link was dead) is freed soon on a PLC with few sessions.
 */
export const SESSION_TIMEOUT_MS = 30_000;

/** the shortest wait for the server's Hello answer: a server restarting answers within 3 s or is retried */
export const TRANSPORT_TIMEOUT_MS = 3000;

export interface UserCredentials {
  username: string;
  /** undefined when the configured source (an environment variable) is empty */
  password: string | undefined;
  /** where the password comes from, for error messages ("environment variable X") */
  passwordSource: string;
}

export interface ConnectionSettings {
  deviceId: string;
  endpoint: string;
  timeoutMs: number;
  security: SecuritySettings;
  user: UserCredentials | null;
  mode: OpcUaAcquisitionMode;
  tuning: SubscriptionTuning;
}

/** What the connection tells its driver; every call is for this connection only. */
export interface ConnectionEvents {
  /** the server certificate was checked (secure modes), trusted or not */
  certificate(status: ServerCertificateStatus): void;
  /** the link broke; node-opcua is repairing it */
  lost(reason: string): void;
  /** session and subscription are back (values were re-read) */
  restored(): void;
  /** a repair attempt failed (the repair goes on) */
  repairFailed(reason: string): void;
  /** notifications updated these nodes */
  values(nodes: MonitoredNode[]): void;
  /** the server answered a publish (notifications or keepalive) */
  heard(): void;
  /** the subscription or the session died on the server side: rebuild */
  dead(reason: string): void;
}

type ItemState = { kind: 'monitored'; item: ClientMonitoredItemBase } | { kind: 'polled'; reason: string };

let nextConnectionId = 1;

export class OpcUaConnection {
  readonly id = nextConnectionId++;
  mode: OpcUaAcquisitionMode;
  fallback: string | null = null;
  repairing = false;
  repairingSince = 0;
  refreshing = false;
  /** bumped when values may have changed unseen (open, repair): a node is confirmed for one generation */
  generation = 1;
  watchdog: SubscriptionWatchdog | null = null;
  /** false once the link is known dead (silence, timeouts): destroy() then skips CloseSession */
  linkAlive = true;
  private subscription: ClientSubscription | null = null;
  private readonly items = new Map<MonitoredNode, ItemState>();
  private readonly confirmed = new Map<MonitoredNode, number>();
  private pendingMonitor: Promise<void> = Promise.resolve();
  private readonly waiters = new Set<() => void>();
  private readonly batch = new Set<MonitoredNode>();
  private disposed = false;

  private constructor(
    private readonly s: ConnectionSettings,
    readonly client: OPCUAClient,
    readonly session: ClientSession,
    private readonly clock: Clock,
    private readonly events: ConnectionEvents,
  ) {
    this.mode = s.mode;
  }

  /**
   * Connects, checks the server certificate (secure modes), opens the session and, in
   * subscription mode, the subscription. Rejects with a DriverError a technician can act on.
   */
  static async open(s: ConnectionSettings, pki: OpcUaPki, clock: Clock, events: ConnectionEvents, nodes: readonly MonitoredNode[]): Promise<OpcUaConnection> {
    if (s.user && s.user.password === undefined) {
      throw new DriverError('connect_failed', `no password for user ${s.user.username}: ${s.user.passwordSource} is not set`);
    }
    await pki.ready();
    // Per step (connect, session): an attempt started while the link was cut hangs until this
    // runs out, which delays recovery after the link returns by as much.
    const budget = s.timeoutMs * 2;
    let serverCertificate: Buffer | undefined;
    if (s.security.mode !== 'None') {
      const endpoint = await discoverEndpoint(s, pki, clock);
      serverCertificate = endpoint.serverCertificate;
      if (!serverCertificate || serverCertificate.length === 0) {
        throw new DriverError('connect_failed', `${s.endpoint}: the ${s.security.mode}/${s.security.policy} endpoint has no server certificate`);
      }
      const { status, certificate } = await pki.checkServerCertificate(serverCertificate);
      events.certificate(certificate);
      if (!status.isGood()) {
        const why = status.name === 'BadCertificateUntrusted' ? 'is not trusted' : `is refused (${status.name})`;
        throw new DriverError(
          'connect_failed',
          `server certificate ${why}: "${certificate.subject}", SHA-1 thumbprint ${certificate.thumbprint}. ` +
            'It was put in pki/rejected; an engineer trusts it with opcua.trustCertificate (Diagnostics) or moves it to pki/trusted/certs.',
        );
      }
    }
    const client = OPCUAClient.create({
      applicationName: CLIENT_APPLICATION_NAME,
      clientCertificateManager: pki.certificateManager,
      certificateFile: pki.clientCertificateFile,
      privateKeyFile: pki.privateKeyFile,
      securityMode: messageSecurityMode(s.security.mode),
      securityPolicy: securityPolicyUri(s.security.policy),
      serverCertificate,
      // One retry for the first connection (then our backoff decides); once connected, a
      // strategy that allows retries is what turns node-opcua's link repair on.
      connectionStrategy: { maxRetry: 1, initialDelay: 250, maxDelay: 1000 },
      endpointMustExist: false,
      // Publish requests (subscription) or the scans' Reads (polling) keep the session alive;
      // a slow polling rate gets a session timeout that outlasts it. No keepalive Read of our
      // own: its timer would outlive a destroyed connection.
      requestedSessionTimeout: sessionTimeoutFor(nodes, s.timeoutMs),
      keepSessionAlive: false,
      // We close our sessions ourselves, bounded: disconnect() must not wait on a dead link.
      keepPendingSessionsOnDisconnect: true,
      defaultTransactionTimeout: Math.max(budget, 5000),
      transportTimeout: transportTimeoutFor(nodes, s.timeoutMs, s.tuning.keepAliveMs),
    });
    try {
      await withTimeout(client.connect(s.endpoint), budget, `connect to ${s.endpoint}`, clock);
      const session = await withTimeout(client.createSession(identityOf(s.user)), budget, 'create session', clock);
      const conn = new OpcUaConnection(s, client, session, clock, events);
      conn.wire();
      try {
        if (s.mode === 'subscription') {
          await conn.startSubscription(fastestSampling(nodes, s.tuning.keepAliveMs));
          await conn.ensureMonitored(nodes);
        }
      } catch (err) {
        await conn.destroy();
        throw err;
      }
      return conn;
    } catch (err) {
      await withTimeout(client.disconnect(), 1000, 'disconnect', clock).catch(() => undefined);
      if (err instanceof DriverError && err.code !== 'timeout') throw err;
      throw new DriverError(err instanceof DriverError ? err.code : 'connect_failed', `${s.endpoint}: ${describeUserError(err, s.user)}`);
    }
  }

  /** true while values cannot be confirmed (link repair, re-read after it) */
  get unconfirmed(): boolean {
    return this.repairing || this.refreshing;
  }

  isConfirmed(node: MonitoredNode): boolean {
    return this.confirmed.get(node) === this.generation;
  }

  isPolled(node: MonitoredNode): boolean {
    const st = this.items.get(node);
    return this.mode === 'polling' || st === undefined || st.kind === 'polled';
  }

  counts(): { monitored: number; polled: number } {
    let monitored = 0;
    for (const st of this.items.values()) if (st.kind === 'monitored') monitored++;
    return { monitored, polled: this.items.size - monitored };
  }

  /**
   * Creates monitored items for nodes this connection does not serve yet, then waits (at most
   * `timeoutMs`) for their first values, so a first read answers with data, not "waiting".
   */
  async ensureMonitored(nodes: readonly MonitoredNode[]): Promise<void> {
    if (this.mode !== 'subscription') return;
    const fresh = nodes.filter((n) => !this.items.has(n));
    if (fresh.length > 0) {
      const run = this.pendingMonitor.then(() => this.monitor(fresh.filter((n) => !this.items.has(n))));
      this.pendingMonitor = run.catch(() => undefined);
      await run;
    }
    const awaited = nodes.filter((n) => !this.isPolled(n) && !this.isConfirmed(n));
    if (awaited.length > 0) await this.waitFor(() => awaited.every((n) => this.isConfirmed(n)), this.s.timeoutMs);
  }

  /** One Read of these nodes' values; each node keeps what came back (for this generation). */
  async read(nodes: readonly MonitoredNode[]): Promise<void> {
    const versions = nodes.map((n) => n.version);
    const gen = this.generation;
    const dvs = await withTimeout(
      this.session.read(nodes.map((n) => itemToMonitor(n)), 0),
      this.s.timeoutMs,
      `read of ${nodes.length} nodes`,
      this.clock,
    );
    const now = this.clock.now();
    nodes.forEach((n, i) => {
      // A notification newer than this Read's request wins.
      if (n.version === versions[i] || !this.isConfirmed(n)) n.update(dvs[i], now);
      if (gen === this.generation) this.confirmed.set(n, gen);
    });
  }

  /**
   * Closes the session and the client, each bounded. Every event handler checks `disposed`, so
   * nothing of this connection reaches the driver any more.
   */
  async destroy(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.wake();
    // CloseSession also stops node-opcua's publish engine, which would otherwise poll an
    // abandoned session every 100 ms for good. On a dead link the answer is not waited for:
    // the server drops the session itself after its timeout (SESSION_TIMEOUT_MS).
    let closing: Promise<void>;
    try {
      // called now, not in a later microtask: disconnect() detaches the session from the client
      closing = this.session.close(true).catch(() => undefined);
    } catch {
      closing = Promise.resolve();
    }
    if (this.linkAlive && !this.repairing) await withTimeout(closing, 1000, 'close session', this.clock).catch(() => undefined);
    await withTimeout(this.client.disconnect(), 1000, 'disconnect', this.clock).catch(() => undefined);
  }

  private wire(): void {
    const { client, session } = this;
    client.on('connection_lost', () => {
      if (this.disposed) return;
      this.repairing = true;
      this.repairingSince = this.clock.now();
      this.wake();
      this.events.lost('connection lost, reconnecting');
    });
    client.on('reconnection_attempt_has_failed', (err: Error) => {
      if (!this.disposed) this.events.repairFailed(`reconnecting: ${describeOpcUaError(err)}`);
    });
    session.on('session_repaired_failed', (err: unknown) => {
      if (!this.disposed) this.events.repairFailed(`restoring the session: ${describeOpcUaError(err)}`);
    });
    session.on('session_restored', () => {
      if (!this.disposed) void this.afterRepair();
    });
    session.on('session_closed', () => {
      if (!this.disposed) this.events.dead('the server closed the session');
    });
  }

  /** Publishing as fast as the fastest node is sampled; nodes planned later may speed it up. */
  private async startSubscription(fastestSamplingMs: number): Promise<void> {
    const request = subscriptionRequest(fastestSamplingMs, this.s.tuning.keepAliveMs);
    let sub: ClientSubscription;
    try {
      sub = await withTimeout(this.session.createSubscription2(request), this.s.timeoutMs * 2, 'create subscription', this.clock);
    } catch (err) {
      const refused = refusesSubscriptions(err);
      if (!refused) throw err;
      this.fallBackToPolling(`CreateSubscription refused: ${refused}`);
      return;
    }
    this.subscription = sub;
    this.watchdog = new SubscriptionWatchdog(
      silenceLimitMs(sub.publishingInterval, sub.maxKeepAliveCount, this.s.tuning.missedKeepAlives),
      this.clock.now(),
      suspectAfterMs(sub.publishingInterval, sub.maxKeepAliveCount),
    );
    sub.on('raw_notification', () => {
      if (this.disposed) return;
      this.watchdog?.heard(this.clock.now());
      this.events.heard();
    });
    sub.on('terminated', () => {
      if (!this.disposed) this.events.dead('the server ended the subscription');
    });
  }

  private async monitor(nodes: MonitoredNode[]): Promise<void> {
    const sub = this.subscription;
    if (!sub || nodes.length === 0) {
      for (const n of nodes) this.items.set(n, { kind: 'polled', reason: 'polling mode' });
      return;
    }
    const fastest = fastestSampling(nodes, sub.publishingInterval);
    if (fastest < sub.publishingInterval) {
      const req = subscriptionRequest(fastest, this.s.tuning.keepAliveMs);
      await withTimeout(
        sub.modify({ requestedPublishingInterval: req.requestedPublishingInterval, requestedMaxKeepAliveCount: req.requestedMaxKeepAliveCount, requestedLifetimeCount: req.requestedLifetimeCount }),
        this.s.timeoutMs * 2,
        'modify subscription',
        this.clock,
      ).then(
        () => {
          if (this.watchdog) {
            this.watchdog = new SubscriptionWatchdog(
              silenceLimitMs(sub.publishingInterval, sub.maxKeepAliveCount, this.s.tuning.missedKeepAlives),
              this.clock.now(),
              suspectAfterMs(sub.publishingInterval, sub.maxKeepAliveCount),
            );
          }
        },
        () => undefined, // keep the slower interval; values still arrive
      );
    }
    for (const group of groupBySettings(nodes)) {
      let created;
      try {
        created = await withTimeout(
          sub.monitorItems(group.map(itemToMonitor), monitoringParameters(group[0].settings, this.s.tuning.queueSize), TimestampsToReturn.Both),
          this.s.timeoutMs * 2,
          `create ${group.length} monitored items`,
          this.clock,
        );
      } catch (err) {
        const refused = refusesSubscriptions(err);
        if (!refused) throw err;
        for (const n of group) this.items.set(n, { kind: 'polled', reason: `CreateMonitoredItems refused: ${refused}` });
        this.fallback ??= `CreateMonitoredItems refused: ${refused}`;
        continue;
      }
      created.on('changed', (_item: ClientMonitoredItemBase, dv: DataValue, index: number) => this.notified(group[index], dv));
      created.monitoredItems.forEach((item, i) => {
        const node = group[i];
        if (item.statusCode.isGood()) this.items.set(node, { kind: 'monitored', item });
        else {
          // An unknown node is read too: it answers with its bad status (config error), and is
          // found as soon as the PLC program that defines it is loaded.
          const reason = `${item.statusCode.name}${isConfigStatus(item.statusCode) ? '' : ' (read instead)'}`;
          this.items.set(node, { kind: 'polled', reason });
          if (!isConfigStatus(item.statusCode)) this.fallback ??= `monitored item refused: ${item.statusCode.name}`;
        }
      });
    }
  }

  private notified(node: MonitoredNode | undefined, dv: DataValue): void {
    if (!node || this.disposed) return;
    node.update(dv, this.clock.now());
    // While repairing, notifications are republished old ones: they update the node but do not
    // confirm it for the generation to come.
    if (!this.repairing) this.confirmed.set(node, this.generation);
    this.batch.add(node);
    // node-opcua hands out a publish response's notifications in one synchronous loop: a
    // microtask runs after the loop, so listeners get one batch per publish response.
    if (this.batch.size === 1) queueMicrotask(() => this.flush());
  }

  /** one callback per publish response, not one per item */
  private flush(): void {
    const nodes = [...this.batch];
    this.batch.clear();
    this.wake();
    if (!this.disposed && !this.repairing) this.events.values(nodes);
  }

  /**
   * After node-opcua restored session and subscription: monitored items the server no longer
   * accepts are read instead, and one Read re-confirms every value (notifications only carry
   * what changed; an unchanged value would otherwise stay unconfirmed).
   */
  private async afterRepair(): Promise<void> {
    this.repairing = false;
    this.refreshing = true;
    this.generation++;
    this.watchdog?.heard(this.clock.now());
    for (const [node, st] of this.items) {
      if (st.kind === 'monitored' && !st.item.statusCode.isGood()) this.items.set(node, { kind: 'polled', reason: `${st.item.statusCode.name} after reconnection` });
    }
    const nodes = [...this.items.keys()];
    try {
      if (nodes.length > 0) await this.read(nodes);
      this.refreshing = false;
      if (!this.disposed) this.events.restored();
    } catch (err) {
      this.refreshing = false;
      if (!this.disposed) this.events.dead(`re-reading values after reconnection failed: ${errorText(err)}`);
    } finally {
      this.wake();
    }
  }

  private fallBackToPolling(reason: string): void {
    this.mode = 'polling';
    this.fallback = reason;
    this.watchdog = null;
  }

  private waitFor(done: () => boolean, ms: number): Promise<void> {
    if (done() || this.disposed) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        this.waiters.delete(check);
        this.clock.clearTimeout(timer);
        resolve();
      };
      const check = () => {
        if (done() || this.disposed || this.repairing) finish();
      };
      const timer = this.clock.setTimeout(finish, ms);
      this.waiters.add(check);
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

export function sessionTimeoutFor(nodes: readonly MonitoredNode[], timeoutMs: number): number {
  const slowest = nodes.reduce((max, n) => Math.max(max, n.settings.samplingMs), 0);
  return Math.max(SESSION_TIMEOUT_MS, 3 * slowest + timeoutMs);
}

/**
 * How long the transport waits for the server's answer to Hello (and how long a socket may be
 * idle before it counts as broken). node-opcua's default is 60 s: a reconnection attempt that
 * reached a server process still starting up (listening, not yet answering) then hung for a
 * minute, and the values with it, although the server answered a new attempt within a second.
 * Short, but longer than the socket is ever idle in service: keepalives (subscription) or the
 * slowest scan's Read (polling, and nodes read instead of monitored), plus a request's timeout.
 */
export function transportTimeoutFor(nodes: readonly MonitoredNode[], timeoutMs: number, keepAliveMs: number): number {
  const slowest = nodes.reduce((max, n) => Math.max(max, n.settings.samplingMs), 0);
  return Math.max(TRANSPORT_TIMEOUT_MS, 3 * keepAliveMs, 2 * slowest + timeoutMs);
}

function fastestSampling(nodes: readonly MonitoredNode[], otherwise: number): number {
  return nodes.reduce((min, n) => Math.min(min, n.settings.samplingMs), otherwise);
}

function identityOf(user: UserCredentials | null): UserIdentityInfo {
  if (!user) return { type: UserTokenType.Anonymous };
  return { type: UserTokenType.UserName, userName: user.username, password: user.password ?? '' };
}

function describeUserError(err: unknown, user: UserCredentials | null): string {
  const text = describeOpcUaError(err);
  if (user && /^(BadUserAccessDenied|BadIdentityTokenRejected|BadIdentityTokenInvalid)/.test(text)) return `user ${user.username}: ${text}`;
  return text;
}

/**
 * GetEndpoints over an unsecured channel (what every OPC UA client does first), to pick the
 * endpoint and fetch the server certificate we then check ourselves.
 */
async function discoverEndpoint(s: ConnectionSettings, pki: OpcUaPki, clock: Clock): Promise<EndpointDescription> {
  const discovery = OPCUAClient.create({
    applicationName: CLIENT_APPLICATION_NAME,
    clientCertificateManager: pki.certificateManager,
    certificateFile: pki.clientCertificateFile,
    privateKeyFile: pki.privateKeyFile,
    connectionStrategy: { maxRetry: 0, initialDelay: 250, maxDelay: 1000 },
    endpointMustExist: false,
    keepPendingSessionsOnDisconnect: true,
  });
  let endpoints: EndpointDescription[];
  try {
    await withTimeout(discovery.connect(s.endpoint), s.timeoutMs * 4, `connect to ${s.endpoint}`, clock);
    endpoints = await withTimeout(discovery.getEndpoints(), s.timeoutMs * 2, 'GetEndpoints', clock);
  } catch (err) {
    throw new DriverError(err instanceof DriverError ? err.code : 'connect_failed', `${s.endpoint}: ${describeOpcUaError(err)}`);
  } finally {
    await withTimeout(discovery.disconnect(), 1000, 'disconnect', clock).catch(() => undefined);
  }
  const chosen = selectEndpoint(endpoints, s.security);
  if (typeof chosen === 'string') throw new DriverError('connect_failed', `${s.endpoint}: ${chosen}`);
  return chosen;
}
