import { useCallback, useEffect, useRef, useState } from 'react';
import type { QuarantineEntry, SyncStatus } from '../../../shared/sync-api';
import { useServices } from '../../state/services';
import { usePolled } from '../../state/usePolled';

export interface SyncStatusState {
  status: SyncStatus | null;
  error: string | null;
  refresh: () => void;
}

/** Backlogs and throughput change all the time: asked every `everyMs` while shown, not pushed. */
export function useSyncStatus(everyMs: number): SyncStatusState {
  const { data, error, refresh } = usePolled('sync', everyMs, (client) => client.call('sync.status', {}));
  return { status: data, error, refresh };
}

export interface QuarantineState {
  entries: QuarantineEntry[] | null;
  total: number;
  refresh: () => void;
}

export function useQuarantine(everyMs: number, seen: number): QuarantineState {
  const { client, messages } = useServices();
  const [entries, setEntries] = useState<QuarantineEntry[] | null>(null);
  const [total, setTotal] = useState(0);
  const loadRef = useRef<() => void>(() => undefined);
  useEffect(() => {
    let alive = true;
    const load = async () => {
      try {
        const q = await client.call('sync.quarantine', { limit: 200 });
        if (!alive) return;
        setEntries(q.entries);
        setTotal(q.total);
      } catch (err) {
        if (alive) messages.reportError('Loading the quarantine', err);
      }
    };
    loadRef.current = () => void load();
    void load();
    const timer = setInterval(() => void load(), everyMs);
    return () => {
      alive = false;
      loadRef.current = () => undefined;
      clearInterval(timer);
    };
  }, [client, messages, everyMs, seen]);
  const refresh = useCallback(() => loadRef.current(), []);
  return { entries, total, refresh };
}
