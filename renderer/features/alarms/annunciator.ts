/**
 * Audible annunciation of new high-priority alarms: a Web Audio oscillator (no audio files),
 * a distinct pattern per priority, repeating until silenced or until nothing audible is left
 * unacknowledged. A new occurrence sounds again after a silence.
 *
 * Browsers may keep audio suspended until the user has touched the page (autoplay policy;
 * headless Chromium too). Then the horn reports `blocked`, the banner says so, and the first
 * touch anywhere enables it. Nothing here throws.
 */
export type HornState = 'idle' | 'sounding' | 'silenced' | 'blocked';

interface Pattern {
  hz: number;
  onMs: number;
  offMs: number;
}
/** urgent: fast, high; high: slower, lower. Other priorities do not sound. */
const PATTERNS: Record<number, Pattern> = {
  1: { hz: 1046, onMs: 180, offMs: 180 },
  2: { hz: 784, onMs: 350, offMs: 650 },
  3: { hz: 660, onMs: 500, offMs: 1500 },
  4: { hz: 523, onMs: 500, offMs: 2500 },
};

type AudioContextCtor = new () => AudioContext;

export class Annunciator {
  private ctx: AudioContext | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private priority: number | null = null;
  private _state: HornState = 'idle';
  private readonly listeners = new Set<() => void>();
  private readonly unlock = () => this.tryResume();

  constructor(private readonly audio: AudioContextCtor | undefined = typeof AudioContext === 'undefined' ? undefined : AudioContext) {
    if (typeof window !== 'undefined') {
      window.addEventListener('pointerdown', this.unlock, { capture: true });
      window.addEventListener('keydown', this.unlock, { capture: true });
      // Creating an AudioContext takes tens of milliseconds (audio output start-up): do it while
      // idle after start, not when the first alarm arrives, possibly in a flood.
      const idle = (window as { requestIdleCallback?: (fn: () => void, o?: { timeout: number }) => number }).requestIdleCallback;
      if (idle) idle(() => this.ensureContext(), { timeout: 3000 });
      else setTimeout(() => this.ensureContext(), 1000);
    }
  }

  get state(): HornState {
    return this._state;
  }

  readonly subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => {
      this.listeners.delete(l);
    };
  };

  readonly getState = (): HornState => this._state;

  /** A new alarm of this priority: sound (the most urgent pattern wins). */
  sound(priority: number): void {
    if (this.priority === null || priority < this.priority) this.priority = priority;
    this.setState('sounding');
    this.ensureContext();
    if (this.ctx?.state !== 'running') {
      this.tryResume();
      // resume() is asynchronous: until it resolves the horn counts as blocked
      this.setState('blocked');
    }
    if (this.timer === null) this.beep();
  }

  /** The operator silenced it: quiet until the next new alarm. */
  silence(): void {
    this.stopPattern();
    if (this._state !== 'idle') this.setState('silenced');
  }

  /** Nothing audible left to acknowledge. */
  stop(): void {
    this.stopPattern();
    this.setState('idle');
  }

  dispose(): void {
    this.stopPattern();
    if (typeof window !== 'undefined') {
      window.removeEventListener('pointerdown', this.unlock, { capture: true });
      window.removeEventListener('keydown', this.unlock, { capture: true });
    }
    void this.ctx?.close().catch(() => undefined);
    this.ctx = null;
  }

  private stopPattern(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.priority = null;
  }

  private beep(): void {
    const p = PATTERNS[this.priority ?? 2] ?? PATTERNS[2];
    const ctx = this.ctx;
    if (ctx !== null && ctx.state === 'running') {
      try {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = 'square';
        osc.frequency.value = p.hz;
        const t = ctx.currentTime;
        // short ramps: no clicks
        gain.gain.setValueAtTime(0, t);
        gain.gain.linearRampToValueAtTime(0.18, t + 0.01);
        gain.gain.setValueAtTime(0.18, t + p.onMs / 1000 - 0.01);
        gain.gain.linearRampToValueAtTime(0, t + p.onMs / 1000);
        osc.connect(gain).connect(ctx.destination);
        osc.start(t);
        osc.stop(t + p.onMs / 1000 + 0.02);
        if (this._state === 'blocked') this.setState('sounding');
      } catch {
        this.setState('blocked');
      }
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this._state === 'sounding' || this._state === 'blocked') this.beep();
    }, p.onMs + p.offMs);
  }

  private ensureContext(): void {
    if (this.ctx !== null || this.audio === undefined) return;
    try {
      this.ctx = new this.audio();
    } catch {
      this.ctx = null;
    }
  }

  private tryResume(): void {
    this.ensureContext();
    const ctx = this.ctx;
    if (ctx === null || ctx.state === 'running') return;
    ctx.resume().then(
      () => {
        if (this._state === 'blocked') this.setState('sounding');
      },
      () => undefined,
    );
  }

  private setState(s: HornState): void {
    if (this._state === s) return;
    this._state = s;
    for (const l of [...this.listeners]) l();
  }
}
