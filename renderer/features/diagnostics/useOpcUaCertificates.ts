import type { OpcUaCertificates } from '../../../shared/opcua';
import { usePolled } from '../../state/usePolled';

/** Certificates change only on a trust action or a new server certificate: ask now and then. */
const REFRESH_MS = 10_000;

export interface CertificatesState {
  certificates: OpcUaCertificates | null;
  error: string | null;
  refresh: () => void;
}

/**
 * Lineside's own client certificate and the PKI folder. There is one PKI folder for all OPC UA
 * devices, so asking through any one of them answers for all; null when there is none.
 * `certificatesSeen` sums up the certificates the devices report: a change asks again at once.
 */
export function useOpcUaCertificates(deviceId: string | null, generation: number, certificatesSeen: string): CertificatesState {
  // certificatesSeen: what the devices last presented; when it changes, so may the PKI folder
  const key = deviceId === null ? null : `${deviceId}:${generation}:${certificatesSeen}`;
  const { data, error, refresh } = usePolled(key, REFRESH_MS, (client) => client.call('opcua.certificates', { deviceId: deviceId! }));
  return { certificates: data, error, refresh };
}
