/** How values and ages are written on screen. Pure: no DOM, no React. */
import type { TagInfo, TagScalar } from '../../../shared/types';
import { formatDate, formatTime } from '../../ui/datetime';

export const NO_VALUE = '—';

const MAX_DECIMALS = 10;

export function formatNumber(value: number, decimals: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? '+∞' : '−∞';
  const places = Math.max(0, Math.min(MAX_DECIMALS, Math.trunc(decimals)));
  const text = value.toFixed(places);
  // -0.04 with one decimal is "-0.0": a sign on zero only confuses
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/**
 * A value as the operator reads it: a state's text where the tag names its values ("2 Running"
 * stays "Running"; an unnamed value shows as "State 7"), booleans in the tag's words or ON/OFF,
 * numbers with the tag's decimals, whole numbers grouped by thousands.
 */
export function formatValue(value: TagScalar | null | undefined, tag: Pick<TagInfo, 'dataType' | 'decimals'> & Partial<Pick<TagInfo, 'states' | 'labels'>>): string {
  if (value === null || value === undefined) return NO_VALUE;
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || tag.dataType === 'bool') {
    const on = typeof value === 'boolean' ? value : value !== 0;
    return on ? (tag.labels?.on ?? 'ON') : (tag.labels?.off ?? 'OFF');
  }
  if (tag.states !== undefined && Number.isInteger(value)) return tag.states[String(value)] ?? `State ${value}`;
  return groupThousands(formatNumber(value, tag.decimals));
}

/** 1234567 → "1 234 567" (thin spaces, as SI writes it, whatever the locale) for whole parts of five digits and more. */
function groupThousands(text: string): string {
  const m = /^(-?)(\d{5,})(.*)$/.exec(text);
  if (m === null) return text;
  return m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f') + m[3];
}

/** Elapsed time, coarse enough to read at a glance: "4 s", "12 min", "3 h", "2 d". */
export function formatAge(ageMs: number): string {
  const s = Math.max(0, Math.floor(ageMs / 1000));
  if (s < 120) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 120) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

/** Local wall-clock time with seconds, in the project's format (renderer/ui/datetime.ts). */
export function formatClock(epochMs: number): string {
  return formatTime(epochMs, true);
}

export { formatDate };
