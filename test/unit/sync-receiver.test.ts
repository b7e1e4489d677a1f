/**
 * The reference receiver's store: records kept under (node, stream, seq), duplicates dropped by
 * the key and counted, gaps seen, lost ranges accounted for, refusals reported until the sender
 * has them, and the ack it answers with.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ReceiverStore } from '../../main/receiver/receiver-store';
import { batchText, parseBatch, type Batch, type BatchEnvelope, type StreamName } from '../../main/sync/wire';
import { tempDir } from '../helpers/temp';

const T0 = 1_736_143_200_000;

function batch(stream: StreamName, first: number, last: number, acked: number, over: Partial<BatchEnvelope> = {}, make?: (seq: number) => Record<string, unknown>): Batch {
  const env: BatchEnvelope = { v: 1, node: 'n1', site: 's', line: 'l', stream, first, last, acked, historical: false, sentAt: T0, ...over };
  const records: string[] = [];
  if (!env.lost) for (let seq = first; seq <= last; seq++) records.push(JSON.stringify(make ? make(seq) : { seq, tag: 'T', ts: T0 + seq, sourceTs: T0 + seq, value: seq, quality: 'good' }));
  return parseBatch(batchText(env, records));
}

test('1. in order: the ack covers what is held; a duplicate delivery is dropped by key and counted', () => {
  const r = new ReceiverStore(':memory:');
  let ack = r.process(batch('sample', 1, 10, 0));
  assert.deepEqual([ack.upTo, ack.ranges, ack.rejected, ack.from], [10, [], [], 0]);
  ack = r.process(batch('sample', 1, 10, 0)); // the same batch again (a lost ack, a resend)
  assert.equal(ack.upTo, 10);
  const [p] = r.positions();
  assert.deepEqual([p.stored, p.duplicates, p.missing, p.contiguous], [10, 10, 0, 10]);
  assert.equal((r.db.prepare('SELECT COUNT(*) AS n FROM record').get() as { n: number }).n, 10);
  r.close();
});

test('2. out of order: ranges above the contiguous part, gaps counted as missing until filled', () => {
  const r = new ReceiverStore(':memory:');
  r.process(batch('sample', 1, 5, 0));
  let ack = r.process(batch('sample', 21, 30, 5, { historical: false }));
  assert.equal(ack.upTo, 5);
  assert.deepEqual(ack.ranges, [[21, 30]]);
  assert.equal(r.positions()[0].missing, 15);
  ack = r.process(batch('sample', 6, 20, 5, { historical: true }));
  assert.equal(ack.upTo, 30);
  assert.deepEqual(ack.ranges, []);
  assert.equal(r.positions()[0].missing, 0);
  assert.equal((r.db.prepare('SELECT COUNT(*) AS n FROM record WHERE historical = 1').get() as { n: number }).n, 15);
  r.close();
});

test('3. a refused record is reported until the sender has passed it, counts for contiguity, and can be accepted on retry', () => {
  let refuseSeven = true;
  const r = new ReceiverStore(':memory:', (_stream, rec) => (refuseSeven && rec.seq === 7 ? 'unknown tag "T"' : null));
  let ack = r.process(batch('sample', 1, 10, 0));
  assert.equal(ack.upTo, 10, 'the stream does not stop at a refused record');
  assert.deepEqual(ack.rejected, [{ seq: 7, reason: 'unknown tag "T"' }]);
  ack = r.process(batch('sample', 11, 12, 3)); // the sender's ack of the first batch was lost: it is at 3
  assert.deepEqual(ack.rejected.map((x) => x.seq), [7], 'listed again above the sender position');
  ack = r.process(batch('sample', 13, 14, 12));
  assert.deepEqual(ack.rejected, [], 'not once the sender is past it');
  refuseSeven = false;
  const retry = parseBatch(batchText({ v: 1, node: 'n1', site: 's', line: 'l', stream: 'sample', first: 7, last: 7, acked: 14, historical: false, sentAt: T0, retry: true }, [JSON.stringify({ seq: 7, tag: 'T', ts: T0, sourceTs: T0, value: 7, quality: 'good' })]));
  ack = r.process(retry);
  assert.deepEqual(ack.results, [{ seq: 7, ok: true }]);
  assert.equal((r.db.prepare('SELECT COUNT(*) AS n FROM refused').get() as { n: number }).n, 0);
  assert.equal((r.db.prepare('SELECT COUNT(*) AS n FROM record').get() as { n: number }).n, 14);
  r.close();
});

test('4. lost ranges are accounted for; first contact starts at the sender position; malformed ranges are refused whole', () => {
  const r = new ReceiverStore(':memory:');
  let ack = r.process(batch('alarm', 101, 102, 100, {}, (seq) => ({ seq, ts: T0, alarmId: 'A', event: 'activated' })));
  assert.equal(ack.upTo, 102, 'numbers up to the sender position predate this receiver');
  ack = r.process(batch('alarm', 103, 150, 102, { lost: { reason: 'outbox_quota' } }));
  assert.equal(ack.upTo, 150);
  const p = r.positions()[0];
  assert.deepEqual([p.baseline, p.lost, p.missing], [100, 48, 0]);
  const bad = parseBatch(batchText({ v: 1, node: 'n1', site: 's', line: 'l', stream: 'alarm', first: 151, last: 152, acked: 150, historical: false, sentAt: T0 }, ['{"seq":152,"ts":1,"alarmId":"A","event":"x"}', '{"seq":151,"ts":1,"alarmId":"A","event":"x"}']));
  ack = r.process(bad);
  assert.match(ack.error ?? '', /numbered 151…152 in order/);
  assert.equal(r.positions()[0].maxSeen, 150, 'nothing of it was taken');
  assert.throws(() => parseBatch('{"v":2}'), /unsupported version/);
  r.close();
});

test('5. what is held survives a restart of the receiver', () => {
  const { dir, cleanup } = tempDir();
  try {
    let r = new ReceiverStore(join(dir, 'r.db'));
    r.process(batch('sample', 1, 5, 0));
    r.process(batch('sample', 9, 10, 5));
    r.close();
    r = new ReceiverStore(join(dir, 'r.db'));
    const ack = r.process(batch('sample', 6, 8, 5));
    assert.equal(ack.upTo, 10);
    assert.equal(r.positions()[0].missing, 0);
    r.close();
  } finally {
    cleanup();
  }
});
