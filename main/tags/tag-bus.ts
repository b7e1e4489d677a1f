import type { TagValue } from '../../shared/types';

/**
 * Fan-out of value batches from acquisition to every consumer (live cache, historian, frames to
 * the UI, later alarms and sync). Publishing is synchronous and in order; a consumer that throws
 * is reported and does not stop the others.
 */
export type TagBatchListener = (batch: readonly TagValue[]) => void;

export class TagBus {
  private listeners = new Set<TagBatchListener>();
  constructor(private readonly onListenerError: (err: unknown) => void = () => {}) {}

  subscribe(listener: TagBatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(batch: readonly TagValue[]): void {
    if (batch.length === 0) return;
    for (const l of this.listeners) {
      try {
        l(batch);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }
}
