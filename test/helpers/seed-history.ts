/**
 * Writes history into a Lineside data directory before the app starts on it, so that tests and
 * benchmarks have known (or large) history: `<dataDir>/lineside.db`, through the Historian as
 * the runtime writes it (writer on its worker thread, rollups maintained as samples are
 * committed, hot rows compacted into chunks), then closed cleanly.
 *
 * The historian's clock follows the data's time while seeding (its timers are real), so rows
 * older than the hot period are compacted as they would have been at that time, and 1-minute and
 * 1-hour rollups exist for the whole range. At the end the rest is compacted (`maintain`), so the
 * runtime does not start with a compaction backlog; the last hour before `to` stays in the hot
 * table, as in a runtime that was running until `to`.
 *
 * Mind the project's retention when seeding old data: the runtime deletes data older than the
 * project's `historian.keepDays` (default 400) shortly after it starts.
 */
import { join } from 'node:path';
import { openDatabase } from '../../main/historian/database';
import { Historian } from '../../main/historian/historian';
import { systemClock, type Clock } from '../../main/util/clock';
import { GOOD, type Quality } from '../../shared/quality';
import type { TagValue } from '../../shared/types';

export interface SeedTag {
  name: string;
  units?: string;
}

export interface SeedOptions {
  dataDir: string;
  tags: readonly SeedTag[];
  /** first sample time (epoch ms) */
  from: number;
  /** samples are at from, from + periodMs, … while before `to` (epoch ms) */
  to: number;
  periodMs: number;
  /**
   * The value of a tag at t; null: a bad-quality sample (bad / comm_failure) holding the tag's
   * last good value (0 before the first), as the drivers report a device that stopped answering.
   */
  value: (tagName: string, t: number) => number | null;
  /** samples handed to the writer per batch (default 8192, the historian's own) */
  batchSamples?: number;
  /** called every ~5 s with the samples written so far */
  onProgress?: (samples: number, total: number) => void;
}

export interface SeedResult {
  samples: number;
  /** bad-quality samples among them */
  badSamples: number;
  ms: number;
}

/** slices handed to the writer and not yet committed, at most */
const IN_FLIGHT = 3;

const BAD: Quality = Object.freeze({ level: 'bad', reason: 'comm_failure' }) as Quality;

/** A clock whose "now" is the data's time while its timers are real. */
class DataClock implements Clock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  setTimeout = systemClock.setTimeout;
  clearTimeout = systemClock.clearTimeout;
}

export async function seedHistory(o: SeedOptions): Promise<SeedResult> {
  if (!(o.periodMs > 0) || !(o.to > o.from)) throw new RangeError('seedHistory: periodMs > 0 and to > from required');
  const started = performance.now();
  const clock = new DataClock(o.from);
  const db = openDatabase(join(o.dataDir, 'lineside.db'));
  const batchSamples = o.batchSamples ?? 8192;
  const historian = new Historian(db, clock, { writer: 'worker', maxBatch: batchSamples });
  let samples = 0;
  let badSamples = 0;
  try {
    historian.registerTags(o.tags.map((t) => ({ name: t.name, units: t.units })));
    const names = o.tags.map((t) => t.name);
    const held = names.map(() => 0);
    const steps = Math.ceil((o.to - o.from) / o.periodMs);
    const total = steps * names.length;
    let nextProgress = performance.now() + 5000;
    const inFlight: Promise<void>[] = [];
    // Enough steps per slice for one full batch, then let the writer's messages and timers run.
    const stepsPerSlice = Math.max(1, Math.floor(batchSamples / names.length));
    for (let k = 0; k < steps; ) {
      const end = Math.min(steps, k + stepsPerSlice);
      for (; k < end; k++) {
        const t = o.from + k * o.periodMs;
        clock.t = t;
        const values: TagValue[] = new Array(names.length);
        for (let i = 0; i < names.length; i++) {
          const v = o.value(names[i], t);
          if (v === null) {
            values[i] = { tagId: names[i], value: held[i], quality: BAD, sourceTs: t, ts: t };
            badSamples++;
          } else {
            held[i] = v;
            values[i] = { tagId: names[i], value: v, quality: GOOD, sourceTs: t, ts: t };
          }
        }
        historian.ingest(values);
        samples += values.length;
      }
      // Keep what is in flight bounded (the writer drops the oldest beyond its own bound): at
      // most IN_FLIGHT slices. Paced by sync round trips, which the writer thread answers as soon
      // as it has committed what came before; not by whenBacklogBelow, which waits for the
      // thread's status messages (sent at most every 50 ms, and not after it falls idle).
      inFlight.push(historian.flush());
      if (inFlight.length > IN_FLIGHT) await inFlight.shift();
      else await new Promise((r) => setImmediate(r));
      if (o.onProgress && performance.now() > nextProgress) {
        nextProgress += 5000;
        o.onProgress(samples, total);
      }
    }
    await Promise.all(inFlight);
    clock.t = Math.max(clock.t, o.to);
    await historian.maintain();
    const status = historian.status();
    if (status.droppedSamples > 0 || status.state !== 'ok') {
      throw new Error(`seedHistory: the writer dropped ${status.droppedSamples} samples (state ${status.state}: ${status.error?.message ?? ''})`);
    }
  } finally {
    await historian.close();
    db.close();
  }
  return { samples, badSamples, ms: performance.now() - started };
}

/**
 * A small known data set for end-to-end tests: every tag ramps linearly by `slopePerMin` per
 * minute from `offset` (tag i starts at i × 10), except during [badFrom, badTo) where it is a
 * bad-quality stretch (value held).
 */
export function rampWithBadStretch(o: { from: number; tags: readonly string[]; slopePerMin?: number; badFrom: number; badTo: number }): (tagName: string, t: number) => number | null {
  const slope = o.slopePerMin ?? 1;
  const offset = new Map(o.tags.map((name, i) => [name, i * 10]));
  return (tagName, t) => {
    if (t >= o.badFrom && t < o.badTo) return null;
    return (offset.get(tagName) ?? 0) + ((t - o.from) / 60_000) * slope;
  };
}
