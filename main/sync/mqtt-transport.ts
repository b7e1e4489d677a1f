/**
 * The MQTT sink's link (MQTT.js): QoS 1, a persistent session (clean: false, a stable client
 * id), TLS with a CA and/or a client certificate, username/password.
 *
 * One MqttClient per connection attempt, with MQTT.js's own reconnecting switched off: the
 * sender decides when to reconnect (backoff with jitter) and what to send again (it keeps the
 * in-flight batches itself), so there is one source of truth about what is unacknowledged.
 * Batches the broker had not PUBACKed when the link went down are sent again; the receiver
 * drops any duplicate by key.
 *
 * Ack modes:
 * - `receiver`: the broker's PUBACK means "the broker has it"; the batch is acknowledged when
 *   the receiver's ack arrives on `<prefix>/<site>/<line>/<node>/ack` (subscribed QoS 1 in the
 *   same persistent session, so acks published while we were away are delivered on return).
 * - `broker`: no receiver acks; the PUBACK is the acknowledgement (docs/sync.md says what that
 *   does and does not guarantee).
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { SinkError, safeTarget, type OutgoingBatch, type SendOutcome, type SinkTransport, type TransportListeners } from './transport';
import { ackTopic, dataTopic, parseAck, type TopicBase } from './wire';

export interface MqttTransportOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  /** PEM contents */
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  topics: TopicBase;
  ackMode: 'receiver' | 'broker';
  keepaliveS: number;
  connectTimeoutMs: number;
}

export class MqttTransport implements SinkTransport {
  readonly kind = 'mqtt';
  readonly target: string;
  readonly ackMode: 'receiver' | 'broker';
  private client: MqttClient | null = null;
  private listeners: TransportListeners | null = null;
  private readonly pending = new Set<(err: Error) => void>();
  private readonly ackTopicName: string;

  constructor(private readonly o: MqttTransportOptions) {
    this.target = safeTarget(o.url);
    this.ackMode = o.ackMode;
    this.ackTopicName = ackTopic(o.topics);
  }

  setListeners(l: TransportListeners): void {
    this.listeners = l;
  }

  connect(): Promise<void> {
    this.drop(new Error('reconnecting'));
    const options: IClientOptions = {
      clientId: this.o.clientId,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: this.o.connectTimeoutMs,
      keepalive: this.o.keepaliveS,
      resubscribe: false,
      username: this.o.username,
      password: this.o.password,
      ca: this.o.ca,
      cert: this.o.cert,
      key: this.o.key,
      rejectUnauthorized: this.o.rejectUnauthorized,
    };
    const client = mqtt.connect(this.o.url, options);
    this.client = client;
    return new Promise<void>((resolve, reject) => {
      let connected = false;
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        client.end(true);
        reject(err);
      };
      client.on('error', (err: Error & { code?: number | string }) => {
        if (!connected) fail(classify(err));
      });
      client.on('close', () => {
        if (this.client !== client) return;
        this.drop(new SinkError('the connection to the broker closed', 'network'));
        if (!connected) fail(new SinkError(`cannot connect to ${this.target}`, 'network'));
        else this.listeners?.down(new SinkError(`lost the connection to ${this.target}`, 'network'));
      });
      client.on('message', (topic, payload) => {
        if (topic !== this.ackTopicName || this.client !== client) return;
        try {
          this.listeners?.ack(parseAck(payload.toString('utf8')));
        } catch {
          // a malformed ack is ignored: the batch is sent again after the ack timeout
        }
      });
      client.once('connect', () => {
        if (this.ackMode === 'broker') {
          connected = true;
          settled = true;
          resolve();
          return;
        }
        client.subscribe(this.ackTopicName, { qos: 1 }, (err, granted) => {
          if (err || !granted || granted.some((g) => g.qos > 2)) {
            fail(new SinkError(`cannot subscribe to ${this.ackTopicName}: ${err?.message ?? 'refused by the broker'}`, 'auth'));
            return;
          }
          connected = true;
          settled = true;
          resolve();
        });
      });
    });
  }

  send(batch: OutgoingBatch): Promise<SendOutcome> {
    const client = this.client;
    if (!client || !client.connected) return Promise.reject(new SinkError('not connected to the broker', 'network'));
    const topic = dataTopic(this.o.topics, batch.env.stream, batch.env.historical);
    return new Promise<SendOutcome>((resolve, reject) => {
      let done = false;
      const abort = (err: Error) => {
        if (done) return;
        done = true;
        reject(err);
      };
      this.pending.add(abort);
      client.publish(topic, batch.text, { qos: 1 }, (err) => {
        this.pending.delete(abort);
        if (done) return;
        done = true;
        if (err) reject(new SinkError(`publish failed: ${err.message}`, 'network'));
        else resolve(this.ackMode === 'broker' ? { kind: 'accepted' } : { kind: 'handed-over' });
      });
    });
  }

  async disconnect(): Promise<void> {
    this.drop(new SinkError('disconnected', 'network'));
  }

  private drop(err: Error): void {
    const client = this.client;
    this.client = null;
    for (const abort of this.pending) abort(err);
    this.pending.clear();
    if (client) client.end(true);
  }
}

function classify(err: Error & { code?: number | string }): SinkError {
  // CONNACK return codes 4 (bad user name or password) and 5 (not authorized)
  if (err.code === 4 || err.code === 5 || /not authori[sz]ed|bad user ?name or password/i.test(err.message)) {
    return new SinkError(`the broker refused the credentials: ${err.message}`, 'auth');
  }
  if (/certificate|self.signed|unable to verify|ERR_TLS|SSL/i.test(`${err.message} ${String(err.code ?? '')}`)) {
    return new SinkError(`TLS: ${err.message}`, 'config');
  }
  return new SinkError(`cannot connect: ${err.message}`, 'network');
}
