import { useRef, useState } from 'react';
import type { ShelveMode } from '../../../shared/alarms';
import { formatShelveDuration, shelveChoices } from './alarm-display';
import type { AlarmRow } from './alarm-model';
import { useAlarmContext } from './AlarmProvider';
import { useEscapeKey } from '../../ui/useEscapeKey';
import { useFocusTrap } from '../../ui/useFocusTrap';

const QUICK_REASONS = ['Nuisance: known cause', 'Instrument fault reported', 'Maintenance work'];

/**
 * Shelve with a reason: for a time within the project's limits, or one-shot until it clears.
 * ISA-18.2: shelving is temporary, on record, and never longer than the maximum.
 */
export function ShelveDialog({ row, onClose }: { row: AlarmRow; onClose: () => void }) {
  const { actions, model } = useAlarmContext();
  const minS = model.settings?.minShelveS ?? 60;
  const maxS = Math.min(row.def.maxShelveS, model.settings?.maxShelveS ?? row.def.maxShelveS);
  const choices = shelveChoices(minS, maxS);
  const [mode, setMode] = useState<ShelveMode>('timed');
  const [durationS, setDurationS] = useState(choices.find((c) => c >= 900) ?? choices[0]);
  const [reason, setReason] = useState('');
  const [sending, setSending] = useState(false);
  useEscapeKey(onClose);
  const dialogRef = useRef<HTMLDivElement>(null);
  useFocusTrap(dialogRef);
  const ok = reason.trim().length >= 3;
  const send = async () => {
    if (!ok || sending) return;
    setSending(true);
    const r = await actions.shelve(row.def.id, mode, mode === 'timed' ? durationS : undefined, reason.trim());
    setSending(false);
    if (r !== null) onClose();
  };
  return (
    <div className="modal-backdrop" role="presentation" onClick={(e) => e.stopPropagation()}>
      <div ref={dialogRef} className="modal alarm-dialog" role="dialog" aria-modal="true" aria-labelledby="shelve-title" data-testid="shelve-dialog">
        <h2 id="shelve-title" className="modal__title">
          Shelve: {row.def.message}
        </h2>
        <div className="alarm-dialog__row" role="group" aria-label="How long">
          <button type="button" className={`toggle${mode === 'timed' ? ' toggle--on' : ''}`} aria-pressed={mode === 'timed'} onClick={() => setMode('timed')} data-testid="shelve-timed">
            For a time
          </button>
          <button type="button" className={`toggle${mode === 'oneShot' ? ' toggle--on' : ''}`} aria-pressed={mode === 'oneShot'} onClick={() => setMode('oneShot')} data-testid="shelve-oneshot">
            Until it clears (at most {formatShelveDuration(maxS)})
          </button>
        </div>
        {mode === 'timed' && (
          <div className="alarm-dialog__row" role="group" aria-label="Duration">
            {choices.map((c) => (
              <button key={c} type="button" className={`toggle${c === durationS ? ' toggle--on' : ''}`} aria-pressed={c === durationS} onClick={() => setDurationS(c)} data-testid={`shelve-${c}`}>
                {formatShelveDuration(c)}
              </button>
            ))}
          </div>
        )}
        <label className="modal__label" htmlFor="shelve-reason">
          Reason (on record)
        </label>
        <div className="alarm-dialog__row">
          {QUICK_REASONS.map((q) => (
            <button key={q} type="button" className={`toggle toggle--compact${reason === q ? ' toggle--on' : ''}`} onClick={() => setReason(q)}>
              {q}
            </button>
          ))}
        </div>
        <input id="shelve-reason" className="alarm-dialog__input" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} data-testid="shelve-reason" placeholder="Why is it shelved?" />
        <div className="modal__actions alarm-dialog__actions">
          <button type="button" className="toggle modal__big" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="toggle toggle--on modal__big" disabled={!ok || sending} onClick={() => void send()} data-testid="shelve-confirm">
            Shelve
          </button>
        </div>
      </div>
    </div>
  );
}
