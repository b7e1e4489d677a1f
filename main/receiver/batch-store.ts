/**
 * What every receiver store shares, whatever it stores into (SQLite for one line, PostgreSQL for
 * a site): the contract the MQTT and HTTP sides call, the checks a batch must pass before any of
 * it is stored, the record validation, how an ack is made from what is held, and the gaps.
 *
 * A store commits a batch in one transaction and only then returns its ack; it stores a record
 * once per key (node, stream, seq) and counts a repeated delivery as a duplicate.
 */
import type { IntervalSet } from '../sync/intervals';
import { WIRE_VERSION, type Ack, type Batch, type StreamName } from '../sync/wire';

export interface StreamPosition {
  node: string;
  stream: StreamName;
  site: string;
  line: string;
  baseline: number;
  contiguous: number;
  maxSeen: number;
  stored: number;
  duplicates: number;
  refused: number;
  /** numbers in (baseline, maxSeen] that are neither stored, refused nor declared lost */
  missing: number;
  lost: number;
}

/** A range of numbers a receiver has not got (neither stored, refused nor declared lost). */
export interface StreamGap {
  node: string;
  stream: StreamName;
  site: string;
  line: string;
  first: number;
  last: number;
}

/** The receiver's storage, as the MQTT and HTTP sides use it (sync or async). */
export interface BatchStore {
  /** commits the batch, then returns its ack; throws when it could not commit (no ack is sent) */
  process(batch: Batch): Ack | Promise<Ack>;
  positions(): StreamPosition[] | Promise<StreamPosition[]>;
}

/** Decides whether a record is acceptable; returns why not, or null. */
export type RecordValidator = (stream: StreamName, record: Record<string, unknown>) => string | null;

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);
const isText = (x: unknown): x is string => typeof x === 'string' && x.length > 0;

/** The reference receiver's checks: the fields each stream's records must have. */
export function validateRecord(stream: StreamName, r: Record<string, unknown>): string | null {
  if (!isInt(r.ts)) return 'ts must be an integer (epoch ms)';
  switch (stream) {
    case 'sample': {
      if (!isText(r.tag)) return 'tag must be a non-empty string';
      if (typeof r.sourceTs !== 'number') return 'sourceTs must be a number';
      const v = r.value;
      if (!(v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string')) return 'value must be a number, boolean, string or null';
      if (!isText(r.quality)) return 'quality must be a non-empty string';
      return null;
    }
    case 'alarm':
      return isText(r.alarmId) && isText(r.event) ? null : 'alarmId and event must be non-empty strings';
    case 'audit':
      return isText(r.user) && isText(r.action) ? null : 'user and action must be non-empty strings';
    case 'instruction':
      if (!isInt(r.runId)) return 'runId must be an integer';
      if (!isText(r.kind) || !['start', 'step', 'completed', 'aborted'].includes(r.kind)) return 'kind must be start, step, completed or aborted';
      return isText(r.instructionId) && isText(r.versionHash) && isText(r.userId) ? null : 'instructionId, versionHash and userId must be non-empty strings';
    case 'event':
      return isText(r.type) ? null : 'type must be a non-empty string';
    case 'maintenance':
      return isInt(r.requestId) && isText(r.kind) && isText(r.userId) ? null : 'requestId must be an integer, kind and userId non-empty strings';
    case 'downtime':
      return isInt(r.downtimeId) && isText(r.kind) && isText(r.line) && isText(r.userId) ? null : 'downtimeId must be an integer, kind, line and userId non-empty strings';
  }
}

/** Why a batch's records do not match its range (nothing of it is stored then), or null. */
export function checkBatchRange(batch: Batch): string | null {
  for (const rec of batch.records) {
    const seq = rec.seq;
    if (!isInt(seq) || seq < 1) return 'every record needs an integer seq ≥ 1';
    if (!batch.retry && (seq < batch.first || seq > batch.last)) return `record seq ${seq} outside the batch's range [${batch.first}, ${batch.last}]`;
  }
  if (!batch.retry && !batch.lost) {
    for (let i = 0; i < batch.records.length; i++) {
      if (batch.records[i].seq !== batch.first + i) return `records must be numbered ${batch.first}…${batch.last} in order`;
    }
  }
  return null;
}

export type AckBase = Omit<Ack, 'upTo' | 'ranges' | 'rejected'>;

export function ackBase(batch: Batch): AckBase {
  return { v: WIRE_VERSION, node: batch.node, stream: batch.stream, first: batch.first, last: batch.last, from: batch.acked };
}

export const MAX_REPORTED_REFUSALS = 1000;
const MAX_REPORTED_RANGES = 32;

/**
 * The ack for what is held: everything up to `contiguous`, further ranges above it, and the
 * refusals above the sender's position (`refusals`: at most MAX_REPORTED_REFUSALS + 1 of them,
 * in order; when there are more, the ack goes only as far as the list is complete).
 */
export function ackOf(base: AckBase, have: IntervalSet, contiguous: number, refusals: { seq: number; reason: string }[]): Ack {
  let upTo = contiguous;
  let ranges = have
    .ranges()
    .filter(([a]) => a > contiguous)
    .slice(0, MAX_REPORTED_RANGES)
    .map(([a, b]) => [a, b] as [number, number]);
  if (refusals.length > MAX_REPORTED_REFUSALS) {
    const limit = refusals[MAX_REPORTED_REFUSALS - 1].seq;
    refusals = refusals.slice(0, MAX_REPORTED_REFUSALS);
    upTo = Math.min(upTo, limit);
    ranges = ranges.filter(([a]) => a <= limit).map(([a, b]) => [a, Math.min(b, limit)]);
  }
  return { ...base, upTo, ranges, rejected: refusals.map((r) => ({ seq: r.seq, reason: r.reason })) };
}

/** The numbers in (baseline, maxSeen] the set does not hold, as ranges. */
export function missingRanges(have: IntervalSet, baseline: number, maxSeen: number, limit = 1000): [number, number][] {
  const out: [number, number][] = [];
  let x = have.firstAbsentFrom(baseline + 1);
  while (x <= maxSeen && out.length < limit) {
    const next = have.firstPresentFrom(x);
    const end = next === null ? maxSeen : Math.min(maxSeen, next - 1);
    out.push([x, end]);
    if (next === null) break;
    x = have.firstAbsentFrom(next);
  }
  return out;
}
