import { useCallback, useEffect, useRef, useState } from 'react';
import type { QuarantineEntry, SyncStatus } from '../../../shared/sync-api';
import { useServices } from '../../state/services';

export interface SyncStatusState {
  status: SyncStatus | null;
  error: string | null;
  refresh: () => void;
}

/** Backlogs and throughput change all the time: asked every `everyMs` while shown, not pushed. */
export function useSyncStatus(everyMs: number): SyncStatusState {
  const { client } = useServices();
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loadRef = useRef<() => void>(() => undefined);
  useEffect(() => {
    let alive = true;
    const load = async () => {
      try {
        const s = await client.call('sync.status', {});
        if (!alive) return;
        setStatus(s);
        setError(null);
      } catch (err) {
        if (alive) setError(err instanceof Error ? err.message : String(err));
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
  }, [client, everyMs]);
  const refresh = useCallback(() => loadRef.current(), []);
  return { status, error, refresh };
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
