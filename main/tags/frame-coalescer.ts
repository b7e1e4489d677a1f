import type { Clock, TimerHandle } from '../util/clock';
import type { TagValue } from '../../shared/types';

/**
 * Turns the stream of value batches into frames for the UI: on average at most one frame per
 * interval, holding the latest value of each tag that changed (value, quality or source time)
 * since the previous frame. A burst of a thousand updates to one tag becomes one entry.
 *
 * The rate is kept by a token bucket (one token per interval, at most 2 banked), not by a
 * fixed gap after the last frame: with a fixed gap, a 100 ms scan and a 100 ms interval lock
 * into phase, and every frame then waits as long as the slowest scan answer ever did (measured:
 * change-to-pixel p50 105 ms instead of ~60). A late batch banks time, so the next one goes out
 * at once.
 */
export class FrameCoalescer {
  private pending = new Map<string, TagValue>();
  private timer: TimerHandle | null = null;
  private tokens = 1;
  private lastRefill: number | null = null;
  private static readonly BURST = 2;

  constructor(
    private readonly intervalMs: number,
    private readonly clock: Clock,
    private readonly emit: (values: TagValue[]) => void,
  ) {}

  private refill(): void {
    const now = this.clock.now();
    if (this.lastRefill !== null) this.tokens = Math.min(FrameCoalescer.BURST, this.tokens + (now - this.lastRefill) / this.intervalMs);
    this.lastRefill = now;
  }

  push(batch: readonly TagValue[]): void {
    for (const v of batch) this.pending.set(v.tagId, v);
    if (this.pending.size === 0 || this.timer) return;
    this.refill();
    const wait = this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) * this.intervalMs);
    this.timer = this.clock.setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = null;
    this.refill();
    this.tokens = Math.max(0, this.tokens - 1);
    if (this.pending.size === 0) return;
    const values = [...this.pending.values()];
    this.pending.clear();
    this.emit(values);
  }

  stop(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }
}
