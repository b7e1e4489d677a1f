/**
 * Connection lifecycle of one device, shared by every protocol driver.
 *
 *            start / read            first good answer
 *   stopped ─────────────▶ connecting ──────────────────▶ online
 *                            │   ▲                          │ request failed (timeout, reset,
 *              connect failed│   │ backoff delay elapsed    │ protocol error): client destroyed
 *                            ▼   │                          ▼
 *                           backoff ◀───────────────────────┘
 *   any state ── close() ──▶ stopped
 *
 * A transport connection alone is not "online": a gateway or a half-dead PLC accepts TCP and
 * never answers. Online means the device answered a request.
 * A failed client is always destroyed and a new one built for the next attempt: reusing a client
 * after a timeout or reset is how HMIs end up never reading again after a PLC restart.
 * Backoff is exponential with jitter, so a line of HMIs does not hammer a PLC that reboots.
 * No background loop: the next scan's read asks for a connection; while in backoff it is told
 * at once that the device is unavailable.
 */
import type { DeviceState, DeviceStatus } from '../../shared/types';
import type { Clock } from '../util/clock';
import { DriverError } from './driver';

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** 0..1: the delay is drawn uniformly from [d × (1 − jitter), d] */
  jitter: number;
}

const RESPONSE_WINDOW = 1000;
const round1 = (x: number) => Math.round(x * 10) / 10;

export const defaultBackoff: BackoffPolicy = { initialMs: 250, maxMs: 5000, jitter: 0.3 };

export interface SupervisorOptions<C> {
  deviceId: string;
  name: string;
  protocol: DeviceStatus['protocol'];
  endpoint: string;
  clock: Clock;
  backoff?: BackoffPolicy;
  random?: () => number;
  connect: () => Promise<C>;
  destroy: (client: C) => Promise<void>;
}

export class ConnectionSupervisor<C> {
  private state: DeviceState = 'stopped';
  private client: C | null = null;
  private connecting: Promise<C> | null = null;
  private attempt = 0;
  private retryAt = 0;
  private readonly listeners = new Set<(s: DeviceStatus) => void>();
  private readonly counters = { requests: 0, errors: 0, timeouts: 0, reconnects: 0 };
  /** the last response times, for percentiles in diagnostics */
  private readonly responseTimes = new Float64Array(RESPONSE_WINDOW);
  private responseCount = 0;
  private lastOkTs: number | null = null;
  private lastError: string | null = null;
  private lastErrorTs: number | null = null;
  private everConnected = false;
  private closed = false;

  constructor(private readonly opts: SupervisorOptions<C>) {}

  /** The live client, connecting first if needed. Rejects at once while backing off. */
  async acquire(): Promise<C> {
    if (this.closed) throw new DriverError('connect_failed', 'driver closed');
    if (this.client) return this.client;
    if (this.connecting) return this.connecting;
    const now = this.opts.clock.now();
    if (this.state === 'backoff' && now < this.retryAt) {
      throw new DriverError('connect_failed', `backing off after: ${this.lastError ?? 'error'}`);
    }
    this.setState('connecting');
    this.connecting = this.opts.connect().then(
      (client) => {
        this.connecting = null;
        if (this.closed) {
          void this.opts.destroy(client);
          throw new DriverError('connect_failed', 'driver closed');
        }
        if (this.everConnected) this.counters.reconnects++;
        this.everConnected = true;
        this.client = client;
        return client;
      },
      (err: unknown) => {
        this.connecting = null;
        this.enterBackoff(err);
        throw err instanceof DriverError ? err : new DriverError('connect_failed', errorText(err));
      },
    );
    return this.connecting;
  }

  /** A request on the current client failed in a way that makes the connection untrustworthy. */
  fail(err: unknown): void {
    const client = this.client;
    this.client = null;
    if (client) void this.opts.destroy(client).catch(() => undefined);
    this.enterBackoff(err);
  }

  /** One request done; `durationMs` from sending it to its answer (or its failure). */
  countRequest(ok: boolean, durationMs?: number): void {
    this.counters.requests++;
    if (durationMs !== undefined && ok) {
      this.responseTimes[this.responseCount % RESPONSE_WINDOW] = durationMs;
      this.responseCount++;
    }
    if (ok) this.lastOkTs = this.opts.clock.now();
    if (!ok) this.counters.errors++;
    else if (this.client && this.state !== 'online') {
      this.attempt = 0;
      this.setState('online');
    }
  }

  /** The device answered with an error of its own: the link is fine, the data is not. */
  noteDeviceError(err: unknown): void {
    this.lastError = errorText(err);
    this.lastErrorTs = this.opts.clock.now();
  }

  status(): DeviceStatus {
    const n = Math.min(this.responseCount, RESPONSE_WINDOW);
    const sorted = Array.from(this.responseTimes.subarray(0, n)).sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))];
    return {
      deviceId: this.opts.deviceId,
      responseMs: n === 0 ? null : { p50: round1(pct(50)), p95: round1(pct(95)), p99: round1(pct(99)), max: round1(sorted[n - 1]), samples: n },
      lastOkTs: this.lastOkTs,
      name: this.opts.name,
      protocol: this.opts.protocol,
      endpoint: this.opts.endpoint,
      state: this.state,
      lastError: this.lastError,
      lastErrorTs: this.lastErrorTs,
      ...this.counters,
    };
  }

  onStatus(listener: (s: DeviceStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    if (client) await this.opts.destroy(client).catch(() => undefined);
    this.setState('stopped');
    this.listeners.clear();
  }

  private enterBackoff(err: unknown): void {
    if (err instanceof DriverError && err.code === 'timeout') this.counters.timeouts++;
    this.lastError = errorText(err);
    this.lastErrorTs = this.opts.clock.now();
    const { initialMs, maxMs, jitter } = this.opts.backoff ?? defaultBackoff;
    const base = Math.min(maxMs, initialMs * 2 ** Math.min(this.attempt, 20));
    const rnd = (this.opts.random ?? Math.random)();
    this.retryAt = this.opts.clock.now() + base * (1 - jitter * rnd);
    this.attempt++;
    this.setState(this.closed ? 'stopped' : 'backoff');
  }

  private setState(state: DeviceState): void {
    const changed = state !== this.state;
    this.state = state;
    if (changed || state === 'backoff') {
      const s = this.status();
      for (const l of this.listeners) l(s);
    }
  }
}

/** Some libraries (modbus-serial) reject with plain objects that only look like errors. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (err && typeof err === 'object') {
    const e = err as { message?: unknown; name?: unknown; errno?: unknown };
    const text = [e.name, e.message].filter((x) => typeof x === 'string' && x !== '').join(': ');
    if (text) return text;
    if (typeof e.errno === 'string') return e.errno;
  }
  return String(err);
}
