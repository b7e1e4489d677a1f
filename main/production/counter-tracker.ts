/**
 * A PLC counter as increments. The PLC's counter only ever counts up, but it wraps at its data
 * type's end and gets reset (by the operator, at a PLC restart). A reading below the last one is
 * a wrap when the last was in the top half and the increment across the wrap is small (under a
 * quarter of the range); anything else below the last is a reset, and the new value is what was
 * counted since it. A value that is not good is no reading: the next good one is compared with
 * the last good one, so nothing bad is ever counted.
 */
export type CounterStep = { kind: 'baseline' } | { kind: 'count'; delta: number } | { kind: 'wrap'; delta: number } | { kind: 'reset'; delta: number } | { kind: 'ignored' };

export class CounterTracker {
  private last: number | null;

  constructor(
    private readonly modulus: number,
    last: number | null = null,
  ) {
    this.last = last;
  }

  /** the last good reading (persisted across restarts) */
  get lastValue(): number | null {
    return this.last;
  }

  /** Forgets the last reading: the next one is a new baseline (after time off). */
  rebaseline(): void {
    this.last = null;
  }

  update(raw: unknown, good: boolean): CounterStep {
    if (!good || typeof raw !== 'number' || !Number.isFinite(raw)) return { kind: 'ignored' };
    const v = raw < 0 ? raw + this.modulus : Math.trunc(raw);
    const last = this.last;
    this.last = v;
    if (last === null) return { kind: 'baseline' };
    if (v >= last) return { kind: 'count', delta: v - last };
    const across = this.modulus - last + v;
    if (last >= this.modulus / 2 && across < this.modulus / 4) return { kind: 'wrap', delta: across };
    return { kind: 'reset', delta: v };
  }
}
