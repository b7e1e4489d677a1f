import { useState } from 'react';
import type { DowntimeEvent } from '../../../shared/production';
import { useServices } from '../../state/services';
import { formatTime } from './production-format';
import { useSubmit } from './useSubmit';

/** "HH:MM:SS" (local) on the stop's day as epoch ms; a stop past midnight is tried on its end's day too. */
export function timeInside(text: string, e: DowntimeEvent, now: number): number | null {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (m === null) return null;
  const end = e.end ?? now;
  for (const day of [e.start, end]) {
    const d = new Date(day);
    d.setHours(Number(m[1]), Number(m[2]), Number(m[3] ?? 0), 0);
    const t = d.getTime();
    if (t > e.start && t < end) return t;
  }
  return null;
}

/**
 * A stop that was two (a jam, then waiting for the fitter) split at a time inside it: two
 * stops, each keeping the reason it had; each then gets its own.
 */
export function SplitControl({ event, onSplit }: { event: DowntimeEvent; onSplit: () => void }) {
  const { client } = useServices();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState(() => formatTime(event.start + Math.round(((event.end ?? Date.now()) - event.start) / 2), true));
  const { sending, submit } = useSubmit();
  const at = timeInside(text, event, Date.now());
  if (!open)
    return (
      <button type="button" className="toggle toggle--compact prod-split__open" onClick={() => setOpen(true)} data-testid="split-open">
        Split this stop…
      </button>
    );
  const split = () => {
    if (at === null || sending) return;
    submit('Splitting the stop', () => client.call('production.downtime.split', { id: event.id, at }), (parts) => {
      onSplit();
      return `Stop split at ${formatTime(at, true)} into ${parts.length}`;
    });
  };
  return (
    <div className="prod-split" role="group" aria-label="Split the stop">
      <label className="modal__label" htmlFor="split-at">
        Split at (between {formatTime(event.start, true)} and {event.end === null ? 'now' : formatTime(event.end, true)})
      </label>
      <div className="prod-split__row">
        <input id="split-at" className="prod-dialog__input prod-split__input" inputMode="numeric" value={text} onChange={(e) => setText(e.target.value)} data-testid="split-at" aria-invalid={at === null} />
        <button type="button" className="toggle modal__big" disabled={at === null || sending} onClick={split} data-testid="split-confirm">
          Split
        </button>
      </div>
      {at === null && <p className="prod-split__hint">A time inside the stop, as HH:MM:SS.</p>}
    </div>
  );
}
