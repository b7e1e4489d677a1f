import type { ApiEvent, ApiEvents, EventName } from '../../shared/api';

type AnyListener = (data: never) => void;

/** Fan-out of pushed events to listeners; one throwing listener does not starve the others. */
export class EventListeners {
  private readonly byEvent = new Map<EventName, Set<AnyListener>>();

  add<E extends EventName>(event: E, listener: (data: ApiEvents[E]) => void): () => void {
    let set = this.byEvent.get(event);
    if (set === undefined) {
      set = new Set();
      this.byEvent.set(event, set);
    }
    const stored = listener as AnyListener;
    set.add(stored);
    return () => {
      set.delete(stored);
    };
  }

  dispatch(event: ApiEvent): void {
    const set = this.byEvent.get(event.event);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        (listener as (data: ApiEvent['data']) => void)(event.data);
      } catch (err) {
        console.error(`listener for "${event.event}" failed`, err);
      }
    }
  }
}
