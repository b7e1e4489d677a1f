/**
 * What a sink's sender needs of the link to upstream (MQTT broker, HTTP receiver): connect,
 * send one batch, and hear about acks and losses of the link. Implementations:
 * mqtt-transport.ts, http-transport.ts (and fakes in the tests).
 */
import type { Ack, BatchEnvelope } from './wire';

export interface OutgoingBatch {
  id: number;
  env: BatchEnvelope;
  /** the batch as sent (JSON text) */
  text: string;
  bytes: number;
  /** the records' sequence numbers and JSON, in order (empty for a lost declaration) */
  seqs: number[];
  records: string[];
  /** sent by the backfill lane (historical) or a priority lane */
  lane: 'priority' | 'bulk' | 'retry';
}

/**
 * - `ack`: the receiver answered (HTTP): apply it.
 * - `accepted`: the broker acknowledged (PUBACK) and no receiver acks are expected: the batch
 *   counts as delivered.
 * - `handed-over`: the broker has it (PUBACK); the receiver's ack comes on the ack topic.
 */
export type SendOutcome = { kind: 'ack'; ack: Ack } | { kind: 'accepted' } | { kind: 'handed-over' };

export type SinkErrorKind = 'network' | 'auth' | 'refused' | 'too_large' | 'config';

export class SinkError extends Error {
  constructor(
    message: string,
    readonly kind: SinkErrorKind,
  ) {
    super(message);
    this.name = 'SinkError';
  }
}

export interface TransportListeners {
  /** an ack that came on its own (MQTT ack topic) */
  ack(ack: Ack): void;
  /** the link was lost after connect() had succeeded */
  down(err: Error): void;
}

export interface SinkTransport {
  readonly kind: 'mqtt' | 'http';
  /** where it sends, without secrets */
  readonly target: string;
  /** 'broker': the broker's PUBACK is the acknowledgement; 'receiver': the receiver acks */
  readonly ackMode: 'receiver' | 'broker';
  setListeners(l: TransportListeners): void;
  /** resolves once batches can be sent; rejects with a SinkError */
  connect(): Promise<void>;
  /** rejects with a SinkError when the batch did not get through */
  send(batch: OutgoingBatch): Promise<SendOutcome>;
  /** drops the link (pending sends reject); connect() may be called again */
  disconnect(): Promise<void>;
}

/** A URL without its password, for status and logs. */
export function safeTarget(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    u.username = u.username ? u.username : '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
