import type { TagValue } from '../../shared/types';

/** The current value of every tag, with its quality and timestamps. */
export class LiveValueCache {
  private values = new Map<string, TagValue>();

  constructor(initial: readonly TagValue[] = []) {
    for (const v of initial) this.values.set(v.tagId, v);
  }

  apply(batch: readonly TagValue[]): void {
    for (const v of batch) this.values.set(v.tagId, v);
  }

  get(tagId: string): TagValue | undefined {
    return this.values.get(tagId);
  }

  snapshot(tagIds?: readonly string[]): TagValue[] {
    if (!tagIds) return [...this.values.values()];
    const out: TagValue[] = [];
    for (const id of tagIds) {
      const v = this.values.get(id);
      if (v) out.push(v);
    }
    return out;
  }
}
