import { useEffect, useState } from 'react';
import type { RunSummary } from '../../../shared/instructions';
import type { MaintenanceRequest } from '../../../shared/production';
import { useServices } from '../../state/services';
import { ProductionDialog } from './ProductionDialog';
import { useSubmit } from './useSubmit';
import { formatTime } from './production-format';

/**
 * Closing a request: which instruction run did the work (the runs completed since the request
 * was raised, newest first; or none), and a comment. The request keeps the run's id: its record
 * (steps, values, signatures) is the proof of the work.
 */
export function MaintenanceDoneDialog({ request, onClose, onDone }: { request: MaintenanceRequest; onClose: () => void; onDone: () => void }) {
  const { client, messages } = useServices();
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [runId, setRunId] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const { sending, submit } = useSubmit();
  useEffect(() => {
    let alive = true;
    client.call('runs.list', { state: 'completed', from: request.createdAt, limit: 20 }).then(
      (r) => {
        if (!alive) return;
        setRuns(r);
        // the newest completed run is preselected: the one just finished, as a rule
        if (r.length > 0) setRunId(r[0].id);
      },
      (err: unknown) => {
        if (!alive) return;
        setRuns([]);
        messages.reportError('Loading the instruction runs', err);
      },
    );
    return () => {
      alive = false;
    };
  }, [client, messages, request.createdAt]);
  const send = () => {
    if (sending) return;
    submit(
      `Request #${request.id}`,
      () => client.call('maintenance.transition', { id: request.id, to: 'done', comment: comment.trim(), ...(runId !== null ? { runId } : {}) }),
      () => {
        onDone();
        onClose();
        return runId !== null ? `Request #${request.id} done, by instruction run #${runId}` : `Request #${request.id} done`;
      },
    );
  };
  return (
    <ProductionDialog title={`Request #${request.id} done`} testId="maint-done-dialog" onClose={onClose}>
      <div className="modal__label">The instruction run that did the work</div>
      {runs === null ? (
        <p className="panel__empty">Loading…</p>
      ) : (
        <div className="prod-dialog__choices prod-dialog__choices--list" role="radiogroup" aria-label="Instruction run">
          {runs.map((r) => (
            <button
              key={r.id}
              type="button"
              role="radio"
              aria-checked={runId === r.id}
              className={`toggle${runId === r.id ? ' toggle--on' : ''}`}
              onClick={() => setRunId(r.id)}
              data-testid="maint-done-run"
              data-run-id={r.id}
            >
              #{r.id} {r.title} · {r.startedBy} · {formatTime(r.endedAt ?? r.startedAt)}
            </button>
          ))}
          <button type="button" role="radio" aria-checked={runId === null} className={`toggle${runId === null ? ' toggle--on' : ''}`} onClick={() => setRunId(null)} data-testid="maint-done-norun">
            No instruction run
          </button>
        </div>
      )}
      <label className="modal__label" htmlFor="maint-done-comment">
        What was done (optional)
      </label>
      <textarea id="maint-done-comment" className="prod-dialog__input prod-dialog__text" rows={2} maxLength={2000} value={comment} onChange={(e) => setComment(e.target.value)} data-testid="maint-done-comment" />
      <div className="modal__actions prod-dialog__actions">
        <button type="button" className="toggle modal__big" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="toggle toggle--on modal__big" disabled={sending || runs === null} onClick={send} data-testid="maint-done-confirm">
          Done
        </button>
      </div>
    </ProductionDialog>
  );
}
