/**
 * The Sparkplug B edge node (docs/sparkplug.md): one MQTT session at a time (MQTT.js, clean
 * session, reconnecting switched off: a new client per attempt, because each session has a will
 * of its own), its states and transitions:
 *
 *   offline ──start──▶ connecting ──CONNACK──▶ born ──NCMD rebirth──▶ born
 *                        ▲    │                  │
 *                        │    └──failed──┐       └──connection lost──┐
 *                        └──timer── waiting ◀────────────────────────┘
 *   (any) ──close──▶ closed
 *
 * On CONNACK: subscribe NCMD, publish NBIRTH (seq 0, bdSeq, Node Control/Rebirth), then a
 * DBIRTH per device with every metric's current value; afterwards DDATA with the metrics that
 * changed, coalesced over `minPublishIntervalMs`. The will is NDEATH with the session's bdSeq
 * (QoS 1, not retained); a clean close publishes it too, then disconnects. Everything else is
 * QoS 0: this is the live view, at most once. Values that change while no session is up are not
 * kept for later: the next birth carries the values current then.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { TagValue } from '../../shared/types';
import type { Clock, TimerHandle } from '../util/clock';
import type { Logger } from '../util/log';
import {
  decodePayload,
  deviceBirth,
  deviceData,
  deviceTopic,
  encodePayload,
  isRebirthRequest,
  nodeBirth,
  nodeDeath,
  nodeTopic,
  samePublished,
  type MetricDef,
  type UPayload,
} from './payloads';
import { firstBdSeq, nextSeq, SeqCounter, type BdSeqStore } from './sequence';

export interface EdgeNodeOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  /** PEM contents */
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  groupId: string;
  edgeNodeId: string;
  keepaliveS: number;
  minPublishIntervalMs: number;
  reconnectMs: number;
  connectTimeoutMs: number;
  /** the published tags, in the order of the births */
  metrics: readonly MetricDef[];
}

export interface EdgeNodeDeps {
  clock: Clock;
  store: BdSeqStore;
  log: Logger;
}

export type EdgeNodeState = 'offline' | 'connecting' | 'born' | 'waiting' | 'closed';

const TRANSITIONS: Record<EdgeNodeState, readonly EdgeNodeState[]> = {
  offline: ['connecting', 'closed'],
  connecting: ['born', 'waiting', 'closed'],
  born: ['born', 'waiting', 'closed'],
  waiting: ['connecting', 'closed'],
  closed: [],
};

export interface EdgeNodeStatus {
  state: EdgeNodeState;
  /** the bdSeq of the current session (or of the next one, while none is up) */
  bdSeq: number;
  /** NBIRTHs published since start (sessions and rebirths) */
  births: number;
  messagesSent: number;
  lastError: string | null;
}

export class EdgeNode {
  private state: EdgeNodeState = 'offline';
  private client: MqttClient | null = null;
  private bdSeq: number;
  private readonly seq = new SeqCounter();
  private readonly defs: ReadonlyMap<string, MetricDef>;
  private readonly devices: ReadonlyMap<string, MetricDef[]>;
  /** the latest value of every published tag, whether or not a session is up */
  private readonly latest = new Map<string, TagValue>();
  /** what this session last published per tag */
  private published = new Map<string, TagValue>();
  private readonly dirty = new Set<string>();
  private flushTimer: TimerHandle | null = null;
  private retryTimer: TimerHandle | null = null;
  private births = 0;
  private messagesSent = 0;
  private lastError: string | null = null;
  private failures = 0;
  private readonly ncmdTopic: string;

  constructor(
    private readonly o: EdgeNodeOptions,
    private readonly deps: EdgeNodeDeps,
  ) {
    this.bdSeq = firstBdSeq(deps.store);
    this.defs = new Map(o.metrics.map((m) => [m.tagId, m]));
    const devices = new Map<string, MetricDef[]>();
    for (const m of o.metrics) {
      const list = devices.get(m.deviceId);
      if (list) list.push(m);
      else devices.set(m.deviceId, [m]);
    }
    this.devices = devices;
    this.ncmdTopic = nodeTopic(o.groupId, 'NCMD', o.edgeNodeId);
  }

  start(): void {
    if (this.state === 'offline') this.connect();
  }

  status(): EdgeNodeStatus {
    return { state: this.state, bdSeq: this.bdSeq, births: this.births, messagesSent: this.messagesSent, lastError: this.lastError };
  }

  /** A batch from the tag bus: kept as the latest values; published (coalesced) while born. */
  ingest(batch: readonly TagValue[]): void {
    for (const v of batch) {
      if (!this.defs.has(v.tagId)) continue;
      this.latest.set(v.tagId, v);
      if (this.state === 'born') this.dirty.add(v.tagId);
    }
    if (this.state === 'born' && this.dirty.size > 0 && this.flushTimer === null) {
      this.flushTimer = this.deps.clock.setTimeout(() => {
        this.flushTimer = null;
        this.flush();
      }, this.o.minPublishIntervalMs);
    }
  }

  /** NDEATH published (when born) and the session ended cleanly; nothing after. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasBorn = this.state === 'born';
    // changes still waiting for their window go out before the death
    if (wasBorn) this.flush();
    this.transition('closed');
    this.clearTimers();
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (wasBorn && client.connected) {
      await within(2000, new Promise<void>((resolve) => client.publish(nodeTopic(this.o.groupId, 'NDEATH', this.o.edgeNodeId), encodePayload(nodeDeath(this.bdSeq, this.deps.clock.now())), { qos: 1, retain: false }, () => resolve())));
      this.messagesSent++;
      await within(2000, new Promise<void>((resolve) => client.end(false, {}, () => resolve())));
    }
    client.end(true);
  }

  private transition(to: EdgeNodeState): void {
    const from = this.state;
    if (!TRANSITIONS[from].includes(to)) throw new Error(`sparkplug edge node: no transition ${from} → ${to}`);
    this.state = to;
    if (from !== to) this.deps.log.debug(`${from} → ${to} (bdSeq ${this.bdSeq})`);
  }

  private connect(): void {
    this.transition('connecting');
    const bdSeq = this.bdSeq;
    const options: IClientOptions = {
      clientId: this.o.clientId,
      clean: true,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: this.o.connectTimeoutMs,
      keepalive: this.o.keepaliveS,
      resubscribe: false,
      queueQoSZero: false,
      username: this.o.username,
      password: this.o.password,
      ca: this.o.ca,
      cert: this.o.cert,
      key: this.o.key,
      rejectUnauthorized: this.o.rejectUnauthorized,
      will: { topic: nodeTopic(this.o.groupId, 'NDEATH', this.o.edgeNodeId), payload: encodePayload(nodeDeath(bdSeq, this.deps.clock.now())), qos: 1, retain: false },
    };
    const client = mqtt.connect(this.o.url, options);
    this.client = client;
    let established = false;
    client.on('error', (err) => {
      if (this.client !== client) return;
      this.lastError = err.message;
      if (!established) client.end(true);
    });
    client.on('close', () => {
      if (this.client !== client) return;
      this.client = null;
      this.clearTimers();
      if (established) {
        this.deps.log.warn(`lost the connection to the broker (bdSeq ${bdSeq}); a new session follows`);
        this.bdSeq = nextSeq(bdSeq);
      } else {
        // the first failure of a run is a warning, the retries that follow are not
        const line = `cannot connect to ${safeUrl(this.o.url)}: ${this.lastError ?? 'the connection closed'}`;
        if (this.failures++ === 0) this.deps.log.warn(`${line} (trying again every ${this.o.reconnectMs} ms)`);
        else this.deps.log.debug(line);
      }
      this.transition('waiting');
      this.retryTimer = this.deps.clock.setTimeout(() => {
        this.retryTimer = null;
        if (this.state === 'waiting') this.connect();
      }, this.o.reconnectMs);
    });
    client.on('message', (topic, payload) => {
      if (this.client !== client || topic !== this.ncmdTopic || this.state !== 'born') return;
      let cmd: UPayload;
      try {
        cmd = decodePayload(payload);
      } catch (err) {
        this.deps.log.warn(`NCMD: cannot decode the payload: ${(err as Error).message}`);
        return;
      }
      if (isRebirthRequest(cmd)) {
        this.deps.log.info('NCMD: rebirth requested');
        this.birth(client);
      }
    });
    client.once('connect', () => {
      if (this.client !== client) return;
      established = true;
      this.failures = 0;
      this.deps.store.save(bdSeq);
      this.lastError = null;
      // NCMD is subscribed before NBIRTH goes out (same connection, in order)
      client.subscribe(this.ncmdTopic, { qos: 0 }, (err) => {
        if (err) this.deps.log.warn(`cannot subscribe to ${this.ncmdTopic}: ${err.message}`);
      });
      this.birth(client);
      this.deps.log.info(`online: ${this.o.groupId}/${this.o.edgeNodeId}, bdSeq ${bdSeq}, ${this.devices.size} device(s), ${this.defs.size} metric(s)`);
    });
  }

  /** NBIRTH (seq 0) and every DBIRTH with the current values. */
  private birth(client: MqttClient): void {
    const now = this.deps.clock.now();
    const { groupId, edgeNodeId } = this.o;
    this.publish(client, nodeTopic(groupId, 'NBIRTH', edgeNodeId), { ...nodeBirth(this.bdSeq, now), seq: this.seq.reset() });
    for (const [deviceId, defs] of this.devices) {
      this.publish(client, deviceTopic(groupId, 'DBIRTH', edgeNodeId, deviceId), deviceBirth(defs, this.latest, this.seq.take(), now));
    }
    this.published = new Map(this.latest);
    this.dirty.clear();
    this.births++;
    this.transition('born');
  }

  /** One DDATA per device with the metrics whose published value or quality changed. */
  private flush(): void {
    const client = this.client;
    if (this.state !== 'born' || !client) return;
    const now = this.deps.clock.now();
    const changed = new Map<string, { def: MetricDef; value: TagValue }[]>();
    for (const tagId of this.dirty) {
      const def = this.defs.get(tagId)!;
      const value = this.latest.get(tagId)!;
      if (samePublished(this.published.get(tagId), value)) continue;
      this.published.set(tagId, value);
      const list = changed.get(def.deviceId);
      if (list) list.push({ def, value });
      else changed.set(def.deviceId, [{ def, value }]);
    }
    this.dirty.clear();
    for (const [deviceId, metrics] of changed) {
      this.publish(client, deviceTopic(this.o.groupId, 'DDATA', this.o.edgeNodeId, deviceId), deviceData(metrics, this.seq.take(), now));
    }
  }

  private publish(client: MqttClient, topic: string, payload: UPayload): void {
    client.publish(topic, encodePayload(payload), { qos: 0, retain: false });
    this.messagesSent++;
  }

  private clearTimers(): void {
    if (this.flushTimer) this.deps.clock.clearTimeout(this.flushTimer);
    if (this.retryTimer) this.deps.clock.clearTimeout(this.retryTimer);
    this.flushTimer = null;
    this.retryTimer = null;
    this.dirty.clear();
  }
}

/** The broker's address without credentials, for logs. */
function safeUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}

function within(ms: number, p: Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    void p.then(() => {
      clearTimeout(t);
      resolve();
    });
  });
}
