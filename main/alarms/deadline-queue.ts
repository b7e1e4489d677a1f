/**
 * Many deadlines (on/off delays, shelve expiries, time-based re-checks), one clock timer: a
 * binary min-heap of (time, key), with the single timer set for the earliest. A key has at most
 * one live deadline: setting it again supersedes the old entry, which is skipped when it
 * surfaces (lazy deletion), so setting and cancelling are O(log n) and O(1).
 */
import type { Clock, TimerHandle } from '../util/clock';

export class DeadlineQueue {
  private times: number[] = [];
  private keys: string[] = [];
  private gens: number[] = [];
  /** the live deadline per key: its generation */
  private readonly live = new Map<string, { at: number; gen: number }>();
  private nextGen = 1;
  private timer: TimerHandle | null = null;
  private timerAt = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: (key: string, at: number) => void,
  ) {}

  get size(): number {
    return this.live.size;
  }

  at(key: string): number | undefined {
    return this.live.get(key)?.at;
  }

  set(key: string, at: number): void {
    const current = this.live.get(key);
    if (current !== undefined && current.at === at) return;
    const gen = this.nextGen++;
    // superseded entries wait in the heap until they surface; rebuild when they pile up
    if (this.times.length > 1024 && this.times.length > 4 * this.live.size) this.compact();
    this.live.set(key, { at, gen });
    this.push(at, key, gen);
    if (at < this.timerAt) this.arm();
  }

  cancel(key: string): void {
    this.live.delete(key);
  }

  stop(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    this.live.clear();
    this.times = [];
    this.keys = [];
    this.gens = [];
  }

  /** Fires every deadline due by now, in time order (including ones set while firing). */
  runDue(): void {
    for (;;) {
      this.dropDead();
      if (this.times.length === 0 || this.times[0] > this.clock.now()) break;
      const at = this.times[0];
      const key = this.keys[0];
      this.pop();
      this.live.delete(key);
      this.onDue(key, at);
    }
    this.arm();
  }

  private arm(): void {
    this.dropDead();
    const next = this.times.length > 0 ? this.times[0] : Infinity;
    if (next === this.timerAt && this.timer !== null) return;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = next;
    if (next === Infinity) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.runDue();
    }, Math.max(0, next - this.clock.now()));
  }

  private compact(): void {
    this.times = [];
    this.keys = [];
    this.gens = [];
    for (const [key, l] of this.live) this.push(l.at, key, l.gen);
  }

  private dropDead(): void {
    while (this.times.length > 0) {
      const l = this.live.get(this.keys[0]);
      if (l !== undefined && l.gen === this.gens[0]) return;
      this.pop();
    }
  }

  private push(at: number, key: string, gen: number): void {
    const t = this.times;
    let i = t.length;
    t.push(at);
    this.keys.push(key);
    this.gens.push(gen);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (t[parent] <= at) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private pop(): void {
    const t = this.times;
    const last = t.length - 1;
    this.swap(0, last);
    t.pop();
    this.keys.pop();
    this.gens.pop();
    let i = 0;
    const n = t.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && t[l] < t[m]) m = l;
      if (r < n && t[r] < t[m]) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(a: number, b: number): void {
    [this.times[a], this.times[b]] = [this.times[b], this.times[a]];
    [this.keys[a], this.keys[b]] = [this.keys[b], this.keys[a]];
    [this.gens[a], this.gens[b]] = [this.gens[b], this.gens[a]];
  }
}
