import type { AuditEntry, DeviceStatus } from '../../../shared/types';
import { usePolled } from '../../state/usePolled';

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
  const { data, error, refresh } = usePolled(`diagnostics:${generation}`, REFRESH_MS, async (client) => {
    const [devices, audit] = await Promise.all([client.call('devices.list', {}), client.call('audit.recent', { limit: 50 })]);
    return { devices, audit };
  });
  return { devices: data?.devices ?? null, audit: data?.audit ?? null, error, refresh };
}
