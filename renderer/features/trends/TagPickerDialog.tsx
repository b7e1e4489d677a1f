import { useEffect, useMemo, useRef, useState } from 'react';
import type { TagInfo } from '../../../shared/types';
import { MAX_TREND_PENS } from '../../../shared/trend-api';
import { searchTags } from './tag-search';
import { useEscapeKey } from '../../ui/useEscapeKey';
import { useFocusTrap } from '../../ui/useFocusTrap';

interface TagPickerDialogProps {
  tags: readonly TagInfo[];
  penIds: readonly string[];
  onAdd: (tagId: string) => void;
  onClose: () => void;
}

/** Add pens: search by name, id, description, unit or device; each tap adds one (the dialog stays open). */
export function TagPickerDialog({ tags, penIds, onAdd, onClose }: TagPickerDialogProps) {
  const [query, setQuery] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const found = useMemo(() => searchTags(tags, query), [tags, query]);
  const full = penIds.length >= MAX_TREND_PENS;

  useEscapeKey(onClose);
  const dialogRef = useRef<HTMLDivElement>(null);
  useFocusTrap(dialogRef);
  useEffect(() => {
    input.current?.focus();
  }, [onClose]);

  return (
    <div className="modal-backdrop" role="presentation">
      <div ref={dialogRef} className="modal trend-dialog" role="dialog" aria-modal="true" aria-labelledby="trend-picker-title" data-testid="trend-picker">
        <h2 id="trend-picker-title" className="modal__title">
          Add pens {full && <span className="trend-dialog__note">— the chart holds at most {MAX_TREND_PENS} pens</span>}
        </h2>
        <input
          ref={input}
          className="trend-dialog__search"
          type="search"
          value={query}
          placeholder="Search tags: name, id, unit, device…"
          onChange={(e) => setQuery(e.target.value)}
          data-testid="trend-pen-search"
          aria-label="Search tags"
        />
        <ul className="trend-dialog__list" aria-label="Tags">
          {found.map((t) => {
            const on = penIds.includes(t.id);
            return (
              <li key={t.id}>
                <button
                  type="button"
                  className={`trend-option${on ? ' trend-option--on' : ''}`}
                  disabled={on || full}
                  onClick={() => onAdd(t.id)}
                  data-testid="trend-pen-option"
                  data-tag-id={t.id}
                >
                  <span className="trend-option__name">{t.name}</span>
                  <span className="trend-option__id">{t.id}</span>
                  <span className="trend-option__units">{t.units}</span>
                  <span className="trend-option__state">{on ? 'on the chart' : ''}</span>
                </button>
              </li>
            );
          })}
          {found.length === 0 && <li className="panel__empty">No trendable tag matches “{query}”.</li>}
        </ul>
        <div className="modal__actions">
          <button type="button" className="toggle toggle--on modal__big" onClick={onClose} data-testid="trend-picker-done">
            Done
          </button>
        </div>
      </div>
    </div>
  );
}
