import { useState } from 'react';
import { isUnacknowledged } from '../../../shared/alarms';
import { formatClock } from '../overview/format';
import { blinks, stateText } from './alarm-display';
import type { AlarmRow } from './alarm-model';
import { useAlarmContext, useAlarmView, useHornState } from './AlarmProvider';
import { PriorityBadge } from './PriorityBadge';

const SHOWN = 2;

const HORN_TEXT = { idle: 'Silence horn', sounding: 'Silence horn', silenced: 'Horn silenced', blocked: 'Horn blocked: tap' } as const;

/**
 * On every screen, under the header: how many alarms of each priority (unacknowledged blink,
 * acknowledged are steady) and the most important unacknowledged ones first, with an
 * acknowledge button each; the horn's silence; the way to the alarm summary.
 */
export function AlarmBanner({ onOpenSummary }: { onOpenSummary: () => void }) {
  const view = useAlarmView();
  const horn = useHornState();
  const { horn: annunciator } = useAlarmContext();
  const top = view.annunciated.slice(0, SHOWN);
  const total = view.annunciated.length;
  return (
    <section
      className={`alarm-banner${total === 0 ? ' alarm-banner--quiet' : ''}`}
      aria-label="Alarms"
      data-testid="alarm-banner"
      data-active={total}
      data-unacknowledged={view.unacknowledged}
      data-horn={horn}
    >
      <button type="button" className="alarm-banner__counts" onClick={onOpenSummary} aria-label="Alarm counts per priority: open the alarm summary" data-testid="alarm-counts">
        {view.counts.map((c) => {
          const n = c.unacknowledged + c.acknowledged;
          return (
            <span key={c.priority} className={`alarm-count${n === 0 ? ' alarm-count--zero' : ''}`} data-priority={c.priority} data-count={n} data-unacknowledged={c.unacknowledged}>
              <PriorityBadge priority={c.priority} blink={c.unacknowledged > 0} muted={n === 0} size={34} />
              <span className="alarm-count__n">{n}</span>
            </span>
          );
        })}
      </button>
      <ol className="alarm-banner__list" data-testid="alarm-banner-list">
        {top.length === 0 ? (
          <li className="alarm-banner__empty">No active alarms</li>
        ) : (
          top.map((row) => <BannerLine key={row.def.id} row={row} />)
        )}
      </ol>
      <div className="alarm-banner__side">
        {(horn === 'sounding' || horn === 'blocked' || horn === 'silenced') && (
          <button type="button" className={`toggle alarm-banner__silence${horn === 'sounding' ? ' toggle--on' : ''}`} data-testid="alarm-silence" onClick={() => annunciator.silence()}>
            {HORN_TEXT[horn]}
          </button>
        )}
        <button type="button" className="toggle alarm-banner__all" onClick={onOpenSummary} data-testid="alarm-open-summary">
          {total > SHOWN ? `All ${total} alarms` : 'Alarm summary'}
          {view.shelved > 0 && <span className="alarm-banner__shelved"> · {view.shelved} shelved</span>}
        </button>
      </div>
    </section>
  );
}

function BannerLine({ row }: { row: AlarmRow }) {
  const { actions, openProcedure } = useAlarmContext();
  const [busy, setBusy] = useState(false);
  const { def, status } = row;
  const unacked = isUnacknowledged(status.state);
  const since = 'since' in status.state ? status.state.since : status.changedAt;
  return (
    <li
      className={`alarm-line${unacked ? ' alarm-line--unack' : ''}${status.held ? ' alarm-line--held' : ''}`}
      data-alarm-id={def.id}
      data-state={status.state.type}
      data-priority={def.priority}
    >
      <PriorityBadge priority={def.priority} blink={blinks(status)} size={34} />
      <span className="alarm-line__time">{formatClock(since)}</span>
      <span className="alarm-line__what">
        <span className="alarm-line__message" title={def.message}>
          {def.message}
        </span>
        {def.procedure !== null && !/^https?:\/\//.test(def.procedure) && (
          <button
            type="button"
            className="toggle alarm-line__procedure"
            data-testid="banner-procedure"
            title={`Open the work instruction ${def.procedure}, started from this alarm`}
            aria-label={`Procedure ${def.procedure}`}
            onClick={() => openProcedure(def.procedure!, `alarm ${def.id}`)}
          >
            <span className="alarm-line__procedure-id">{def.procedure}</span>
            <span className="alarm-line__procedure-short">WI</span> ▸
          </button>
        )}
      </span>
      <span className="alarm-line__state">{status.held ? 'Held: input not good' : stateText(status)}</span>
      {unacked && (
        <button
          type="button"
          className="toggle alarm-line__ack"
          data-testid="banner-ack"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            void actions.acknowledge([def.id]).finally(() => setBusy(false));
          }}
        >
          Acknowledge
        </button>
      )}
    </li>
  );
}
