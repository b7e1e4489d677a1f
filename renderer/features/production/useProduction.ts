import { useCallback, useEffect, useRef, useState } from 'react';
import type { DowntimeEvent, MaintenanceRequest } from '../../../shared/production';
import type { ProductionConfig, ProductionLive } from '../../../shared/production-api';
import { useServices } from '../../state/services';

/** How often the screen asks again without an event (the state's duration, the counts). */
const POLL_MS = 5000;
/** `production` events come with every state change and count: at most one reload per this. */
const THROTTLE_MS = 400;

/**
 * The line now (production.live), the configuration for the pickers (production.config) and
 * the maintenance requests still open; fetched again on a new connection (`generation`), on
 * `production` events (throttled), every few seconds, and after an action (`refresh`).
 */
export function useProduction(generation: number) {
  const { client, messages } = useServices();
  const [config, setConfig] = useState<ProductionConfig | null>(null);
  const [live, setLive] = useState<ProductionLive | null>(null);
  const [requests, setRequests] = useState<MaintenanceRequest[] | null>(null);
  const [recent, setRecent] = useState<DowntimeEvent[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [seq, setSeq] = useState(0);
  const refresh = useCallback(() => setSeq((n) => n + 1), []);

  // events: the first reloads at once, the ones after it within THROTTLE_MS once at its end
  const last = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    const off = client.on('production', () => {
      if (pending.current !== null) return;
      const wait = Math.max(0, last.current + THROTTLE_MS - Date.now());
      pending.current = setTimeout(() => {
        pending.current = null;
        last.current = Date.now();
        setSeq((n) => n + 1);
      }, wait);
    });
    return () => {
      off();
      if (pending.current !== null) clearTimeout(pending.current);
      pending.current = null;
    };
  }, [client]);
  useEffect(() => {
    if (generation === 0) return;
    const t = setInterval(() => setSeq((n) => n + 1), POLL_MS);
    return () => clearInterval(t);
  }, [generation]);

  useEffect(() => {
    if (generation === 0) return;
    let alive = true;
    client.call('production.config', {}).then(
      (c) => alive && setConfig(c),
      (err: unknown) => alive && messages.reportError('Loading the production configuration', err),
    );
    return () => {
      alive = false;
    };
  }, [client, messages, generation]);

  useEffect(() => {
    if (generation === 0) return;
    let alive = true;
    Promise.all([
      client.call('production.live', {}),
      client.call('maintenance.list', { open: true, limit: 50 }),
      client.call('production.downtime.list', { status: 'done', limit: 6 }),
    ]).then(
      ([l, m, d]) => {
        if (!alive) return;
        setLive(l);
        setRequests(m);
        setRecent(d.filter((e) => e.end === null || e.end >= l.shift.from));
        setError(null);
      },
      (err: unknown) => alive && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      alive = false;
    };
  }, [client, generation, seq]);

  return { config, live, requests, recent, error, refresh };
}
