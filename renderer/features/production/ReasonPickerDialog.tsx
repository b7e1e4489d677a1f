import { useState } from 'react';
import type { DowntimeEvent, ReasonNode } from '../../../shared/production';
import { useServices } from '../../state/services';
import { ProductionDialog } from './ProductionDialog';
import { useSubmit } from './useSubmit';
import { SplitControl } from './SplitControl';
import { formatDuration, formatTime, leavesOf, STATE_TEXT } from './production-format';

/**
 * The reason for a stop, picked from the project's tree by touch: planned or unplanned, then a
 * group, then the reason (big buttons); an optional comment; Confirm sets it. A stop that has a
 * reason already gets a correction (the runtime keeps both on record).
 */
export function ReasonPickerDialog({ event, reasons, onClose, onDone }: { event: DowntimeEvent; reasons: ReasonNode[]; onClose: () => void; onDone: () => void }) {
  const { client } = useServices();
  const [path, setPath] = useState<ReasonNode[]>([]);
  const [chosen, setChosen] = useState<ReasonNode | null>(null);
  const [comment, setComment] = useState('');
  const { sending, submit } = useSubmit();
  const here = path.length === 0 ? reasons : path[path.length - 1].children;
  const correcting = event.reasonCode !== null;
  const pick = (n: ReasonNode) => {
    if (n.children.length === 0) setChosen(n);
    else {
      setPath([...path, n]);
      setChosen(null);
    }
  };
  const confirm = () => {
    if (chosen === null || sending) return;
    const text = comment.trim();
    submit('Setting the reason', () => client.call('production.downtime.setReason', { id: event.id, reasonCode: chosen.code, ...(text === '' ? {} : { comment: text }) }), (e) => {
      onDone();
      onClose();
      return `Stop at ${formatTime(event.start)}: ${e.reasonName ?? chosen.name}`;
    });
  };
  return (
    <ProductionDialog title={`${correcting ? 'Correct the reason' : 'Reason'} for the stop at ${formatTime(event.start)}`} testId="reason-picker" onClose={onClose} wide>
      <p className="prod-dialog__facts">
        {STATE_TEXT[event.state]}
        {event.faultCode !== null && event.faultCode !== 0 ? ` · fault ${event.faultCode}` : ''} · {formatDuration(event.durationMs)}
        {event.end === null ? ' so far' : ''}
        {correcting && <> · now: {event.reasonName ?? event.reasonCode}</>}
      </p>
      <nav className="reason-path" aria-label="Reason groups">
        <button type="button" className={`toggle toggle--compact${path.length === 0 ? ' toggle--on' : ''}`} onClick={() => (setPath([]), setChosen(null))} data-testid="reason-path-top">
          All
        </button>
        {path.map((n, i) => (
          <button key={n.code} type="button" className={`toggle toggle--compact${i === path.length - 1 ? ' toggle--on' : ''}`} onClick={() => (setPath(path.slice(0, i + 1)), setChosen(null))}>
            {n.name}
          </button>
        ))}
      </nav>
      <div className="reason-grid" role="group" aria-label="Reasons">
        {here.map((n) => (
          <button
            key={n.code}
            type="button"
            className={`toggle reason-option${chosen?.code === n.code ? ' toggle--on' : ''}`}
            aria-pressed={n.children.length === 0 ? chosen?.code === n.code : undefined}
            onClick={() => pick(n)}
            data-testid="reason-option"
            data-reason-code={n.code}
          >
            <span className="reason-option__name">{n.name}</span>
            {n.children.length > 0 && <span className="reason-option__more">{leavesOf(n).length} reasons ▸</span>}
          </button>
        ))}
      </div>
      <label className="modal__label" htmlFor="reason-comment">
        Comment (optional)
      </label>
      <input id="reason-comment" className="prod-dialog__input" maxLength={2000} value={comment} onChange={(e) => setComment(e.target.value)} data-testid="reason-comment" />
      <div className="modal__actions prod-dialog__actions">
        <SplitControl
          event={event}
          onSplit={() => {
            onDone();
            onClose();
          }}
        />
        <button type="button" className="toggle modal__big" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="toggle toggle--on modal__big" disabled={chosen === null || sending} onClick={confirm} data-testid="reason-confirm">
          {chosen === null ? 'Pick a reason' : `Confirm: ${chosen.name}`}
        </button>
      </div>
    </ProductionDialog>
  );
}
