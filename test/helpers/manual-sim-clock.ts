import type { ClockTimer, SimulatorClock } from '../../main/simulator/clock';

/**
 * A simulator clock that moves only when the test says so, so the line's state is known
 * exactly while a driver reads it.
 */
export class ManualSimClock implements SimulatorClock {
  private time: number;
  private readonly intervals = new Map<ClockTimer, { fn: () => void; ms: number; next: number }>();
  constructor(start = Date.now()) {
    this.time = start;
  }
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): ClockTimer {
    const t = { __clockTimer: true as const };
    this.intervals.set(t, { fn: () => { this.intervals.delete(t); fn(); }, ms, next: this.time + ms });
    return t;
  }
  setInterval(fn: () => void, ms: number): ClockTimer {
    const t = { __clockTimer: true as const };
    this.intervals.set(t, { fn, ms, next: this.time + ms });
    return t;
  }
  clear(timer: ClockTimer): void {
    this.intervals.delete(timer);
  }
  /** Advances in steps, firing due timers. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let due: { fn: () => void; ms: number; next: number } | undefined;
      for (const t of this.intervals.values()) if (t.next <= end && (!due || t.next < due.next)) due = t;
      if (!due) break;
      this.time = due.next;
      due.next += due.ms;
      due.fn();
    }
    this.time = end;
  }
}
