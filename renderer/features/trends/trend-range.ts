/**
 * What time a trend shows, and how zoom, pan, presets and the address (#trends?…) move it.
 * Pure: no DOM, no React. Times are epoch ms, shift starts are the line PC's local time.
 */
import type { TrendRangePreset, TrendRangeSpec } from '../../../shared/trend-api';
import { shiftStart } from '../../../shared/shifts';
import { formatDateTime, formatDayMonth, formatTime } from '../../ui/datetime';

export { shiftStart };

export type TrendWindow = { mode: 'live'; spanMs: number } | { mode: 'history'; from: number; to: number };

export const MIN_SPAN_MS = 10_000;
export const MAX_SPAN_MS = 400 * 86_400_000;
export const LIVE_SPANS_MIN = [1, 10, 60, 480] as const;
export const DEFAULT_LIVE_SPAN_MS = 10 * 60_000;

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export const PRESET_LABELS: Record<TrendRangePreset, string> = {
  '15m': '15 min',
  '1h': '1 h',
  '8h': '8 h',
  shift: 'Shift',
  '24h': '24 h',
  '7d': '7 days',
  '30d': '30 days',
};

const PRESET_SPANS: Record<Exclude<TrendRangePreset, 'shift'>, number> = {
  '15m': 15 * MINUTE,
  '1h': HOUR,
  '8h': 8 * HOUR,
  '24h': DAY,
  '7d': 7 * DAY,
  '30d': 30 * DAY,
};

export function presetRange(preset: TrendRangePreset, now: number, shiftStarts: readonly string[]): { from: number; to: number } {
  if (preset === 'shift') {
    const from = shiftStart(now, shiftStarts);
    return { from, to: Math.max(now, from + MIN_SPAN_MS) };
  }
  return { from: now - PRESET_SPANS[preset], to: now };
}

export function windowRange(w: TrendWindow, now: number): { from: number; to: number } {
  return w.mode === 'live' ? { from: now - w.spanMs, to: now } : { from: w.from, to: w.to };
}

function clampSpan(from: number, to: number, anchor: number): { from: number; to: number } {
  let span = to - from;
  if (span >= MIN_SPAN_MS && span <= MAX_SPAN_MS) return { from: Math.round(from), to: Math.round(to) };
  span = Math.min(MAX_SPAN_MS, Math.max(MIN_SPAN_MS, span));
  const f = (anchor - from) / (to - from || 1);
  const nf = anchor - f * span;
  return { from: Math.round(nf), to: Math.round(nf + span) };
}

/** Zoom by `factor` (< 1 zooms in) keeping `anchor` (default the middle) at the same place. */
export function zoomRange(from: number, to: number, factor: number, anchor = (from + to) / 2): { from: number; to: number } {
  const a = Math.min(to, Math.max(from, anchor));
  return clampSpan(a - (a - from) * factor, a + (to - a) * factor, a);
}

/** Pan by a fraction of the span (positive: later). */
export function panRange(from: number, to: number, fraction: number): { from: number; to: number } {
  const d = Math.round((to - from) * fraction);
  return { from: from + d, to: to + d };
}

/** The range as a saved view stores it. */
export function rangeSpecOf(w: TrendWindow, preset: TrendRangePreset | null): TrendRangeSpec {
  if (w.mode === 'live') return { kind: 'live', spanMs: Math.min(8 * HOUR, Math.max(MINUTE, w.spanMs)) };
  if (preset !== null) return { kind: 'preset', preset };
  return { kind: 'fixed', from: w.from, to: w.to };
}

export function windowOfSpec(spec: TrendRangeSpec, now: number, shiftStarts: readonly string[]): TrendWindow {
  if (spec.kind === 'live') return { mode: 'live', spanMs: spec.spanMs };
  if (spec.kind === 'fixed') return { mode: 'history', from: spec.from, to: spec.to };
  return { mode: 'history', ...presetRange(spec.preset, now, shiftStarts) };
}

/** What `#trends?pens=A,B&live=600000` or `#trends?pens=A&from=…&to=…` asks for; null when it is not a trend address. */
export function parseTrendHash(hash: string): { pens: string[]; window: TrendWindow | null } | null {
  const m = /^#trends(?:\?(.*))?$/.exec(hash);
  if (m === null) return null;
  const q = new URLSearchParams(m[1] ?? '');
  const pens = (q.get('pens') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const live = Number(q.get('live'));
  const from = Number(q.get('from'));
  const to = Number(q.get('to'));
  let window: TrendWindow | null = null;
  if (q.has('live') && Number.isFinite(live) && live > 0) window = { mode: 'live', spanMs: Math.min(8 * HOUR, Math.max(MINUTE, live)) };
  else if (q.has('from') && q.has('to') && Number.isFinite(from) && Number.isFinite(to) && to > from) window = { mode: 'history', from, to };
  return { pens: [...new Set(pens)], window };
}

export function formatTrendHash(pens: readonly string[], w: TrendWindow): string {
  const q = new URLSearchParams();
  if (pens.length > 0) q.set('pens', pens.join(','));
  if (w.mode === 'live') q.set('live', String(w.spanMs));
  else {
    q.set('from', String(w.from));
    q.set('to', String(w.to));
  }
  return `#trends?${q.toString().replace(/%2C/g, ',')}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

export { formatDateTime };

export function formatSpan(ms: number): string {
  // thresholds on the rounded value, so 59.9 s reads "1 min", not "60 s"
  if (Math.round(ms / 1000) < 60) return `${Math.round(ms / 1000)} s`;
  if (Math.round(ms / MINUTE) < 60) return `${Math.round(ms / MINUTE)} min`;
  if (ms < 2 * DAY) return `${Math.round((ms / HOUR) * 10) / 10} h`;
  return `${Math.round((ms / DAY) * 10) / 10} days`;
}

/** Value for an <input type="datetime-local"> (local time, to the second). */
export function toLocalInput(t: number): string {
  const d = new Date(t);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}T${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

export function fromLocalInput(s: string): number | null {
  if (s === '') return null;
  const t = new Date(s).getTime();
  return Number.isFinite(t) ? t : null;
}

/** Axis labels: time of day, with the date where the span covers days, seconds where it is short. */
export function axisLabel(epochSeconds: number, spanMs: number): string {
  const t = epochSeconds * 1000;
  if (spanMs <= 15 * MINUTE) return formatTime(t, true);
  if (spanMs <= 2 * DAY) return formatTime(t, false);
  return `${formatDayMonth(t)} ${formatTime(t, false)}`;
}
