import { useEffect, useRef } from 'react';

/**
 * Dialogs shown, the topmost last. Escape closes the topmost only (a signing dialog over a
 * shelve dialog closes alone), and is heard in the capture phase so that a dialog rendered
 * inside a row whose handlers stop key events still closes.
 */
const open: { current: () => void }[] = [];

function onKey(e: KeyboardEvent): void {
  if (e.key !== 'Escape' || open.length === 0) return;
  e.preventDefault();
  e.stopPropagation();
  open[open.length - 1].current();
}

/** Escape anywhere on the page calls `onClose`, while the component (a dialog) is shown. */
export function useEscapeKey(onClose: () => void): void {
  const latest = useRef(onClose);
  latest.current = onClose;
  useEffect(() => {
    const entry = latest;
    if (open.length === 0) window.addEventListener('keydown', onKey, true);
    open.push(entry);
    return () => {
      const i = open.lastIndexOf(entry);
      if (i >= 0) open.splice(i, 1);
      if (open.length === 0) window.removeEventListener('keydown', onKey, true);
    };
  }, []);
}
