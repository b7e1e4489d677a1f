/** How alarms read on screen: priority names and shapes, state words. Pure. */
import { AlarmStateType, ALARM_PRIORITY_NAMES, type AlarmPriority, type AlarmStatus, type AlarmStateType as StateType } from '../../../shared/alarms';
import type { TagInfo } from '../../../shared/types';
import { formatClock, formatValue } from '../overview/format';

/**
 * An alarm's value as the Overview writes its tag: decimals, state text, boolean words, units.
 * Without the tag (a device alarm, or the tag list not loaded yet) numbers get three decimals.
 */
export function alarmValueText(value: AlarmStatus['value'], tag: TagInfo | undefined): string {
  if (value === null || value === undefined) return '—';
  if (tag === undefined) return typeof value === 'number' ? Number(value.toFixed(3)).toString() : String(value);
  const text = formatValue(value, tag);
  return tag.units !== '' && typeof value === 'number' && tag.states === undefined && tag.dataType !== 'bool' ? `${text} ${tag.units}` : text;
}

/**
 * Each priority has its own colour (used for alarms and nothing else) and its own shape, so it
 * reads without colour too: 1 ▲ triangle, 2 ◆ diamond, 3 ■ square, 4 ● circle, with the number.
 */
export const PRIORITY_SHAPES: Record<AlarmPriority, 'triangle' | 'diamond' | 'square' | 'circle'> = {
  1: 'triangle',
  2: 'diamond',
  3: 'square',
  4: 'circle',
};

export function priorityName(p: AlarmPriority): string {
  return ALARM_PRIORITY_NAMES[p];
}

export const STATE_LABELS: Record<StateType, string> = {
  normal: 'Normal',
  unack: 'Active',
  acked: 'Active, acknowledged',
  rtnUnack: 'Cleared, not acknowledged',
  latched: 'Latched',
  shelved: 'Shelved',
  suppressed: 'Suppressed by design',
  outOfService: 'Out of service',
};

/** The state in words, with what the operator needs next (until when, who, why). */
export function stateText(s: AlarmStatus): string {
  const st = s.state;
  switch (st.type) {
    case AlarmStateType.Acknowledged:
      return `Acknowledged ${formatClock(st.ackedAt)} by ${st.ackedBy}`;
    case AlarmStateType.Latched:
      return st.ackedAt === null ? 'Back to normal, latched: acknowledge or reset' : `Back to normal, latched: reset (acknowledged by ${st.ackedBy})`;
    case AlarmStateType.Shelved:
      return st.mode === 'oneShot' ? `Shelved until it clears (at most ${formatClock(st.until)})` : `Shelved until ${formatClock(st.until)}`;
    case AlarmStateType.OutOfService:
      return `Out of service: ${st.reason}`;
    default:
      return STATE_LABELS[st.type];
  }
}

/** States that blink (ISA-101: unacknowledged blinks, acknowledged is steady). */
export function blinks(s: AlarmStatus): boolean {
  const st = s.state;
  return st.type === AlarmStateType.Unacknowledged || st.type === AlarmStateType.ReturnedUnacknowledged || (st.type === AlarmStateType.Latched && st.ackedAt === null);
}

/** The summary's state filter. */
export const STATE_FILTERS = ['annunciated', 'unacknowledged', 'shelved', 'suppressed', 'outOfService', 'all'] as const;
export type StateFilter = (typeof STATE_FILTERS)[number];
export const STATE_FILTER_LABELS: Record<StateFilter, string> = {
  annunciated: 'Active',
  unacknowledged: 'Unacknowledged',
  shelved: 'Shelved',
  suppressed: 'Suppressed',
  outOfService: 'Out of service',
  all: 'All',
};

export function matchesStateFilter(s: AlarmStatus, f: StateFilter): boolean {
  const t = s.state.type;
  switch (f) {
    case 'all':
      return true;
    case 'annunciated':
      return t === 'unack' || t === 'acked' || t === 'rtnUnack' || t === 'latched';
    case 'unacknowledged':
      return blinks(s);
    case 'shelved':
      return t === 'shelved';
    case 'suppressed':
      return t === 'suppressed';
    case 'outOfService':
      return t === 'outOfService';
  }
}

export function formatShelveDuration(s: number): string {
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  const h = s / 3600;
  return `${Number.isInteger(h) ? h : h.toFixed(1)} h`;
}

/** Shelve lengths offered as buttons: common ones within the project's limits, the shortest always. */
export function shelveChoices(minS: number, maxS: number): number[] {
  const common = [300, 900, 3600, 4 * 3600, 8 * 3600];
  const within = common.filter((s) => s >= minS && s <= maxS);
  const out = new Set<number>([minS, ...within]);
  if (!within.includes(maxS) && maxS > minS) out.add(maxS);
  return [...out].sort((a, b) => a - b).slice(0, 6);
}
