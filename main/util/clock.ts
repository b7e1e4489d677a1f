/** Time and timers behind an interface, so tests drive time instead of sleeping. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export interface TimerHandle {
  readonly id: number;
}

let nextId = 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    const handle = { id: nextId++, t };
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout((handle as unknown as { t: NodeJS.Timeout }).t);
  },
};

/** A manual clock for tests: `advance(ms)` runs due timers in time order. */
export class FakeClock implements Clock {
  private time: number;
  private timers = new Map<number, { at: number; fn: () => void }>();
  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), fn });
    return { id };
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }
  /** Advances time, firing timers due on the way (including ones they schedule). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let nextKey: number | undefined;
      let nextAt = Infinity;
      for (const [k, t] of this.timers) {
        if (t.at < nextAt || (t.at === nextAt && nextKey !== undefined && k < nextKey)) {
          nextAt = t.at;
          nextKey = k;
        }
      }
      if (nextKey === undefined || nextAt > end) break;
      const timer = this.timers.get(nextKey)!;
      this.timers.delete(nextKey);
      this.time = nextAt;
      timer.fn();
    }
    this.time = end;
  }
  pendingTimers(): number {
    return this.timers.size;
  }
}
