import { useState } from 'react';

/**
 * The footer's "A+ Larger text": larger text for this station (a panel read from further away, or by older eyes): every font
 * size on every screen grows by a fifth (theme.css `--text-scale`), the layout stays. Kept in
 * this station's browser storage: a setting of the panel, not of the person signed in.
 */
const KEY = 'lineside.textSize';
type TextSize = 'normal' | 'large';

function stored(): TextSize {
  try {
    return localStorage.getItem(KEY) === 'large' ? 'large' : 'normal';
  } catch {
    return 'normal';
  }
}

/** Sets the page's text size from storage; main.tsx calls it before the first render. */
export function applyStoredTextSize(): void {
  document.documentElement.dataset.textSize = stored();
}

export function TextSizeToggle() {
  const [size, setSize] = useState<TextSize>(stored);
  const toggle = () => {
    const next: TextSize = size === 'large' ? 'normal' : 'large';
    try {
      localStorage.setItem(KEY, next);
    } catch {
      // storage refused (private window): the setting lasts until the page reloads
    }
    document.documentElement.dataset.textSize = next;
    setSize(next);
  };
  return (
    <button
      type="button"
      className={`toggle text-size${size === 'large' ? ' toggle--on' : ''}`}
      data-testid="text-size"
      aria-pressed={size === 'large'}
      title={size === 'large' ? 'Larger text is on: tap for normal text' : 'Larger text on this station'}
      onClick={toggle}
    >
      <span className="text-size__mark" aria-hidden="true">
        A+
      </span>{' '}
      Larger text
    </button>
  );
}
