/** How values and ages are written on screen. Pure: no DOM, no React. */
import type { TagInfo, TagScalar } from '../../../shared/types';

export const NO_VALUE = '—';

const MAX_DECIMALS = 10;

export function formatNumber(value: number, decimals: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? '+∞' : '−∞';
  const places = Math.max(0, Math.min(MAX_DECIMALS, Math.trunc(decimals)));
  const text = value.toFixed(places);
  // -0.04 with one decimal is "-0.0": a sign on zero only confuses
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/** A value as the operator reads it: numbers with the tag's decimals, booleans as ON/OFF. */
export function formatValue(value: TagScalar | null | undefined, tag: Pick<TagInfo, 'dataType' | 'decimals'>): string {
  if (value === null || value === undefined) return NO_VALUE;
  if (typeof value === 'boolean') return value ? 'ON' : 'OFF';
  if (typeof value === 'string') return value;
  if (tag.dataType === 'bool') return value !== 0 ? 'ON' : 'OFF';
  return formatNumber(value, tag.decimals);
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

/** Local wall-clock time, 24 h, with seconds. */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatDate(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
