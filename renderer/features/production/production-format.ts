/** How production figures are written on the Production screen. Pure: no DOM, no React. */
import type { LossClass, RecordedState, ReasonNode } from '../../../shared/production';
import { formatTime as formatClockTime } from '../../ui/datetime';

export const NONE = '—';

/** A ratio 0..1 as a percent with one decimal: "72.4 %"; null (no denominator) as a dash. */
export function formatPercent(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return NONE;
  // a narrow no-break space: "100.0 %" never breaks before its sign
  return `${(ratio * 100).toFixed(1)}\u202f%`;
}

/** A duration to read at a glance: "45 s", "12 min", "1 h 05 min". */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return NONE;
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
}

/** Minutes with one decimal: "3.5 min". */
export function formatMinutes(ms: number): string {
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** Local wall-clock time in the project's format, minutes unless `seconds`. */
export function formatTime(epochMs: number, seconds = false): string {
  return formatClockTime(epochMs, seconds);
}

export const STATE_TEXT: Record<RecordedState, string> = {
  running: 'Running',
  idle: 'Idle',
  starved: 'Starved',
  blocked: 'Blocked',
  fault: 'Fault',
  plannedStop: 'Planned stop',
  changeover: 'Changeover',
  off: 'Off',
  unknown: 'Unknown',
};

export const LOSS_TEXT: Record<LossClass | 'unassigned', string> = {
  breakdown: 'Breakdowns',
  setup: 'Setup & adjustment',
  minorStop: 'Minor stops',
  reducedSpeed: 'Reduced speed',
  startupReject: 'Startup rejects',
  processDefect: 'Process defects',
  unassigned: 'Stops without reason',
};

/** The leaves under a node (what the picker offers once a group is chosen). */
export function leavesOf(node: ReasonNode): ReasonNode[] {
  return node.children.length === 0 ? [node] : node.children.flatMap(leavesOf);
}

/** A reason's name by its code, anywhere in the tree. */
export function reasonName(tree: ReasonNode[], code: string | null): string | null {
  if (code === null) return null;
  for (const n of tree) {
    if (n.code === code) return n.name;
    const below = reasonName(n.children, code);
    if (below !== null) return below;
  }
  return null;
}
