/**
 * A Sparkplug B host of our own for tests: an MQTT client subscribed to `spBv1.0/#` that
 * decodes every message with Eclipse Tahu's codec (npm `sparkplug-payload`, not our wrapper)
 * and keeps them in order, reconnecting on its own when the broker comes back.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { get } from 'sparkplug-payload';
import type { UMetric, UPayload } from 'sparkplug-payload/lib/sparkplugbpayload';
import { waitFor } from './temp';

const spB = get('spBv1.0')!;

export interface SpMessage {
  /** arrival order, from 0 */
  n: number;
  topic: string;
  group: string;
  type: string;
  node: string;
  device: string | null;
  payload: UPayload;
  /** seq as a number, null when absent (NDEATH) */
  seq: number | null;
  /** metrics by name */
  metrics: Map<string, UMetric>;
}

/** A decoded 64-bit field (Long) or a number, as a number; signed for Int64. */
export function num(v: unknown, signed = false): number {
  if (typeof v === 'number') return v;
  const l = v as { low: number; high: number };
  return (signed ? l.high | 0 : l.high >>> 0) * 2 ** 32 + (l.low >>> 0);
}

export function bdSeqOf(m: SpMessage): number {
  const b = m.metrics.get('bdSeq');
  if (!b) throw new Error(`${m.topic} carries no bdSeq`);
  return num(b.value, true);
}

export interface SparkplugSubscriber {
  client: MqttClient;
  messages: SpMessage[];
  /** messages of one type (and device), from arrival `from` on */
  of(type: string, device?: string, from?: number): SpMessage[];
  /** waits for a message matching, arrived at or after `from` */
  next(what: string, match: (m: SpMessage) => boolean, from?: number, timeoutMs?: number): Promise<SpMessage>;
  connected(): Promise<void>;
  /** publishes NCMD Node Control/Rebirth = true */
  rebirth(group: string, node: string): void;
  close(): Promise<void>;
}

export async function startSparkplugSubscriber(url: string, clientId = 'test-sparkplug-host'): Promise<SparkplugSubscriber> {
  const client = mqtt.connect(url, { clientId, clean: true, reconnectPeriod: 100, connectTimeout: 2000 });
  const messages: SpMessage[] = [];
  client.on('error', () => undefined);
  client.on('message', (topic, bytes) => {
    const [, group, type, node, device] = topic.split('/');
    const payload = spB.decodePayload(bytes);
    messages.push({
      n: messages.length,
      topic,
      group,
      type,
      node,
      device: device ?? null,
      payload,
      seq: payload.seq === undefined || payload.seq === null ? null : num(payload.seq),
      metrics: new Map((payload.metrics ?? []).map((m) => [m.name ?? '', m])),
    });
  });
  let subscribed = false;
  client.on('connect', () => {
    subscribed = false;
    client.subscribe('spBv1.0/#', { qos: 1 }, (err) => {
      if (!err) subscribed = true;
    });
  });
  client.on('close', () => (subscribed = false));
  const s: SparkplugSubscriber = {
    client,
    messages,
    of: (type, device, from = 0) => messages.filter((m) => m.n >= from && m.type === type && (device === undefined || m.device === device)),
    next: (what, match, from = 0, timeoutMs = 15_000) => waitFor(what, () => messages.find((m) => m.n >= from && match(m)), timeoutMs, 20),
    connected: async () => {
      await waitFor('the test host to be subscribed', () => subscribed && client.connected, 15_000, 20);
    },
    rebirth(group, node) {
      const payload = Buffer.from(spB.encodePayload({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }] }));
      client.publish(`spBv1.0/${group}/NCMD/${node}`, payload, { qos: 0 });
    },
    close: () => new Promise<void>((resolve) => client.end(true, {}, () => resolve())),
  };
  await s.connected();
  return s;
}

/**
 * The sequence rules over what arrived from one edge node: every session (from an NBIRTH)
 * starts at seq 0 and counts each further message by one, 255 → 0, without a gap.
 */
export function checkSeqPerSession(messages: readonly SpMessage[], node: string): { sessions: number; checked: number } {
  let expected: number | null = null;
  let sessions = 0;
  let checked = 0;
  for (const m of messages) {
    if (m.node !== node || m.type === 'NCMD' || m.type === 'NDEATH') continue;
    if (m.type === 'NBIRTH') {
      if (m.seq !== 0) throw new Error(`message ${m.n}: NBIRTH with seq ${m.seq}`);
      sessions++;
      expected = 1;
      continue;
    }
    if (expected === null) throw new Error(`message ${m.n}: ${m.type} before any NBIRTH`);
    if (m.seq !== expected) throw new Error(`message ${m.n}: ${m.topic} seq ${m.seq}, expected ${expected}`);
    expected = (expected + 1) % 256;
    checked++;
  }
  return { sessions, checked };
}
