import { useState } from 'react';
import type { MaintenanceRequest, MaintenanceState } from '../../../shared/production';
import { useServices } from '../../state/services';
import { GuardedButton } from '../../ui/GuardedButton';
import { ProductionDialog } from './ProductionDialog';
import { useSubmit } from './useSubmit';
import { MaintenanceDoneDialog } from './MaintenanceDoneDialog';
import { formatTime } from './production-format';

const STATE_TEXT: Record<MaintenanceState, string> = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  inProgress: 'In progress',
  done: 'Done',
  cancelled: 'Cancelled',
};

/** The step forward from each state (cancel is offered beside it). */
const NEXT: Partial<Record<MaintenanceState, { to: MaintenanceState; label: string; testId: string }>> = {
  open: { to: 'acknowledged', label: 'Acknowledge', testId: 'maint-ack' },
  acknowledged: { to: 'inProgress', label: 'Start', testId: 'maint-start' },
  inProgress: { to: 'done', label: 'Done', testId: 'maint-done' },
};

/**
 * Maintenance requests still open (from alarms, breakdown stops, by hand) and their lifecycle:
 * acknowledge, start, done, cancel for the maintenance role; a new request by hand for anyone
 * who may raise one.
 */
export function MaintenancePanel({ requests, onChanged }: { requests: MaintenanceRequest[]; onChanged: () => void }) {
  const { client, messages } = useServices();
  const [creating, setCreating] = useState(false);
  const [finishing, setFinishing] = useState<MaintenanceRequest | null>(null);
  const move = (r: MaintenanceRequest, to: MaintenanceState) =>
    client.call('maintenance.transition', { id: r.id, to: to as Exclude<MaintenanceState, 'open'> }).then(
      () => onChanged(),
      (err: unknown) => messages.reportError(`Request #${r.id}`, err),
    );
  return (
    <section className="panel prod-maint" aria-label="Maintenance requests" data-testid="maint-panel">
      <div className="panel__header">
        <h2 className="panel__title">Maintenance requests</h2>
        <GuardedButton permission="maintenance.request" type="button" className="toggle toggle--compact" onClick={() => setCreating(true)} data-testid="maint-new">
          New request…
        </GuardedButton>
      </div>
      <div className="prod-scroll">
        {requests.length === 0 ? (
          <p className="panel__empty">No open requests.</p>
        ) : (
          <ul className="prod-list">
            {requests.map((r) => {
              const next = NEXT[r.state];
              return (
                <li key={r.id} className={`prod-req prod-req--p${r.priority}`} data-testid="maint-request" data-request-id={r.id} data-state={r.state} data-alarm-id={r.alarm?.id ?? ''}>
                  <div className="prod-req__head">
                    <span className="prod-req__title">
                      #{r.id} {r.title}
                    </span>
                    <span className="prod-req__state" data-testid="maint-state">
                      {STATE_TEXT[r.state]}
                    </span>
                  </div>
                  <div className="prod-sub">
                    P{r.priority} · {r.source === 'alarm' ? `alarm ${r.alarm?.id ?? ''}` : r.source === 'downtime' ? `stop #${r.downtimeId ?? ''}` : 'by hand'} · {formatTime(r.createdAt)} by {r.createdBy}
                    {r.assignee !== null ? ` · ${r.assignee}` : ''}
                  </div>
                  <div className="prod-req__actions">
                    {next !== undefined && (
                      <GuardedButton permission="maintenance.work" type="button" className="toggle toggle--on" onClick={() => (next.to === 'done' ? setFinishing(r) : void move(r, next.to))} data-testid={next.testId}>
                        {next.label}
                      </GuardedButton>
                    )}
                    <GuardedButton permission="maintenance.work" type="button" className="toggle" onClick={() => void move(r, 'cancelled')} data-testid="maint-cancel">
                      Cancel request
                    </GuardedButton>
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </div>
      {creating && <NewRequestDialog onClose={() => setCreating(false)} onCreated={onChanged} />}
      {finishing && <MaintenanceDoneDialog request={finishing} onClose={() => setFinishing(null)} onDone={onChanged} />}
    </section>
  );
}

function NewRequestDialog({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const { client } = useServices();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [priority, setPriority] = useState(3);
  const { sending, submit } = useSubmit();
  const ok = title.trim().length >= 3;
  const send = () => {
    if (!ok || sending) return;
    submit('Raising the request', () => client.call('maintenance.create', { source: 'manual', title: title.trim(), description: description.trim(), priority }), (r) => {
      onCreated();
      onClose();
      return `Maintenance request #${r.id} raised`;
    });
  };
  return (
    <ProductionDialog title="New maintenance request" testId="maint-new-dialog" onClose={onClose}>
      <label className="modal__label" htmlFor="maint-title">
        What is wrong (at least 3 characters)
      </label>
      <input id="maint-title" className="prod-dialog__input" maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} data-testid="maint-title" />
      <label className="modal__label" htmlFor="maint-description">
        Details (optional)
      </label>
      <textarea id="maint-description" className="prod-dialog__input prod-dialog__text" rows={3} maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />
      <div className="modal__label">Priority</div>
      <div className="prod-dialog__choices" role="group" aria-label="Priority">
        {[1, 2, 3, 4].map((p) => (
          <button key={p} type="button" className={`toggle${p === priority ? ' toggle--on' : ''}`} aria-pressed={p === priority} onClick={() => setPriority(p)}>
            {p === 1 ? '1 urgent' : p === 4 ? '4 low' : String(p)}
          </button>
        ))}
      </div>
      <div className="modal__actions prod-dialog__actions">
        <button type="button" className="toggle modal__big" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="toggle toggle--on modal__big" disabled={!ok || sending} onClick={send} data-testid="maint-create">
          Raise request
        </button>
      </div>
    </ProductionDialog>
  );
}
