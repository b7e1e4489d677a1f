import type { AuditEntry, DeviceStatus } from '../../../shared/types';
import { useNow } from '../../state/useNow';
import { deviceStateDisplay, protocolLabel } from '../devices/device-display';
import { formatAge } from '../overview/format';
import { useDeviceDiagnostics } from './useDeviceDiagnostics';

/**
 * For maintenance technicians: which device, which endpoint, what state, what went wrong last,
 * how fast it answers, and what operators changed.
 */
export function DiagnosticsScreen({ generation }: { generation: number }) {
  const { devices, audit, error } = useDeviceDiagnostics(generation);
  const now = useNow();
  return (
    <main className="diagnostics" data-testid="diagnostics">
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
                  <DeviceRow key={d.deviceId} device={d} now={now} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="panel" aria-label="Operator actions">
        <div className="panel__header">
          <h2 className="panel__title">Operator actions</h2>
        </div>
        <AuditTable entries={audit} />
      </section>
    </main>
  );
}

function DeviceRow({ device: d, now }: { device: DeviceStatus; now: number }) {
  const state = deviceStateDisplay(d.state);
  const ms = (x: number) => (x < 10 ? x.toFixed(1) : Math.round(x).toString());
  return (
    <tr data-device-id={d.deviceId} data-state={d.state} className={`diag-row diag-row--${state.tone}`}>
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
            <span className="diag-error__time">{d.lastErrorTs === null ? '' : new Date(d.lastErrorTs).toLocaleTimeString()}</span> {d.lastError}
          </>
        )}
      </td>
    </tr>
  );
}

const OUTCOME_TEXT: Record<AuditEntry['outcome'], string> = { done: 'Done', refused: 'Refused', failed: 'FAILED', unverified: 'NOT VERIFIED' };

function AuditTable({ entries }: { entries: AuditEntry[] | null }) {
  if (entries === null) return <p className="panel__empty">Loading…</p>;
  if (entries.length === 0) return <p className="panel__empty">No operator actions yet.</p>;
  const show = (v: AuditEntry['oldValue']) => (v === null ? '—' : typeof v === 'boolean' ? (v ? 'ON' : 'OFF') : String(v));
  return (
    <div className="diagnostics__scroll">
      <table className="diag-table" data-testid="audit-table">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">User</th>
            <th scope="col">Action</th>
            <th scope="col">Tag</th>
            <th scope="col" className="num">Old</th>
            <th scope="col" className="num">New</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} data-outcome={e.outcome}>
              <td>{new Date(e.ts).toLocaleString()}</td>
              <td>{e.user}</td>
              <td>{e.action === 'tag.write' ? 'Write' : e.action}</td>
              <td>{e.target}</td>
              <td className="num">{show(e.oldValue)}</td>
              <td className="num">{show(e.newValue)}</td>
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
