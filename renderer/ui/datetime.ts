/**
 * The one way screens write dates and times, set once from the project's `display:` section
 * (docs/screens.md): `iso` (the default) writes 2026-12-04 14:05:09 in every locale; `locale`
 * writes the locale's own order and separators (de-DE 04.12.2026, en-GB 04/12/2026, en-US
 * 12/04/2026). Times are 24 h unless the project sets `hour12`. Inputs (datetime-local) keep
 * their own ISO format: they are the browser's, not ours.
 */
import type { DisplaySettings } from '../../shared/api';

type Settings = Pick<DisplaySettings, 'dateFormat' | 'locale' | 'hour12'>;

interface Formats {
  iso: boolean;
  hour12: boolean;
  date: Intl.DateTimeFormat;
  dayMonth: Intl.DateTimeFormat;
  hm: Intl.DateTimeFormat;
  hms: Intl.DateTimeFormat;
}

function formatsOf(s: Settings): Formats {
  const locale = s.locale ?? undefined;
  const hourCycle = s.hour12 ? 'h12' : 'h23';
  return {
    iso: s.dateFormat === 'iso',
    hour12: s.hour12,
    date: new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit' }),
    dayMonth: new Intl.DateTimeFormat(locale, { month: '2-digit', day: '2-digit' }),
    hm: new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle }),
    hms: new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle }),
  };
}

let current: Formats = formatsOf({ dateFormat: 'iso', locale: null, hour12: false });

/** Called when the project's settings arrive (app.info); until then, ISO and 24 h. */
export function setDateTimeSettings(s: Settings): void {
  current = formatsOf(s);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A calendar date in local time: 2026-12-04, or the locale's. */
export function formatDate(epochMs: number): string {
  const d = new Date(epochMs);
  return current.iso ? `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` : current.date.format(d);
}

/** Day and month without the year (axis labels over days): 04.12 / 12/04. */
export function formatDayMonth(epochMs: number): string {
  const d = new Date(epochMs);
  return current.iso ? `${pad(d.getMonth() + 1)}-${pad(d.getDate())}` : current.dayMonth.format(d);
}

/** Local wall-clock time: 14:05:09 (24 h unless the project says hour12). */
export function formatTime(epochMs: number, seconds = true): string {
  const d = new Date(epochMs);
  if (current.iso && !current.hour12) return `${pad(d.getHours())}:${pad(d.getMinutes())}${seconds ? `:${pad(d.getSeconds())}` : ''}`;
  return (seconds ? current.hms : current.hm).format(d);
}

/** Date and time: 2026-12-04 14:05:09. */
export function formatDateTime(epochMs: number, seconds = true): string {
  return `${formatDate(epochMs)} ${formatTime(epochMs, seconds)}`;
}
