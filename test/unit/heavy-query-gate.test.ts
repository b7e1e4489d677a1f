/**
 * The heavy-query gate: concurrency per connection and overall, a bounded queue that refuses
 * beyond it, order among waiting calls, and a fresh turn of the event loop before every call.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HEAVY_HISTORY_METHODS, HeavyQueryGate, UNKEYED_CONNECTION } from '../../main/app/heavy-query-gate';
import { ApiError } from '../../shared/api';

/** A job that runs until released, recording when it started. */
function controllable(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return {
    job: async () => {
      log.push(`start ${name}`);
      await done;
      return name;
    },
    release,
  };
}

const turn = () => new Promise<void>((r) => setImmediate(r));
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await turn();
}

test('1. at most perConnection run for one connection and overall in all; the others wait in order', async () => {
  const gate = new HeavyQueryGate(new Set(['q']), { perConnection: 2, overall: 3, queuePerConnection: 10, queueOverall: 10 });
  const log: string[] = [];
  const a = [0, 1, 2].map((i) => controllable(log, `a${i}`));
  const b = [0, 1].map((i) => controllable(log, `b${i}`));
  const results = [...a.map((j) => gate.run('A', 'q', j.job)), ...b.map((j) => gate.run('B', 'q', j.job))];
  await settle();
  assert.deepEqual(log, ['start a0', 'start a1', 'start b0'], 'two of A (its limit), one of B (the overall limit)');
  assert.deepEqual(gate.status(), { running: 3, queued: 2, refused: 0 });
  b[0].release();
  await settle();
  // a2 cannot start (A is at its limit): b1, queued after it, may.
  assert.deepEqual(log.slice(3), ['start b1']);
  a[0].release();
  await settle();
  assert.deepEqual(log.slice(4), ['start a2']);
  for (const j of [...a, ...b]) j.release();
  assert.deepEqual(await Promise.all(results), ['a0', 'a1', 'a2', 'b0', 'b1']);
  assert.deepEqual(gate.status(), { running: 0, queued: 0, refused: 0 });
});

test('2. beyond the queue a call is refused at once, saying so with the counts; a failing job frees its slot', async () => {
  const gate = new HeavyQueryGate(new Set(['history.buckets']), { perConnection: 1, overall: 2, queuePerConnection: 2, queueOverall: 3 });
  const log: string[] = [];
  const jobs = Array.from({ length: 3 }, (_, i) => controllable(log, `a${i}`));
  const running = jobs.map((j) => gate.run('ws-1', 'history.buckets', j.job));
  await assert.rejects(gate.run('ws-1', 'history.buckets', () => 'never'), (err: unknown) => {
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, 'refused');
    assert.match(err.message, /^history\.buckets: too many history queries in flight \(1 running and 2 waiting for this connection\)/);
    assert.deepEqual(err.context, { method: 'history.buckets', running: 1, waiting: 2, maxWaiting: 2, scope: 'connection' });
    return true;
  });
  // another connection: one slot left overall, and room for one more in the overall queue
  const other = gate.run('ws-2', 'history.buckets', () => 'ws-2 ran');
  const blocker = controllable(log, 'c');
  const queued = gate.run('ws-3', 'history.buckets', blocker.job);
  await assert.rejects(gate.run('ws-4', 'history.buckets', () => 'never'), (err: unknown) => err instanceof ApiError && err.context?.scope === 'overall');
  assert.equal(await other, 'ws-2 ran');
  assert.equal(gate.status().refused, 2);
  // a job that throws: its caller gets the error, the next one starts
  const failing = new HeavyQueryGate(new Set(['q']), { perConnection: 1, overall: 1, queuePerConnection: 1, queueOverall: 1 });
  const first = failing.run('k', 'q', () => {
    throw new Error('boom');
  });
  const second = failing.run('k', 'q', () => 'second ran');
  await assert.rejects(first, /boom/);
  assert.equal(await second, 'second ran');
  for (const j of [...jobs, blocker]) j.release();
  await Promise.all([...running, queued]);
});

test('3. every call starts on a fresh turn of the event loop: a timer due meanwhile runs between two heavy calls', async () => {
  const gate = new HeavyQueryGate(new Set(['q']), { perConnection: 4, overall: 4, queuePerConnection: 100, queueOverall: 100 });
  const order: string[] = [];
  const busy = (name: string) => () => {
    // the first job sets a timer: it is due when that job is done
    if (order.length === 0) setTimeout(() => order.push('timer'), 0);
    const until = performance.now() + 5;
    while (performance.now() < until);
    order.push(name);
  };
  // Four synchronous jobs asked for in one go (as a burst of WebSocket messages arrives).
  await Promise.all([1, 2, 3, 4].map((i) => gate.run('k', 'q', busy(`job${i}`))));
  assert.deepEqual(order, ['job1', 'timer', 'job2', 'job3', 'job4']);
});

test('4. light methods pass through unchanged; heavy ones are gated (calls without a connection share one lane)', async () => {
  assert.ok(HEAVY_HISTORY_METHODS.has('history.buckets') && HEAVY_HISTORY_METHODS.has('history.trend') && HEAVY_HISTORY_METHODS.has('alarms.journalCsv'));
  assert.ok(!HEAVY_HISTORY_METHODS.has('tags.write') && !HEAVY_HISTORY_METHODS.has('devices.list'));
  const gate = new HeavyQueryGate(HEAVY_HISTORY_METHODS, { perConnection: 1, overall: 1, queuePerConnection: 0, queueOverall: 0 });
  const light = (p: number) => p + 1;
  assert.equal(gate.gated('tags.write', 'ws-1', light), light);
  const log: string[] = [];
  const held = controllable(log, 'h');
  const heavy = gate.gated('history.query', undefined, held.job);
  const first = heavy(undefined);
  await assert.rejects(Promise.resolve(gate.gated('history.buckets', UNKEYED_CONNECTION, () => 1)(undefined)), /too many history queries in flight/);
  held.release();
  assert.equal(await first, 'h');
  assert.throws(() => new HeavyQueryGate(new Set(), { perConnection: 0, overall: 1, queuePerConnection: 1, queueOverall: 1 }), /perConnection must be a whole number ≥ 1/);
});
