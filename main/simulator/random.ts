/**
 * Seeded pseudo-random numbers, so a model run is reproducible from its seed (tests assert on
 * physics with a fixed seed; a demo can replay the same shift).
 */
export class SeededRandom {
  private state: number;
  private spareGaussian: number | null = null;

  constructor(seed: number) {
    // Zero would be a fixed point of some generators; mulberry32 copes, but keep seeds distinct.
    this.state = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  }

  /** uniform in [0, 1) — mulberry32: tiny, fast, good enough for noise */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** standard normal (Box–Muller, both values used) */
  gaussian(): number {
    if (this.spareGaussian !== null) {
      const g = this.spareGaussian;
      this.spareGaussian = null;
      return g;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareGaussian = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}
