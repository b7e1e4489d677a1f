/**
 * The sync's senders on fake time, against the reference receiver's store behind a fake link
 * that can lose acks, go down, and answer like HTTP (ack in the answer), MQTT with a receiver
 * (PUBACK, then the ack on its own) or MQTT without one (the PUBACK is the ack). Samples come
 * from a real historian's outbox (inline writer), alarms from an append-only table, audit
 * records from the real audit trail.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type Database from 'better-sqlite3';
import { openDatabase } from '../../main/historian/database';
import { Historian } from '../../main/historian/historian';
import { ReceiverStore, validateRecord, type RecordValidator } from '../../main/receiver/receiver-store';
import { AuditTrail } from '../../main/security/audit-trail';
import { TableSource } from '../../main/sync/sources';
import { defaultSyncOptions, SyncService, type SyncOptions } from '../../main/sync/sync-service';
import { SinkError, type OutgoingBatch, type SendOutcome, type SinkTransport, type TransportListeners } from '../../main/sync/transport';
import { parseBatch, type StreamName } from '../../main/sync/wire';
import { FakeClock } from '../../main/util/clock';
import type { Logger } from '../../main/util/log';
import type { TagValue } from '../../shared/types';
import { tempDir } from '../helpers/temp';

const T0 = 1_736_143_200_000;
const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** A deterministic pseudo-random sequence (tests must not depend on Math.random). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

type LinkMode = 'http' | 'mqtt' | 'broker';

class FakeLink implements SinkTransport {
  readonly kind = 'mqtt';
  readonly target = 'fake://receiver';
  readonly ackMode: 'receiver' | 'broker';
  up = true;
  connectTimes: number[] = [];
  sent: OutgoingBatch[] = [];
  /** share of acks that never arrive */
  loseAcks = 0;
  private listeners: TransportListeners | null = null;
  private readonly rng = lcg(7);

  constructor(
    private readonly receiver: ReceiverStore,
    private readonly clock: FakeClock,
    private readonly mode: LinkMode,
  ) {
    this.ackMode = mode === 'broker' ? 'broker' : 'receiver';
  }
  setListeners(l: TransportListeners): void {
    this.listeners = l;
  }
  connect(): Promise<void> {
    this.connectTimes.push(this.clock.now());
    return this.up ? Promise.resolve() : Promise.reject(new SinkError('connection refused', 'network'));
  }
  send(b: OutgoingBatch): Promise<SendOutcome> {
    this.sent.push(b);
    if (!this.up) return Promise.reject(new SinkError('link down', 'network'));
    const ack = this.receiver.process(parseBatch(b.text), this.clock.now());
    const lost = this.rng() < this.loseAcks;
    if (this.mode === 'broker') return Promise.resolve({ kind: 'accepted' });
    if (this.mode === 'http') return lost ? Promise.reject(new SinkError('no answer', 'network')) : Promise.resolve({ kind: 'ack', ack });
    if (!lost) queueMicrotask(() => this.listeners?.ack(ack));
    return Promise.resolve({ kind: 'handed-over' });
  }
  async disconnect(): Promise<void> {}
  /** the link drops (a broker restart) */
  cut(): void {
    this.up = false;
    this.listeners?.down(new SinkError('lost the connection', 'network'));
  }
}

interface Env {
  clock: FakeClock;
  db: Database.Database;
  historian: Historian;
  receiver: ReceiverStore;
  link: FakeLink;
  sync: SyncService;
  audit: AuditTrail;
  alarm(n: number): void;
  samples(n: number, tag?: string): Promise<void>;
  run(ms: number, stepMs?: number): Promise<void>;
  close(): Promise<void>;
}

interface EnvOptions {
  mode?: LinkMode;
  file?: string;
  receiver?: ReceiverStore;
  validator?: RecordValidator;
  clock?: FakeClock;
  options?: Partial<SyncOptions>;
  up?: boolean;
  random?: () => number;
  streams?: StreamName[];
}

let tsCounter = 0;

async function env(o: EnvOptions = {}): Promise<Env> {
  const clock = o.clock ?? new FakeClock(T0);
  const db = openDatabase(o.file ?? ':memory:');
  db.exec('CREATE TABLE IF NOT EXISTS alarm_journal (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, alarm_id TEXT NOT NULL, event TEXT NOT NULL, value TEXT)');
  const historian = new Historian(db, clock, { writer: 'inline', sampleOutbox: true, flushIntervalMs: 100 });
  historian.registerTags(['T1', 'T2', 'bad']);
  const audit = new AuditTrail(db);
  const receiver = o.receiver ?? new ReceiverStore(':memory:', o.validator ?? validateRecord);
  const link = new FakeLink(receiver, clock, o.mode ?? 'http');
  link.up = o.up ?? true;
  const options: SyncOptions = {
    ...defaultSyncOptions,
    site: 'plant',
    line: 'L1',
    ackTimeoutMs: 2000,
    maxAckTimeoutMs: 16_000,
    backoff: { initialMs: 1000, maxMs: 8000 },
    pollMs: 100,
    sinks: [{ id: 'up', type: 'mqtt', url: 'mqtt://fake', topicPrefix: 'lineside', ack: 'receiver', keepaliveS: 30, streams: o.streams ?? ['alarm', 'event', 'audit', 'instruction', 'sample'] }],
    ...o.options,
  };
  const sync = new SyncService({
    db,
    clock,
    log: quiet,
    options,
    tables: [new TableSource(db, { stream: 'alarm', table: 'alarm_journal', jsonColumns: ['value'] }), new TableSource(db, { stream: 'audit', table: 'audit', jsonColumns: ['old_value', 'new_value'] })],
    sampleOutbox: historian.sampleOutbox(),
    transportFor: () => link,
    random: o.random ?? lcg(1),
    maintenanceMs: 200,
  });
  sync.start();
  const insertAlarm = db.prepare('INSERT INTO alarm_journal (ts, alarm_id, event, value) VALUES (?, ?, ?, ?)');
  const e: Env = {
    clock,
    db,
    historian,
    receiver,
    link,
    sync,
    audit,
    alarm(n) {
      for (let i = 0; i < n; i++) insertAlarm.run(clock.now(), `A${i % 3}`, i % 2 === 0 ? 'activated' : 'acknowledged', JSON.stringify(i));
    },
    async samples(n, tag = 'T1') {
      const batch: TagValue[] = [];
      for (let i = 0; i < n; i++) batch.push({ tagId: i % 2 === 0 ? tag : 'T2', ts: clock.now() + (tsCounter++ % 1000), sourceTs: clock.now(), value: i, quality: { level: 'good', reason: 'ok' } });
      historian.ingest(batch);
      await historian.flush();
    },
    async run(ms, stepMs = 50) {
      for (let t = 0; t < ms; t += stepMs) {
        clock.advance(stepMs);
        for (let k = 0; k < 3; k++) await new Promise((r) => setImmediate(r));
      }
    },
    async close() {
      await sync.close();
      await historian.close();
      db.close();
      if (!o.receiver) receiver.close();
    },
  };
  return e;
}

function position(r: ReceiverStore, stream: StreamName) {
  const p = r.positions().find((x) => x.stream === stream);
  assert.ok(p, `the receiver has ${stream} records`);
  return p;
}

test('1. priorities: alarms, then audit, then live samples, then the backlog (flagged historical)', async () => {
  const e = await env({ up: false, options: { maxInFlight: 1, batchMaxRecords: 500 } });
  try {
    await e.samples(3000); // a backlog: committed now, old by the time the link is back
    await e.run(60_000, 1000);
    e.alarm(5);
    e.audit.record({ ts: e.clock.now(), user: 'op', action: 'tag.write', target: 'T1', oldValue: 1, newValue: 2, outcome: 'done', detail: '' });
    await e.samples(100); // live
    e.link.up = true;
    await e.run(10_000);
    const order = e.link.sent.map((b) => `${b.env.stream}${b.env.historical ? '(h)' : ''}:${b.env.first}`);
    assert.deepEqual(order.slice(0, 4), ['alarm:1', 'audit:1', 'sample:3001', 'sample(h):1']);
    assert.ok(order.slice(3).every((x) => x.startsWith('sample(h)')), 'the rest is backfill');
    assert.equal(position(e.receiver, 'sample').contiguous, 3100);
    assert.equal(e.receiver.db.prepare('SELECT COUNT(*) AS n FROM record WHERE stream = ? AND historical = 1').pluck().get('sample'), 3000);

  } finally {
    await e.close();
  }
});

test('1b. an alarm raised during a long drain goes ahead of the rest of the backlog', async () => {
  // 20 kB/s: the backlog of ~3000 samples takes several seconds
  const e = await env({ up: false, options: { bandwidthBytesPerSecond: 20_000, batchMaxBytes: 16_384 } });
  try {
    await e.samples(3000);
    await e.run(30_000, 1000);
    e.link.up = true;
    await e.run(10_000, 50);
    assert.equal(e.sync.status().sinks[0].state, 'online');
    const drained = position(e.receiver, 'sample').contiguous;
    assert.ok(drained > 0 && drained < 3000, `draining (${drained} of 3000)`);
    const before = e.link.sent.length;
    e.alarm(1);
    await e.run(2000, 50);
    const next = e.link.sent.slice(before).map((b) => `${b.env.stream}${b.env.historical ? '(h)' : ''}`);
    assert.equal(next[0], 'alarm', `after the alarm: ${next.join(', ')}`);
    assert.ok(next.slice(1).every((x) => x === 'sample(h)'));
  } finally {
    await e.close();
  }
});

test('2. backfill uses at most its share of the window: live samples and alarms find room', async () => {
  const e = await env({ up: false, mode: 'mqtt', options: { maxInFlight: 6, bulkInFlight: 2, batchMaxRecords: 100, ackTimeoutMs: 120_000, maxAckTimeoutMs: 120_000 } });
  try {
    await e.samples(2000);
    await e.run(30_000, 1000);
    e.link.loseAcks = 1; // the receiver is away: nothing gets acknowledged
    e.link.up = true;
    await e.run(9000);
    assert.equal(e.sync.status().sinks[0].state, 'online');
    const bulk = e.link.sent.filter((b) => b.env.historical);
    assert.equal(bulk.length, 2, 'two backfill batches in flight, no more');
    await e.samples(10);
    e.alarm(1);
    await e.run(300);
    const latest = e.link.sent.slice(2).map((b) => `${b.env.stream}${b.env.historical ? '(h)' : ''}`);
    assert.deepEqual(latest, ['alarm', 'sample'], 'room for the alarm and the live samples');
  } finally {
    await e.close();
  }
});

test('3. lost acks and cut links: the receiver ends with every record exactly once; duplicates are dropped by key', async () => {
  const e = await env({ mode: 'mqtt', options: { batchMaxRecords: 200 } });
  try {
    e.link.loseAcks = 0.3;
    for (let round = 0; round < 12; round++) {
      await e.samples(400);
      e.alarm(3);
      e.audit.record({ ts: e.clock.now(), user: 'op', action: 'tag.write', target: 'T1', oldValue: round, newValue: round + 1, outcome: 'done', detail: '' });
      await e.run(700);
      if (round % 3 === 1) {
        e.link.cut();
        await e.run(2000);
        e.link.up = true;
      }
    }
    e.link.loseAcks = 0;
    await e.run(60_000, 200);
    const heads = { sample: 12 * 400, alarm: 36, audit: 12 };
    for (const [stream, head] of Object.entries(heads) as [StreamName, number][]) {
      const p = position(e.receiver, stream);
      assert.deepEqual([p.contiguous, p.stored, p.missing], [head, head, 0], `${stream}: every record once`);
    }
    const dupes = e.receiver.positions().reduce((n, p) => n + p.duplicates, 0);
    assert.ok(dupes > 0, 'some deliveries were duplicates (and dropped)');
    const st = e.sync.status().sinks[0];
    assert.equal(st.backlog, 0);
    assert.ok(st.resentBatches > 0);
    assert.equal(st.state, 'online');
    e.sync.maintain();
    assert.equal(e.historian.sampleOutbox()!.totals().rows, 0, 'acknowledged batches left the outbox');
  } finally {
    await e.close();
  }
});

test('4. after a restart, sending resumes from the persisted acknowledged position', async () => {
  const { dir, cleanup } = tempDir();
  const file = join(dir, 'l.db');
  const receiver = new ReceiverStore(':memory:');
  const clock = new FakeClock(T0);
  try {
    const a = await env({ file, receiver, clock, options: { batchMaxRecords: 100 } });
    await a.samples(1000);
    a.alarm(10);
    await a.run(3000);
    assert.equal(position(receiver, 'sample').contiguous, 1000);
    await a.close();

    const b = await env({ file, receiver, clock, options: { batchMaxRecords: 100 } });
    await b.samples(50);
    await b.run(2000);
    const firsts = b.link.sent.map((x) => `${x.env.stream}:${x.env.first}`);
    assert.deepEqual(firsts, ['sample:1001'], 'nothing acknowledged is sent again');
    assert.equal(position(receiver, 'sample').duplicates, 0);
    assert.equal(position(receiver, 'alarm').duplicates, 0);
    await b.close();
  } finally {
    receiver.close();
    cleanup();
  }
});

test('5. reconnecting backs off exponentially with jitter, up to the maximum; online resets it', async () => {
  const draws = [0, 1, 0.5, 0, 1, 1, 0];
  let k = 0;
  const e = await env({ up: false, random: () => draws[k++ % draws.length], options: { alertOfflineMs: 30_000 } });
  try {
    await e.run(40_000, 50);
    const gaps = e.link.connectTimes.slice(1, 7).map((t, i) => t - e.link.connectTimes[i]);
    // delay(n) = min(8000, 1000·2^n) · (0.5 + 0.5·r)
    const expected = [500, 2000, 3000, 4000, 8000, 8000].map((ms) => Math.ceil(ms / 50) * 50);
    assert.deepEqual(gaps, expected);
    const st = e.sync.status().sinks[0];
    assert.equal(st.state, 'backoff');
    assert.match(st.lastError?.message ?? '', /connection refused/);
    assert.ok(st.nextAttemptAt !== null && st.nextAttemptAt > e.clock.now());
    assert.equal(st.offlineSince, T0, 'offline since the start, through every attempt');
    assert.equal(st.abnormal, true, 'offline longer than the alert delay');
    e.link.up = true;
    await e.run(9000);
    assert.equal(e.sync.status().sinks[0].state, 'online');
    assert.deepEqual([e.sync.status().sinks[0].offlineSince, e.sync.status().sinks[0].abnormal], [null, false]);
    e.link.cut();
    const cutAt = e.clock.now();
    await e.run(3000);
    const firstRetry = e.link.connectTimes.find((t) => t > cutAt)!;
    assert.ok(firstRetry - cutAt <= 1000, 'after being online, the first retry is soon again');
  } finally {
    await e.close();
  }
});

test('6. the bandwidth cap holds the bytes per second; batches respect their record and byte limits', async () => {
  const e = await env({ up: false, options: { bandwidthBytesPerSecond: 20_000, batchMaxBytes: 16_384, batchMaxRecords: 120 } });
  try {
    await e.samples(20_000);
    e.link.up = true;
    await e.run(10_000, 50);
    const bytes = e.link.sent.reduce((n, b) => n + b.bytes, 0);
    // 10 s at 20 kB/s, plus the initial burst (20 kB) and one batch that may overdraw
    assert.ok(bytes <= 20_000 * 10 + 20_000 + 16_384, `${bytes} bytes in 10 s`);
    assert.ok(bytes >= 20_000 * 10 * 0.8, `${bytes} bytes in 10 s: the cap is used`);
    for (const b of e.link.sent) {
      assert.ok(b.seqs.length <= 120, `${b.seqs.length} records`);
      assert.ok(b.bytes <= 16_384, `${b.bytes} bytes`);
    }
  } finally {
    await e.close();
  }
});

test('7. refused records go to the quarantine, the stream goes on; retry and delete work', async () => {
  let refuse = true;
  const e = await env({
    validator: (stream, rec) => (refuse && stream === 'sample' && rec.tag === 'bad' ? 'unknown tag "bad"' : validateRecord(stream, rec)),
    options: { batchMaxRecords: 50 },
  });
  try {
    await e.samples(200, 'bad'); // half of them on tag "bad"
    await e.samples(100);
    await e.run(3000);
    const p = position(e.receiver, 'sample');
    assert.equal(p.contiguous, 300, 'the stream is not blocked');
    const q = e.sync.quarantine(1000);
    assert.equal(q.total, 100);
    assert.ok(q.entries.every((x) => x.reason === 'unknown tag "bad"' && x.stream === 'sample' && JSON.parse(x.record).tag === 'bad'));
    assert.equal(e.sync.status().quarantined, 100);

    // Retry while still refused: stays, attempts count up.
    const first10 = q.entries.slice(0, 10).map((x) => x.id);
    assert.equal(e.sync.retryQuarantined(first10), 10);
    await e.run(1000);
    const again = e.sync.quarantine(1000).entries.filter((x) => first10.includes(x.id));
    assert.ok(again.length === 10 && again.every((x) => x.attempts === 2 && !x.retrying));

    // The receiver is fixed: a retry delivers them, under the same keys.
    refuse = false;
    e.sync.retryQuarantined(e.sync.quarantine(1000).entries.slice(0, 60).map((x) => x.id));
    await e.run(1000);
    assert.equal(e.sync.quarantine(1000).total, 40);
    assert.equal(e.receiver.db.prepare("SELECT COUNT(*) FROM record WHERE stream = 'sample'").pluck().get(), 260);

    // Giving up on the rest.
    const rest = e.sync.quarantine(1000).entries.map((x) => x.id);
    assert.equal(e.sync.deleteQuarantined(rest).length, 40);
    assert.equal(e.sync.quarantine(10).total, 0);
  } finally {
    await e.close();
  }
});

test('8. over the outbox quota the oldest samples are dropped, on record as a synced event; the receiver is told', async () => {
  const e = await env({ up: false, options: { outboxQuotaBytes: 1500, batchMaxRecords: 500 } });
  try {
    for (let i = 0; i < 40; i++) {
      await e.samples(50);
      await e.run(250, 250);
    }
    e.alarm(2);
    const status = e.sync.status();
    assert.ok(status.outbox.droppedSamples > 0, 'some were dropped');
    assert.ok(status.outbox.sampleBytes <= 1500);
    const events = e.db.prepare('SELECT type, detail FROM sync_event').all() as { type: string; detail: string }[];
    assert.ok(events.length >= 1 && events.every((x) => x.type === 'data_dropped'));
    const d = JSON.parse(events[0].detail) as { firstSeq: number; lastSeq: number; count: number; from: number; to: number; reason: string };
    assert.deepEqual([d.firstSeq, d.reason], [1, 'outbox_quota']);
    assert.ok(d.count === d.lastSeq - d.firstSeq + 1 && d.to >= d.from);
    e.link.up = true;
    await e.run(5000);
    const p = position(e.receiver, 'sample');
    assert.deepEqual([p.contiguous, p.missing, p.lost, p.stored], [2000, 0, status.outbox.droppedSamples, 2000 - status.outbox.droppedSamples]);
    assert.equal(position(e.receiver, 'event').stored, events.length, 'the drop events reached the receiver');
    assert.equal(position(e.receiver, 'alarm').stored, 2, 'alarms are never dropped');
    const sentEventsFirst = e.link.sent.findIndex((b) => b.env.stream === 'event') < e.link.sent.findIndex((b) => b.env.stream === 'sample');
    assert.ok(sentEventsFirst, 'the event goes before the samples');
  } finally {
    await e.close();
  }
});

test('9. a source whose numbers go backwards is stopped (keys would be reused); the others go on', async () => {
  const e = await env({});
  try {
    e.alarm(5);
    await e.samples(10);
    await e.run(1000);
    e.db.exec('DELETE FROM alarm_journal WHERE id > 2'); // a restored, older table
    await e.run(500);
    e.alarm(1); // would get id 3 again
    await e.samples(10);
    await e.run(1000);
    const alarm = e.sync.status().sinks[0].streams.find((s) => s.stream === 'alarm')!;
    assert.match(alarm.blocked ?? '', /went back from #5 to #2/);
    assert.equal(position(e.receiver, 'alarm').stored, 5, 'nothing sent under a reused key');
    assert.equal(position(e.receiver, 'sample').contiguous, 20);
  } finally {
    await e.close();
  }
});

test('10. without an acknowledging receiver, the broker PUBACK is the acknowledgement', async () => {
  const e = await env({ mode: 'broker' });
  try {
    await e.samples(500);
    e.alarm(3);
    await e.run(2000);
    const st = e.sync.status().sinks[0];
    assert.equal(st.ackMode, 'broker');
    assert.equal(st.backlog, 0);
    assert.deepEqual(
      st.streams.filter((s) => s.head > 0).map((s) => [s.stream, s.acked]),
      [
        ['alarm', 3],
        ['sample', 500],
      ],
    );
  } finally {
    await e.close();
  }
});

test('11. while no ack comes, batches are sent again at a doubling interval, up to the maximum', async () => {
  const e = await env({ mode: 'mqtt', options: { maxInFlight: 1 } });
  try {
    e.link.loseAcks = 1;
    e.alarm(1);
    await e.run(60_000, 100);
    const times = e.link.sent.map((b) => b.env.sentAt - T0);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    // timeout 2 s, then 4, 8, 16, 16 (the maximum); checked every poll (100 ms)
    assert.deepEqual(gaps.slice(0, 5).map((g) => Math.round(g / 1000)), [2, 4, 8, 16, 16]);
    assert.ok(e.link.sent.every((b) => b.env.first === 1), 'the same record each time');
  } finally {
    await e.close();
  }
});
