import { useCallback, useEffect, useRef, useState } from 'react';
import type { OpcUaCertificates } from '../../../shared/opcua';
import { useServices } from '../../state/services';

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
  const { client } = useServices();
  const [certificates, setCertificates] = useState<OpcUaCertificates | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loadRef = useRef<() => void>(() => undefined);
  useEffect(() => {
    if (deviceId === null) return;
    let alive = true;
    const load = async () => {
      try {
        const c = await client.call('opcua.certificates', { deviceId });
        if (!alive) return;
        setCertificates(c);
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
    // certificatesSeen: what the devices last presented; when it changes, so may the PKI folder
  }, [client, deviceId, generation, certificatesSeen]);
  const refresh = useCallback(() => loadRef.current(), []);
  return { certificates, error, refresh };
}
