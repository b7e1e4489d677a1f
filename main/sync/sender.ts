/**
 * One sink's sender: reads every configured stream from its acknowledged position, sends
 * batches in priority order, applies acknowledgements, quarantines refused records, and
 * reconnects with backoff. The acknowledged position is persisted (sync_ack), so a restart
 * resumes where the receiver's last ack left it; anything sent but not acknowledged is sent
 * again, and the receiver drops the duplicates by key.
 *
 * Connection states:
 *
 *   ┌────────────┐  connect ok   ┌────────┐
 *   │ connecting │ ────────────► │ online │ ── sends, applies acks, re-sends after ack timeout
 *   └────────────┘               └────────┘
 *     ▲      │ fails                 │ link lost, send failed, batch refused
 *     │      ▼                       ▼
 *     │   ┌─────────┐ ◄──────────────┘
 *     └── │ backoff │   wait min(max, initial·2^k)·(0.5…1), then connect again
 *         └─────────┘
 *   close() → stopped (from any state)
 *
 * Lanes, in priority order: retries of quarantined records; alarm; event; audit; live samples
 * (committed within the live window); historical samples (older: an outage's backlog), which may
 * use only part of the in-flight window so that live data and alarms always find room.
 */
import type { SyncSinkState, SyncSinkStatus, SyncStreamStatus } from '../../shared/sync-api';
import type { Clock, TimerHandle } from '../util/clock';
import type { Logger } from '../util/log';
import { IntervalSet } from './intervals';
import { Backoff, RateMeter, TokenBucket, type BackoffOptions } from './pacing';
import type { StreamSource } from './sources';
import type { SyncStore } from './sync-store';
import { SinkError, type OutgoingBatch, type SendOutcome, type SinkTransport } from './transport';
import { batchText, ENVELOPE_OVERHEAD_BYTES, streamNames, type Ack, type BatchEnvelope, type StreamName } from './wire';

export interface SenderConfig {
  sinkId: string;
  streams: readonly StreamName[];
  nodeId: string;
  site: string;
  line: string;
  batchMaxRecords: number;
  batchMaxBytes: number;
  /** batches in flight at once */
  maxInFlight: number;
  /** of which at most this many historical (backfill) batches */
  bulkInFlight: number;
  /** samples committed within this window are live; older unsent ones are backfill */
  liveWindowMs: number;
  /** a batch not acknowledged this long after the broker took it (or it was sent) is sent again */
  ackTimeoutMs: number;
  maxAckTimeoutMs: number;
  pollMs: number;
  backoff: BackoffOptions;
  bandwidthBytesPerSecond: number | null;
  /** not online for longer than this: abnormal */
  alertOfflineMs: number;
  /** oldest unacknowledged record older than this: abnormal */
  alertBacklogAgeMs: number;
}

export interface SenderDeps {
  store: SyncStore;
  sources: ReadonlyMap<StreamName, StreamSource>;
  transport: SinkTransport;
  clock: Clock;
  log: Logger;
  random?: () => number;
  /** streams that must not be sent (a source went backwards), with why */
  blocked?: () => ReadonlyMap<StreamName, string>;
  /** makes the stream's records up to `seq` durable on disk before they are sent */
  durable?: (stream: StreamName, seq: number) => void;
}

interface StreamState {
  acked: IntervalSet;
  inflight: IntervalSet;
  dirty: boolean;
}

interface InFlight {
  batch: OutgoingBatch;
  sentAt: number;
  handedOverAt: number | null;
  generation: number;
}

const TABLE_LANES: readonly StreamName[] = streamNames.filter((s) => s !== 'sample');

export class SinkSender {
  private state: SyncSinkState = 'connecting';
  private since: number;
  private offlineSince: number | null;
  private lastError: { message: string; at: number } | null = null;
  private nextAttemptAt: number | null = null;
  private generation = 0;
  private nextBatchId = 1;
  private readonly streams = new Map<StreamName, StreamState>();
  private readonly inflight = new Map<number, InFlight>();
  private readonly retryQueue: number[] = [];
  private readonly backoff: Backoff;
  private readonly bucket: TokenBucket | null;
  private readonly ackRate: RateMeter;
  private readonly byteRate: RateMeter;
  private ackTimeoutMs: number;
  private batchMaxBytes: number;
  private pumping = false;
  private pollTimer: TimerHandle | null = null;
  private wakeTimer: TimerHandle | null = null;
  private reconnectTimer: TimerHandle | null = null;
  private closed = false;
  private lastAckAt: number | null = null;
  private readonly counters = { sentRecords: 0, ackedRecords: 0, resentBatches: 0 };

  constructor(
    readonly config: SenderConfig,
    private readonly deps: SenderDeps,
  ) {
    const now = deps.clock.now();
    this.since = now;
    this.offlineSince = now;
    this.backoff = new Backoff(config.backoff, deps.random ?? Math.random);
    this.bucket = config.bandwidthBytesPerSecond ? new TokenBucket(config.bandwidthBytesPerSecond, Math.max(config.batchMaxBytes, config.bandwidthBytesPerSecond), deps.clock) : null;
    this.ackRate = new RateMeter(deps.clock);
    this.byteRate = new RateMeter(deps.clock);
    this.ackTimeoutMs = config.ackTimeoutMs;
    this.batchMaxBytes = config.batchMaxBytes;
    for (const stream of config.streams) {
      const source = deps.sources.get(stream);
      if (!source) continue;
      let saved = deps.store.loadAck(config.sinkId, stream);
      if (!saved) {
        // A new sink starts with what is still readable: the whole alarm journal and audit
        // trail, the sample outbox as it is now.
        saved = { floor: Math.max(0, source.lowest() - 1), ranges: [] };
        deps.store.saveAck(config.sinkId, stream, saved, now);
      }
      const acked = new IntervalSet(saved.ranges);
      if (saved.floor > 0) acked.add(1, saved.floor);
      this.streams.set(stream, { acked, inflight: new IntervalSet(), dirty: false });
    }
    deps.transport.setListeners({
      ack: (ack) => this.applyAck(ack),
      down: (err) => this.linkDown(err, this.generation),
    });
  }

  get id(): string {
    return this.config.sinkId;
  }

  start(): void {
    this.connect();
    this.schedulePoll();
  }

  /** New records may be there: send them now rather than at the next poll. */
  wake(): void {
    if (this.wakeTimer || this.closed) return;
    this.wakeTimer = this.deps.clock.setTimeout(() => {
      this.wakeTimer = null;
      this.pump();
    }, 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of [this.pollTimer, this.wakeTimer, this.reconnectTimer]) if (t) this.deps.clock.clearTimeout(t);
    this.pollTimer = this.wakeTimer = this.reconnectTimer = null;
    this.persist(true);
    this.generation++;
    this.setState('stopped');
    await this.deps.transport.disconnect().catch(() => undefined);
  }

  // --- connection -------------------------------------------------------------------------------

  private setState(s: SyncSinkState): void {
    if (this.state !== s) {
      this.state = s;
      this.since = this.deps.clock.now();
      if (s === 'online') this.offlineSince = null;
      else this.offlineSince ??= this.since;
    }
  }

  private connect(): void {
    if (this.closed) return;
    const gen = ++this.generation;
    this.setState('connecting');
    this.nextAttemptAt = null;
    this.deps.transport.connect().then(
      () => {
        if (gen !== this.generation || this.closed) return;
        this.setState('online');
        this.backoff.reset();
        this.deps.log.info(`sink ${this.id}: online (${this.deps.transport.target})`);
        this.pump();
      },
      (err: unknown) => {
        if (gen !== this.generation || this.closed) return;
        this.retryLater(err as Error);
      },
    );
  }

  private retryLater(err: Error): void {
    const now = this.deps.clock.now();
    const first = this.lastError === null || this.state === 'online';
    this.lastError = { message: err.message, at: now };
    this.setState('backoff');
    const delay = this.backoff.next();
    this.nextAttemptAt = now + delay;
    if (first || this.backoff.attempts % 10 === 1) this.deps.log.warn(`sink ${this.id}: ${err.message}; trying again in ${delay} ms (attempt ${this.backoff.attempts})`);
    if (this.reconnectTimer) this.deps.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = this.deps.clock.setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  /** The link is gone: batches not yet taken by the broker are sent again after reconnecting. */
  private linkDown(err: Error, gen: number): void {
    if (gen !== this.generation || this.closed || this.state !== 'online') return;
    this.generation++;
    for (const [id, f] of this.inflight) if (f.handedOverAt === null) this.release(id);
    void this.deps.transport.disconnect().catch(() => undefined);
    this.retryLater(err);
  }

  // --- sending ----------------------------------------------------------------------------------

  private schedulePoll(): void {
    if (this.closed) return;
    this.pollTimer = this.deps.clock.setTimeout(() => {
      this.pollTimer = null;
      this.checkTimeouts();
      this.pump();
      this.schedulePoll();
    }, this.config.pollMs);
  }

  private pump(): void {
    if (this.state !== 'online' || this.pumping || this.closed) return;
    this.pumping = true;
    try {
      while (this.inflight.size < this.config.maxInFlight) {
        if (this.bucket) {
          const wait = this.bucket.waitMs();
          if (wait > 0) {
            if (!this.wakeTimer) {
              this.wakeTimer = this.deps.clock.setTimeout(() => {
                this.wakeTimer = null;
                this.pump();
              }, wait);
            }
            break;
          }
        }
        const batch = this.nextBatch();
        if (!batch) break;
        this.dispatch(batch);
      }
    } finally {
      this.pumping = false;
    }
  }

  private isBlocked(stream: StreamName): boolean {
    return this.deps.blocked?.().has(stream) ?? false;
  }

  private nextBatch(): OutgoingBatch | null {
    const retry = this.retryBatch();
    if (retry) return retry;
    for (const stream of TABLE_LANES) {
      if (!this.streams.has(stream) || this.isBlocked(stream)) continue;
      const st = this.streams.get(stream)!;
      const src = this.deps.sources.get(stream)!;
      const b = this.build(stream, floorOf(st) + 1, src.head(), false, 'priority');
      if (b) return b;
    }
    const st = this.streams.get('sample');
    if (!st || this.isBlocked('sample')) return null;
    const src = this.deps.sources.get('sample')!;
    const head = src.head();
    const floor = floorOf(st);
    const liveStart = Math.max(floor + 1, src.firstSeqSince?.(this.deps.clock.now() - this.config.liveWindowMs) ?? head + 1);
    const live = this.build('sample', liveStart, head, false, 'priority');
    if (live) return live;
    let bulk = 0;
    for (const f of this.inflight.values()) if (f.batch.lane === 'bulk') bulk++;
    if (bulk >= this.config.bulkInFlight) return null;
    return this.build('sample', floor + 1, liveStart - 1, true, 'bulk');
  }

  /** The first run of unsent, unacknowledged numbers in [from, to], as a batch. */
  private build(stream: StreamName, from: number, to: number, historical: boolean, lane: 'priority' | 'bulk'): OutgoingBatch | null {
    const st = this.streams.get(stream)!;
    let s = from;
    for (;;) {
      const t = st.inflight.firstAbsentFrom(st.acked.firstAbsentFrom(s));
      if (t === s) break;
      s = t;
    }
    if (s > to) return null;
    let e = to;
    const nextAcked = st.acked.firstPresentFrom(s);
    if (nextAcked !== null) e = Math.min(e, nextAcked - 1);
    const nextInflight = st.inflight.firstPresentFrom(s);
    if (nextInflight !== null) e = Math.min(e, nextInflight - 1);
    const src = this.deps.sources.get(stream)!;
    this.deps.durable?.(stream, e);
    const records = src.read(s, e, this.config.batchMaxRecords, this.batchMaxBytes - ENVELOPE_OVERHEAD_BYTES);
    if (records.length === 0 || records[0].seq > s) {
      // Numbers that can no longer be read: declared lost, so the receiver stops waiting.
      let end = records.length > 0 ? records[0].seq - 1 : e;
      const lost = this.deps.store.lostAt(stream, s);
      if (lost) end = Math.min(end, lost.last);
      return this.makeBatch(stream, s, end, [], [], historical, lane, lost?.reason ?? 'not_at_source');
    }
    let k = 1;
    while (k < records.length && records[k].seq === s + k) k++;
    return this.makeBatch(
      stream,
      s,
      s + k - 1,
      records.slice(0, k).map((r) => r.seq),
      records.slice(0, k).map((r) => r.json),
      historical,
      lane,
    );
  }

  private makeBatch(
    stream: StreamName,
    first: number,
    last: number,
    seqs: number[],
    records: string[],
    historical: boolean,
    lane: OutgoingBatch['lane'],
    lostReason?: string,
  ): OutgoingBatch {
    const st = this.streams.get(stream)!;
    const env: BatchEnvelope = {
      v: 1,
      node: this.config.nodeId,
      site: this.config.site,
      line: this.config.line,
      stream,
      first,
      last,
      acked: floorOf(st),
      historical,
      sentAt: this.deps.clock.now(),
      ...(lane === 'retry' ? { retry: true } : {}),
      ...(lostReason !== undefined ? { lost: { reason: lostReason } } : {}),
    };
    const text = batchText(env, records);
    return { id: this.nextBatchId++, env, text, bytes: Buffer.byteLength(text), seqs, records, lane };
  }

  private retryBatch(): OutgoingBatch | null {
    while (this.retryQueue.length > 0) {
      const rows = [];
      let stream: StreamName | null = null;
      let bytes = 0;
      for (let i = 0; i < this.retryQueue.length && rows.length < this.config.batchMaxRecords; ) {
        const row = this.deps.store.quarantineById(this.retryQueue[i]);
        if (!row || row.sink !== this.id || !this.streams.has(row.stream)) {
          this.retryQueue.splice(i, 1);
          continue;
        }
        if ((stream !== null && row.stream !== stream) || (rows.length > 0 && bytes + row.record.length > this.batchMaxBytes - ENVELOPE_OVERHEAD_BYTES)) {
          i++;
          continue;
        }
        stream = row.stream;
        bytes += row.record.length + 1;
        rows.push(row);
        this.retryQueue.splice(i, 1);
      }
      if (rows.length === 0 || stream === null) return null;
      rows.sort((a, b) => a.seq - b.seq);
      return this.makeBatch(
        stream,
        rows[0].seq,
        rows[rows.length - 1].seq,
        rows.map((r) => r.seq),
        rows.map((r) => r.record),
        false,
        'retry',
      );
    }
    return null;
  }

  private dispatch(batch: OutgoingBatch): void {
    const gen = this.generation;
    const now = this.deps.clock.now();
    this.inflight.set(batch.id, { batch, sentAt: now, handedOverAt: null, generation: gen });
    if (batch.lane !== 'retry') this.streams.get(batch.env.stream)!.inflight.add(batch.env.first, batch.env.last);
    this.bucket?.take(batch.bytes);
    this.byteRate.add(batch.bytes);
    this.counters.sentRecords += batch.seqs.length;
    this.deps.transport.send(batch).then(
      (outcome) => this.sent(batch, outcome),
      (err: unknown) => {
        this.release(batch.id);
        if (this.closed) return;
        if (err instanceof SinkError && err.kind === 'too_large' && this.batchMaxBytes > 16_384) {
          this.batchMaxBytes = Math.max(16_384, Math.floor(this.batchMaxBytes / 2));
          this.deps.log.warn(`sink ${this.id}: batch of ${batch.bytes} bytes refused as too large; batches now at most ${this.batchMaxBytes} bytes`);
          this.pump();
          return;
        }
        this.linkDown(err as Error, gen);
      },
    );
  }

  private sent(batch: OutgoingBatch, outcome: SendOutcome): void {
    if (this.closed) return;
    switch (outcome.kind) {
      case 'ack':
        this.applyAck(outcome.ack, batch);
        break;
      case 'accepted':
        this.applyAccepted(batch);
        break;
      case 'handed-over': {
        const f = this.inflight.get(batch.id);
        if (f) f.handedOverAt = this.deps.clock.now();
        break;
      }
    }
    this.pump();
  }

  private release(id: number): void {
    const f = this.inflight.get(id);
    if (!f) return;
    this.inflight.delete(id);
    if (f.batch.lane === 'retry') {
      // A retry without an answer goes back in the queue.
      this.requeueRetry(f.batch);
      return;
    }
    this.streams.get(f.batch.env.stream)?.inflight.remove(f.batch.env.first, f.batch.env.last);
  }

  private requeueRetry(batch: OutgoingBatch): void {
    const ids = this.deps.store.quarantineIds(this.id, batch.env.stream, batch.seqs);
    for (const id of ids) if (!this.retryQueue.includes(id)) this.retryQueue.push(id);
  }

  private checkTimeouts(): void {
    const now = this.deps.clock.now();
    let timedOut = false;
    for (const [id, f] of this.inflight) {
      const t0 = f.handedOverAt ?? f.sentAt;
      if (now - t0 > this.ackTimeoutMs) {
        this.release(id);
        this.counters.resentBatches++;
        timedOut = true;
      }
    }
    if (timedOut) {
      this.deps.log.warn(`sink ${this.id}: no acknowledgement within ${this.ackTimeoutMs} ms; sending again`);
      // A receiver that is away: ask less often, up to the maximum.
      this.ackTimeoutMs = Math.min(this.config.maxAckTimeoutMs, this.ackTimeoutMs * 2);
    }
  }

  // --- acknowledgements -------------------------------------------------------------------------

  /** The broker's PUBACK is the acknowledgement (no receiver acks): the batch is delivered. */
  private applyAccepted(batch: OutgoingBatch): void {
    const { stream, first, last } = batch.env;
    this.applyAck({
      v: 1,
      node: this.config.nodeId,
      stream,
      first,
      last,
      from: first - 1,
      upTo: batch.lane === 'retry' ? first - 1 : last,
      ranges: [],
      rejected: [],
      results: batch.lane === 'retry' ? batch.seqs.map((seq) => ({ seq, ok: true })) : undefined,
    }, batch);
  }

  private applyAck(ack: Ack, batch?: OutgoingBatch): void {
    if (this.closed) return;
    const st = this.streams.get(ack.stream);
    if (!st || (ack.node !== '' && ack.node !== this.config.nodeId)) return;
    const now = this.deps.clock.now();
    if (ack.error !== undefined) {
      // The receiver refused the batch as a whole (a malformed envelope, another version):
      // a problem of configuration or versions, not of a record. Wait and try again.
      for (const [id, f] of this.inflight) if (f.batch.env.stream === ack.stream && f.batch.env.first === ack.first && f.batch.env.last === ack.last) this.release(id);
      this.linkDown(new SinkError(`the receiver refused a batch: ${ack.error}`, 'refused'), this.generation);
      return;
    }
    // What this ack settles: above its `from` (rejections are complete only there).
    const base = Math.max(0, ack.from);
    const settled = new IntervalSet();
    if (ack.upTo > base) settled.add(base + 1, ack.upTo);
    for (const [a, b] of ack.ranges) settled.add(Math.max(a, base + 1), b);
    const fresh = new IntervalSet(settled.ranges());
    for (const [a, b] of st.acked.ranges()) fresh.remove(a, b);
    const newly = fresh.size();
    const rejections = ack.rejected.filter((r) => fresh.has(r.seq));
    const results = ack.results ?? [];
    this.deps.store.transaction(() => {
      for (const r of rejections) {
        const record = this.recordText(ack.stream, r.seq, batch) ?? JSON.stringify({ seq: r.seq, unavailable: true });
        this.deps.store.quarantine(this.id, ack.stream, r.seq, record, r.reason, now);
      }
      for (const r of results) {
        if (r.ok) this.deps.store.resolve(this.id, ack.stream, r.seq);
        else this.deps.store.retryRefused(this.id, ack.stream, r.seq, r.reason ?? 'refused', now);
      }
      for (const [a, b] of settled.ranges()) st.acked.add(a, b);
      st.dirty = true;
      // A refusal goes on record with the position that passes it, in one transaction.
      if (rejections.length > 0 || results.length > 0) this.persistStream(ack.stream, st, now);
    });
    if (rejections.length > 0) this.deps.log.warn(`sink ${this.id}: ${rejections.length} ${ack.stream} record(s) refused by the receiver (first: #${rejections[0].seq}: ${rejections[0].reason}); quarantined`);
    this.counters.ackedRecords += newly;
    this.ackRate.add(newly);
    this.lastAckAt = now;
    this.ackTimeoutMs = this.config.ackTimeoutMs;
    for (const [id, f] of this.inflight) {
      const e = f.batch.env;
      if (e.stream !== ack.stream) continue;
      if (f.batch.lane === 'retry') {
        if (results.length > 0 && f.batch.seqs.every((s) => results.some((r) => r.seq === s))) this.inflight.delete(id);
      } else if (st.acked.covers(e.first, e.last)) {
        this.inflight.delete(id);
        st.inflight.remove(e.first, e.last);
      }
    }
    this.pump();
  }

  private recordText(stream: StreamName, seq: number, batch?: OutgoingBatch): string | null {
    const candidates = batch ? [batch, ...[...this.inflight.values()].map((f) => f.batch)] : [...this.inflight.values()].map((f) => f.batch);
    for (const b of candidates) {
      if (b.env.stream !== stream) continue;
      const i = b.seqs.indexOf(seq);
      if (i >= 0) return b.records[i];
    }
    const rec = this.deps.sources.get(stream)?.read(seq, seq, 1, Infinity)[0];
    return rec && rec.seq === seq ? rec.json : null;
  }

  private persistStream(stream: StreamName, st: StreamState, now: number): void {
    const floor = floorOf(st);
    this.deps.store.saveAck(this.id, stream, { floor, ranges: st.acked.ranges().filter(([, b]) => b > floor).map(([a, b]) => [Math.max(a, floor + 1), b] as const) }, now);
    st.dirty = false;
  }

  /** Writes acknowledged positions that changed (called every few hundred ms, and at close). */
  persist(force = false): void {
    const now = this.deps.clock.now();
    const dirty = [...this.streams].filter(([, st]) => st.dirty || force);
    if (dirty.length === 0) return;
    this.deps.store.transaction(() => {
      for (const [stream, st] of dirty) this.persistStream(stream, st, now);
    });
  }

  // --- quarantine -------------------------------------------------------------------------------

  queueRetry(ids: readonly number[]): number {
    let n = 0;
    for (const id of ids) {
      const row = this.deps.store.quarantineById(id);
      if (!row || row.sink !== this.id || this.retryQueue.includes(id)) continue;
      this.retryQueue.push(id);
      n++;
    }
    if (n > 0) this.wake();
    return n;
  }

  /** Quarantine ids whose retry waits or is on its way. */
  retrying(): Set<number> {
    const out = new Set(this.retryQueue);
    for (const f of this.inflight.values()) {
      if (f.batch.lane !== 'retry') continue;
      for (const id of this.deps.store.quarantineIds(this.id, f.batch.env.stream, f.batch.seqs)) out.add(id);
    }
    return out;
  }

  /** The acknowledged floor of a stream (tests, outbox trimming). */
  floor(stream: StreamName): number | null {
    const st = this.streams.get(stream);
    return st ? floorOf(st) : null;
  }

  /** Whether this sink sends the stream. */
  carries(stream: StreamName): boolean {
    return this.streams.has(stream);
  }

  // --- status -----------------------------------------------------------------------------------

  status(): SyncSinkStatus {
    const now = this.deps.clock.now();
    const streams: SyncStreamStatus[] = [];
    let backlog = 0;
    let oldest: number | null = null;
    for (const [stream, st] of this.streams) {
      const src = this.deps.sources.get(stream)!;
      const head = src.head();
      const floor = floorOf(st);
      const waiting = Math.max(0, head - floor - st.acked.countWithin(floor + 1, head));
      let oldestTs: number | null = null;
      if (waiting > 0) oldestTs = src.timeOf(Math.max(floor + 1, src.lowest())) ?? src.timeOf(src.lowest());
      streams.push({ stream, head, acked: floor, backlog: waiting, oldestTs, blocked: this.deps.blocked?.().get(stream) ?? null });
      backlog += waiting;
      if (oldestTs !== null && (oldest === null || oldestTs < oldest)) oldest = oldestTs;
    }
    const offlineTooLong = this.state !== 'stopped' && this.offlineSince !== null && now - this.offlineSince > this.config.alertOfflineMs;
    const backlogTooOld = oldest !== null && now - oldest > this.config.alertBacklogAgeMs;
    return {
      id: this.id,
      kind: this.deps.transport.kind,
      target: this.deps.transport.target,
      ackMode: this.deps.transport.ackMode,
      state: this.state,
      since: this.since,
      offlineSince: this.state === 'stopped' ? null : this.offlineSince,
      abnormal: offlineTooLong || backlogTooOld,
      lastError: this.lastError,
      nextAttemptAt: this.state === 'backoff' ? this.nextAttemptAt : null,
      backlog,
      oldestUnackedTs: oldest,
      streams,
      inFlight: this.inflight.size,
      sentRecords: this.counters.sentRecords,
      ackedRecords: this.counters.ackedRecords,
      resentBatches: this.counters.resentBatches,
      recordsPerSecond: Math.round(this.ackRate.perSecond() * 10) / 10,
      bytesPerSecond: Math.round(this.byteRate.perSecond()),
      lastAckAt: this.lastAckAt,
      quarantined: this.deps.store.quarantinedCount(this.id),
    };
  }
}

function floorOf(st: StreamState): number {
  return st.acked.contiguousFrom(1);
}
