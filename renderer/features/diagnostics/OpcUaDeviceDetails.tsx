import type { DeviceStatus } from '../../../shared/types';
import { acquisitionText, certificateValidity, formatValidity, securityText } from './opcua-format';
import { GuardedButton } from '../../ui/GuardedButton';
import { Thumbprint } from './Thumbprint';

interface OpcUaDeviceDetailsProps {
  device: DeviceStatus;
  now: number;
  columns: number;
  onTrust: (device: DeviceStatus) => void;
  onBrowse: (device: DeviceStatus) => void;
}

/**
 * The OPC UA part of a device's diagnostics, in a row under its counters: how values arrive,
 * how the connection is secured, and the server certificate as last presented. An untrusted
 * certificate is a reason for no comms and shows in the no-comms (violet) tone.
 */
export function OpcUaDeviceDetails({ device: d, now, columns, onTrust, onBrowse }: OpcUaDeviceDetailsProps) {
  const cert = d.certificate;
  const untrusted = cert !== undefined && !cert.trusted;
  const acq = d.acquisition;
  const connected = d.state === 'online' || d.state === 'degraded';
  return (
    <tr className={`opcua-detail-row${untrusted ? ' opcua-detail-row--untrusted' : ''}`} data-opcua-device-id={d.deviceId}>
      <td colSpan={columns}>
        <div className="opcua-detail">
          <dl className="opcua-facts">
            <div className="opcua-fact">
              <dt>Acquisition</dt>
              <dd data-testid="opcua-acquisition" data-mode={acq?.mode}>
                {acq === undefined ? '—' : connected || acq.monitoredItems + acq.polledItems > 0 ? acquisitionText(acq) : `${acquisitionText(acq)} (configured; not connected)`}
                {acq?.fallback && (
                  <span className="opcua-fact__note" data-testid="opcua-fallback">
                    Polling instead: {acq.fallback}
                  </span>
                )}
              </dd>
            </div>
            <div className="opcua-fact">
              <dt>Security</dt>
              <dd data-testid="opcua-security">{acq === undefined ? '—' : securityText(acq.securityMode, acq.securityPolicy)}</dd>
            </div>
          </dl>
          <div className={`opcua-cert${untrusted ? ' opcua-cert--untrusted' : ''}`} data-testid="server-certificate" data-trusted={cert === undefined ? undefined : String(cert.trusted)}>
            <div className="opcua-cert__head">
              <span className="opcua-cert__label">Server certificate</span>
              {cert === undefined ? null : cert.trusted ? (
                <span className="cert-status cert-status--trusted" data-testid="cert-status">
                  Trusted
                </span>
              ) : (
                <span className="cert-status cert-status--untrusted" data-testid="cert-status">
                  NOT TRUSTED
                </span>
              )}
            </div>
            {cert === undefined ? (
              <p className="opcua-cert__none">
                {acq?.securityMode === 'None' || acq === undefined
                  ? 'None exchanged: security mode None.'
                  : 'Not received yet: the server has not answered.'}
              </p>
            ) : (
              <>
                <div className="opcua-cert__subject" data-testid="cert-subject">
                  {cert.subject}
                </div>
                <div className="opcua-cert__line">
                  <span className="opcua-cert__key">SHA-1</span>
                  <Thumbprint value={cert.thumbprint} testId="cert-thumbprint" />
                </div>
                <div className={`opcua-cert__line${certificateValidity(cert, now) === 'valid' ? '' : ' opcua-cert__line--bad'}`}>
                  <span className="opcua-cert__key">Validity</span>
                  {formatValidity(cert, now)}
                </div>
                {untrusted && (
                  <p className="opcua-cert__why" data-testid="cert-why">
                    No comms: Lineside refuses this server until its certificate is trusted. Compare the thumbprint with the PLC, then trust it.
                  </p>
                )}
              </>
            )}
          </div>
          <div className="opcua-detail__actions">
            {untrusted && (
              <GuardedButton permission="opcua.trustCertificate" type="button" className="toggle opcua-detail__trust" data-testid="trust-open" onClick={() => onTrust(d)}>
                Trust certificate…
              </GuardedButton>
            )}
            <button type="button" className="toggle" data-testid="browse-open" onClick={() => onBrowse(d)}>
              Browse…
            </button>
          </div>
        </div>
      </td>
    </tr>
  );
}
