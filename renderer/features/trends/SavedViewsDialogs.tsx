import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../../../shared/api';
import type { TrendPen, TrendRangeSpec, TrendView } from '../../../shared/trend-api';
import { useServices } from '../../state/services';
import { formatDateTime, formatSpan, PRESET_LABELS } from './trend-range';
import { GuardedButton } from '../../ui/GuardedButton';
import { useEscapeKey } from '../../ui/useEscapeKey';
import { useFocusTrap } from '../../ui/useFocusTrap';

export function describeRange(r: TrendRangeSpec): string {
  if (r.kind === 'live') return `live, ${formatSpan(r.spanMs)}`;
  if (r.kind === 'preset') return `last ${PRESET_LABELS[r.preset]}`.replace('last Shift', 'this shift');
  return `${formatDateTime(r.from, false)} – ${formatDateTime(r.to, false)}`;
}

/** Saved views: one tap opens a view; deleting asks first. */
export function ViewsDialog({ onOpen, onClose }: { onOpen: (v: TrendView) => void; onClose: () => void }) {
  const { client, messages } = useServices();
  const [views, setViews] = useState<TrendView[] | null>(null);
  const [confirm, setConfirm] = useState<TrendView | null>(null);
  useEscapeKey(onClose);
  const dialogRef = useRef<HTMLDivElement>(null);
  useFocusTrap(dialogRef);

  const load = useCallback(
    () =>
      client.call('trendViews.list', {}).then(setViews, (err: unknown) => {
        messages.reportError('Loading saved trend views', err);
        setViews([]);
      }),
    [client, messages],
  );
  useEffect(() => {
    void load();
  }, [load]);

  const remove = async (v: TrendView) => {
    try {
      await client.call('trendViews.delete', { id: v.id });
    } catch (err) {
      messages.reportError(`Deleting the view “${v.name}”`, err);
    }
    setConfirm(null);
    await load();
  };

  return (
    <div className="modal-backdrop" role="presentation">
      <div ref={dialogRef} className="modal trend-dialog" role="dialog" aria-modal="true" aria-labelledby="trend-views-title" data-testid="trend-views">
        <h2 id="trend-views-title" className="modal__title">
          Saved trend views
        </h2>
        {views === null ? (
          <p className="panel__empty">Loading…</p>
        ) : views.length === 0 ? (
          <p className="panel__empty">No saved views yet. Set up pens and a range, then “Save view”.</p>
        ) : (
          <ul className="trend-dialog__list" aria-label="Views">
            {views.map((v) => (
              <li key={v.id} className="trend-view">
                <button type="button" className="trend-option trend-view__open" onClick={() => onOpen(v)} data-testid="trend-view-open" data-view-name={v.name}>
                  <span className="trend-option__name">{v.name}</span>
                  <span className="trend-option__id">
                    {v.pens.length} {v.pens.length === 1 ? 'pen' : 'pens'} · {describeRange(v.range)}
                  </span>
                  <span className="trend-option__state">saved {formatDateTime(v.savedAt, false)}</span>
                </button>
                {confirm?.id === v.id ? (
                  <GuardedButton permission="trends.views" type="button" className="toggle toggle--on" onClick={() => void remove(v)} data-testid="trend-view-delete-confirm">
                    Delete “{v.name}”
                  </GuardedButton>
                ) : (
                  <GuardedButton permission="trends.views" type="button" className="toggle" aria-label={`Delete ${v.name}`} onClick={() => setConfirm(v)} data-testid="trend-view-delete">
                    Delete…
                  </GuardedButton>
                )}
              </li>
            ))}
          </ul>
        )}
        <div className="modal__actions">
          <button type="button" className="toggle modal__big" onClick={onClose} data-testid="trend-views-close">
            Close
          </button>
        </div>
      </div>
    </div>
  );
}

/** Save the pens and the range under a name; an existing name asks before replacing. */
export function SaveViewDialog({ pens, range, initialName, onSaved, onClose }: { pens: TrendPen[]; range: TrendRangeSpec; initialName: string; onSaved: (v: TrendView) => void; onClose: () => void }) {
  const { client } = useServices();
  const [name, setName] = useState(initialName);
  const [exists, setExists] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEscapeKey(onClose);
  const dialogRef = useRef<HTMLDivElement>(null);
  useFocusTrap(dialogRef);

  const save = async (replace: boolean) => {
    if (busy || name.trim() === '') return;
    setBusy(true);
    setError(null);
    try {
      const v = await client.call('trendViews.save', { name: name.trim(), pens, range, replace });
      onSaved(v);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'refused' && !replace && /exists/.test(err.message)) setExists(true);
      else setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="modal-backdrop" role="presentation">
      <div ref={dialogRef} className="modal trend-dialog" role="dialog" aria-modal="true" aria-labelledby="trend-save-title" data-testid="trend-save">
        <h2 id="trend-save-title" className="modal__title">
          Save trend view
        </h2>
        <p className="modal__line">
          {pens.length} {pens.length === 1 ? 'pen' : 'pens'}, {describeRange(range)}
        </p>
        <label className="modal__label" htmlFor="trend-view-name">
          Name
        </label>
        <input
          id="trend-view-name"
          className="trend-dialog__search"
          value={name}
          maxLength={80}
          autoFocus
          onChange={(e) => {
            setName(e.target.value);
            setExists(false);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') void save(false);
          }}
          data-testid="trend-view-name"
        />
        {exists && <p className="modal__warn">A view named “{name.trim()}” exists. Replace it?</p>}
        {error !== null && <p className="modal__warn" role="alert">{error}</p>}
        <div className="modal__actions">
          <button type="button" className="toggle modal__big" onClick={onClose}>
            Cancel
          </button>
          {exists ? (
            <GuardedButton permission="trends.views" type="button" className="toggle toggle--on modal__big" disabled={busy} onClick={() => void save(true)} data-testid="trend-view-replace">
              Replace
            </GuardedButton>
          ) : (
            <GuardedButton permission="trends.views" type="button" className="toggle toggle--on modal__big" disabled={busy || name.trim() === ''} onClick={() => void save(false)} data-testid="trend-view-save">
              Save
            </GuardedButton>
          )}
        </div>
      </div>
    </div>
  );
}
