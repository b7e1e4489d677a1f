/**
 * Copy a piece of text shown on screen. The asynchronous clipboard is missing outside secure
 * contexts and may be refused by policy; then the text is selected on screen (and the legacy
 * copy command tried), so Ctrl+C or the touch keyboard's Copy still works.
 */
export type CopyOutcome = 'copied' | 'selected';

export async function copyShownText(text: string, shownIn: HTMLElement | null): Promise<CopyOutcome> {
  try {
    if (navigator.clipboard && typeof navigator.clipboard.writeText === 'function') {
      await navigator.clipboard.writeText(text);
      return 'copied';
    }
  } catch {
    // refused (permissions policy, no user activation): fall back to a selection
  }
  if (shownIn === null) return 'selected';
  selectContents(shownIn);
  try {
    return document.execCommand('copy') ? 'copied' : 'selected';
  } catch {
    return 'selected';
  }
}

export function selectContents(element: HTMLElement): void {
  const selection = window.getSelection();
  if (selection === null) return;
  const range = document.createRange();
  range.selectNodeContents(element);
  selection.removeAllRanges();
  selection.addRange(range);
}
