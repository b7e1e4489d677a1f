import { useEffect, useState } from 'react';
import type { AuditEntry, DeviceStatus } from '../../../shared/types';
import { useServices } from '../../state/services';

const REFRESH_MS = 2000;

/**
 * Counters and response times change with every request, so they are not pushed as events:
 * the screen asks every two seconds while it is open.
 */
export function useDeviceDiagnostics(generation: number): { devices: DeviceStatus[] | null; audit: AuditEntry[] | null; error: string | null } {
  const { client } = useServices();
  const [devices, setDevices] = useState<DeviceStatus[] | null>(null);
  const [audit, setAudit] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
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
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [client, generation]);
  return { devices, audit, error };
}
