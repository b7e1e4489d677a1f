/**
 * The latest value of every tag, fed by snapshots and `values` frames. Listeners subscribe per
 * tag, so a frame re-renders only the rows whose values it carries: applying a frame is
 * O(values in the frame).
 */
import type { TagValue } from '../../shared/types';

type Listener = () => void;

export class LiveValueStore {
  private readonly values = new Map<string, TagValue>();
  private readonly tagListeners = new Map<string, Set<Listener>>();

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
    for (const tagId of changed) {
      const set = this.tagListeners.get(tagId);
      if (set === undefined) continue;
      for (const listener of [...set]) listener();
    }
  }
}
