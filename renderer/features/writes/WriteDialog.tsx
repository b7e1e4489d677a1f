import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, type TagWriteResult } from '../../../shared/api';
import type { TagInfo, TagScalar, TagValue } from '../../../shared/types';
import { useServices } from '../../state/services';
import { formatValue } from '../overview/format';
import { limitsText, parseWriteInput } from './write-input';
import { useEscapeKey } from '../../ui/useEscapeKey';
import { useFocusTrap } from '../../ui/useFocusTrap';

type Phase = { kind: 'editing' } | { kind: 'confirming'; value: TagScalar } | { kind: 'sending' } | { kind: 'done'; result: TagWriteResult } | { kind: 'error'; message: string };

interface WriteDialogProps {
  tag: TagInfo;
  value: TagValue | undefined;
  onClose: () => void;
}

/**
 * Enter a new value, confirm, see what the device now holds. Modal, large targets, keyboard
 * (Enter to confirm, Escape to cancel) and touch alike.
 */
export function WriteDialog({ tag, value, onClose }: WriteDialogProps) {
  const { client } = useServices();
  const isBool = tag.dataType === 'bool';
  const [text, setText] = useState(() => (value?.value === null || value?.value === undefined || isBool ? '' : String(value.value)));
  const [phase, setPhase] = useState<Phase>({ kind: 'editing' });
  const input = useRef<HTMLInputElement>(null);
  const parsed = parseWriteInput(tag, text);

  useEscapeKey(onClose);
  const dialogRef = useRef<HTMLDivElement>(null);
  useFocusTrap(dialogRef);
  useEffect(() => {
    input.current?.select();
  }, [onClose]);

  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (phase.kind === 'confirming') confirmButton.current?.focus();
  }, [phase.kind]);
  /** the change is shown before anything is sent ("120 → 130 packs/min"), and confirmed */
  const review = (toWrite: TagScalar) => setPhase({ kind: 'confirming', value: toWrite });

  const send = async (toWrite: TagScalar) => {
    setPhase({ kind: 'sending' });
    try {
      const result = await client.call('tags.write', { tagId: tag.id, value: toWrite });
      setPhase({ kind: 'done', result });
    } catch (err) {
      setPhase({ kind: 'error', message: err instanceof ApiError ? err.message : String(err) });
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (parsed.ok) review(parsed.value);
  };

  const current = value && value.value !== null ? formatValue(value.value, tag) : '—';
  return (
    // Rendered inside a table row: keep clicks and keys from reaching the row (which would
    // select its trend, and whose Enter handler would swallow the form's submit).
    <div className="modal-backdrop" role="presentation" onClick={(e) => e.stopPropagation()} onKeyDown={(e) => e.stopPropagation()}>
      <div ref={dialogRef} className="modal" role="dialog" aria-modal="true" aria-labelledby="write-title" data-testid="write-dialog">
        <h2 id="write-title" className="modal__title">
          Set {tag.name}
        </h2>
        <p className="modal__line">
          Now <strong data-testid="write-current">{current}</strong> {tag.units}
          {value && value.quality.level !== 'good' && <span className="modal__warn"> — value not good ({value.quality.reason.replace('_', ' ')})</span>}
        </p>
        {phase.kind === 'confirming' ? (
          <div className="modal__form">
            <p className="modal__change" data-testid="write-change">
              {current} → <strong>{formatValue(phase.value, tag)}</strong> {tag.units}
            </p>
            <div className="modal__choices">
              <button type="button" className="toggle modal__big" data-testid="write-back" onClick={() => setPhase({ kind: 'editing' })}>
                Back
              </button>
              <button ref={confirmButton} type="button" className="toggle toggle--on modal__big" data-testid="write-send" onClick={() => void send(phase.value)}>
                Confirm write
              </button>
            </div>
          </div>
        ) : phase.kind === 'editing' || phase.kind === 'sending' ? (
          isBool ? (
            <div className="modal__choices">
              <button type="button" className="toggle modal__big" data-testid="write-on" disabled={phase.kind === 'sending'} onClick={() => review(true)}>
                {formatValue(true, tag)}
              </button>
              <button type="button" className="toggle modal__big" data-testid="write-off" disabled={phase.kind === 'sending'} onClick={() => review(false)}>
                {formatValue(false, tag)}
              </button>
            </div>
          ) : (
            <form onSubmit={submit} className="modal__form">
              <label className="modal__label" htmlFor="write-value">
                New value <span className="modal__limits">({limitsText(tag)})</span>
              </label>
              <input
                id="write-value"
                ref={input}
                className="modal__input"
                data-testid="write-input"
                inputMode={tag.dataType === 'string' ? 'text' : 'decimal'}
                autoComplete="off"
                value={text}
                onChange={(e) => setText(e.target.value)}
                disabled={phase.kind === 'sending'}
              />
              <p className="modal__hint" data-testid="write-hint">
                {text === '' ? '\u00a0' : parsed.ok ? '\u00a0' : parsed.error}
              </p>
              <button type="submit" className="toggle toggle--on modal__big" data-testid="write-confirm" disabled={!parsed.ok || phase.kind === 'sending'}>
                {phase.kind === 'sending' ? 'Writing…' : 'Write…'}
              </button>
            </form>
          )
        ) : phase.kind === 'done' ? (
          <p className={`modal__result${phase.result.verified ? '' : ' modal__result--warn'}`} data-testid="write-result" data-verified={phase.result.verified}>
            {phase.result.verified
              ? `Written. The device now holds ${formatValue(phase.result.readBack, tag)} ${tag.units}.`
              : phase.result.readBack === null
                ? 'Written, but the value could not be read back. Check the device.'
                : `Written, but the device holds ${formatValue(phase.result.readBack, tag)} ${tag.units}, not ${formatValue(phase.result.requested, tag)}.`}
          </p>
        ) : (
          <p className="modal__result modal__result--warn" data-testid="write-result" data-verified="false">
            Not written: {phase.message}
          </p>
        )}
        <div className="modal__actions">
          <button type="button" className="toggle modal__big" data-testid="write-close" onClick={onClose}>
            {phase.kind === 'done' || phase.kind === 'error' ? 'Close' : 'Cancel'}
          </button>
        </div>
      </div>
    </div>
  );
}
