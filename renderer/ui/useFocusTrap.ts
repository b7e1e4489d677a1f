import { useEffect, type RefObject } from 'react';

/** traps shown, the topmost last: only the topmost keeps Tab (a signing dialog over a shelve dialog) */
const traps: object[] = [];

const FOCUSABLE = 'button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [href], [tabindex]:not([tabindex="-1"])';

/**
 * Keeps Tab and Shift+Tab inside a dialog while it is shown, and gives focus back to what had
 * it when the dialog closes (the button that opened it), so a keyboard user never lands behind
 * the backdrop. Focus moves into the dialog when it opens.
 */
export function useFocusTrap(container: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    // focus starts inside the dialog (its own autofocus, if any, has run: effects run in order)
    const root0 = container.current;
    if (root0 !== null && !root0.contains(document.activeElement)) {
      const first = [...root0.querySelectorAll<HTMLElement>(FOCUSABLE)].find((el) => el.offsetParent !== null);
      (first ?? root0).focus();
    }
    const me = {};
    traps.push(me);
    const onKey = (e: KeyboardEvent) => {
      const root = container.current;
      if (e.key !== 'Tab' || root === null || traps[traps.length - 1] !== me) return;
      const items = [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null);
      if (items.length === 0) return;
      const first = items[0];
      const last = items[items.length - 1];
      const inside = root.contains(document.activeElement);
      if (e.shiftKey && (document.activeElement === first || !inside)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (document.activeElement === last || !inside)) {
        e.preventDefault();
        first.focus();
      }
    };
    // capture: a dialog rendered inside a row whose handlers stop key events is still trapped
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('keydown', onKey, true);
      traps.splice(traps.lastIndexOf(me), 1);
      if (opener !== null && opener.isConnected) opener.focus();
    };
  }, [container]);
}
