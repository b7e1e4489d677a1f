/**
 * Bucket boundaries in local time: shifts (the project's start times, via shared/shifts.ts, so
 * a shift across a DST change is 7 or 9 hours long as the wall clock says), hours and days.
 * Everything is epoch ms; only the boundaries are local.
 */
import { shiftStart } from '../../shared/shifts';

export interface Bucket {
  from: number;
  to: number;
  label: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-03-29 06:00" in local time. */
export function localLabel(t: number): string {
  const d = new Date(t);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Local shift start times within [from, to), with the shift running at `from` first. */
export function shiftBoundaries(from: number, to: number, starts: readonly string[]): number[] {
  const out = [shiftStart(from, starts)];
  const first = new Date(out[0]);
  const minutes = starts
    .map((s) => /^(\d{1,2}):(\d{2})$/.exec(s))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]) * 60 + Number(m[2]))
    .sort((a, b) => a - b);
  for (let day = 0; ; day++) {
    for (const m of minutes) {
      // a start that falls in the hour skipped at spring-forward becomes the hour after (Date's rule)
      const t = new Date(first.getFullYear(), first.getMonth(), first.getDate() + day, 0, m, 0, 0).getTime();
      if (t <= out[out.length - 1]) continue;
      if (t >= to) return out;
      out.push(t);
    }
    if (day > 40_000) return out;
  }
}

/** The start of the local hour holding t (right in zones with half-hour offsets too). */
export function hourStart(t: number): number {
  const d = new Date(t);
  return t - (d.getMinutes() * 60_000 + d.getSeconds() * 1000 + d.getMilliseconds());
}

/** Local midnight at or before t. */
export function dayStart(t: number): number {
  const d = new Date(t);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

function fromBoundaries(bounds: readonly number[], from: number, to: number): Bucket[] {
  const out: Bucket[] = [];
  for (let i = 0; i < bounds.length; i++) {
    const a = Math.max(from, bounds[i]);
    const b = Math.min(to, i + 1 < bounds.length ? bounds[i + 1] : to);
    if (b > a) out.push({ from: a, to: b, label: localLabel(bounds[i]) });
  }
  return out;
}

export function shiftBuckets(from: number, to: number, starts: readonly string[]): Bucket[] {
  return fromBoundaries(shiftBoundaries(from, to, starts), from, to);
}

export function hourBuckets(from: number, to: number): Bucket[] {
  const bounds: number[] = [];
  // local hours are an hour apart in epoch time, DST changes included (they happen on the hour)
  for (let t = hourStart(from); t < to; t = hourStart(t + 3_600_000 + 60_000)) bounds.push(t);
  return fromBoundaries(bounds, from, to);
}

export function dayBuckets(from: number, to: number): Bucket[] {
  const bounds: number[] = [];
  for (let t = dayStart(from); t < to; ) {
    bounds.push(t);
    const d = new Date(t);
    t = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
  }
  return fromBoundaries(bounds, from, to);
}
