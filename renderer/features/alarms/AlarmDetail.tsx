import { useEffect, useRef, useState } from 'react';
import { isUnacknowledged } from '../../../shared/alarms';
import { formatClock, formatDate } from '../overview/format';
import { blinks, priorityName, stateText } from './alarm-display';
import { sinceOf, type AlarmRow } from './alarm-model';
import { AlarmTrendDialog } from './AlarmTrendDialog';
import { useAlarmContext } from './AlarmProvider';
import { PriorityBadge } from './PriorityBadge';
import { ReasonDialog } from './ReasonDialog';
import { ShelveDialog } from './ShelveDialog';
import { SignatureList } from '../../ui/SignatureList';
import { useMay } from '../../state/session-context';
import { useServices } from '../../state/services';
import { GuardedButton } from '../../ui/GuardedButton';

type Dialog = null | 'shelve' | 'comment' | 'outOfService' | 'trend';

/** The selected alarm: what it means, what to do, what happened, and every action on it. */
export function AlarmDetail({ row, onClose }: { row: AlarmRow | null; onClose: () => void }) {
  const { actions, model, openLiveTrend, openTrend, openProcedure, valueText } = useAlarmContext();
  const [dialog, setDialog] = useState<Dialog>(null);
  const outOfService = useMay('alarms.outOfService');
  const { client, messages } = useServices();
  // a newly selected alarm: focus goes to its first action, so the keyboard acts on it next
  const actionsRef = useRef<HTMLDivElement>(null);
  const selectedId = row?.def.id ?? null;
  useEffect(() => {
    if (selectedId === null) return;
    actionsRef.current?.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus({ preventScroll: true });
  }, [selectedId]);
  if (row === null) {
    return (
      <aside className="panel alarm-detail alarm-detail--empty" aria-label="Alarm details">
        <p className="panel__empty">Select an alarm to see what it means, what to do, and to act on it.</p>
      </aside>
    );
  }
  const { def, status } = row;
  const st = status.state;
  const allowed = model.permissions?.allowed;
  const can = (a: keyof NonNullable<typeof allowed>) => allowed?.[a] ?? false;
  const needsEngineer = outOfService.why ?? `needs the alarms.outOfService permission (you are ${model.permissions?.role ?? 'unknown'})`;
  const shelvable = st.type === 'normal' || st.type === 'unack' || st.type === 'acked' || st.type === 'rtnUnack' || st.type === 'shelved';
  const resettable = st.type === 'latched' && !status.active;
  return (
    <aside className="panel alarm-detail" aria-label="Alarm details" data-testid="alarm-detail" data-alarm-id={def.id}>
      <div className="panel__header">
        <h2 className="panel__title alarm-detail__title">
          <PriorityBadge priority={def.priority} blink={blinks(status)} muted={st.type === 'shelved' || st.type === 'suppressed' || st.type === 'outOfService'} />
          <span>
            Priority {def.priority} · {priorityName(def.priority)}
          </span>
        </h2>
        <button type="button" className="toggle toggle--compact" onClick={onClose} aria-label="Close details">
          Close
        </button>
      </div>
      <div className="alarm-detail__body">
        <p className="alarm-detail__message">{def.message}</p>
        <SignatureList target={def.id} revision={`${st.type}|${sinceOf(status)}`} limit={3} />
        <dl className="alarm-facts">
          <dt>State</dt>
          <dd data-testid="detail-state">{stateText(status)}</dd>
          {status.held && (
            <>
              <dt>Input</dt>
              <dd>
                <span className="badge badge--uncertain">HELD</span> the value is not good: the state is kept, not confirmed
              </dd>
            </>
          )}
          <dt>Since</dt>
          <dd>
            {formatDate(sinceOf(status))} {formatClock(sinceOf(status))}
          </dd>
          <dt>Condition</dt>
          <dd>
            {def.tag ?? def.device} {def.condition}
          </dd>
          <dt>Value</dt>
          <dd data-testid="detail-value">{valueText(def.tag, status.value)}</dd>
          <dt>Area · device</dt>
          <dd>
            {def.area}
            {def.device !== null ? ` · ${def.device}` : ''}
          </dd>
          {status.suppressedByDesign && st.type !== 'suppressed' && (
            <>
              <dt>Design</dt>
              <dd>its suppression condition holds</dd>
            </>
          )}
          {st.type === 'shelved' && (
            <>
              <dt>Shelved by</dt>
              <dd>
                {st.by}: {st.reason}
              </dd>
            </>
          )}
          {status.lastComment !== null && (
            <>
              <dt>Comment</dt>
              <dd>
                {status.lastComment.text} <span className="alarm-detail__who">({status.lastComment.user}, {formatClock(status.lastComment.ts)})</span>
              </dd>
            </>
          )}
          <dt>Alarm id</dt>
          <dd className="alarm-detail__id">{def.id}</dd>
        </dl>
        {def.response !== null && (
          <div className="alarm-response">
            <div className="alarm-response__label">What to do</div>
            <p className="alarm-response__text" data-testid="detail-response">
              {def.response}
            </p>
            {def.procedure !== null && (
              <p className="alarm-response__procedure">
                Procedure:{' '}
                {/^https?:\/\//.test(def.procedure) ? (
                  <a href={def.procedure} target="_blank" rel="noreferrer noopener">
                    {def.procedure}
                  </a>
                ) : (
                  <button type="button" className="toggle alarm-response__procedure-link" onClick={() => openProcedure(def.procedure!, `alarm ${def.id}`)} data-testid="detail-procedure" title="Open the work instruction, started from this alarm">
                    {def.procedure} ▸
                  </button>
                )}
              </p>
            )}
          </div>
        )}
      </div>
      <div className="alarm-actions" ref={actionsRef} data-testid="alarm-actions">
        {isUnacknowledged(st) && (
          <button type="button" className="toggle alarm-actions__primary" data-testid="detail-ack" disabled={!can('acknowledge')} onClick={() => void actions.acknowledge([def.id])}>
            Acknowledge
          </button>
        )}
        {st.type === 'latched' && (
          <button
            type="button"
            className="toggle"
            data-testid="detail-reset"
            disabled={!can('reset') || !resettable}
            title={resettable ? undefined : 'The condition is active again'}
            onClick={() => void actions.reset(def.id)}
          >
            Reset
          </button>
        )}
        {st.type === 'shelved' ? (
          <button type="button" className="toggle" data-testid="detail-unshelve" disabled={!can('unshelve')} onClick={() => void actions.unshelve(def.id)}>
            Unshelve
          </button>
        ) : (
          shelvable && (
            <button type="button" className="toggle" data-testid="detail-shelve" disabled={!can('shelve')} onClick={() => setDialog('shelve')}>
              Shelve…
            </button>
          )
        )}
        <button type="button" className="toggle" data-testid="detail-comment" disabled={!can('comment')} onClick={() => setDialog('comment')}>
          Comment…
        </button>
        {def.tag !== null && (
          <button type="button" className="toggle" data-testid="detail-trend" onClick={() => setDialog('trend')}>
            Trend
          </button>
        )}
        <GuardedButton
          permission="maintenance.request"
          type="button"
          className="toggle alarm-actions__wrap"
          data-testid="detail-maintenance"
          onClick={() =>
            // the runtime takes the alarm's message, priority, value and a trend range of its tag from the id
            client.call('maintenance.create', { source: 'alarm', alarmId: def.id }).then(
              (r) => messages.report(`Maintenance request #${r.id} raised: ${r.title}`),
              (err: unknown) => messages.reportError('Maintenance request', err),
            )
          }
        >
          Maintenance request
        </GuardedButton>
        {st.type === 'outOfService' ? (
          <button
            type="button"
            className="toggle"
            data-testid="detail-return"
            disabled={!can('returnToService')}
            title={can('returnToService') ? undefined : needsEngineer}
            onClick={() => void actions.returnToService(def.id)}
          >
            Return to service
          </button>
        ) : (
          <button
            type="button"
            className="toggle"
            data-testid="detail-oos"
            disabled={!can('removeFromService')}
            title={can('removeFromService') ? undefined : needsEngineer}
            onClick={() => setDialog('outOfService')}
          >
            Out of service…
          </button>
        )}
      </div>
      {!can('removeFromService') && <p className="alarm-actions__note">Out of service: {needsEngineer}.</p>}
      {dialog === 'shelve' && <ShelveDialog row={row} onClose={() => setDialog(null)} />}
      {dialog === 'comment' && (
        <ReasonDialog
          title={`Comment on ${def.message}`}
          label="Comment"
          confirm="Add comment"
          minLength={1}
          onClose={() => setDialog(null)}
          onConfirm={(text) => actions.comment(def.id, text)}
        />
      )}
      {dialog === 'outOfService' && (
        <ReasonDialog
          title={`Take ${def.message} out of service`}
          label="Reason (on record)"
          confirm="Take out of service"
          minLength={3}
          onClose={() => setDialog(null)}
          onConfirm={(reason) => actions.removeFromService(def.id, reason)}
        />
      )}
      {dialog === 'trend' && def.tag !== null && (
        <AlarmTrendDialog
          tagId={def.tag}
          title={def.message}
          at={sinceOf(status)}
          onClose={() => setDialog(null)}
          onOpenLive={() => {
            setDialog(null);
            openLiveTrend(def.tag!);
          }}
          onOpenTrends={(from, to) => {
            setDialog(null);
            openTrend([def.tag!], { mode: 'history', from, to });
          }}
        />
      )}
    </aside>
  );
}
