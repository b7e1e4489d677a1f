import type { Clock, TimerHandle } from '../util/clock';
import type { TagValue } from '../../shared/types';

/**
 * Turns the stream of value batches into frames for the UI: at most one frame per interval,
 * holding the latest value of each tag that changed (value, quality or source time) since the
 * previous frame. A burst of a thousand updates to one tag becomes one entry.
 */
export class FrameCoalescer {
  private pending = new Map<string, TagValue>();
  private timer: TimerHandle | null = null;
  private lastFlush = -Infinity;

  constructor(
    private readonly intervalMs: number,
    private readonly clock: Clock,
    private readonly emit: (values: TagValue[]) => void,
  ) {}

  push(batch: readonly TagValue[]): void {
    for (const v of batch) this.pending.set(v.tagId, v);
    if (this.pending.size === 0 || this.timer) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = null;
    this.lastFlush = this.clock.now();
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
