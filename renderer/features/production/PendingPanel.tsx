import type { DowntimeEvent } from '../../../shared/production';
import { useMay } from '../../state/session-context';
import { formatDuration, formatTime, STATE_TEXT } from './production-format';

/**
 * Stops that wait for a reason (oldest first), then the latest stops with one, to correct. A
 * tap opens the reason picker; the rows are buttons, greyed when the person may not give reasons.
 */
export function PendingPanel({ pending, openStop, recent, onPick }: { pending: DowntimeEvent[]; openStop: DowntimeEvent | null; recent: DowntimeEvent[]; onPick: (e: DowntimeEvent) => void }) {
  const may = useMay('production.reasons');
  // the stop going on can be given its reason already (it is in `pending` once past the threshold)
  const now = openStop !== null && !pending.some((e) => e.id === openStop.id) ? openStop : null;
  return (
    <section className="panel prod-pending" aria-label="Stops needing a reason" data-testid="prod-pending">
      <div className="panel__header">
        <h2 className="panel__title">Reasons needed</h2>
        <span className={`prod-count${pending.length > 0 ? ' prod-count--due' : ''}`} data-testid="pending-count" data-count={pending.length}>
          {pending.length}
        </span>
      </div>
      <div className="prod-scroll">
        {now !== null && (
          <>
            <h3 className="prod-subtitle">Stopped now</h3>
            <ul className="prod-list" data-testid="stop-open">
              <StopRow event={now} disabled={!may.allowed} why={may.why} onPick={onPick} />
            </ul>
          </>
        )}
        {pending.length === 0 ? (
          <p className="panel__empty">No stop waits for a reason.</p>
        ) : (
          <ul className="prod-list">
            {pending.map((e) => (
              <StopRow key={e.id} event={e} disabled={!may.allowed} why={may.why} onPick={onPick} />
            ))}
          </ul>
        )}
        {recent.length > 0 && (
          <>
            <h3 className="prod-subtitle">With a reason (tap to correct)</h3>
            <ul className="prod-list" data-testid="stops-done">
              {recent.map((e) => (
                <StopRow key={e.id} event={e} disabled={!may.allowed} why={may.why} onPick={onPick} />
              ))}
            </ul>
          </>
        )}
      </div>
    </section>
  );
}

function StopRow({ event: e, disabled, why, onPick }: { event: DowntimeEvent; disabled: boolean; why: string | null; onPick: (e: DowntimeEvent) => void }) {
  return (
    <li>
      <button
        type="button"
        className={`prod-stop${e.status === 'pending' || (e.status === 'open' && e.reasonCode === null) ? ' prod-stop--pending' : ''}`}
        disabled={disabled}
        title={why ?? undefined}
        data-why={why ?? undefined}
        onClick={() => onPick(e)}
        data-testid="stop"
        data-downtime-id={e.id}
        data-status={e.status}
      >
        <span className="prod-stop__time">
          {formatTime(e.start)}
          {e.end === null ? ' → now' : `–${formatTime(e.end)}`}
        </span>
        <span className="prod-stop__what">
          {STATE_TEXT[e.state]}
          {e.faultCode !== null && e.faultCode !== 0 ? ` · fault ${e.faultCode}` : ''} · {formatDuration(e.durationMs)}
        </span>
        <span className="prod-stop__reason">{e.reasonName ?? e.reasonCode ?? 'Tap to give the reason'}</span>
      </button>
    </li>
  );
}
