import { useRef, type ReactNode } from 'react';
import { useEscapeKey } from '../../ui/useEscapeKey';
import { useFocusTrap } from '../../ui/useFocusTrap';

/** The frame of the screen's dialogs: modal, focus kept inside, Escape and Cancel close it. */
export function ProductionDialog({ title, testId, onClose, children, wide = false }: { title: string; testId: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useEscapeKey(onClose);
  useFocusTrap(ref);
  return (
    <div className="modal-backdrop" role="presentation">
      <div ref={ref} className={`modal prod-dialog${wide ? ' prod-dialog--wide' : ''}`} role="dialog" aria-modal="true" aria-label={title} data-testid={testId}>
        <h2 className="modal__title">{title}</h2>
        {children}
      </div>
    </div>
  );
}
