import { useCallback, useEffect, useRef, useState } from 'react';
import type { AuditEntry, DeviceStatus } from '../../../shared/types';
import { useServices } from '../../state/services';

const REFRESH_MS = 2000;

export interface DeviceDiagnostics {
  devices: DeviceStatus[] | null;
  audit: AuditEntry[] | null;
  error: string | null;
  /** ask again now (after an action), rather than at the next two-second tick */
  refresh: () => void;
}

/**
 * Counters and response times change with every request, so they are not pushed as events:
 * the screen asks every two seconds while it is open.
 */
export function useDeviceDiagnostics(generation: number): DeviceDiagnostics {
  const { client } = useServices();
  const [devices, setDevices] = useState<DeviceStatus[] | null>(null);
  const [audit, setAudit] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loadRef = useRef<() => void>(() => undefined);
  useEffect(() => {
    let alive = true;
    const load = async () => {
      try {
        const [d, a] = await Promise.all([client.call('devices.list', {}), client.call('audit.recent', { limit: 50 })]);
        if (!alive) return;
        setDevices(d);
        setAudit(a);
        setError(null);
      } catch (err) {
        if (alive) setError(err instanceof Error ? err.message : String(err));
      }
    };
    loadRef.current = () => void load();
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => {
      alive = false;
      loadRef.current = () => undefined;
      clearInterval(timer);
    };
  }, [client, generation]);
  const refresh = useCallback(() => loadRef.current(), []);
  return { devices, audit, error, refresh };
}
