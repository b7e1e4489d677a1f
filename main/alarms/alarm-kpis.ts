/**
 * Alarm system performance after ISA-18.2 (section 16) and EEMUA 191, from the journal. Pure.
 *
 * - An "alarm" is an annunciation: a transition into active-unacknowledged (what reaches the
 *   operator). Shelved, suppressed and out-of-service activations are in the journal but not
 *   counted, as they were never presented.
 * - Rates: per hour and per 10 minutes over the whole range.
 * - Flood: a 10-minute period with more than 10 alarms. The range is cut into consecutive
 *   10-minute periods from its start (the last may be shorter); % time in flood is the share of
 *   periods in flood. The peak is the busiest 10 minutes anywhere (a sliding window).
 * - Chattering: 3 or more activations of one alarm within 60 seconds.
 * - Stale: active (the process condition, whatever the operator did) for more than 24 hours
 *   within the range, including alarms that became active before it.
 */
import { alarmPriorities, type AlarmKpis, type AlarmPriority } from '../../shared/alarms';
import type { Activation, ActivityEvent } from './alarm-store';

export const TEN_MINUTES_MS = 600_000;
export const FLOOD_THRESHOLD = 10;
export const CHATTER_WINDOW_MS = 60_000;
export const CHATTER_COUNT = 3;
export const STALE_AFTER_MS = 24 * 3_600_000;

export function computeKpis(
  from: number,
  to: number,
  activations: readonly Activation[],
  activity: readonly ActivityEvent[],
  truncated = false,
): AlarmKpis {
  const rangeMs = Math.max(1, to - from);
  const total = activations.length;
  const ts = activations.map((a) => a.ts);

  const periods = Math.max(1, Math.ceil(rangeMs / TEN_MINUTES_MS));
  const perPeriod = new Array<number>(periods).fill(0);
  for (const t of ts) perPeriod[Math.min(periods - 1, Math.floor((t - from) / TEN_MINUTES_MS))]++;
  const floodPeriods = perPeriod.filter((n) => n > FLOOD_THRESHOLD).length;

  let peak = 0;
  let peakStart: number | null = null;
  for (let i = 0, j = 0; j < ts.length; j++) {
    while (ts[j] - ts[i] >= TEN_MINUTES_MS) i++;
    if (j - i + 1 > peak) {
      peak = j - i + 1;
      peakStart = ts[i];
    }
  }

  const byAlarm = new Map<string, { message: string; priority: AlarmPriority; times: number[] }>();
  for (const a of activations) {
    const e = byAlarm.get(a.alarmId);
    if (e) {
      e.times.push(a.ts);
      e.message = a.message;
    } else {
      byAlarm.set(a.alarmId, { message: a.message, priority: a.priority, times: [a.ts] });
    }
  }
  const share = (n: number) => (total === 0 ? 0 : round1((n / total) * 100));
  const top = [...byAlarm]
    .map(([alarmId, e]) => ({ alarmId, message: e.message, priority: e.priority, count: e.times.length, percent: share(e.times.length) }))
    .sort((a, b) => b.count - a.count || a.alarmId.localeCompare(b.alarmId))
    .slice(0, 10);

  const chattering: AlarmKpis['chattering'] = [];
  for (const [alarmId, e] of byAlarm) {
    let max = 0;
    for (let i = 0, j = 0; j < e.times.length; j++) {
      while (e.times[j] - e.times[i] >= CHATTER_WINDOW_MS) i++;
      max = Math.max(max, j - i + 1);
    }
    if (max >= CHATTER_COUNT) chattering.push({ alarmId, message: e.message, maxPerMinute: max });
  }
  chattering.sort((a, b) => b.maxPerMinute - a.maxPerMinute || a.alarmId.localeCompare(b.alarmId));

  const priorityCounts = new Map<AlarmPriority, number>(alarmPriorities.map((p) => [p, 0]));
  for (const a of activations) priorityCounts.set(a.priority, (priorityCounts.get(a.priority) ?? 0) + 1);

  return {
    from,
    to,
    total,
    perHour: round1(total / (rangeMs / 3_600_000)),
    per10Min: round1(total / (rangeMs / TEN_MINUTES_MS)),
    peak10MinCount: peak,
    peak10MinStart: peakStart,
    floodPercent: round1((floodPeriods / periods) * 100),
    floodPeriods,
    periods,
    top,
    chattering,
    stale: staleAlarms(to, activity),
    priorityDistribution: alarmPriorities.map((p) => ({ priority: p, count: priorityCounts.get(p) ?? 0, percent: share(priorityCounts.get(p) ?? 0) })),
    truncated,
  };
}

/** Alarms whose condition stayed active longer than 24 h, ending in the range or still active at its end. */
function staleAlarms(to: number, activity: readonly ActivityEvent[]): AlarmKpis['stale'] {
  const since = new Map<string, { ts: number; message: string }>();
  const longest = new Map<string, { activeSince: number; ms: number; message: string }>();
  const note = (alarmId: string, start: number, end: number, message: string) => {
    const ms = end - start;
    if (ms <= STALE_AFTER_MS) return;
    const prev = longest.get(alarmId);
    if (prev === undefined || ms > prev.ms) longest.set(alarmId, { activeSince: start, ms, message });
  };
  const ordered = [...activity].sort((a, b) => a.ts - b.ts);
  for (const e of ordered) {
    const open = since.get(e.alarmId);
    if (e.active) {
      if (open === undefined) since.set(e.alarmId, { ts: e.ts, message: e.message });
    } else if (open !== undefined) {
      note(e.alarmId, open.ts, e.ts, open.message);
      since.delete(e.alarmId);
    }
  }
  for (const [alarmId, open] of since) note(alarmId, open.ts, to, open.message);
  return [...longest]
    .map(([alarmId, l]) => ({ alarmId, message: l.message, activeSince: l.activeSince, hours: round1(l.ms / 3_600_000) }))
    .sort((a, b) => b.hours - a.hours);
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
