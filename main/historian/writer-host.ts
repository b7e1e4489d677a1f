/**
 * Where the writer runs. `WorkerWriterHost` runs it on a worker thread with its own SQLite
 * connection (the runtime's choice: a commit of a large batch, compaction and the WAL fsync never
 * stall the event loop that serves the UI); `InlineWriterHost` runs the same writer on the
 * caller's thread and connection (tests with a fake clock, tools).
 *
 * Batches go to the worker as transferred typed arrays (no copy). Messages are handled in
 * order, so `sync` resolves after every batch sent before it was committed (or is waiting in
 * the writer's queue because the disk is full).
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { SqliteDatabase } from './database';
import type { TaggedBatch } from './samples';
import { HistorianWriter, type RetentionConfig, type WriterConfig, type WriterStatus } from './writer';
import type { Clock } from '../util/clock';
import { createLogger } from '../util/log';

const log = createLogger('historian');

export interface WriterHost {
  readonly kind: 'worker' | 'inline';
  write(batch: TaggedBatch, now: number): void;
  /** resolves once every batch written before was committed or queued */
  sync(now: number): Promise<WriterStatus>;
  /** runs compaction and retention until there is nothing left to do */
  maintain(now: number): Promise<WriterStatus>;
  configure(retention: RetentionConfig): void;
  status(): WriterStatus;
  /** samples handed over and not yet committed or dropped */
  backlog(): number;
  close(): Promise<void>;
}

export type ToWriter =
  | { type: 'write'; batch: TaggedBatch; now: number }
  | { type: 'sync'; id: number; now: number }
  | { type: 'maintain'; id: number; now: number }
  | { type: 'configure'; retention: RetentionConfig }
  | { type: 'close'; id: number };

export type FromWriter =
  | { type: 'ready'; status: WriterStatus }
  | { type: 'status'; status: WriterStatus }
  | { type: 'done'; id: number; status: WriterStatus }
  | { type: 'fatal'; message: string };

export interface WorkerInit {
  file: string;
  nativeBinding?: string;
  config: Partial<WriterConfig>;
  now: number;
}

export function emptyStatus(): WriterStatus {
  return {
    state: 'ok',
    error: null,
    pendingSamples: 0,
    droppedSamples: 0,
    committedSamples: 0,
    commits: 0,
    lastCommitMs: 0,
    maxCommitMs: 0,
    chunksWritten: 0,
    samplesCompacted: 0,
    hotSamples: 0,
    prunedChunks: 0,
    usedBytes: 0,
  };
}

export class InlineWriterHost implements WriterHost {
  readonly kind = 'inline';
  private readonly writer: HistorianWriter;

  constructor(db: SqliteDatabase, clock: Clock, config: Partial<WriterConfig>) {
    this.writer = new HistorianWriter(db, clock, () => clock.now(), config);
  }
  write(batch: TaggedBatch): void {
    this.writer.write(batch);
  }
  async sync(): Promise<WriterStatus> {
    return this.writer.status();
  }
  async maintain(): Promise<WriterStatus> {
    this.writer.maintainFully();
    return this.writer.status();
  }
  configure(retention: RetentionConfig): void {
    this.writer.configure(retention);
  }
  status(): WriterStatus {
    return this.writer.status();
  }
  backlog(): number {
    return this.writer.status().pendingSamples;
  }
  async close(): Promise<void> {
    this.writer.close();
  }
}

/** The compiled worker entry, next to this file (dist/main/historian/historian-worker.js). */
export function workerEntry(): string {
  return join(__dirname, 'historian-worker.js');
}

export class WorkerWriterHost implements WriterHost {
  readonly kind = 'worker';
  private readonly worker: Worker;
  private last: WriterStatus = emptyStatus();
  private posted = 0;
  private lost = 0;
  private nextId = 1;
  private readonly waiters = new Map<number, (s: WriterStatus) => void>();
  private readonly backlogWaiters: { below: number; resolve: () => void }[] = [];
  private ready = false;
  private exited = false;
  private failed: Error | null = null;
  private failedAt = 0;
  private closing = false;

  constructor(
    init: WorkerInit,
    /** called when the worker cannot start or dies: the caller falls back or reports */
    private readonly onFailure: (err: Error, started: boolean) => void,
  ) {
    this.worker = new Worker(workerEntry(), { workerData: init });
    this.worker.on('message', (m: FromWriter) => this.receive(m));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => {
      if (!this.closing) this.fail(new Error(`historian writer thread exited with code ${code}`));
      this.exited = true;
      this.releaseWaiters();
    });
  }

  write(batch: TaggedBatch, now: number): void {
    if (this.failed) {
      this.lost += batch.length;
      return;
    }
    this.posted += batch.length;
    const buffers = [batch.tag, batch.ts, batch.sourceTs, batch.quality, batch.kind, batch.num].map((a) => a.buffer as ArrayBuffer);
    this.post({ type: 'write', batch, now }, buffers);
  }

  sync(now: number): Promise<WriterStatus> {
    return this.request((id) => ({ type: 'sync', id, now }));
  }

  maintain(now: number): Promise<WriterStatus> {
    return this.request((id) => ({ type: 'maintain', id, now }));
  }

  configure(retention: RetentionConfig): void {
    this.post({ type: 'configure', retention });
  }

  status(): WriterStatus {
    if (this.failed && !this.closing) {
      return {
        ...this.last,
        state: 'error',
        error: { code: 'writer_failed', message: this.failed.message, since: this.failedAt },
        pendingSamples: 0,
        droppedSamples: this.last.droppedSamples + this.lost,
      };
    }
    return { ...this.last, droppedSamples: this.last.droppedSamples + this.lost };
  }

  backlog(): number {
    if (this.failed) return 0;
    return Math.max(0, this.posted - this.last.committedSamples - this.last.droppedSamples);
  }

  /** Resolves when fewer than `below` samples are in flight (benchmarks pace themselves). */
  whenBacklogBelow(below: number): Promise<void> {
    if (this.backlog() < below) return Promise.resolve();
    return new Promise((resolve) => this.backlogWaiters.push({ below, resolve }));
  }

  async close(): Promise<void> {
    if (this.closing) return;
    if (this.exited) return;
    const done = this.request((id) => ({ type: 'close', id }));
    this.closing = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        log.error('the writer thread did not close within 30 s; stopping it');
        resolve();
      }, 30_000);
    });
    await Promise.race([done, timeout]);
    clearTimeout(timer);
    await this.worker.terminate();
  }

  private request(make: (id: number) => ToWriter): Promise<WriterStatus> {
    if (this.exited || this.failed) return Promise.resolve(this.status());
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiters.set(id, resolve);
      this.post(make(id));
    });
  }

  private post(m: ToWriter, transfer: ArrayBuffer[] = []): void {
    try {
      this.worker.postMessage(m, transfer);
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private receive(m: FromWriter): void {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.last = m.status;
        break;
      case 'status':
        this.last = m.status;
        break;
      case 'done':
        this.last = m.status;
        this.waiters.get(m.id)?.(m.status);
        this.waiters.delete(m.id);
        break;
      case 'fatal':
        this.fail(new Error(m.message));
        break;
    }
    for (let i = this.backlogWaiters.length - 1; i >= 0; i--) {
      if (this.backlog() < this.backlogWaiters[i].below) {
        this.backlogWaiters[i].resolve();
        this.backlogWaiters.splice(i, 1);
      }
    }
  }

  private fail(err: Error): void {
    if (this.closing || this.failed) return;
    // What the thread had not committed is lost with it (the batches were transferred to it).
    this.lost += this.backlog();
    this.failed = err;
    this.failedAt = Date.now();
    log.error(`historian writer thread: ${err.message}; ${this.lost} samples lost with it`);
    void this.worker.terminate();
    this.onFailure(err, this.ready);
  }

  private releaseWaiters(): void {
    const s = this.status();
    for (const w of this.waiters.values()) w(s);
    this.waiters.clear();
    for (const w of this.backlogWaiters) w.resolve();
    this.backlogWaiters.length = 0;
  }
}
