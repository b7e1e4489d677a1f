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
