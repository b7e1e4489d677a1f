/**
 * Store-and-forward upstream: one sender per configured sink over the streams wired in by the
 * app (alarm journal, audit trail, the historian's sample outbox) and the sync's own events.
 * Around the senders: the node id, trimming the sample outbox once every sink carrying samples
 * has them acknowledged, the outbox quota (oldest samples dropped, on record as a synced "data
 * dropped" event), the guard against sources whose numbers went backwards, and the status.
 * docs/sync.md describes streams, keys, guarantees, the wire format and operations.
 */
import { readFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { QuarantineEntry, SyncStatus, SyncStreamName } from '../../shared/sync-api';
import type { Clock, TimerHandle } from '../util/clock';
import type { Logger } from '../util/log';
import { HttpTransport } from './http-transport';
import { MqttTransport } from './mqtt-transport';
import { SinkSender } from './sender';
import { SampleSource, TableSource, type SampleOutbox, type StreamSource } from './sources';
import { SyncStore } from './sync-store';
import { SinkError, safeTarget, type SinkTransport } from './transport';
import type { StreamName } from './wire';

export interface SyncTlsOptions {
  /** PEM files (absolute paths; the project loader resolved and checked them) */
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
}

interface SinkCommon {
  id: string;
  /** the streams this sink carries */
  streams: readonly StreamName[];
  tls?: SyncTlsOptions;
}

export interface MqttSinkOptions extends SinkCommon {
  type: 'mqtt';
  url: string;
  clientId?: string;
  username?: string;
  password?: string;
  passwordEnv?: string;
  topicPrefix: string;
  /** 'receiver': the reference receiver (or one like it) acks; 'broker': the PUBACK is the ack */
  ack: 'receiver' | 'broker';
  keepaliveS: number;
}

export interface HttpSinkOptions extends SinkCommon {
  type: 'http';
  url: string;
  token?: string;
  tokenEnv?: string;
  timeoutS: number;
}

export type SyncSinkOptions = MqttSinkOptions | HttpSinkOptions;

export interface SyncOptions {
  site: string;
  line: string;
  sinks: readonly SyncSinkOptions[];
  /** bytes of samples the outbox may hold; beyond, the oldest are dropped (null: no limit) */
  outboxQuotaBytes: number | null;
  /** per sink (null: no cap) */
  bandwidthBytesPerSecond: number | null;
  batchMaxRecords: number;
  batchMaxBytes: number;
  liveWindowMs: number;
  ackTimeoutMs: number;
  maxAckTimeoutMs: number;
  pollMs: number;
  backoff: { initialMs: number; maxMs: number };
  maxInFlight: number;
  bulkInFlight: number;
  alertOfflineMs: number;
  alertBacklogAgeMs: number;
}

export const defaultSyncOptions: Omit<SyncOptions, 'site' | 'line' | 'sinks'> = {
  outboxQuotaBytes: 1024 * 1024 * 1024,
  bandwidthBytesPerSecond: null,
  batchMaxRecords: 1000,
  batchMaxBytes: 256 * 1024,
  liveWindowMs: 10_000,
  ackTimeoutMs: 30_000,
  maxAckTimeoutMs: 300_000,
  pollMs: 200,
  backoff: { initialMs: 1000, maxMs: 60_000 },
  maxInFlight: 8,
  bulkInFlight: 4,
  alertOfflineMs: 60_000,
  alertBacklogAgeMs: 300_000,
};

export interface SyncDeps {
  db: Database.Database;
  clock: Clock;
  log: Logger;
  options: SyncOptions;
  /** append-only table sources (alarm journal, audit trail), wired by the app */
  tables: readonly StreamSource[];
  /** the historian's sample outbox, when samples are synced */
  sampleOutbox: SampleOutbox | null;
  random?: () => number;
  /** how a sink's link is made (tests pass fakes) */
  transportFor?: (sink: SyncSinkOptions, nodeId: string) => SinkTransport;
  /** how often the outbox is trimmed, the quota checked, positions persisted */
  maintenanceMs?: number;
}

export class SyncService {
  readonly store: SyncStore;
  readonly senders: SinkSender[] = [];
  private readonly sources = new Map<StreamName, StreamSource>();
  private readonly blocked = new Map<StreamName, string>();
  private readonly highWater = new Map<StreamName, number>();
  /** per table stream: records up to here are known to be on disk (fsynced) */
  private readonly durableHead = new Map<StreamName, number>();
  private timer: TimerHandle | null = null;
  private closed = false;
  private trimmedThrough = 0;

  constructor(private readonly deps: SyncDeps) {
    const now = deps.clock.now();
    this.store = new SyncStore(deps.db, now);
    this.sources.set('event', new TableSource(deps.db, { stream: 'event', table: 'sync_event', jsonColumns: ['detail'] }));
    for (const s of deps.tables) this.sources.set(s.stream, s);
    if (deps.sampleOutbox) this.sources.set('sample', new SampleSource(deps.sampleOutbox));
    this.checkHighWater();
    const o = deps.options;
    for (const sink of o.sinks) {
      const transport = this.transportFor(sink);
      this.senders.push(
        new SinkSender(
          {
            sinkId: sink.id,
            streams: sink.streams.filter((s) => this.sources.has(s)),
            nodeId: this.store.nodeId,
            site: o.site,
            line: o.line,
            batchMaxRecords: o.batchMaxRecords,
            batchMaxBytes: o.batchMaxBytes,
            maxInFlight: o.maxInFlight,
            bulkInFlight: o.bulkInFlight,
            liveWindowMs: o.liveWindowMs,
            ackTimeoutMs: o.ackTimeoutMs,
            maxAckTimeoutMs: o.maxAckTimeoutMs,
            pollMs: o.pollMs,
            backoff: o.backoff,
            bandwidthBytesPerSecond: o.bandwidthBytesPerSecond,
            alertOfflineMs: o.alertOfflineMs,
            alertBacklogAgeMs: o.alertBacklogAgeMs,
          },
          {
            store: this.store,
            sources: this.sources,
            transport,
            clock: deps.clock,
            log: deps.log,
            random: deps.random,
            blocked: () => this.blocked,
            durable: (stream, seq) => this.ensureDurable(stream, seq),
          },
        ),
      );
    }
  }

  get nodeId(): string {
    return this.store.nodeId;
  }

  start(): void {
    for (const s of this.senders) s.start();
    this.scheduleMaintenance();
  }

  /** Something was appended (an alarm, an audit record): send it now. */
  wake(): void {
    for (const s of this.senders) s.wake();
  }

  private transportFor(sink: SyncSinkOptions): SinkTransport {
    try {
      if (this.deps.transportFor) return this.deps.transportFor(sink, this.store.nodeId);
      return createTransport(sink, this.store.nodeId, this.deps.options);
    } catch (err) {
      return new BrokenTransport(sink, (err as Error).message);
    }
  }

  private scheduleMaintenance(): void {
    if (this.closed) return;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = null;
      try {
        this.maintain();
      } catch (err) {
        this.deps.log.error(`sync maintenance failed: ${(err as Error).message}`);
      }
      this.scheduleMaintenance();
    }, this.deps.maintenanceMs ?? 500);
  }

  /** Persists acknowledged positions, trims the sample outbox, enforces its quota. */
  maintain(): void {
    for (const s of this.senders) s.persist();
    this.checkHighWater();
    const outbox = this.deps.sampleOutbox;
    if (!outbox) return;
    const carriers = this.senders.filter((s) => s.carries('sample'));
    if (carriers.length > 0) {
      const through = Math.min(...carriers.map((s) => s.floor('sample') ?? 0));
      if (through > this.trimmedThrough) {
        outbox.deleteThrough(through);
        this.trimmedThrough = through;
      }
    }
    const quota = this.deps.options.outboxQuotaBytes;
    if (quota !== null) {
      const { bytes } = outbox.totals();
      if (bytes > quota) this.dropForQuota(outbox, bytes - Math.floor(quota * 0.9), quota);
    }
  }

  private dropForQuota(outbox: SampleOutbox, bytes: number, quota: number): void {
    const now = this.deps.clock.now();
    const dropped = this.store.transaction(() => {
      const d = outbox.dropOldest(bytes);
      if (!d) return null;
      this.store.addLost('sample', d.first, d.last, 'outbox_quota', now);
      this.store.recordEvent(now, 'data_dropped', {
        stream: 'sample',
        firstSeq: d.first,
        lastSeq: d.last,
        count: d.n,
        from: d.tMin,
        to: d.tMax,
        bytes: d.bytes,
        reason: 'outbox_quota',
        quotaBytes: quota,
      });
      return d;
    });
    if (dropped) {
      this.deps.log.error(
        `sample outbox over its quota of ${quota} bytes: dropped the oldest ${dropped.n} samples (#${dropped.first}–#${dropped.last}, ${new Date(dropped.tMin).toISOString()} to ${new Date(dropped.tMax).toISOString()}); recorded as a data_dropped event`,
      );
      this.wake();
    }
  }

  /**
   * Records of the runtime's own connection (alarm journal, audit trail, sync events) are
   * committed without an fsync each: before any of them leaves the PC, one fsync makes them all
   * durable, so the receiver never holds a record the PC could lose (and then number again).
   * Samples are committed by the historian's writer with an fsync already.
   */
  private ensureDurable(stream: StreamName, seq: number): void {
    if (stream === 'sample' || (this.durableHead.get(stream) ?? 0) >= seq) return;
    const head = this.sources.get(stream)?.head() ?? seq;
    this.store.makeDurable(stream, head);
    this.durableHead.set(stream, head);
    if (head > (this.highWater.get(stream) ?? 0)) this.highWater.set(stream, head);
  }

  /** A source whose head went below what was seen would reuse numbers: that stream stops. */
  private checkHighWater(): void {
    for (const [stream, src] of this.sources) {
      const head = src.head();
      let hw = this.highWater.get(stream);
      if (hw === undefined) {
        hw = this.store.highWater(stream);
        this.highWater.set(stream, hw);
      }
      if (head < hw) {
        if (!this.blocked.has(stream)) {
          const why = `the ${stream} records' numbers went back from #${hw} to #${head} (a restored or rebuilt table?): sending them would reuse keys; the stream is stopped until an engineer resolves it (docs/sync.md)`;
          this.blocked.set(stream, why);
          this.deps.log.error(why);
        }
      } else if (head > hw) {
        this.store.noteHighWater(stream, head);
        this.highWater.set(stream, head);
      }
    }
  }

  status(): SyncStatus {
    const sinks = this.senders.map((s) => s.status());
    const outbox = this.deps.sampleOutbox;
    return {
      configured: this.senders.length > 0,
      nodeId: this.store.nodeId,
      site: this.deps.options.site,
      line: this.deps.options.line,
      abnormal: sinks.some((s) => s.abnormal),
      sinks,
      outbox: {
        sampleBytes: outbox ? outbox.totals().bytes : 0,
        quotaBytes: this.deps.options.outboxQuotaBytes,
        droppedSamples: this.store.lostTotal('sample'),
      },
      quarantined: this.store.quarantinedCount(),
    };
  }

  quarantine(limit: number, sink?: string, stream?: SyncStreamName): { entries: QuarantineEntry[]; total: number } {
    const { rows, total } = this.store.listQuarantine(limit, sink, stream);
    const retrying = new Set<number>();
    for (const s of this.senders) for (const id of s.retrying()) retrying.add(id);
    return { entries: rows.map((r) => ({ ...r, retrying: retrying.has(r.id) })), total };
  }

  retryQuarantined(ids: readonly number[]): number {
    let n = 0;
    for (const s of this.senders) n += s.queueRetry(ids);
    return n;
  }

  /** Deletes quarantined records; returns them (for the audit trail). */
  deleteQuarantined(ids: readonly number[]): Omit<QuarantineEntry, 'retrying'>[] {
    return this.store.transaction(() => {
      const out: Omit<QuarantineEntry, 'retrying'>[] = [];
      for (const id of ids) {
        const row = this.store.quarantineById(id);
        if (row && this.store.deleteQuarantined(id)) out.push(row);
      }
      return out;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
    await Promise.all(this.senders.map((s) => s.close()));
  }
}

function readPem(path: string | undefined): Buffer | undefined {
  return path === undefined ? undefined : readFileSync(path);
}

function secret(value: string | undefined, env: string | undefined, what: string): string | undefined {
  if (value !== undefined) return value;
  if (env === undefined) return undefined;
  const v = process.env[env];
  if (v === undefined || v === '') throw new Error(`${what}: the environment variable ${env} is not set`);
  return v;
}

export function createTransport(sink: SyncSinkOptions, nodeId: string, o: Pick<SyncOptions, 'site' | 'line'>): SinkTransport {
  const tls = sink.tls;
  if (sink.type === 'mqtt') {
    return new MqttTransport({
      url: sink.url,
      clientId: sink.clientId ?? `lineside-${nodeId.slice(0, 8)}-${sink.id}`.slice(0, 64),
      username: sink.username,
      password: secret(sink.password, sink.passwordEnv, `sink ${sink.id}`),
      ca: readPem(tls?.ca),
      cert: readPem(tls?.cert),
      key: readPem(tls?.key),
      rejectUnauthorized: tls?.rejectUnauthorized ?? true,
      topics: { prefix: sink.topicPrefix, site: o.site, line: o.line, node: nodeId },
      ackMode: sink.ack,
      keepaliveS: sink.keepaliveS,
      connectTimeoutMs: 10_000,
    });
  }
  return new HttpTransport({
    url: sink.url,
    token: secret(sink.token, sink.tokenEnv, `sink ${sink.id}`),
    ca: readPem(tls?.ca),
    cert: readPem(tls?.cert),
    key: readPem(tls?.key),
    rejectUnauthorized: tls?.rejectUnauthorized ?? true,
    timeoutMs: sink.timeoutS * 1000,
  });
}

/** A sink that cannot be set up (a missing secret, an unreadable certificate): says why, forever. */
class BrokenTransport implements SinkTransport {
  readonly kind: 'mqtt' | 'http';
  readonly target: string;
  readonly ackMode: 'receiver' | 'broker';
  constructor(
    sink: SyncSinkOptions,
    private readonly why: string,
  ) {
    this.kind = sink.type;
    this.target = safeTarget(sink.url);
    this.ackMode = sink.type === 'mqtt' && sink.ack === 'broker' ? 'broker' : 'receiver';
  }
  setListeners(): void {}
  connect(): Promise<void> {
    return Promise.reject(new SinkError(this.why, 'config'));
  }
  send(): Promise<never> {
    return Promise.reject(new SinkError(this.why, 'config'));
  }
  async disconnect(): Promise<void> {}
}

