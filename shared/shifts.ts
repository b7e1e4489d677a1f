/**
 * Shifts as the project names them (local start times "HH:MM"): when the shift running at a
 * moment began. Trends offer "this shift"; a start-of-shift checklist is due once per shift.
 */
const HOUR = 3_600_000;

/** "HH:MM" → minutes after midnight, or null when malformed. */
function minutesOf(hhmm: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (m === null) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h < 24 && min < 60 ? h * 60 + min : null;
}

/** When the shift running at `now` began (local time); the last start of yesterday before the first of today. */
export function shiftStart(now: number, shiftStarts: readonly string[]): number {
  const starts = shiftStarts.map(minutesOf).filter((m): m is number => m !== null).sort((a, b) => a - b);
  if (starts.length === 0) starts.push(0);
  const d = new Date(now);
  for (let back = 0; back <= 1; back++) {
    for (let i = starts.length - 1; i >= 0; i--) {
      const s = new Date(d.getFullYear(), d.getMonth(), d.getDate() - back, 0, starts[i], 0, 0).getTime();
      if (s <= now) return s;
    }
  }
  return now - 8 * HOUR;
}

