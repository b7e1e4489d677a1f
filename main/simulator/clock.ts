/**
 * The simulator's only source of time. Everything that waits or schedules takes one, so tests
 * can drive the model and the dropout gate with fake time instead of sleeping.
 */
export interface SimulatorClock {
  /** epoch milliseconds, UTC */
  now(): number;
  setTimeout(fn: () => void, ms: number): ClockTimer;
  setInterval(fn: () => void, ms: number): ClockTimer;
  clear(timer: ClockTimer): void;
}

/** Opaque handle; only the clock that made it can clear it. */
export interface ClockTimer {
  readonly __clockTimer: true;
}

interface SystemTimer extends ClockTimer {
  handle: NodeJS.Timeout;
  kind: 'timeout' | 'interval';
}

export const systemClock: SimulatorClock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t: SystemTimer = { __clockTimer: true, handle: setTimeout(fn, ms), kind: 'timeout' };
    return t;
  },
  setInterval(fn, ms) {
    const t: SystemTimer = { __clockTimer: true, handle: setInterval(fn, ms), kind: 'interval' };
    return t;
  },
  clear(timer) {
    const t = timer as SystemTimer;
    if (t.kind === 'interval') clearInterval(t.handle);
    else clearTimeout(t.handle);
  },
};
