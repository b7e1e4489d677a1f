import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IntervalSet } from '../../main/sync/intervals';

test('1. adding merges overlapping and adjacent ranges, keeps the others apart', () => {
  const s = new IntervalSet();
  s.add(10, 20);
  s.add(30, 40);
  s.add(21, 25); // touches [10, 20]
  assert.deepEqual(s.ranges(), [
    [10, 25],
    [30, 40],
  ]);
  s.add(24, 31); // bridges both
  assert.deepEqual(s.ranges(), [[10, 40]]);
  s.add(1, 3);
  s.add(50, 50);
  assert.deepEqual(s.ranges(), [
    [1, 3],
    [10, 40],
    [50, 50],
  ]);
  assert.equal(s.size(), 3 + 31 + 1);
});

test('2. membership, coverage and the first number absent or present from a point', () => {
  const s = new IntervalSet([
    [1, 5],
    [8, 9],
  ]);
  assert.ok(s.has(1) && s.has(5) && !s.has(6) && s.has(9) && !s.has(0));
  assert.ok(s.covers(2, 5) && !s.covers(4, 8));
  assert.equal(s.firstAbsentFrom(1), 6);
  assert.equal(s.firstAbsentFrom(6), 6);
  assert.equal(s.firstAbsentFrom(8), 10);
  assert.equal(s.firstPresentFrom(6), 8);
  assert.equal(s.firstPresentFrom(3), 3);
  assert.equal(s.firstPresentFrom(10), null);
  assert.equal(s.contiguousFrom(1), 5, 'the acknowledged floor');
  assert.equal(new IntervalSet([[2, 4]]).contiguousFrom(1), 0, 'nothing from 1: floor 0');
});

test('3. removing splits ranges; counting within a window', () => {
  const s = new IntervalSet([[1, 100]]);
  s.remove(10, 19);
  s.remove(50, 50);
  assert.deepEqual(s.ranges(), [
    [1, 9],
    [20, 49],
    [51, 100],
  ]);
  assert.equal(s.countWithin(5, 25), 5 + 6);
  s.dropBelow(30);
  assert.deepEqual(s.ranges(), [
    [30, 49],
    [51, 100],
  ]);
});
