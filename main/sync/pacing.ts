/**
 * Network manners: exponential backoff with jitter between connection attempts (so a hundred
 * PCs do not reconnect in step after a broker restart), and a token bucket that caps the bytes
 * per second a sink sends (so a backlog does not saturate the OT link).
 */
import type { Clock } from '../util/clock';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/**
 * delay(k) = min(max, initial × 2^k) × (0.5 + 0.5 × random): "equal jitter" — never less than
 * half the nominal delay (no hammering), spread over the other half.
 */
export class Backoff {
  private attempt = 0;
  constructor(
    private readonly o: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const nominal = Math.min(this.o.maxMs, this.o.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(nominal * (0.5 + 0.5 * this.random()));
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}

/**
 * Bytes per second with a burst of `burstBytes`. A send may take the bucket below zero (a
 * batch is never split for it); the next waits until it is positive again.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly bytesPerSecond: number,
    private readonly burstBytes: number,
    private readonly clock: Clock,
  ) {
    this.tokens = burstBytes;
    this.at = clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burstBytes, this.tokens + ((now - this.at) * this.bytesPerSecond) / 1000);
    this.at = now;
  }

  /** ms until a send may go (0: now). */
  waitMs(): number {
    this.refill();
    return this.tokens > 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.bytesPerSecond) + 1;
  }

  take(bytes: number): void {
    this.refill();
    this.tokens -= bytes;
  }
}

/** Events per second over a sliding window (throughput on the status screen). */
export class RateMeter {
  private readonly buckets: number[];
  private bucketAt: number;

  constructor(
    private readonly clock: Clock,
    private readonly windowS = 10,
  ) {
    this.buckets = new Array<number>(windowS).fill(0);
    this.bucketAt = Math.floor(clock.now() / 1000);
  }

  private advance(): void {
    const s = Math.floor(this.clock.now() / 1000);
    const steps = Math.min(this.windowS, s - this.bucketAt);
    for (let i = 1; i <= steps; i++) this.buckets[(this.bucketAt + i) % this.windowS] = 0;
    if (s > this.bucketAt) this.bucketAt = s;
  }

  add(n: number): void {
    this.advance();
    this.buckets[this.bucketAt % this.windowS] += n;
  }

  perSecond(): number {
    this.advance();
    return this.buckets.reduce((a, b) => a + b, 0) / this.windowS;
  }
}
