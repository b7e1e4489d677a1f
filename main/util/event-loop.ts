/**
 * Long work on the event loop's thread, cut into short slices so that timers and I/O (a scan's
 * next read, a device's answer, a request timeout) run between them instead of after all of it.
 */

/** Resolves after the I/O and timers that are due now have had their turn. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Measures the current slice: `due()` says when the slice has run `sliceMs`; `yield()` then
 * gives the loop its turn and starts the next one. Cheap enough to ask every few hundred items.
 */
export class TimeSlicer {
  private started: number;

  constructor(
    private readonly sliceMs = 10,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
  }

  due(): boolean {
    return this.now() - this.started >= this.sliceMs;
  }

  async yield(): Promise<void> {
    await yieldToEventLoop();
    this.started = this.now();
  }
}
