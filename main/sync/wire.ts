/**
 * The wire format of store-and-forward (version 1), shared by the sinks and the reference
 * receiver. docs/sync.md describes it for receivers written in other languages.
 *
 * A **batch** carries records of one stream of one node. Every record carries its sequence
 * number; (node, stream, seq) is the idempotency key. A batch covers the contiguous range
 * [first, last] of that stream: every number in it is either a record of the batch or, for a
 * `lost` batch, declared lost (dropped by the outbox quota). Retries of quarantined records
 * (`retry: true`) carry any set of numbers.
 *
 * An **ack** answers a batch: the receiver's highest contiguous committed sequence (`upTo`),
 * further committed ranges above it (`ranges`), and every record it refused (`rejected`) with a
 * sequence above the sender's acknowledged position at send time (`from` = the batch's `acked`),
 * so that a lost ack never hides a refusal: the next ack lists it again.
 */
import { syncStreamNames, type SyncStreamName } from '../../shared/sync-api';

export const WIRE_VERSION = 1;

/** The streams of records that leave the PC, in priority order. */
export const streamNames = syncStreamNames;
export type StreamName = SyncStreamName;

export function isStreamName(s: unknown): s is StreamName {
  return typeof s === 'string' && (streamNames as readonly string[]).includes(s);
}

export interface BatchEnvelope {
  v: 1;
  node: string;
  site: string;
  line: string;
  stream: StreamName;
  first: number;
  last: number;
  /** the sender's highest contiguous acknowledged sequence of this stream when it sent the batch */
  acked: number;
  /** backfill: records sent after they stopped being live (an outage's backlog) */
  historical: boolean;
  sentAt: number;
  /** records are retries of quarantined ones (any sequence numbers, not a range) */
  retry?: boolean;
  /** [first, last] are declared lost (the outbox quota dropped them); `records` is empty */
  lost?: { reason: string };
}

/** A batch as decoded by a receiver: records are plain JSON objects with at least `seq`. */
export interface Batch extends BatchEnvelope {
  records: Record<string, unknown>[];
}

export interface Rejection {
  seq: number;
  reason: string;
}

export interface Ack {
  v: 1;
  node: string;
  stream: StreamName;
  /** the batch this answers */
  first: number;
  last: number;
  /** the batch's `acked`: `rejected` is complete for every sequence above it */
  from: number;
  /** highest contiguous sequence committed (stored, refused or declared lost) */
  upTo: number;
  /** further committed ranges above upTo (bounded) */
  ranges: [number, number][];
  rejected: Rejection[];
  /** for a retry batch: the outcome of each record */
  results?: { seq: number; ok: boolean; reason?: string }[];
  /** the batch as a whole was refused (malformed envelope); nothing of it was committed */
  error?: string;
}

/**
 * Builds a batch's JSON text from already-serialised records (so that sizes are known exactly
 * and nothing is serialised twice).
 */
export function batchText(env: BatchEnvelope, records: readonly string[]): string {
  const head = JSON.stringify(env);
  return `${head.slice(0, -1)},"records":[${records.join(',')}]}`;
}

/** Bytes of a batch's envelope without records (for sizing). */
export const ENVELOPE_OVERHEAD_BYTES = 400;

export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);

/** Parses and checks a batch envelope; throws WireError naming what is wrong. */
export function parseBatch(text: string): Batch {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new WireError(`not JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new WireError('a batch is a JSON object');
  const b = raw as Record<string, unknown>;
  if (b.v !== WIRE_VERSION) throw new WireError(`unsupported version ${JSON.stringify(b.v)} (this receiver speaks ${WIRE_VERSION})`);
  if (typeof b.node !== 'string' || b.node.length === 0 || b.node.length > 100) throw new WireError('node must be a non-empty string');
  if (!isStreamName(b.stream)) throw new WireError(`unknown stream ${JSON.stringify(b.stream)}`);
  if (!isInt(b.first) || !isInt(b.last) || b.first < 1 || b.last < b.first) throw new WireError('first and last must be integers with 1 ≤ first ≤ last');
  if (!isInt(b.acked) || b.acked < 0) throw new WireError('acked must be an integer ≥ 0');
  if (!Array.isArray(b.records)) throw new WireError('records must be an array');
  if (b.lost !== undefined && b.records.length > 0) throw new WireError('a lost batch carries no records');
  if (b.lost === undefined && b.retry !== true && b.records.length !== b.last - b.first + 1) {
    throw new WireError(`records must cover [first, last]: ${b.records.length} records for ${b.last - b.first + 1} numbers`);
  }
  return {
    v: WIRE_VERSION,
    node: b.node,
    site: typeof b.site === 'string' ? b.site : '',
    line: typeof b.line === 'string' ? b.line : '',
    stream: b.stream,
    first: b.first,
    last: b.last,
    acked: b.acked,
    historical: b.historical === true,
    sentAt: isInt(b.sentAt) ? b.sentAt : 0,
    retry: b.retry === true ? true : undefined,
    lost: b.lost !== undefined ? { reason: typeof (b.lost as { reason?: unknown }).reason === 'string' ? (b.lost as { reason: string }).reason : 'lost' } : undefined,
    records: b.records as Record<string, unknown>[],
  };
}

/** Parses an ack; throws WireError. */
export function parseAck(text: string): Ack {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new WireError(`ack is not JSON: ${(err as Error).message}`);
  }
  const a = raw as Partial<Ack> | null;
  if (typeof a !== 'object' || a === null) throw new WireError('an ack is a JSON object');
  if (a.v !== WIRE_VERSION) throw new WireError(`ack: unsupported version ${JSON.stringify(a.v)}`);
  if (!isStreamName(a.stream)) throw new WireError(`ack: unknown stream ${JSON.stringify(a.stream)}`);
  if (!isInt(a.upTo) || !isInt(a.from) || !isInt(a.first) || !isInt(a.last)) throw new WireError('ack: first, last, from and upTo must be integers');
  const ranges = Array.isArray(a.ranges) ? a.ranges.filter((r): r is [number, number] => Array.isArray(r) && isInt(r[0]) && isInt(r[1]) && r[1] >= r[0]) : [];
  const rejected = Array.isArray(a.rejected)
    ? a.rejected.filter((r): r is Rejection => typeof r === 'object' && r !== null && isInt(r.seq) && typeof r.reason === 'string')
    : [];
  const results = Array.isArray(a.results)
    ? a.results.filter((r) => typeof r === 'object' && r !== null && isInt(r.seq) && typeof r.ok === 'boolean')
    : undefined;
  return {
    v: WIRE_VERSION,
    node: typeof a.node === 'string' ? a.node : '',
    stream: a.stream,
    first: a.first,
    last: a.last,
    from: a.from,
    upTo: a.upTo,
    ranges,
    rejected,
    results,
    error: typeof a.error === 'string' ? a.error : undefined,
  };
}

/**
 * MQTT topics: `<prefix>/<site>/<line>/<node>/<stream>` for live records,
 * `…/<stream>/historical` for backfill, `…/<node>/ack` for the receiver's acks. Levels are
 * made safe (no `/`, `+`, `#`, control characters).
 */
export function topicLevel(s: string): string {
  const safe = [...s].map((c) => (c === '/' || c === '+' || c === '#' || c.charCodeAt(0) < 32 ? '_' : c)).join('').trim();
  return safe.length > 0 ? safe : '_';
}

export interface TopicBase {
  prefix: string;
  site: string;
  line: string;
  node: string;
}

export function nodeTopic(t: TopicBase): string {
  return `${t.prefix}/${topicLevel(t.site)}/${topicLevel(t.line)}/${topicLevel(t.node)}`;
}

export function dataTopic(t: TopicBase, stream: StreamName, historical: boolean): string {
  return `${nodeTopic(t)}/${stream}${historical ? '/historical' : ''}`;
}

export function ackTopic(t: TopicBase): string {
  return `${nodeTopic(t)}/ack`;
}

/** Which part of the namespace a receiver takes (receivers side by side: docs/plant-scale.md). */
export interface ReceiverScope {
  /** the lines it takes, as topic levels (`+`: any); default every site and line */
  lines?: readonly { site: string; line: string }[];
  /** an MQTT shared-subscription group: the receivers of one group split the deliveries */
  share?: string;
}

/**
 * What a receiver subscribes to: every node's data under a prefix (acks filtered out by name),
 * or the lines of its scope; as `$share/<group>/…` when it shares the load with others.
 */
export function receiverTopics(prefix: string, scope: ReceiverScope = {}): string[] {
  const level = (s: string) => (s === '+' ? '+' : topicLevel(s));
  const lines = scope.lines && scope.lines.length > 0 ? scope.lines.map((l) => `${level(l.site)}/${level(l.line)}`) : ['+/+'];
  const filters = lines.flatMap((l) => [`${prefix}/${l}/+/+`, `${prefix}/${l}/+/+/historical`]);
  return scope.share ? filters.map((f) => `$share/${scope.share}/${f}`) : filters;
}

/** The Idempotency-Key header of an HTTP batch: unique per (node, stream, range). */
export function idempotencyKey(env: Pick<BatchEnvelope, 'node' | 'stream' | 'first' | 'last' | 'retry'>, retrySeqs?: readonly number[]): string {
  if (env.retry && retrySeqs) return `${env.node}:${env.stream}:retry:${retrySeqs.join('.')}`.slice(0, 400);
  return `${env.node}:${env.stream}:${env.first}-${env.last}`;
}
