import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useEscapeKey } from '../../ui/useEscapeKey';
import { useFocusTrap } from '../../ui/useFocusTrap';

interface ReasonDialogProps {
  title: string;
  label: string;
  confirm: string;
  minLength: number;
  onClose: () => void;
  /** resolves to null when the runtime refused (the message line says why) */
  onConfirm: (text: string) => Promise<unknown>;
}

/** A text the operator gives with an action: a comment, a reason. Enter confirms, Escape cancels. */
export function ReasonDialog({ title, label, confirm, minLength, onClose, onConfirm }: ReasonDialogProps) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  useEscapeKey(onClose);
  const dialogRef = useRef<HTMLFormElement>(null);
  useFocusTrap(dialogRef);
  useEffect(() => {
    input.current?.focus();
  }, [onClose]);
  const ok = text.trim().length >= minLength;
  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (!ok || sending) return;
    setSending(true);
    const r = await onConfirm(text.trim());
    setSending(false);
    if (r !== null) onClose();
  };
  return (
    <div className="modal-backdrop" role="presentation" onClick={(e) => e.stopPropagation()}>
      <form ref={dialogRef} className="modal alarm-dialog" role="dialog" aria-modal="true" aria-label={title} onSubmit={(e) => void submit(e)} data-testid="reason-dialog">
        <h2 className="modal__title">{title}</h2>
        <label className="modal__label" htmlFor="alarm-reason">
          {label}
        </label>
        <textarea
          id="alarm-reason"
          ref={input}
          className="alarm-dialog__text"
          rows={3}
          maxLength={1000}
          value={text}
          data-testid="reason-input"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              void submit();
            }
          }}
        />
        <div className="modal__actions alarm-dialog__actions">
          <button type="button" className="toggle modal__big" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="toggle toggle--on modal__big" disabled={!ok || sending} data-testid="reason-confirm">
            {confirm}
          </button>
        </div>
      </form>
    </div>
  );
}
