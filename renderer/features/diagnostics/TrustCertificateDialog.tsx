import { useRef, useState } from 'react';
import type { OpcUaTrustResult, ServerCertificateStatus } from '../../../shared/opcua';
import type { DeviceStatus } from '../../../shared/types';
import { useServices } from '../../state/services';
import { deviceStateDisplay } from '../devices/device-display';
import { formatValidity } from './opcua-format';
import { Thumbprint } from './Thumbprint';
import { useEscapeKey } from '../../ui/useEscapeKey';
import { useFocusTrap } from '../../ui/useFocusTrap';

type Phase = { kind: 'confirm' } | { kind: 'sending' } | { kind: 'done'; result: OpcUaTrustResult } | { kind: 'error'; message: string };

interface TrustCertificateDialogProps {
  /** the device as it is now (its state follows once trusted) */
  device: DeviceStatus;
  /** the certificate the technician opened the dialog for; fixed while it is open */
  certificate: ServerCertificateStatus;
  now: number;
  onTrusted: () => void;
  onClose: () => void;
}

/**
 * The trust step of the maintenance procedure: the technician compares the thumbprint with the
 * one the PLC shows, pair by pair, and only then trusts it. Modal; Escape cancels.
 */
export function TrustCertificateDialog({ device, certificate, now, onTrusted, onClose }: TrustCertificateDialogProps) {
  const { client } = useServices();
  const [phase, setPhase] = useState<Phase>({ kind: 'confirm' });

  useEscapeKey(onClose);
  const dialogRef = useRef<HTMLDivElement>(null);
  useFocusTrap(dialogRef);

  const trust = async () => {
    setPhase({ kind: 'sending' });
    try {
      const result = await client.call('opcua.trustCertificate', { deviceId: device.deviceId, thumbprint: certificate.thumbprint });
      setPhase({ kind: 'done', result });
      onTrusted();
    } catch (err) {
      setPhase({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  };

  const state = deviceStateDisplay(device.state);
  return (
    <div className="modal-backdrop" role="presentation">
      <div ref={dialogRef} className="modal trust-dialog" role="dialog" aria-modal="true" aria-labelledby="trust-title" data-testid="trust-dialog">
        <h2 id="trust-title" className="modal__title">
          Trust the server certificate of {device.name}?
        </h2>
        <p className="trust-dialog__step">
          Compare this thumbprint, <strong>pair by pair</strong>, with the one the PLC or server shows (its display, web page or engineering tool, or
          ask its administrator).
        </p>
        <div className="trust-dialog__thumb">
          <span className="trust-dialog__key">SHA-1 thumbprint</span>
          <Thumbprint value={certificate.thumbprint} perLine={10} large testId="trust-thumbprint" />
        </div>
        <dl className="trust-dialog__facts">
          <dt>Subject</dt>
          <dd>{certificate.subject}</dd>
          <dt>Validity</dt>
          <dd>{formatValidity(certificate, now)}</dd>
          <dt>Server</dt>
          <dd>{device.endpoint}</dd>
        </dl>
        {phase.kind === 'confirm' || phase.kind === 'sending' ? (
          <p className="trust-dialog__warn">
            Trust it only if every pair matches. A certificate nobody compared could belong to a machine pretending to be the PLC. The action is recorded
            in the audit trail.
          </p>
        ) : phase.kind === 'done' ? (
          <p className="modal__result" data-testid="trust-result" data-ok="true">
            Trusted. Lineside connects at its next attempt, within a few seconds. Device now:{' '}
            <strong data-testid="trust-device-state" data-state={device.state}>
              {state.label}
            </strong>
          </p>
        ) : (
          <p className="modal__result modal__result--warn" data-testid="trust-result" data-ok="false">
            Not trusted: {phase.message}
          </p>
        )}
        <div className="modal__actions trust-dialog__actions">
          <button type="button" className="toggle modal__big" data-testid="trust-close" onClick={onClose}>
            {phase.kind === 'done' || phase.kind === 'error' ? 'Close' : 'Cancel'}
          </button>
          {(phase.kind === 'confirm' || phase.kind === 'sending') && (
            <button type="button" className="toggle toggle--on modal__big" data-testid="trust-confirm" disabled={phase.kind === 'sending'} onClick={() => void trust()}>
              {phase.kind === 'sending' ? 'Trusting…' : 'Thumbprints match: trust'}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}
