/**
 * The store-and-forward part of the API contract (shared/api.ts spreads these in): status of
 * the upstream sinks, and the quarantine of records a receiver refused. docs/sync.md.
 */
import { z } from 'zod';
import type { EpochMs } from './types';

/** The streams of records that leave the PC, in the order they are sent (priority). */
export const syncStreamNames = ['alarm', 'event', 'audit', 'instruction', 'maintenance', 'downtime', 'sample'] as const;
export type SyncStreamName = (typeof syncStreamNames)[number];

const ids = z.array(z.number().int().positive()).min(1).max(10_000);

export const syncApiParams = {
  /** per sink: online or not, backlog, oldest unsent record, throughput, last error */
  'sync.status': z.object({}).strict(),
  /** records a receiver refused, newest first */
  'sync.quarantine': z
    .object({
      limit: z.number().int().min(1).max(1000).default(200),
      sink: z.string().min(1).max(100).optional(),
      stream: z.enum(syncStreamNames).optional(),
    })
    .strict(),
  /** send quarantined records again (same keys), e.g. after the receiver was fixed */
  'sync.retryQuarantined': z.object({ ids }).strict(),
  /** give up on quarantined records (on record in the audit trail) */
  'sync.deleteQuarantined': z.object({ ids, reason: z.string().trim().min(3, 'give a reason (at least 3 characters)').max(500) }).strict(),
} as const;

export type SyncSinkState = 'online' | 'connecting' | 'backoff' | 'stopped';

export interface SyncStreamStatus {
  stream: SyncStreamName;
  /** the highest sequence number given to a record of this stream */
  head: number;
  /** highest contiguous sequence number the sink's receiver acknowledged */
  acked: number;
  /** records not acknowledged yet */
  backlog: number;
  /** when the oldest record not acknowledged yet was stored; null when none waits */
  oldestTs: EpochMs | null;
  /** why the stream is not sent (its numbers went backwards), or null */
  blocked: string | null;
}

export interface SyncSinkStatus {
  id: string;
  kind: 'mqtt' | 'http';
  /** where it sends, without secrets */
  target: string;
  /** what counts as delivered: the receiver's ack, or the broker's PUBACK (no receiver acks) */
  ackMode: 'receiver' | 'broker';
  state: SyncSinkState;
  /** since when in this state */
  since: EpochMs;
  /** since when not online (connecting and backing off alike); null while online */
  offlineSince: EpochMs | null;
  /** not online for longer than the alert delay, or a backlog older than the alert age */
  abnormal: boolean;
  lastError: { message: string; at: EpochMs } | null;
  nextAttemptAt: EpochMs | null;
  backlog: number;
  oldestUnackedTs: EpochMs | null;
  streams: SyncStreamStatus[];
  inFlight: number;
  sentRecords: number;
  ackedRecords: number;
  /** batches sent again after no acknowledgement came in time */
  resentBatches: number;
  /** acknowledged records per second and bytes sent per second, over the last 10 s */
  recordsPerSecond: number;
  bytesPerSecond: number;
  lastAckAt: EpochMs | null;
  quarantined: number;
}

export interface SyncStatus {
  /** at least one sink is configured */
  configured: boolean;
  /** this installation's stable id (part of every record's key) */
  nodeId: string;
  site: string;
  line: string;
  /** any sink abnormal */
  abnormal: boolean;
  sinks: SyncSinkStatus[];
  outbox: {
    /** bytes of samples waiting in the outbox, and its quota */
    sampleBytes: number;
    quotaBytes: number | null;
    /** samples dropped by the quota since the outbox exists (each drop is a synced event) */
    droppedSamples: number;
  };
  quarantined: number;
}

export interface QuarantineEntry {
  id: number;
  sink: string;
  stream: SyncStreamName;
  seq: number;
  /** the record as sent (JSON text) */
  record: string;
  reason: string;
  firstRejectedAt: EpochMs;
  lastAttemptAt: EpochMs;
  attempts: number;
  /** a retry is on its way */
  retrying: boolean;
}

export interface SyncApiResults {
  'sync.status': SyncStatus;
  'sync.quarantine': { entries: QuarantineEntry[]; total: number };
  'sync.retryQuarantined': { queued: number };
  'sync.deleteQuarantined': { deleted: number };
}
