import { Fragment, useCallback, useState } from 'react';
import type { ServerCertificateStatus } from '../../../shared/opcua';
import type { AuditEntry, DeviceStatus } from '../../../shared/types';
import { useNow } from '../../state/useNow';
import { deviceErrorIsCurrent, deviceStateDisplay, protocolLabel } from '../devices/device-display';
import { formatAge, formatClock, formatDate } from '../overview/format';
import { BrowsePanel } from './BrowsePanel';
import { OpcUaDeviceDetails } from './OpcUaDeviceDetails';
import { groupThumbprint } from './opcua-format';
import { OwnCertificatePanel } from './OwnCertificatePanel';
import { TrustCertificateDialog } from './TrustCertificateDialog';
import { useDeviceDiagnostics } from './useDeviceDiagnostics';
import { useOpcUaCertificates } from './useOpcUaCertificates';

const DEVICE_COLUMNS = 9;

type Overlay = { kind: 'trust'; deviceId: string; certificate: ServerCertificateStatus } | { kind: 'browse'; deviceId: string } | null;

/**
 * For maintenance technicians: which device, which endpoint, what state, what went wrong last,
 * how fast it answers, and what operators changed. For OPC UA devices also how values arrive,
 * how the connection is secured and whose certificates are trusted, with the trust action and
 * a browser of the server's address space for picking tags.
 */
export function DiagnosticsScreen({ generation }: { generation: number }) {
  const { devices, audit, error, refresh } = useDeviceDiagnostics(generation);
  const now = useNow();
  const firstOpcUa = devices?.find((d) => d.protocol === 'opcua')?.deviceId ?? null;
  const certificatesSeen = (devices ?? [])
    .filter((d) => d.protocol === 'opcua')
    .map((d) => `${d.deviceId}:${d.certificate?.thumbprint ?? ''}:${d.certificate?.trusted ?? ''}`)
    .join('|');
  const certificates = useOpcUaCertificates(firstOpcUa, generation, certificatesSeen);
  const refreshCertificates = certificates.refresh;
  const [overlay, setOverlay] = useState<Overlay>(null);
  const close = useCallback(() => setOverlay(null), []);
  const onTrusted = useCallback(() => {
    refresh();
    refreshCertificates();
  }, [refresh, refreshCertificates]);
  const overlayDevice = overlay === null ? undefined : devices?.find((d) => d.deviceId === overlay.deviceId);
  const auditPanel = (
    <section className="panel" aria-label="Operator actions">
      <div className="panel__header">
        <h2 className="panel__title">Operator actions</h2>
      </div>
      <AuditTable entries={audit} />
    </section>
  );
  return (
    <main className={`diagnostics${firstOpcUa === null ? '' : ' diagnostics--opcua'}`} data-testid="diagnostics">
      <section className="panel" aria-label="Communication">
        <div className="panel__header">
          <h2 className="panel__title">Communication</h2>
          {error && <span className="diagnostics__error">{error}</span>}
        </div>
        {devices === null ? (
          <p className="panel__empty">Loading…</p>
        ) : (
          <div className="diagnostics__scroll">
            <table className="diag-table">
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col">State</th>
                  <th scope="col" className="num">Last answer</th>
                  <th scope="col" className="num">Response p50 / p95 / p99</th>
                  <th scope="col" className="num">Requests</th>
                  <th scope="col" className="num">Errors</th>
                  <th scope="col" className="num">Timeouts</th>
                  <th scope="col" className="num">Reconnects</th>
                  <th scope="col">Last error</th>
                </tr>
              </thead>
              <tbody>
                {devices.map((d) => (
                  <Fragment key={d.deviceId}>
                    <DeviceRow device={d} now={now} />
                    {d.protocol === 'opcua' && (
                      <OpcUaDeviceDetails
                        device={d}
                        now={now}
                        columns={DEVICE_COLUMNS}
                        onTrust={(x) => x.certificate && setOverlay({ kind: 'trust', deviceId: x.deviceId, certificate: x.certificate })}
                        onBrowse={(x) => setOverlay({ kind: 'browse', deviceId: x.deviceId })}
                      />
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {firstOpcUa === null ? (
        auditPanel
      ) : (
        <div className="diagnostics__lower">
          {auditPanel}
          <OwnCertificatePanel state={certificates} now={now} />
        </div>
      )}
      {overlay?.kind === 'trust' && overlayDevice !== undefined && (
        <TrustCertificateDialog device={overlayDevice} certificate={overlay.certificate} now={now} onTrusted={onTrusted} onClose={close} />
      )}
      {overlay?.kind === 'browse' && overlayDevice !== undefined && <BrowsePanel device={overlayDevice} onClose={close} />}
    </main>
  );
}

function DeviceRow({ device: d, now }: { device: DeviceStatus; now: number }) {
  const state = deviceStateDisplay(d.state);
  const ms = (x: number) => (x < 10 ? x.toFixed(1) : Math.round(x).toString());
  return (
    <tr data-device-id={d.deviceId} data-state={d.state} className={`diag-row diag-row--${state.tone}${d.protocol === 'opcua' ? ' diag-row--has-detail' : ''}`}>
      <td>
        <div className="tag-name">{d.name}</div>
        <div className="tag-id">
          {protocolLabel(d.protocol)} · {d.endpoint}
        </div>
      </td>
      <td className="diag-state">{state.label}</td>
      <td className="num">{d.lastOkTs === null ? '—' : `${formatAge(now - d.lastOkTs)} ago`}</td>
      <td className="num" data-testid="response-times">
        {d.responseMs === null ? '—' : `${ms(d.responseMs.p50)} / ${ms(d.responseMs.p95)} / ${ms(d.responseMs.p99)} ms`}
      </td>
      <td className="num" data-testid="requests">{d.requests}</td>
      <td className="num">{d.errors}</td>
      <td className="num">{d.timeouts}</td>
      <td className="num">{d.reconnects}</td>
      <td className="diag-error">
        {d.lastError === null ? (
          '—'
        ) : (
          <>
            <span className="diag-error__time">{d.lastErrorTs === null ? '' : formatClock(d.lastErrorTs)}</span>{' '}
            {!deviceErrorIsCurrent(d, Date.now()) && <span className="diag-error__past" data-testid="error-past">past · </span>}
            {lastErrorText(d)}
          </>
        )}
      </td>
    </tr>
  );
}

/** The long "not trusted" error says what the certificate box under the row shows in full. */
function lastErrorText(d: DeviceStatus): string | null {
  const cert = d.certificate;
  if (cert === undefined || d.lastError === null || !/not trusted/.test(d.lastError) || !d.lastError.includes(cert.thumbprint)) return d.lastError;
  return cert.trusted ? 'Server certificate was not trusted (it is now).' : 'Server certificate not trusted: see below. It was put in pki/rejected.';
}

const OUTCOME_TEXT: Record<AuditEntry['outcome'], string> = { done: 'Done', refused: 'Refused', failed: 'FAILED', unverified: 'NOT VERIFIED' };
const ACTION_TEXT: Record<string, string> = { 'tag.write': 'Write', 'opcua.trustCertificate': 'Trust certificate' };
const TRUST_ACTION = 'opcua.trustCertificate';

function AuditTable({ entries }: { entries: AuditEntry[] | null }) {
  if (entries === null) return <p className="panel__empty">Loading…</p>;
  if (entries.length === 0) return <p className="panel__empty">No operator actions yet.</p>;
  // a record that is not a tag value (a user created, a role changed) is read on the People screen
  const show = (v: AuditEntry['oldValue']) => (v === null ? '—' : typeof v === 'boolean' ? (v ? 'ON' : 'OFF') : typeof v === 'object' ? '…' : String(v));
  return (
    <div className="diagnostics__scroll">
      <table className="diag-table" data-testid="audit-table">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">User</th>
            <th scope="col">Action</th>
            <th scope="col">Tag / device</th>
            <th scope="col" className="num">Old</th>
            <th scope="col" className="num">New</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} data-outcome={e.outcome}>
              <td className="diag-time">
                {formatDate(e.ts)} {formatClock(e.ts)}
              </td>
              <td>{e.user}</td>
              <td>{ACTION_TEXT[e.action] ?? e.action}</td>
              <td>{e.target}</td>
              <td className="num">{show(e.oldValue)}</td>
              {e.action === TRUST_ACTION && typeof e.newValue === 'string' ? (
                <td className="num audit-thumbprint">{groupThumbprint(e.newValue)}</td>
              ) : (
                <td className="num">{show(e.newValue)}</td>
              )}
              <td title={e.detail}>
                {OUTCOME_TEXT[e.outcome]}
                {e.outcome !== 'done' && <span className="diag-error__time"> — {e.detail}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
