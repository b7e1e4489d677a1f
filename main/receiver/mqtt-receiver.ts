/**
 * The reference receiver's MQTT side: subscribes (QoS 1, persistent session) to every node's
 * data topics under a prefix, commits each batch, then publishes the ack (QoS 1) to the node's
 * ack topic.
 *
 * Batches are committed concurrently, up to `concurrency` at a time (a store may serialise those
 * of one node and stream; different nodes go side by side). Past that, the receiver stops taking
 * deliveries (MQTT.js reads the next one when the handler is done), so a backlog waits in the
 * broker, not in memory. The PUBACK of a delivery goes once its batch is taken into work; a
 * batch the receiver dies with, or cannot commit (the database away), gets no ack, and its
 * sender sends it again after its ack timeout.
 *
 * Several receivers share the load either by lines (disjoint topic filters, `scope.lines`) or
 * by an MQTT shared subscription (`scope.share`: the broker gives each delivery to one member
 * of the group); either way they write to one database, where the record key makes any overlap
 * or redelivery harmless.
 *
 * Reconnects by itself (MQTT.js) with a persistent session: batches published while the
 * receiver was away wait in the broker (up to its queue limit; beyond, senders send again after
 * their ack timeout).
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../util/log';
import { ackTopic, isStreamName, parseBatch, receiverTopics, WireError, type Ack, type ReceiverScope } from '../sync/wire';
import type { BatchStore } from './batch-store';

export interface MqttReceiverOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized?: boolean;
  topicPrefix: string;
  /** batches committed at the same time (default 1: one after another) */
  concurrency?: number;
  /** the lines it takes and its shared-subscription group (default: every line, alone) */
  scope?: ReceiverScope;
}

export interface MqttReceiver {
  readonly client: MqttClient;
  /** resolves once connected and subscribed the first time */
  ready: Promise<void>;
  close(): Promise<void>;
}

export function startMqttReceiver(store: BatchStore, o: MqttReceiverOptions, log: Logger, onBatch?: (ack: Ack) => void): MqttReceiver {
  const client = mqtt.connect(o.url, {
    clientId: o.clientId,
    // Alone, a persistent session: what is published while the receiver is away waits in the
    // broker. In a shared group, a clean one: a member that is gone must leave the group, or the
    // broker goes on giving it a share of the deliveries to queue (mosquitto does), and those
    // arrive only after the senders' ack timeouts, sent again to a member that is there.
    clean: o.scope?.share !== undefined,
    protocolVersion: 4,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    keepalive: 30,
    username: o.username,
    password: o.password,
    ca: o.ca,
    cert: o.cert,
    key: o.key,
    rejectUnauthorized: o.rejectUnauthorized ?? true,
  });
  const prefix = o.topicPrefix.replace(/\/+$/, '');
  const topics = receiverTopics(prefix, o.scope);
  const ready = new Promise<void>((resolve, reject) => {
    let first = true;
    client.on('connect', () => {
      client.subscribe(topics, { qos: 1 }, (err) => {
        if (err) {
          log.error(`cannot subscribe: ${err.message}`);
          if (first) reject(err);
          return;
        }
        if (first) log.info(`subscribed to ${topics.join(', ')} on ${o.url}`);
        first = false;
        resolve();
      });
    });
    client.on('error', (err) => {
      log.warn(`MQTT: ${err.message}`);
      if (first && /not authori[sz]ed|bad user/i.test(err.message)) reject(err);
    });
  });
  const limit = Math.max(1, o.concurrency ?? 1);
  let working = 0;
  let resume: (() => void) | null = null;
  const handle = async (topic: string, payload: Buffer): Promise<void> => {
    const rest = topic.startsWith(`${prefix}/`) ? topic.slice(prefix.length + 1).split('/') : [];
    // <site>/<line>/<node>/<stream>[/historical]
    if (rest.length < 4 || rest[3] === 'ack') return;
    const base = { prefix, site: rest[0], line: rest[1], node: rest[2] };
    let ack: Ack;
    try {
      const batch = parseBatch(payload.toString('utf8'));
      ack = await store.process(batch);
    } catch (err) {
      if (!(err instanceof WireError)) {
        // Not stored (the database refused it or is away): no ack, so the sender sends it again.
        log.error(`${topic}: cannot store a batch: ${(err as Error).message}`);
        return;
      }
      log.warn(`${topic}: refused a batch: ${err.message}`);
      const guess = safeEnvelope(payload);
      if (!guess) return; // nobody to answer
      ack = { v: 1, node: guess.node, stream: guess.stream, first: guess.first, last: guess.last, from: guess.acked, upTo: 0, ranges: [], rejected: [], error: err.message };
    }
    // The ack goes to the node's own ack topic (built from the levels the batch came on).
    if (client.connected) client.publish(ackTopic(base), JSON.stringify(ack), { qos: 1 });
    onBatch?.(ack);
  };
  client.handleMessage = (packet, done) => {
    working++;
    void handle(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload)).finally(() => {
      working--;
      const r = resume;
      resume = null;
      r?.();
    });
    if (working < limit) done();
    else resume = () => done();
  };
  return {
    client,
    ready,
    close: () => client.endAsync(),
  };
}

function safeEnvelope(payload: Buffer): { node: string; stream: Ack['stream']; first: number; last: number; acked: number } | null {
  try {
    const j = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    const ok = typeof j.node === 'string' && typeof j.stream === 'string' && isStreamName(j.stream);
    if (!ok) return null;
    const num = (x: unknown) => (typeof x === 'number' && Number.isSafeInteger(x) ? x : 0);
    return { node: j.node as string, stream: j.stream as Ack['stream'], first: num(j.first), last: num(j.last), acked: num(j.acked) };
  } catch {
    return null;
  }
}
