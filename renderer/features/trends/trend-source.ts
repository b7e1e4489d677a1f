/**
 * The data behind a multi-pen trend, outside React: history from the runtime for the visible
 * range, at about one point per pixel column, plus live values appended in live mode. The chart
 * subscribes and redraws; React only hears about status changes (loading, resolution, errors),
 * so a 10 Hz live feed does not re-render the screen.
 */
import type { LinesideClient } from '../../../shared/api';
import type { TagInfo } from '../../../shared/types';
import type { LiveValueStore } from '../../state/live-value-store';
import type { MessageStore } from '../../state/message-store';
import { bucketMsFor, TrendColumns } from './trend-columns';
import type { TrendWindow } from './trend-range';
import { chartValueOf } from './trend-values';

export interface TrendSourceStatus {
  loading: boolean;
  /** the range the current data was asked for */
  from: number;
  to: number;
  /** the historian reduced some pen to min/max per column (zoom in for every sample) */
  decimated: boolean;
  error: string | null;
  /** bumps when a load completes */
  loads: number;
}

export interface TrendSourceConfig {
  tags: readonly TagInfo[];
  window: TrendWindow;
  widthPx: number;
  generation: number;
}

type Listener = () => void;

export class TrendSource {
  private cfg: TrendSourceConfig | null = null;
  private cols: TrendColumns | null = null;
  private seq = 0;
  private unsubscribeLive: (() => void)[] = [];
  private readonly dataListeners = new Set<Listener>();
  private readonly statusListeners = new Set<Listener>();
  private status: TrendSourceStatus = { loading: false, from: 0, to: 0, decimated: false, error: null, loads: 0 };

  constructor(
    private readonly client: LinesideClient,
    private readonly values: LiveValueStore,
    private readonly messages: MessageStore,
    private readonly now: () => number = Date.now,
  ) {}

  get columns(): TrendColumns | null {
    return this.cols;
  }

  get tags(): readonly TagInfo[] {
    return this.cfg?.tags ?? [];
  }

  getStatus = (): TrendSourceStatus => this.status;

  subscribeStatus = (l: Listener): (() => void) => {
    this.statusListeners.add(l);
    return () => this.statusListeners.delete(l);
  };

  subscribeData(l: Listener): () => void {
    this.dataListeners.add(l);
    return () => this.dataListeners.delete(l);
  }

  /** The current good live value of every pen (null where it is not good), for drawing to now. */
  held(): (number | null)[] {
    return (this.cfg?.tags ?? []).map((t) => chartValueOf(this.values.get(t.id)));
  }

  private setStatus(patch: Partial<TrendSourceStatus>): void {
    this.status = { ...this.status, ...patch };
    for (const l of [...this.statusListeners]) l();
  }

  private changed(): void {
    for (const l of [...this.dataListeners]) l();
  }

  /** Whether a new configuration needs new data (a different pen list, range, resolution or connection). */
  private needsReload(next: TrendSourceConfig): boolean {
    const cur = this.cfg;
    if (cur === null) return true;
    if (cur.generation !== next.generation) return true;
    if (cur.tags.length !== next.tags.length || cur.tags.some((t, i) => t.id !== next.tags[i].id)) return true;
    const a = cur.window;
    const b = next.window;
    if (a.mode !== b.mode) return true;
    if (a.mode === 'live' && b.mode === 'live') {
      return a.spanMs !== b.spanMs || bucketMsFor(a.spanMs, cur.widthPx) !== bucketMsFor(b.spanMs, next.widthPx);
    }
    if (a.mode === 'history' && b.mode === 'history') {
      return a.from !== b.from || a.to !== b.to || Math.abs(cur.widthPx - next.widthPx) > 40;
    }
    return true;
  }

  configure(next: TrendSourceConfig): void {
    if (!this.needsReload(next)) {
      this.cfg = next;
      return;
    }
    const pensChanged = this.cfg === null || this.cfg.tags.length !== next.tags.length || this.cfg.tags.some((t, i) => t.id !== next.tags[i].id);
    this.cfg = next;
    this.stopLive();
    // the same pens over another range keep showing (scaled) until the new data arrives
    if (pensChanged) this.cols = null;
    const seq = ++this.seq;
    const { tags, window, widthPx, generation } = next;
    if (tags.length === 0 || generation === 0) {
      this.cols = null;
      this.setStatus({ loading: false, decimated: false, error: null });
      this.changed();
      return;
    }
    const now = this.now();
    const from = window.mode === 'live' ? now - window.spanMs : window.from;
    const to = window.mode === 'live' ? now : window.to;
    const bucketMs = bucketMsFor(to - from, widthPx);
    const ids = tags.map((t) => t.id);

    // Live: values arriving while the history loads are kept and added after it.
    const early: [number, number, number | null][] = [];
    let seeded = false;
    let fresh: TrendColumns | null = null;
    if (window.mode === 'live') {
      this.unsubscribeLive = ids.map((id, pen) =>
        this.values.subscribeTag(id, () => {
          const v = this.values.get(id);
          if (v === undefined) return;
          const point: [number, number, number | null] = [pen, v.ts, chartValueOf(v)];
          if (!seeded || fresh === null) {
            early.push(point);
            return;
          }
          fresh.add(point[0], point[1], point[2]);
          this.changed();
        }),
      );
    }

    this.setStatus({ loading: true, from, to, error: null });
    this.client
      .call('history.trend', { tagIds: ids, from: Math.max(0, Math.floor(from)), to: Math.ceil(to), maxPoints: Math.max(2, Math.min(20_000, Math.round(widthPx))) })
      .then(
        (answer) => {
          if (seq !== this.seq) return;
          const cols = new TrendColumns(ids.length, bucketMs);
          answer.series.forEach((s, pen) => cols.addSeries(pen, s.t, s.v));
          fresh = cols;
          seeded = true;
          for (const [pen, t, v] of early) cols.add(pen, t, v);
          early.length = 0;
          this.cols = cols;
          this.setStatus({ loading: false, decimated: answer.series.some((s) => s.decimated), error: null, loads: this.status.loads + 1 });
          this.changed();
        },
        (err: unknown) => {
          if (seq !== this.seq) return;
          this.messages.reportError('Loading trend history', err);
          const cols = new TrendColumns(ids.length, bucketMs);
          fresh = cols;
          seeded = true;
          for (const [pen, t, v] of early) cols.add(pen, t, v);
          early.length = 0;
          this.cols = cols;
          this.setStatus({ loading: false, error: err instanceof Error ? err.message : String(err), loads: this.status.loads + 1 });
          this.changed();
        },
      );
  }

  /** Live: drops columns that scrolled out of the window. */
  prune(): void {
    const cfg = this.cfg;
    if (cfg === null || this.cols === null || cfg.window.mode !== 'live') return;
    this.cols.pruneBefore(this.now() - cfg.window.spanMs);
  }

  private stopLive(): void {
    for (const u of this.unsubscribeLive) u();
    this.unsubscribeLive = [];
  }

  dispose(): void {
    this.seq++;
    this.stopLive();
    this.dataListeners.clear();
    this.statusListeners.clear();
  }
}
