import type { Quality } from '../../shared/quality';
import type { TagScalar, TagValue } from '../../shared/types';
import type { Clock, TimerHandle } from '../util/clock';
import { isPushingDriver, type Driver, type DriverReading, type DriverTag, type ReadPlan } from '../drivers/driver';
import { scaleValue, type LinearScaling } from './scaling';

export interface AcquiredTag {
  id: string;
  deviceId: string;
  scanMs: number;
  driverTag: DriverTag;
  scaling?: LinearScaling;
}

export interface ScanGroupStats {
  scans: number;
  overruns: number;
  lastDurationMs: number;
}

interface HeldValue {
  value: TagScalar | null;
  quality: Quality;
  sourceTs: number;
  /** when a read last confirmed the value */
  confirmedAt: number;
  /** when it was last put on the bus */
  publishedAt: number;
}

/** An unchanged sample is put on the bus again after this long (a heartbeat for consumers). */
export const REPUBLISH_MS = 10_000;

/** A value is stale (uncertain) when no read has confirmed it for this many scan periods. */
export const STALE_AFTER_SCANS = 3;

/**
 * Reads one device's tags of one scan rate, every `scanMs`, on a fixed grid (no drift).
 * A scan that is still running when the next is due is skipped and counted as an overrun,
 * never queued: queued scans would deliver ever older data.
 */
export class ScanGroup {
  private readonly plan: ReadPlan;
  /** built once: a pushing driver delivers many small batches, each looked up here */
  private readonly byTag: ReadonlyMap<string, AcquiredTag>;
  private timer: TimerHandle | null = null;
  private inFlight = false;
  private nextAt = 0;
  private readonly last = new Map<string, HeldValue>();
  private lastConfirmedAt: number | null = null;
  readonly stats: ScanGroupStats = { scans: 0, overruns: 0, lastDurationMs: 0 };
  private stopped = true;
  /** drivers that push changes (OPC UA subscriptions) deliver between scans too */
  private stopPush: (() => void) | null = null;

  constructor(
    readonly driver: Driver,
    readonly scanMs: number,
    private readonly tags: readonly AcquiredTag[],
    private readonly clock: Clock,
    private readonly publish: (batch: TagValue[]) => void,
  ) {
    this.plan = driver.plan(tags.map((t) => t.driverTag));
    this.byTag = new Map(tags.map((t) => [t.driverTag.tagId, t]));
  }

  /** when a read last confirmed at least one of the group's values (null before the first) */
  get confirmedAt(): number | null {
    return this.lastConfirmedAt;
  }

  get requestsPerScan(): number {
    return this.plan.requestCount;
  }

  start(): void {
    this.stopped = false;
    const now = this.clock.now();
    this.nextAt = now;
    for (const t of this.tags) {
      this.last.set(t.id, { value: null, quality: { level: 'bad', reason: 'waiting' }, sourceTs: now, confirmedAt: now, publishedAt: now });
    }
    if (isPushingDriver(this.driver)) {
      this.stopPush = this.driver.onReadings(this.plan, (readings) => {
        if (!this.stopped) this.apply(readings);
      });
    }
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.stopPush?.();
    this.stopPush = null;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** The held values, with their current quality. */
  values(): TagValue[] {
    const now = this.clock.now();
    return this.tags.map((t) => {
      const l = this.last.get(t.id)!;
      return { tagId: t.id, value: l.value, quality: l.quality, sourceTs: l.sourceTs, ts: now };
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    const delay = Math.max(0, this.nextAt - this.clock.now());
    this.timer = this.clock.setTimeout(() => this.tick(), delay);
  }

  private tick(): void {
    this.timer = null;
    const now = this.clock.now();
    // next slot on the grid after now
    do this.nextAt += this.scanMs;
    while (this.nextAt <= now);
    this.schedule();
    if (this.inFlight) {
      this.stats.overruns++;
      this.markStale(now);
      return;
    }
    this.inFlight = true;
    const started = now;
    this.driver.read(this.plan).then(
      (readings) => {
        this.inFlight = false;
        if (this.stopped) return;
        this.stats.scans++;
        this.stats.lastDurationMs = this.clock.now() - started;
        this.apply(readings);
      },
      () => {
        // Drivers answer device trouble with qualities; a rejection is a bug, but the scan
        // must go on and the values must not stay good.
        this.inFlight = false;
        if (this.stopped) return;
        const ts = this.clock.now();
        this.apply(this.tags.map((t) => ({ tagId: t.id, value: null, quality: { level: 'bad', reason: 'comm_failure' }, sourceTs: ts })));
      },
    );
  }

  private apply(readings: readonly DriverReading[]): void {
    const now = this.clock.now();
    const batch: TagValue[] = [];
    for (const r of readings) {
      const tag = this.byTag.get(r.tagId);
      if (!tag) continue;
      const prev = this.last.get(tag.id)!;
      let next: HeldValue;
      if (r.value === null || r.quality.level === 'bad') {
        // Hold the last value, say why it is not good.
        next = { value: prev.value, quality: r.quality, sourceTs: prev.sourceTs, confirmedAt: prev.confirmedAt, publishedAt: prev.publishedAt };
      } else {
        const scaled = scaleValue(r.value, tag.scaling, r.quality);
        next = { value: scaled.value, quality: scaled.quality, sourceTs: r.sourceTs, confirmedAt: now, publishedAt: prev.publishedAt };
        this.lastConfirmedAt = now;
      }
      // The same sample again (a subscription's value answered from memory, an unchanged
      // server timestamp) is confirmed here but not re-published more than every
      // REPUBLISH_MS: downstream consumers see changes, and a heartbeat of the rest.
      const same =
        next.value === prev.value && next.sourceTs === prev.sourceTs && next.quality.level === prev.quality.level && next.quality.reason === prev.quality.reason;
      if (!same || now - prev.publishedAt >= REPUBLISH_MS) {
        next.publishedAt = now;
        batch.push({ tagId: tag.id, value: next.value, quality: next.quality, sourceTs: next.sourceTs, ts: now });
      }
      this.last.set(tag.id, next);
    }
    this.publish(batch);
  }

  private markStale(now: number): void {
    const batch: TagValue[] = [];
    for (const t of this.tags) {
      const l = this.last.get(t.id)!;
      if (l.quality.level === 'good' && now - l.confirmedAt > STALE_AFTER_SCANS * this.scanMs) {
        l.quality = { level: 'uncertain', reason: 'stale' };
        l.publishedAt = now;
        batch.push({ tagId: t.id, value: l.value, quality: l.quality, sourceTs: l.sourceTs, ts: now });
      }
    }
    this.publish(batch);
  }
}
