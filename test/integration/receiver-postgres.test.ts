/**
 * The site receiver's PostgreSQL store against a real server (Debian's PostgreSQL, a cluster of
 * the test's own on a free loopback port): the schema by numbered migrations, records stored
 * once by their key, duplicates counted, gaps reported (API and CLI), refusals and declared
 * losses, daily sample partitions with a BRIN index and retention, two receivers side by side on
 * one database, and a server restart in the middle of sending.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { migrate, pgMigrations } from '../../main/receiver/pg-schema';
import { partitionName, dayOf } from '../../main/receiver/pg-partitions';
import { PgReceiverStore } from '../../main/receiver/pg-store';
import { batchText, parseBatch, type Batch, type BatchEnvelope, type StreamName } from '../../main/sync/wire';
import { runReceiverCli } from '../helpers/mosquitto-sync';
import { startPostgres, type PostgresServer } from '../helpers/postgres';
import { tempDir } from '../helpers/temp';

const tmp = tempDir('lineside-pg-');
let server: PostgresServer;
const DAY = 86_400_000;
// yesterday 10:00 UTC: inside any retention, never the day test 6 calls recent
const T0 = Math.floor(Date.now() / DAY) * DAY - DAY + 10 * 3_600_000;

before(async () => {
  server = await startPostgres({ dir: join(tmp.dir, 'pg') });
});
after(async () => {
  await server?.stop('fast').catch(() => undefined);
  tmp.cleanup();
});

function batch(node: string, stream: StreamName, first: number, last: number, acked: number, over: Partial<BatchEnvelope> = {}, make?: (seq: number) => Record<string, unknown>): Batch {
  const env: BatchEnvelope = { v: 1, node, site: 'plant', line: 'L1', stream, first, last, acked, historical: false, sentAt: T0, ...over };
  const records: string[] = [];
  if (!env.lost) for (let seq = first; seq <= last; seq++) records.push(JSON.stringify(make ? make(seq) : { seq, tag: `T${seq % 3}`, ts: T0 + seq, sourceTs: T0 + seq - 1, value: seq / 2, quality: 'good' }));
  return parseBatch(batchText(env, records));
}

const count = (sql: string) => Number(server.psql(sql).trim());

test('1. the schema: numbered migrations run once; a database newer than the receiver is refused', async () => {
  const a = await PgReceiverStore.open({ url: server.url });
  await a.close();
  const b = await PgReceiverStore.open({ url: server.url }); // again: nothing to do
  await b.close();
  assert.equal(count('SELECT count(*) FROM receiver_migration'), pgMigrations.length);
  assert.equal(server.psql("SELECT relkind FROM pg_class WHERE relname = 'sample'").trim(), 'p', 'sample is a partitioned table');
  assert.match(server.psql("SELECT indexdef FROM pg_indexes WHERE indexname LIKE 'sample_%brin' LIMIT 1"), /USING brin \(ts\)/);
  // Partitions made ahead: today and the next two days.
  for (let i = 0; i <= 2; i++) assert.equal(count(`SELECT count(*) FROM pg_class WHERE relname = '${partitionName(dayOf(Date.now()) + i)}'`), 1);

  const pool = new pg.Pool({ connectionString: server.url, max: 1 });
  const client = await pool.connect();
  try {
    await assert.rejects(migrate(client, pgMigrations.slice(0, 0)), /newer than this receiver's 0: update the receiver/);
  } finally {
    client.release();
    await pool.end();
  }
});

test('2. stored once by key: a redelivered batch counts as duplicates; values, NaN and quality as sent', async () => {
  const s = await PgReceiverStore.open({ url: server.url });
  try {
    let ack = await s.process(batch('node-2', 'sample', 1, 10, 0));
    assert.deepEqual([ack.upTo, ack.ranges, ack.rejected], [10, [], []]);
    ack = await s.process(batch('node-2', 'sample', 1, 10, 0)); // a lost ack, sent again
    assert.equal(ack.upTo, 10);
    const special = (seq: number) =>
      seq === 11
        ? { seq, tag: 'X', ts: T0 + seq, sourceTs: T0, value: null, number: 'NaN', quality: 'uncertain/sensor' }
        : seq === 12
          ? { seq, tag: 'X', ts: T0 + seq, sourceTs: T0, value: null, quality: 'bad/comm_failure' }
          : { seq, tag: 'Y', ts: T0 + seq, sourceTs: T0, value: seq === 13, quality: 'good' };
    ack = await s.process(batch('node-2', 'sample', 11, 14, 10, {}, special));
    assert.equal(ack.upTo, 14);
    const [p] = (await s.positions()).filter((x) => x.node === 'node-2');
    assert.deepEqual([p.stored, p.duplicates, p.missing, p.contiguous, p.site, p.line], [14, 10, 0, 14, 'plant', 'L1']);
    assert.equal(count("SELECT count(*) FROM sample s JOIN receiver_node n ON n.id = s.node_id WHERE n.node = 'node-2'"), 14);
    const rows = server.psql(
      "SELECT seq, value_num, value_bool, quality, (extract(epoch from ts) * 1000)::bigint FROM sample s JOIN receiver_node n ON n.id = s.node_id WHERE n.node = 'node-2' AND seq IN (3, 11, 12, 13) ORDER BY seq",
    );
    assert.deepEqual(rows.trim().split('\n'), [`3|1.5||good|${T0 + 3}`, `11|NaN||uncertain/sensor|${T0 + 11}`, `12|||bad/comm_failure|${T0 + 12}`, `13||t|good|${T0 + 13}`]);

    // Other streams land in their own tables, typed and whole.
    const alarm = (seq: number) => ({ seq, ts: T0 + seq, alarmId: 'L1.Vib.H', event: 'raise', fromState: 'normal', toState: 'unack', priority: 2, area: 'L1', user: null, message: 'Vibration high' });
    await s.process(batch('node-2', 'alarm', 1, 3, 0, {}, alarm));
    await s.process(batch('node-2', 'alarm', 1, 3, 0, {}, alarm));
    assert.equal(server.psql("SELECT count(*), min(alarm_id), max(record->>'message') FROM alarm_event").trim(), '3|L1.Vib.H|Vibration high');
    const audit = (seq: number) => ({ seq, ts: T0 + seq, user: 'jdoe', action: 'tags.write', target: 'L1.Speed', outcome: 'ok', detail: '' });
    await s.process(batch('node-2', 'audit', 1, 2, 0, {}, audit));
    assert.equal(server.psql('SELECT count(*), min(user_id) FROM audit_record').trim(), '2|jdoe');
  } finally {
    await s.close();
  }
});

test('3. gaps: reported per node and stream until filled, by the API and the CLI (exit 1 while any)', async () => {
  const s = await PgReceiverStore.open({ url: server.url });
  try {
    await s.process(batch('node-3', 'sample', 1, 10, 0));
    let ack = await s.process(batch('node-3', 'sample', 21, 30, 10));
    assert.deepEqual([ack.upTo, ack.ranges], [10, [[21, 30]]]);
    const gaps = (await s.gaps()).filter((g) => g.node === 'node-3');
    assert.deepEqual(
      gaps.map((g) => [g.stream, g.first, g.last]),
      [['sample', 11, 20]],
    );
    const cli = await runReceiverCli(['--pg', server.url, '--gaps']);
    assert.equal(cli.code, 1, cli.stderr);
    assert.ok((JSON.parse(cli.stdout) as { node: string; first: number; last: number }[]).some((g) => g.node === 'node-3' && g.first === 11 && g.last === 20), cli.stdout);
    ack = await s.process(batch('node-3', 'sample', 11, 20, 10));
    assert.deepEqual([ack.upTo, ack.ranges], [30, []]);
    assert.deepEqual(
      (await s.gaps()).filter((g) => g.node === 'node-3'),
      [],
    );
    // Declared lost: accounted for, not missing.
    ack = await s.process(batch('node-3', 'sample', 31, 40, 30, { lost: { reason: 'outbox_quota' } }));
    assert.equal(ack.upTo, 40);
    const p = (await s.positions()).find((x) => x.node === 'node-3')!;
    assert.deepEqual([p.missing, p.lost], [0, 10]);
    const status = await runReceiverCli(['--pg', server.url, '--status']);
    assert.equal(status.code, 0, status.stderr);
    assert.ok((JSON.parse(status.stdout) as { node: string; contiguous: number }[]).some((x) => x.node === 'node-3' && x.contiguous === 40));
  } finally {
    await s.close();
  }
});

test('4. refusals: acknowledged as refused, reported until the sender has them; a retry that passes is stored', async () => {
  let refuse = true;
  const s = await PgReceiverStore.open({ url: server.url, validate: (_stream, rec) => (refuse && rec.tag === 'T1' ? 'unknown tag "T1"' : null) });
  try {
    const ack = await s.process(batch('node-4', 'sample', 1, 6, 0));
    assert.equal(ack.upTo, 6);
    assert.deepEqual(
      ack.rejected.map((r) => r.seq),
      [1, 4],
    );
    assert.equal(count("SELECT count(*) FROM receiver_refused r JOIN receiver_node n ON n.id = r.node_id WHERE n.node = 'node-4'"), 2);
    refuse = false;
    const retry = await s.process(batch('node-4', 'sample', 1, 4, 6, { retry: true }, (seq) => ({ seq, tag: 'T1', ts: T0 + seq, sourceTs: T0, value: 1, quality: 'good' })));
    assert.deepEqual(
      retry.results?.map((r) => r.ok),
      [true, true, true, true],
    );
    assert.equal(count("SELECT count(*) FROM receiver_refused r JOIN receiver_node n ON n.id = r.node_id WHERE n.node = 'node-4'"), 0);
  } finally {
    await s.close();
  }
});

test('5. two receivers side by side on one database: each sees what the other stored (nothing twice, no false gaps)', async () => {
  const a = await PgReceiverStore.open({ url: server.url });
  const b = await PgReceiverStore.open({ url: server.url });
  try {
    await a.process(batch('node-5', 'sample', 1, 10, 0));
    await b.process(batch('node-5', 'sample', 11, 20, 10));
    const ack = await a.process(batch('node-5', 'sample', 21, 30, 20));
    assert.deepEqual([ack.upTo, ack.ranges], [30, []], 'a read what b stored');
    await b.process(batch('node-5', 'sample', 1, 30, 0)); // everything again through b
    const p = (await a.positions()).find((x) => x.node === 'node-5')!;
    assert.deepEqual([p.stored, p.duplicates, p.missing], [30, 30, 0]);
    // The same batches from both at once.
    const both = await Promise.all([a.process(batch('node-5', 'sample', 31, 60, 30)), b.process(batch('node-5', 'sample', 31, 60, 30))]);
    assert.deepEqual(
      both.map((x) => x.upTo),
      [60, 60],
    );
    assert.equal(count("SELECT count(*) FROM sample s JOIN receiver_node n ON n.id = s.node_id WHERE n.node = 'node-5'"), 60);
  } finally {
    await a.close();
    await b.close();
  }
});

test('6. partitions: a backlog from days back gets its days on demand; retention drops whole days', async () => {
  const s = await PgReceiverStore.open({ url: server.url, retentionDays: 30 });
  try {
    const old = Date.now() - 40 * DAY;
    const recent = Date.now() - 3 * DAY;
    await s.process(batch('node-6', 'sample', 1, 4, 0, { historical: true }, (seq) => ({ seq, tag: 'T', ts: seq <= 2 ? old : recent, sourceTs: old, value: seq, quality: 'good' })));
    // this node's rows only (the other tests' samples are in yesterday's partition)
    const rows = (day: number) => count(`SELECT count(*) FROM ${partitionName(day)} p JOIN receiver_node n ON n.id = p.node_id WHERE n.node = 'node-6'`);
    assert.equal(rows(dayOf(old)), 2);
    assert.equal(rows(dayOf(recent)), 2);
    await s.housekeep();
    assert.equal(count(`SELECT count(*) FROM pg_class WHERE relname = '${partitionName(dayOf(old))}'`), 0, 'the 40-day-old partition is dropped');
    assert.equal(rows(dayOf(recent)), 2);
  } finally {
    await s.close();
  }
});

test('7. PostgreSQL restarted mid-stream: batches fail without an ack while it is away, then go on; nothing twice, nothing missing', { timeout: 120_000 }, async () => {
  const s = await PgReceiverStore.open({ url: server.url, poolSize: 4 });
  try {
    let acked = 0;
    let failures = 0;
    let next = 1;
    const send = async () => {
      const first = next;
      const b = batch('node-7', 'sample', first, first + 49, acked);
      try {
        const ack = await s.process(b);
        acked = ack.upTo;
        next = ack.upTo + 1;
      } catch {
        failures++;
        next = acked + 1; // the sender sends it again after its ack timeout
      }
    };
    for (let i = 0; i < 10; i++) await send();
    await server.stop('immediate'); // a crash: recovery from the WAL at the next start
    for (let i = 0; i < 3; i++) await send();
    assert.ok(failures >= 3, 'no ack while the server is away');
    await server.start();
    for (let i = 0; i < 10 && acked < 1000; i++) await send();
    while (acked < 1000) await send();
    assert.equal(count("SELECT count(*) FROM sample s JOIN receiver_node n ON n.id = s.node_id WHERE n.node = 'node-7'"), acked);
    assert.equal(count("SELECT count(DISTINCT seq) FROM sample s JOIN receiver_node n ON n.id = s.node_id WHERE n.node = 'node-7'"), acked);
    const p = (await s.positions()).find((x) => x.node === 'node-7')!;
    assert.deepEqual([p.missing, p.contiguous], [0, acked]);
  } finally {
    await s.close();
  }
});

test('8. the CLI names what is wrong: no server there, a bad URL', async () => {
  const off = await runReceiverCli(['--pg', 'postgres://lineside:secret@127.0.0.1:1/lineside', '--status']);
  assert.equal(off.code, 1);
  assert.match(off.stderr, /PostgreSQL at postgres:\/\/lineside:\*\*\*@127\.0\.0\.1:1\/lineside: .*ECONNREFUSED/);
  assert.doesNotMatch(off.stderr, /secret/);
  const bad = await runReceiverCli(['--pg', 'mysql://x', '--status']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--pg must be a postgres:\/\/ URL/);
});
