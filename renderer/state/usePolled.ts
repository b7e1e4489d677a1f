import { useCallback, useEffect, useRef, useState } from 'react';
import type { LinesideClient } from '../../shared/api';
import { useServices } from './services';

export interface Polled<T> {
  data: T | null;
  error: string | null;
  /** ask again now (after an action), rather than at the next tick */
  refresh: () => void;
}

/**
 * Figures that change with every request (counters, backlogs) are asked for every `everyMs`
 * while a screen shows them, not pushed. A new `key` (or null: nothing to ask) starts over;
 * answers that arrive after the screen moved on are dropped.
 */
export function usePolled<T>(key: string | null, everyMs: number, load: (client: LinesideClient) => Promise<T>): Polled<T> {
  const { client } = useServices();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loadRef = useRef<() => void>(() => undefined);
  const loader = useRef(load);
  loader.current = load;
  useEffect(() => {
    if (key === null) return;
    let alive = true;
    const run = async () => {
      try {
        const result = await loader.current(client);
        if (!alive) return;
        setData(result);
        setError(null);
      } catch (err) {
        if (alive) setError(err instanceof Error ? err.message : String(err));
      }
    };
    loadRef.current = () => void run();
    void run();
    const timer = setInterval(() => void run(), everyMs);
    return () => {
      alive = false;
      loadRef.current = () => undefined;
      clearInterval(timer);
    };
  }, [client, key, everyMs]);
  const refresh = useCallback(() => loadRef.current(), []);
  return { data, error, refresh };
}
