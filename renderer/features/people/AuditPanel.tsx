import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { AuditVerifyResult } from '../../../shared/security';
import type { AuditEntry } from '../../../shared/types';
import { useServices } from '../../state/services';
import { errorText } from './PeopleDialog';
import {
  auditCsvFileName,
  auditFilterParams,
  EMPTY_AUDIT_FILTER,
  formatAuditChange,
  formatLocalDateTime,
  shortHash,
  type AuditFilterInput,
  type AuditFilterParams,
} from './people-format';

const PAGE = 100;

/** Common action prefixes, offered as the action filter is typed (any prefix works). */
const ACTION_HINTS = ['user.', 'session.', 'tags.write', 'alarms.', 'alarms.acknowledge', 'alarms.shelve', 'sync.', 'opcua.', 'trends.', 'simulator.'];

const OUTCOME_WORDS: Record<AuditEntry['outcome'], string> = { done: 'Done', refused: 'Refused', failed: 'Failed', unverified: 'Not verified' };

/**
 * The audit trail (audit.view), newest first: filtered by user, action prefix, target and time,
 * paged backwards; exported as CSV with the same filters (audit.export); and its hash chain
 * recomputed on demand (Part 11 §11.10(e)).
 */
export function AuditPanel({ mayExport, heading }: { mayExport: boolean; heading: ReactNode }) {
  const { client } = useServices();
  const [filter, setFilter] = useState<AuditFilterInput>(EMPTY_AUDIT_FILTER);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [nextBeforeId, setNextBeforeId] = useState<number | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [exportNote, setExportNote] = useState<{ text: string; warn: boolean } | null>(null);
  const [verify, setVerify] = useState<{ running: boolean; result: AuditVerifyResult | null; error: string | null }>({ running: false, result: null, error: null });
  const seq = useRef(0);
  const parsed = auditFilterParams(filter);

  const search = useCallback(
    async (params: AuditFilterParams, beforeId?: number) => {
      const mine = ++seq.current;
      setLoading(true);
      try {
        const page = await client.call('audit.query', { ...params, limit: PAGE, beforeId });
        if (mine !== seq.current) return;
        setEntries((prev) => (beforeId === undefined || prev === null ? page.entries : [...prev, ...page.entries]));
        setNextBeforeId(page.nextBeforeId);
        setError(null);
      } catch (err) {
        if (mine === seq.current) setError(`Reading the audit trail failed: ${errorText(err)}`);
      } finally {
        if (mine === seq.current) setLoading(false);
      }
    },
    [client],
  );

  // a new search on every change of the filters, after a pause while typing
  const paramsKey = parsed.params === null ? null : JSON.stringify(parsed.params);
  useEffect(() => {
    if (paramsKey === null) return;
    const t = setTimeout(() => void search(JSON.parse(paramsKey) as AuditFilterParams), 350);
    return () => clearTimeout(t);
  }, [paramsKey, search]);

  const set = (k: keyof AuditFilterInput) => (v: string) => setFilter((f) => ({ ...f, [k]: v }));

  const download = async () => {
    if (parsed.params === null) return;
    setExportNote(null);
    try {
      const r = await client.call('audit.csv', parsed.params);
      const blob = new Blob([r.csv], { type: 'text/csv;charset=utf-8' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = auditCsvFileName(Date.now());
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setExportNote(
        r.truncated
          ? { text: `${r.rows.toLocaleString()} rows exported — truncated: the trail holds more for these filters, narrow them (e.g. the time range)`, warn: true }
          : { text: `${r.rows.toLocaleString()} rows exported to ${a.download}`, warn: false },
      );
    } catch (err) {
      setExportNote({ text: `Export failed: ${errorText(err)}`, warn: true });
    }
  };

  const runVerify = async () => {
    setVerify({ running: true, result: null, error: null });
    try {
      setVerify({ running: false, result: await client.call('audit.verify', {}), error: null });
    } catch (err) {
      setVerify({ running: false, result: null, error: errorText(err) });
    }
  };

  return (
    <section className="panel people-panel" aria-label="Audit trail" data-testid="people-audit">
      <div className="panel__header">
        {heading}
        <div className="people-panel__actions">
          {!mayExport && <span className="people-audit__hint" data-testid="audit-export-reason">Export needs the audit.export permission</span>}
          <button type="button" className="toggle" disabled={loading || parsed.params === null} onClick={() => parsed.params !== null && void search(parsed.params)} data-testid="audit-refresh">
            Refresh
          </button>
          <button
            type="button"
            className="toggle"
            disabled={!mayExport || parsed.params === null}
            title={mayExport ? 'the trail with these filters, as CSV' : 'needs the permission to export the audit trail (audit.export)'}
            onClick={() => void download()}
            data-testid="audit-export"
          >
            Export CSV
          </button>
          <button type="button" className="toggle" disabled={verify.running} onClick={() => void runVerify()} data-testid="audit-verify">
            {verify.running ? 'Verifying…' : 'Verify chain'}
          </button>
        </div>
      </div>
      <div className="alarm-filters people-audit__filters">
        <label className="people-filter">
          <span className="alarm-select__label">User</span>
          <input className="alarm-input people-filter__input" value={filter.user} onChange={(e) => set('user')(e.target.value)} placeholder="user id" spellCheck={false} data-testid="audit-filter-user" />
        </label>
        <label className="people-filter">
          <span className="alarm-select__label">Action</span>
          <input className="alarm-input people-filter__input" list="audit-action-hints" value={filter.action} onChange={(e) => set('action')(e.target.value)} placeholder="starts with…" spellCheck={false} data-testid="audit-filter-action" />
          <datalist id="audit-action-hints">
            {ACTION_HINTS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </label>
        <label className="people-filter">
          <span className="alarm-select__label">Target</span>
          <input className="alarm-input people-filter__input" value={filter.target} onChange={(e) => set('target')(e.target.value)} placeholder="contains…" spellCheck={false} data-testid="audit-filter-target" />
        </label>
        <label className="people-filter">
          <span className="alarm-select__label">From</span>
          <input type="datetime-local" className="alarm-input people-filter__time" value={filter.from} onChange={(e) => set('from')(e.target.value)} data-testid="audit-filter-from" />
        </label>
        <label className="people-filter">
          <span className="alarm-select__label">To</span>
          <input type="datetime-local" className="alarm-input people-filter__time" value={filter.to} onChange={(e) => set('to')(e.target.value)} data-testid="audit-filter-to" />
        </label>
        <button type="button" className="toggle people-filter__clear" disabled={Object.values(filter).every((v) => v === '')} onClick={() => setFilter(EMPTY_AUDIT_FILTER)} data-testid="audit-filter-clear">
          Clear
        </button>
      </div>
      {parsed.error !== null && <p className="people-audit__note people-audit__note--warn" data-testid="audit-filter-error">{parsed.error}</p>}
      {exportNote !== null && (
        <p className={`people-audit__note${exportNote.warn ? ' people-audit__note--warn' : ''}`} data-testid="audit-export-note">
          {exportNote.text}
        </p>
      )}
      <VerifyResult state={verify} />
      {error !== null && <p className="people-audit__note people-audit__note--warn" role="alert" data-testid="audit-error">{error}</p>}
      <div className="people-panel__scroll">
        {entries === null ? (
          <p className="panel__empty">{error === null ? 'Loading…' : 'The audit trail could not be read.'}</p>
        ) : entries.length === 0 ? (
          <p className="panel__empty">Nothing on record for these filters.</p>
        ) : (
          <table className="diag-table people-table audit-table" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">User · station</th>
                <th scope="col">Action · target</th>
                <th scope="col">Old → new</th>
                <th scope="col">Outcome</th>
                <th scope="col">Reason · detail</th>
                <th scope="col">Signature</th>
                <th scope="col">Hash</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <AuditRow key={e.id} entry={e} />
              ))}
            </tbody>
          </table>
        )}
        {entries !== null && entries.length > 0 && (
          <div className="people-audit__more">
            {nextBeforeId !== null ? (
              <button type="button" className="toggle" disabled={loading || parsed.params === null} onClick={() => parsed.params !== null && void search(parsed.params, nextBeforeId)} data-testid="audit-older">
                Older records
              </button>
            ) : (
              <span className="tag-id" data-testid="audit-end">
                {entries.length} {entries.length === 1 ? 'record' : 'records'}: the oldest is shown
              </span>
            )}
          </div>
        )}
      </div>
    </section>
  );
}

function AuditRow({ entry: e }: { entry: AuditEntry }) {
  const change = formatAuditChange(e.oldValue, e.newValue);
  const s = e.signature;
  return (
    <tr className={e.outcome === 'done' ? undefined : 'audit-row--abnormal'} data-testid="audit-row" data-audit-id={e.id} data-action={e.action} data-user={e.user} data-target={e.target} data-outcome={e.outcome}>
      <td className="people-table__time">
        {formatLocalDateTime(e.ts).slice(11)}
        <div className="tag-id">{formatLocalDateTime(e.ts).slice(0, 10)}</div>
      </td>
      <td>
        <div className="audit-table__user">{e.user}</div>
        <div className="tag-id">{e.station}</div>
      </td>
      <td>
        <div className="audit-table__action">{e.action}</div>
        <div className="tag-id audit-table__wrap">{e.target}</div>
      </td>
      <td className="audit-table__values audit-table__wrap" data-testid="audit-change">
        {change.map((line) => (
          <div key={line}>{line}</div>
        ))}
      </td>
      <td className={`audit-table__outcome audit-table__outcome--${e.outcome}`}>{OUTCOME_WORDS[e.outcome] ?? e.outcome}</td>
      <td className="audit-table__wrap">
        {e.reason !== '' && <div>{e.reason}</div>}
        {e.detail !== '' && <div className="tag-id">{e.detail}</div>}
      </td>
      <td data-testid="audit-signature">
        {s === null ? (
          ''
        ) : (
          <>
            <div>
              {s.printedName} <span className="tag-id">({s.userId})</span>
            </div>
            <div className="tag-id">
              {s.meaning} · {formatLocalDateTime(s.ts)}
              {s.verifiedBy !== null && ` · verified by ${s.verifiedBy}`}
            </div>
          </>
        )}
      </td>
      <td className="audit-table__hash" title={e.hash}>
        <code>{shortHash(e.hash, 8)}</code>
      </td>
    </tr>
  );
}

function VerifyResult({ state }: { state: { running: boolean; result: AuditVerifyResult | null; error: string | null } }) {
  if (state.error !== null)
    return (
      <p className="audit-verify audit-verify--bad" role="alert" data-testid="audit-verify-result" data-ok="error">
        Verifying the chain failed: {state.error}
      </p>
    );
  const r = state.result;
  if (r === null) return null;
  if (r.ok)
    return (
      <p className="audit-verify" role="status" data-testid="audit-verify-result" data-ok="true">
        Chain intact: {r.records.toLocaleString()} records checked in {Math.round(r.ms).toLocaleString()} ms.
      </p>
    );
  return (
    <p className="audit-verify audit-verify--bad" role="alert" data-testid="audit-verify-result" data-ok="false">
      <span className="audit-verify__mark" aria-hidden="true">▲</span> Chain broken at record {r.firstBad?.id ?? '?'}: {r.firstBad?.problem ?? 'unknown problem'} ({r.records.toLocaleString()} records before it are intact)
    </p>
  );
}
