/**
 * CSV export of raw samples, streamed: samples are read a window at a time and written in
 * blocks of about 64 KB, waiting for the destination to drain, so memory stays constant for any
 * range. Columns: timestamp (ISO 8601, UTC, ms), tag, value, units, quality.
 *
 *   timestamp,tag,value,units,quality
 *   2025-01-06T06:00:01.002Z,L1.Speed,118.5,packs/min,good
 *   2025-01-06T06:00:01.002Z,L1.Running,true,,good
 *   2025-01-06T06:00:02.000Z,L1.Speed,,packs/min,bad:comm_failure
 *
 * Values: numbers as JavaScript prints them (shortest exact form), booleans true/false, text
 * quoted when it needs to be (RFC 4180), empty for a gap marker. Quality: the level, then the
 * reason when it is not `ok`.
 *
 * An export must never starve acquisition, whatever range it is asked for (a request for
 * 0 … 8.64e15 once kept the runtime at 100 % CPU for more than 13 minutes, stepping through
 * 15-minute windows that held nothing). So:
 * - the range is bounded: `to` more than a day after now is refused (bad_request, naming `to`);
 *   otherwise it is clamped to [oldest stored sample of the tags, now];
 * - the work is bounded by the samples there are: readRaw jumps over empty time;
 * - the work is sliced: at most ~SLICE_MS on the event loop, then it yields (timers and I/O run);
 * - it stops when the destination closes (the client went away) or `signal` aborts.
 */
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { ApiError } from '../../shared/api';
import { decodeQuality } from '../../shared/quality';
import type { TagScalar } from '../../shared/types';
import { TimeSlicer } from '../util/event-loop';
import { createLogger } from '../util/log';
import type { Historian } from './historian';

const log = createLogger('export');

export interface CsvExportRequest {
  tagIds: readonly string[];
  from: number;
  to: number;
  /** end the stream when done (default true) */
  end?: boolean;
  /** stops the export (as the destination closing does) */
  signal?: AbortSignal;
}

export interface CsvExportResult {
  rows: number;
  bytes: number;
}

const BLOCK = 64 * 1024;
/** longest stretch of export work between two turns of the event loop (ms) */
const SLICE_MS = 10;
/** how far after now `to` may reach (clocks differ a little; a day more is a mistake) */
export const EXPORT_MAX_FUTURE_MS = 24 * 3600_000;

/** The export stopped before its end: the destination closed or the caller aborted. */
export class ExportAborted extends Error {
  constructor(
    readonly rows: number,
    readonly bytes: number,
    reason: string,
  ) {
    super(`export aborted: ${reason}`);
    this.name = 'ExportAborted';
  }
}

/**
 * The part of [from, to] that can hold samples: [oldest stored sample of the tags, now], or null
 * when nothing can be there. Refuses a `to` that lies more than EXPORT_MAX_FUTURE_MS after now.
 */
export function exportRange(historian: Historian, req: Pick<CsvExportRequest, 'tagIds' | 'from' | 'to'>): { from: number; to: number } | null {
  const now = historian.now();
  if (req.to > now + EXPORT_MAX_FUTURE_MS) {
    throw new ApiError({
      code: 'bad_request',
      message: `export: \`to\` (${timeText(req.to)}) is more than a day after now (${timeText(now)}); nothing is stored there`,
      context: { field: 'to', to: req.to, now },
    });
  }
  const oldest = historian.oldestSample(req.tagIds);
  const from = Math.max(req.from, oldest ?? Infinity);
  const to = Math.min(req.to, now);
  return oldest === null || from > to ? null : { from, to };
}

export async function exportCsv(historian: Historian, req: CsvExportRequest, out: Writable): Promise<CsvExportResult> {
  await historian.flush();
  // After the flush: what it committed counts as stored.
  const range = exportRange(historian, req);
  const units = new Map(req.tagIds.map((t) => [t, csvField(historian.unitsOf(t))]));
  const tags = new Map(req.tagIds.map((t) => [t, csvField(t)]));
  const qualities = new Map<number, string>();
  let block = 'timestamp,tag,value,units,quality\n';
  let rows = 0;
  let bytes = 0;
  let closed = out.destroyed;
  const onClose = () => {
    closed = true;
  };
  out.on('close', onClose);
  const stopIfGone = () => {
    if (!closed && !out.destroyed && req.signal?.aborted !== true) return;
    const reason = req.signal?.aborted ? 'the caller aborted it' : 'the destination was closed';
    log.info(`export of ${req.tagIds.length} tag(s) stopped after ${rows} rows: ${reason}`);
    throw new ExportAborted(rows, bytes, reason);
  };
  const write = async (text: string) => {
    stopIfGone();
    bytes += Buffer.byteLength(text);
    // A client that goes away never drains: 'close' ends the wait as well.
    if (!out.write(text)) await Promise.race([once(out, 'drain'), once(out, 'close')]);
    stopIfGone();
  };
  const slicer = new TimeSlicer(SLICE_MS);
  try {
    stopIfGone();
    const samples = range === null ? [] : historian.readRaw(req.tagIds, range.from, range.to);
    for (const s of samples) {
      let q = qualities.get(s.quality);
      if (q === undefined) {
        const d = decodeQuality(s.quality);
        q = d.reason === 'ok' ? d.level : `${d.level}:${d.reason}`;
        qualities.set(s.quality, q);
      }
      block += `${new Date(s.ts).toISOString()},${tags.get(s.tagId)},${csvValue(s.value)},${units.get(s.tagId)},${q}\n`;
      rows++;
      if (block.length >= BLOCK) {
        await write(block);
        block = '';
      }
      if (slicer.due()) {
        await slicer.yield();
        stopIfGone();
      }
    }
    if (block.length > 0) await write(block);
  } finally {
    out.off('close', onClose);
  }
  if (req.end !== false) {
    out.end();
    await once(out, 'finish');
  }
  return { rows, bytes };
}

/** ISO 8601 where a Date can show it, else the number. */
function timeText(t: number): string {
  return Math.abs(t) <= 8.64e15 ? new Date(t).toISOString() : String(t);
}

function csvValue(v: TagScalar | null): string {
  if (v === null) return '';
  if (typeof v === 'string') return csvField(v);
  return String(v);
}

/** RFC 4180: quote a field holding a comma, quote, CR or LF (or leading/trailing space). */
export function csvField(s: string): string {
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
