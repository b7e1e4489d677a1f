import { useEffect, useState } from 'react';
import type { LinesideClient } from '../../shared/api';

export type ConnectionView = 'connecting' | 'connected' | 'disconnected';

/** The first connection gets this long before the UI calls it lost (no banner flash at start). */
const FIRST_CONNECT_GRACE_MS = 2_000;

/**
 * The transport's state for display, plus a generation that counts connections: each new
 * connection means frames may have been missed, so data loaders key on it and reload.
 */
export function useConnection(client: LinesideClient): { view: ConnectionView; generation: number } {
  const [state, setState] = useState<{ view: ConnectionView; generation: number }>({
    view: 'connecting',
    generation: 0,
  });

  useEffect(() => {
    let everConnected = false;
    const grace = setTimeout(() => {
      setState((s) => (s.view === 'connecting' ? { ...s, view: 'disconnected' } : s));
    }, FIRST_CONNECT_GRACE_MS);
    const unsubscribe = client.onConnection((connected) => {
      if (connected) {
        everConnected = true;
        clearTimeout(grace);
        setState((s) => (s.view === 'connected' ? s : { view: 'connected', generation: s.generation + 1 }));
      } else if (everConnected) {
        setState((s) => (s.view === 'disconnected' ? s : { ...s, view: 'disconnected' }));
      }
    });
    return () => {
      clearTimeout(grace);
      unsubscribe();
    };
  }, [client]);

  return state;
}
