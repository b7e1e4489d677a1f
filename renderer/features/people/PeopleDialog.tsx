import { useEffect, useRef, useState, type FormEvent, type ReactNode, type RefObject } from 'react';
import { useEscapeKey } from '../../ui/useEscapeKey';
import { useFocusTrap } from '../../ui/useFocusTrap';

/** The runtime's answer in words (an ApiError's message names what is wrong). */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Sends a change from a dialog: busy while it runs, the runtime's refusal kept for the dialog
 * to show (never only on the message line, where it would be gone behind the backdrop).
 */
export function useDialogCall() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async <T,>(call: () => Promise<T>): Promise<T | null> => {
    setBusy(true);
    setError(null);
    try {
      return await call();
    } catch (err) {
      setError(errorText(err));
      return null;
    } finally {
      setBusy(false);
    }
  };
  /** a field's setter that also clears the last refusal: it was about what is being changed */
  const edit = (set: (v: string) => void) => (v: string) => {
    set(v);
    setError(null);
  };
  return { busy, error, setError, run, edit };
}

interface PeopleDialogProps {
  title: string;
  testId: string;
  onClose: () => void;
  onSubmit: () => void;
  /** the runtime's refusal or the check that failed, shown above the buttons */
  error: string | null;
  /** a warning that does not stop the change (or a reason it is stopped) */
  warning?: string | null;
  submitLabel: string;
  submitDisabled: boolean;
  /** another action beside the main one (e.g. "Clear badge") */
  extra?: ReactNode;
  children: ReactNode;
  wide?: boolean;
  /** the focus starts on the main button (a confirmation: Enter confirms, Escape cancels) */
  focusSubmit?: boolean;
}

/** A modal form: focus stays inside, Escape or Cancel closes it, Enter submits. */
export function PeopleDialog({ title, testId, onClose, onSubmit, error, warning, submitLabel, submitDisabled, extra, children, wide, focusSubmit }: PeopleDialogProps) {
  const ref = useRef<HTMLFormElement>(null);
  const submitRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (focusSubmit) submitRef.current?.focus();
  }, [focusSubmit]);
  useEscapeKey(onClose);
  useFocusTrap(ref);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!submitDisabled) onSubmit();
  };
  return (
    <div className="modal-backdrop" role="presentation">
      <form ref={ref} className={`modal people-dialog${wide ? ' people-dialog--wide' : ''}`} role="dialog" aria-modal="true" aria-label={title} onSubmit={submit} data-testid={testId}>
        <h2 className="modal__title">{title}</h2>
        <div className="people-dialog__body">{children}</div>
        {warning && (
          <p className="people-dialog__warning" role="status" data-testid="dialog-warning">
            {warning}
          </p>
        )}
        {error !== null && (
          <p className="people-dialog__error" role="alert" data-testid="dialog-error">
            {error}
          </p>
        )}
        <div className="modal__actions people-dialog__actions">
          {extra}
          <span className="people-dialog__spacer" />
          <button type="button" className="toggle modal__big" onClick={onClose} data-testid="dialog-cancel">
            Cancel
          </button>
          <button ref={submitRef} type="submit" className="toggle toggle--on modal__big" disabled={submitDisabled} data-testid="dialog-submit">
            {submitLabel}
          </button>
        </div>
      </form>
    </div>
  );
}

/** A labelled text field of a People dialog, with its hint under it. */
export function Field({
  label,
  value,
  onChange,
  testId,
  type = 'text',
  hint,
  autoFocus,
  inputMode,
  autoComplete = 'off',
  inputRef,
  onEnter,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  testId: string;
  type?: 'text' | 'password';
  hint?: string | null;
  autoFocus?: boolean;
  inputMode?: 'numeric' | 'text';
  autoComplete?: string;
  inputRef?: RefObject<HTMLInputElement | null>;
  /** Enter in this field does this instead of submitting (a badge reader's Enter: on to the PIN) */
  onEnter?: () => void;
}) {
  return (
    <label className="people-field">
      <span className="people-field__label">{label}</span>
      <input
        className="people-field__input"
        type={type}
        value={value}
        autoFocus={autoFocus}
        inputMode={inputMode}
        autoComplete={autoComplete}
        spellCheck={false}
        ref={inputRef}
        onKeyDown={
          onEnter === undefined
            ? undefined
            : (e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  onEnter();
                }
              }
        }
        onChange={(e) => onChange(e.target.value)}
        data-testid={testId}
      />
      {hint && <span className="people-field__hint">{hint}</span>}
    </label>
  );
}
