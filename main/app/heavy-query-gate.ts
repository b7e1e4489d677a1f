/**
 * Admission for heavy history work (range queries, bucket and trend queries, the alarm journal,
 * CSV exports): each such call runs synchronously on the event loop that also runs the scans,
 * for up to tens of milliseconds. One call is fine; a thousand sent in a row on one WebSocket,
 * run back to back, once held the loop for seconds, so a Modbus request timed out, the device
 * went into backoff and an operator's write was refused.
 *
 * So heavy calls go through this gate:
 * - at most `perConnection` run at once for one connection, `overall` for all of them;
 * - the rest wait in order (first come, first served among the connections that may start);
 * - at most `queuePerConnection` wait per connection and `queueOverall` in all; beyond that a
 *   call is refused at once (`refused`, "too many history queries in flight", with the counts)
 *   rather than queued without bound;
 * - every call starts on a turn of the event loop of its own, after the previous call's (chained
 *   setImmediate), so the timers and I/O that came due meanwhile (a scan, a device's answer) run
 *   between two heavy calls that start together.
 *
 * A call's heavy part may come later than its start (after the historian's flush): with two
 * running at once, two such parts can meet in one turn of the loop. A Modbus scan needs a turn
 * per request (three for the demo's 500 ms group) after its timer's, so every part a turn holds
 * delays it several times over: hence `overall` is 1 (see `defaultHeavyQueryLimits`).
 *
 *   call ──▶ slots free for its connection and overall? ── yes ──▶ (yield) run ──▶ done: next
 *                 │ no
 *                 ▼
 *            queue full? ── yes ──▶ refused
 *                 │ no
 *                 ▼
 *               wait ──▶ a slot frees and it is the first that may start ──▶ (yield) run
 */
import { ApiError, type MethodName } from '../../shared/api';
import { yieldToEventLoop } from '../util/event-loop';

/** The API methods that read history or the journal in bulk: these go through the gate. */
export const HEAVY_HISTORY_METHODS: ReadonlySet<MethodName> = new Set<MethodName>([
  'history.query',
  'history.buckets',
  'history.trend',
  'alarms.journal',
  'alarms.journalCsv',
  'alarms.kpis',
]);

/** The connection key of CSV exports (HTTP downloads): they share one lane, so at most `perConnection` run at once. */
export const EXPORT_CONNECTION_KEY = 'export';
/** The connection key of calls made without one (tests, the shell's own calls). */
export const UNKEYED_CONNECTION = 'unkeyed';

export interface HeavyQueryLimits {
  /** heavy calls running at once for one connection */
  perConnection: number;
  /** heavy calls running at once in all */
  overall: number;
  /** heavy calls waiting for one connection */
  queuePerConnection: number;
  /** heavy calls waiting in all */
  queueOverall: number;
}

/**
 * Queries: one at a time in all, so a turn of the event loop holds at most one call's
 * synchronous part (~50 ms at most, see query.ts's budgets). All of that work runs on this one
 * thread anyway, so a second slot buys no throughput; it only let two parts meet in one turn
 * and stretch every request of a scan behind them. Measured (`npm run bench -- heavy-queries`,
 * 1,000 raw-sized calls, Modbus scan at 500 ms, a busy 2-core machine): with `overall: 2`, a p99
 * scan interval of 0.97–2.4 s and 2–10 skipped scans; with 1, 0.67–1.05 s and 0–3 skipped, the
 * calls done in 14–18 s instead of 20–22 s (docs/database.md).
 */
export const defaultHeavyQueryLimits: HeavyQueryLimits = { perConnection: 1, overall: 1, queuePerConnection: 16, queueOverall: 64 };

/**
 * CSV exports (all under EXPORT_CONNECTION_KEY): long, but cut into short slices of their own
 * (export-csv.ts), so they have their own gate and never hold a query's slot for minutes.
 */
export const defaultExportLimits: HeavyQueryLimits = { perConnection: 2, overall: 2, queuePerConnection: 4, queueOverall: 4 };

interface Waiting {
  key: string;
  start: () => void;
}

export interface HeavyQueryGateStatus {
  running: number;
  queued: number;
  refused: number;
}

export class HeavyQueryGate {
  private readonly running = new Map<string, number>();
  private runningTotal = 0;
  private readonly queue: Waiting[] = [];
  private readonly queuedPerKey = new Map<string, number>();
  private refusedTotal = 0;
  /** the turn of the event loop the last admitted call starts on; the next one starts after it */
  private turn: Promise<void> = Promise.resolve();

  constructor(
    private readonly heavy: ReadonlySet<string> = HEAVY_HISTORY_METHODS,
    private readonly limits: HeavyQueryLimits = defaultHeavyQueryLimits,
  ) {
    for (const [k, v] of Object.entries(limits)) {
      if (!(Number.isInteger(v) && v >= (k.startsWith('queue') ? 0 : 1))) throw new RangeError(`HeavyQueryGate: ${k} must be a whole number${k.startsWith('queue') ? '' : ' ≥ 1'}, got ${v}`);
    }
  }

  /**
   * Runs `job` for the connection `key` when the limits allow; rejects with ApiError `refused`
   * when too many of its calls (or of all) are already waiting. `what` names the call in the
   * refusal (e.g. the method).
   */
  async run<T>(key: string, what: string, job: () => T | Promise<T>): Promise<T> {
    if (!this.mayStart(key)) await this.wait(key, what);
    else this.take(key);
    try {
      await this.nextTurn();
      return await job();
    } finally {
      this.release(key);
    }
  }

  /** `handler` as it is for a light method; for a heavy one, run through the gate for `key`. */
  gated<P, R>(method: string, key: string | undefined, handler: (p: P) => R): (p: P) => R | Promise<Awaited<R>> {
    if (!this.heavy.has(method)) return handler;
    return (p) => this.run(key ?? UNKEYED_CONNECTION, method, () => handler(p)) as Promise<Awaited<R>>;
  }

  status(): HeavyQueryGateStatus {
    return { running: this.runningTotal, queued: this.queue.length, refused: this.refusedTotal };
  }

  /**
   * A turn of the event loop after the previous call's: a setImmediate scheduled from inside the
   * previous one runs on the loop's next iteration, after its timers and I/O.
   */
  private nextTurn(): Promise<void> {
    const next = this.turn.then(yieldToEventLoop);
    this.turn = next;
    return next;
  }

  private mayStart(key: string): boolean {
    return this.runningTotal < this.limits.overall && (this.running.get(key) ?? 0) < this.limits.perConnection;
  }

  private take(key: string): void {
    this.running.set(key, (this.running.get(key) ?? 0) + 1);
    this.runningTotal++;
  }

  private wait(key: string, what: string): Promise<void> {
    const queuedHere = this.queuedPerKey.get(key) ?? 0;
    if (queuedHere >= this.limits.queuePerConnection || this.queue.length >= this.limits.queueOverall) {
      this.refusedTotal++;
      const mine = queuedHere >= this.limits.queuePerConnection;
      throw new ApiError({
        code: 'refused',
        message: `${what}: too many history queries in flight (${mine ? `${this.running.get(key) ?? 0} running and ${queuedHere} waiting for this connection` : `${this.runningTotal} running and ${this.queue.length} waiting in all`}); try again when they are answered`,
        context: {
          method: what,
          running: mine ? (this.running.get(key) ?? 0) : this.runningTotal,
          waiting: mine ? queuedHere : this.queue.length,
          maxWaiting: mine ? this.limits.queuePerConnection : this.limits.queueOverall,
          scope: mine ? 'connection' : 'overall',
        },
      });
    }
    this.queuedPerKey.set(key, queuedHere + 1);
    return new Promise<void>((resolve) => this.queue.push({ key, start: resolve }));
  }

  private release(key: string): void {
    const n = (this.running.get(key) ?? 1) - 1;
    if (n === 0) this.running.delete(key);
    else this.running.set(key, n);
    this.runningTotal--;
    // The first waiting call that may start now: in order, skipping connections at their limit.
    for (let i = 0; i < this.queue.length && this.runningTotal < this.limits.overall; i++) {
      const w = this.queue[i];
      if (!this.mayStart(w.key)) continue;
      this.queue.splice(i, 1);
      i--;
      const q = (this.queuedPerKey.get(w.key) ?? 1) - 1;
      if (q === 0) this.queuedPerKey.delete(w.key);
      else this.queuedPerKey.set(w.key, q);
      this.take(w.key);
      w.start();
    }
  }
}
