/**
 * The latest value of every tag, fed by snapshots and `values` frames. Listeners subscribe per
 * tag, so a frame re-renders only the rows whose values it carries: applying a frame is
 * O(values in the frame).
 */
import type { ScanConfirmation, TagValue } from '../../shared/types';

/** How a value looks while the runtime is out of reach: held, not live. */
const STALE = Object.freeze({ level: 'uncertain', reason: 'stale' }) as TagValue['quality'];

type Listener = () => void;

export class LiveValueStore {
  private readonly values = new Map<string, TagValue>();
  private readonly tagListeners = new Map<string, Set<Listener>>();
  private readonly confirmed = new Map<string, number>();

  get(tagId: string): TagValue | undefined {
    return this.values.get(tagId);
  }

  subscribeTag(tagId: string, listener: Listener): () => void {
    let set = this.tagListeners.get(tagId);
    if (set === undefined) {
      set = new Set();
      this.tagListeners.set(tagId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.tagListeners.get(tagId) === set) this.tagListeners.delete(tagId);
    };
  }

  /** The runtime's word on how fresh each scan group's readings are (the `confirmations` event). */
  confirm(groups: readonly ScanConfirmation[]): void {
    for (const g of groups) if (g.confirmedAt !== null) this.confirmed.set(`${g.deviceId}/${g.scanMs}`, g.confirmedAt);
  }

  /**
   * When this value was last confirmed by its device: its own time, or later when its scan
   * group has been read since (a good value that did not change). Not good: its own time only.
   */
  confirmedAt(value: TagValue, deviceId: string, scanMs: number): number {
    const own = Math.max(value.sourceTs, value.quality.level === 'good' ? value.ts : value.sourceTs);
    if (value.quality.level !== 'good') return own;
    return Math.max(own, this.confirmed.get(`${deviceId}/${scanMs}`) ?? own);
  }

  /**
   * The runtime is out of reach: every good value is held, not live, and shows as stale until
   * the runtime's snapshot after reconnecting replaces it (its own times are kept, so any
   * newer value from the runtime wins).
   */
  markAllStale(): void {
    const changed: string[] = [];
    for (const [tagId, v] of this.values) {
      if (v.quality.level !== 'good') continue;
      this.values.set(tagId, { ...v, quality: STALE });
      changed.push(tagId);
    }
    this.notify(changed);
  }

  /**
   * Takes values newer than (or as new as) what we hold. A snapshot fetched while frames were
   * already arriving therefore cannot roll a tag back to an older value.
   */
  apply(values: readonly TagValue[]): void {
    const changed: string[] = [];
    for (const v of values) {
      const held = this.values.get(v.tagId);
      if (held !== undefined && held.ts > v.ts) continue;
      this.values.set(v.tagId, v);
      changed.push(v.tagId);
    }
    this.notify(changed);
  }

  private notify(changed: readonly string[]): void {
    for (const tagId of changed) {
      const set = this.tagListeners.get(tagId);
      if (set === undefined) continue;
      for (const listener of [...set]) listener();
    }
  }
}
