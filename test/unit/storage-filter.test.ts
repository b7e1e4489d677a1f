import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StorageFilter, storagePolicy } from '../../main/acquisition/storage-filter';
import type { Quality } from '../../shared/quality';
import type { TagValue } from '../../shared/types';

const GOOD: Quality = { level: 'good', reason: 'ok' };
const v = (value: number | string, ts: number, quality: Quality = GOOD): TagValue => ({ tagId: 'T', value, quality, sourceTs: ts, ts });

test('1. absolute deadband: noise inside it is not stored, a move beyond it is', () => {
  const f = new StorageFilter(new Map([['T', storagePolicy({ deadband: 0.5, heartbeatS: 60 })]]));
  const stored = [10, 10.2, 9.7, 10.4, 10.6, 10.9, 11.2].flatMap((x, i) => f.filter([v(x, i * 1000)]).map((s) => s.value));
  assert.deepEqual(stored, [10, 10.6, 11.2]);
});

test('2. percent deadband of the span; heartbeat stores a constant value; quality change always stored', () => {
  const f = new StorageFilter(new Map([['T', storagePolicy({ deadbandPercent: 1, heartbeatS: 10, min: 0, max: 200 })]]));
  const out = (x: number, ts: number, q: Quality = GOOD) => f.filter([v(x, ts, q)]).length;
  assert.equal(out(100, 0), 1);
  assert.equal(out(101.9, 1000), 0, 'within 2 (1 % of 200)');
  assert.equal(out(100, 9000), 0);
  assert.equal(out(100, 10_000), 1, 'heartbeat');
  assert.equal(out(100, 10_500, { level: 'bad', reason: 'comm_failure' }), 1, 'quality change');
  assert.equal(out(100, 11_000), 1, 'back to good');
});

test('3. without a deadband every change is stored, and text values by equality', () => {
  const f = new StorageFilter(new Map());
  assert.equal(f.filter([v(1, 0), v(1, 1), v(1.0001, 2)]).length, 2);
  assert.equal(f.filter([{ ...v('A', 3), tagId: 'S' }, { ...v('A', 4), tagId: 'S' }, { ...v('B', 5), tagId: 'S' }]).length, 2);
});
