import { useState } from 'react';
import type { QuarantineEntry, SyncSinkStatus, SyncStatus } from '../../../shared/sync-api';
import { useServices } from '../../state/services';
import { useNow } from '../../state/useNow';
import { formatAge, formatClock } from '../overview/format';
import { bytes, count, sinkStateLabel, sinkTone, STREAM_LABEL } from './sync-display';
import { GuardedButton } from '../../ui/GuardedButton';
import { useQuarantine, useSyncStatus } from './useSyncStatus';

/**
 * Upstream (store-and-forward): per sink whether it is online, how much waits and since when,
 * how fast it goes out, what went wrong last; the outbox; and the quarantine of records a
 * receiver refused, which an engineer retries or deletes (deleting is on record).
 */
export function SyncScreen() {
  const { status, error, refresh } = useSyncStatus(2000);
  const now = useNow();
  const quarantine = useQuarantine(5000, status?.quarantined ?? 0);
  return (
    <main className="sync-screen" data-testid="sync-screen">
      <section className="panel" aria-label="Upstream">
        <div className="panel__header">
          <h2 className="panel__title">Upstream</h2>
          {status && (
            <span className="sync-screen__node">
              {status.site} / {status.line} · node <code>{status.nodeId}</code>
            </span>
          )}
          {error && <span className="diagnostics__error">{error}</span>}
        </div>
        {status === null ? (
          <p className="panel__empty">Loading…</p>
        ) : !status.configured ? (
          <p className="panel__empty">No upstream sink is configured (the project file's sync section). Records are kept on this PC.</p>
        ) : (
          <div className="diagnostics__scroll">
            {status.sinks.map((s) => (
              <SinkPanel key={s.id} sink={s} now={now} />
            ))}
            <OutboxLine status={status} />
          </div>
        )}
      </section>
      <QuarantinePanel state={quarantine} onChanged={() => { quarantine.refresh(); refresh(); }} now={now} />
    </main>
  );
}

function SinkPanel({ sink: s, now }: { sink: SyncSinkStatus; now: number }) {
  const tone = sinkTone(s);
  return (
    <div className={`sync-sink sync-sink--${tone}`} data-sink-id={s.id} data-state={s.state} data-tone={tone}>
      <div className="sync-sink__head">
        <span className="sync-sink__name">{s.id}</span>
        <span className="sync-sink__state">{sinkStateLabel(s.state)}</span>
        <span className="sync-sink__since">for {formatAge(now - (s.offlineSince ?? s.since))}</span>
        <span className="sync-sink__target">
          {s.kind.toUpperCase()} {s.target} · {s.ackMode === 'receiver' ? 'acknowledged by the receiver' : 'acknowledged by the broker (no receiver acks)'}
        </span>
      </div>
      <dl className="sync-sink__facts">
        <dt>Waiting</dt>
        <dd data-testid="sync-backlog">{count(s.backlog)} records</dd>
        <dt>Oldest unsent</dt>
        <dd>{s.oldestUnackedTs === null ? '—' : `${formatAge(now - s.oldestUnackedTs)} old`}</dd>
        <dt>Throughput</dt>
        <dd>
          {count(Math.round(s.recordsPerSecond))} records/s · {bytes(s.bytesPerSecond)}/s
        </dd>
        <dt>In flight</dt>
        <dd>{s.inFlight} batches</dd>
        <dt>Last acknowledgement</dt>
        <dd>{s.lastAckAt === null ? '—' : `${formatAge(now - s.lastAckAt)} ago`}</dd>
        <dt>Sent / acknowledged</dt>
        <dd>
          {count(s.sentRecords)} / {count(s.ackedRecords)} · {count(s.resentBatches)} batches sent again
        </dd>
        <dt>Quarantined</dt>
        <dd>{count(s.quarantined)}</dd>
        <dt>Last error</dt>
        <dd className="diag-error" data-testid="sync-last-error">
          {s.lastError === null ? (
            '—'
          ) : (
            <>
              <span className="diag-error__time">{formatClock(s.lastError.at)}</span> {s.lastError.message}
              {s.nextAttemptAt !== null && <span className="diag-error__time"> — next try in {formatAge(Math.max(0, s.nextAttemptAt - now))}</span>}
            </>
          )}
        </dd>
      </dl>
      <table className="diag-table sync-streams">
        <thead>
          <tr>
            <th scope="col">Stream</th>
            <th scope="col" className="num">Last number</th>
            <th scope="col" className="num">Acknowledged</th>
            <th scope="col" className="num">Waiting</th>
            <th scope="col" className="num">Oldest waiting</th>
            <th scope="col">Note</th>
          </tr>
        </thead>
        <tbody>
          {s.streams.map((x) => (
            <tr key={x.stream} data-stream={x.stream} className={x.blocked ? 'diag-row--fault' : undefined}>
              <td>{STREAM_LABEL[x.stream]}</td>
              <td className="num">{count(x.head)}</td>
              <td className="num">{count(x.acked)}</td>
              <td className="num">{count(x.backlog)}</td>
              <td className="num">{x.oldestTs === null ? '—' : formatAge(now - x.oldestTs)}</td>
              <td className="diag-error">{x.blocked ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function OutboxLine({ status }: { status: SyncStatus }) {
  const o = status.outbox;
  return (
    <p className="sync-outbox">
      Sample outbox: {bytes(o.sampleBytes)}
      {o.quotaBytes !== null && ` of ${bytes(o.quotaBytes)}`}
      {o.droppedSamples > 0 && <strong className="sync-outbox__dropped"> · {count(o.droppedSamples)} samples dropped over the quota (on record as events)</strong>}
    </p>
  );
}

function QuarantinePanel({ state, onChanged, now }: { state: ReturnType<typeof useQuarantine>; onChanged: () => void; now: number }) {
  const { client, messages } = useServices();
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const entries = state.entries;
  const ids = [...selected].filter((id) => entries?.some((e) => e.id === id));
  const toggle = (id: number) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const act = async (what: 'retry' | 'delete') => {
    setBusy(true);
    try {
      if (what === 'retry') await client.call('sync.retryQuarantined', { ids });
      else await client.call('sync.deleteQuarantined', { ids, reason });
      setSelected(new Set());
      setReason('');
      onChanged();
    } catch (err) {
      messages.reportError(what === 'retry' ? 'Retrying quarantined records' : 'Deleting quarantined records', err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-label="Quarantine">
      <div className="panel__header">
        <h2 className="panel__title">Quarantine ({count(state.total)})</h2>
        <div className="sync-quarantine__actions">
          <GuardedButton permission="sync.quarantine" type="button" className="toggle" disabled={busy || ids.length === 0} onClick={() => void act('retry')} data-testid="quarantine-retry">
            Retry {ids.length > 0 ? ids.length : ''}
          </GuardedButton>
          <input
            className="sync-quarantine__reason"
            placeholder="Reason for deleting"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            aria-label="Reason for deleting"
          />
          <GuardedButton permission="sync.quarantine" type="button" className="toggle" disabled={busy || ids.length === 0 || reason.trim().length < 3} onClick={() => void act('delete')} data-testid="quarantine-delete">
            Delete {ids.length > 0 ? ids.length : ''}
          </GuardedButton>
        </div>
      </div>
      {entries === null ? (
        <p className="panel__empty">Loading…</p>
      ) : entries.length === 0 ? (
        <p className="panel__empty">No record was refused by a receiver.</p>
      ) : (
        <div className="diagnostics__scroll">
          <table className="diag-table" data-testid="quarantine-table">
            <thead>
              <tr>
                <th scope="col" aria-label="Select" />
                <th scope="col">Sink</th>
                <th scope="col">Record</th>
                <th scope="col">Refused because</th>
                <th scope="col" className="num">Attempts</th>
                <th scope="col" className="num">Last attempt</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <QuarantineRow key={e.id} entry={e} checked={selected.has(e.id)} onToggle={() => toggle(e.id)} now={now} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function QuarantineRow({ entry: e, checked, onToggle, now }: { entry: QuarantineEntry; checked: boolean; onToggle: () => void; now: number }) {
  return (
    <tr data-quarantine-id={e.id}>
      <td>
        <input type="checkbox" className="sync-quarantine__check" checked={checked} onChange={onToggle} aria-label={`Select ${e.stream} #${e.seq}`} />
      </td>
      <td>{e.sink}</td>
      <td>
        <div className="tag-name">
          {STREAM_LABEL[e.stream]} #{e.seq}
          {e.retrying && <span className="diag-error__time"> — retrying</span>}
        </div>
        <div className="tag-id sync-quarantine__record">{e.record.length > 160 ? `${e.record.slice(0, 160)}…` : e.record}</div>
      </td>
      <td className="diag-error">{e.reason}</td>
      <td className="num">{e.attempts}</td>
      <td className="num">{formatAge(now - e.lastAttemptAt)} ago</td>
    </tr>
  );
}
