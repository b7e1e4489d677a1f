import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameCoalescer } from '../../main/tags/frame-coalescer';
import { FakeClock } from '../../main/util/clock';
import type { TagValue } from '../../shared/types';

const v = (tagId: string, value: number, ts: number): TagValue => ({ tagId, value, quality: { level: 'good', reason: 'ok' }, sourceTs: ts, ts });

test('1. many updates within an interval become one frame with the latest value per tag', () => {
  const clock = new FakeClock();
  const frames: TagValue[][] = [];
  const c = new FrameCoalescer(100, clock, (f) => frames.push(f));
  for (let i = 0; i < 1000; i++) c.push([v('a', i, clock.now()), v('b', -i, clock.now())]);
  clock.advance(0);
  assert.equal(frames.length, 1);
  assert.deepEqual(frames[0].map((x) => [x.tagId, x.value]), [['a', 999], ['b', -999]]);
});

test('2. at most one frame per interval under a continuous stream', () => {
  const clock = new FakeClock();
  const frames: TagValue[][] = [];
  const c = new FrameCoalescer(100, clock, (f) => frames.push(f));
  for (let t = 0; t < 1000; t += 5) {
    c.push([v('a', t, clock.now())]);
    clock.advance(5);
  }
  assert.ok(frames.length >= 9 && frames.length <= 11, `${frames.length} frames in 1 s`);
  c.stop();
});

test('3. a periodic source at the frame rate is not held back: a late batch does not delay the ones after it', () => {
  const clock = new FakeClock();
  const sent: number[] = [];
  const base = clock.now();
  const c = new FrameCoalescer(100, clock, () => sent.push(clock.now() - base));
  // batches every 100 ms, answered 2 ms after the scan, except one answered 60 ms late
  const arrivals: number[] = [];
  for (let k = 0; k < 50; k++) arrivals.push(k * 100 + (k === 10 ? 60 : 2));
  let t = 0;
  for (const a of arrivals) {
    clock.advance(a - t);
    t = a;
    c.push([v('a', a, a)]);
    clock.advance(0);
  }
  clock.advance(200);
  assert.equal(sent.length, arrivals.length, 'one frame per batch');
  const delays = sent.map((s, i) => s - arrivals[i]);
  // with a fixed gap after the last frame, every batch after the late one would wait 58 ms
  assert.ok(Math.max(...delays.slice(12)) <= 5, `delays after the late batch: ${delays.slice(12).join(', ')}`);
  c.stop();
});
