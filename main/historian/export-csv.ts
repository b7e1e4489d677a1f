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
 */
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { decodeQuality } from '../../shared/quality';
import type { TagScalar } from '../../shared/types';
import type { Historian } from './historian';

export interface CsvExportRequest {
  tagIds: readonly string[];
  from: number;
  to: number;
  /** end the stream when done (default true) */
  end?: boolean;
}

export interface CsvExportResult {
  rows: number;
  bytes: number;
}

const BLOCK = 64 * 1024;

export async function exportCsv(historian: Historian, req: CsvExportRequest, out: Writable): Promise<CsvExportResult> {
  await historian.flush();
  const units = new Map(req.tagIds.map((t) => [t, csvField(historian.unitsOf(t))]));
  const tags = new Map(req.tagIds.map((t) => [t, csvField(t)]));
  const qualities = new Map<number, string>();
  let block = 'timestamp,tag,value,units,quality\n';
  let rows = 0;
  let bytes = 0;
  const write = async (text: string) => {
    if (out.destroyed) throw new Error('export aborted: the destination was closed');
    bytes += Buffer.byteLength(text);
    // A client that goes away never drains: 'close' ends the wait as well.
    if (!out.write(text)) await Promise.race([once(out, 'drain'), once(out, 'close')]);
  };
  for (const s of historian.readRaw(req.tagIds, req.from, req.to)) {
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
  }
  if (block.length > 0) await write(block);
  if (req.end !== false) {
    out.end();
    await once(out, 'finish');
  }
  return { rows, bytes };
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
