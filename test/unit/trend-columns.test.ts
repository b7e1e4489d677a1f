/**
 * The Trends screen's pixel columns (renderer/features/trends/trend-columns.ts): samples of
 * several pens on one grid, min and max per column in the order they happened, bad stretches as
 * one unbroken run of nulls (uPlot clips nulls out and connects across undefined), late samples,
 * the held value drawn to now, cursor readouts and pruning.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketMsFor, TrendColumns, type AlignedData } from '../../renderer/features/trends/trend-columns';

const W = 1000; // column width (ms): column k spans [k s, k+1 s)
const T0 = 1_750_000_000_000; // a column boundary (multiple of W)
const K0 = T0 / W;

/** Time `ms` into column `col` (counted from T0). */
const at = (col: number, ms = 500): number => T0 + col * W + ms;

type Y = number | null | undefined;
const u = undefined;

/** The four slots of column `i` (index into the data, not the grid) of pen `pen`. */
function slots(data: AlignedData, pen: number, i: number): Y[] {
  return data[pen + 1].slice(i * 4, i * 4 + 4);
}

test('1. column width: positive only; about one pixel of the span, at least 1 ms', () => {
  assert.throws(() => new TrendColumns(1, 0), /bucketMs must be positive/);
  assert.throws(() => new TrendColumns(1, -5), /bucketMs must be positive/);
  assert.throws(() => new TrendColumns(1, NaN), /bucketMs must be positive/);
  assert.equal(bucketMsFor(600_000, 1200), 500);
  assert.equal(bucketMsFor(600_000, 50), 6000, 'fewer than 100 px still counts as 100');
  assert.equal(bucketMsFor(10, 1000), 1);
});

test('2. one sample: four x slots per column on the shared grid, the value in the first extreme slot', () => {
  const c = new TrendColumns(2, W);
  c.add(0, at(0, 300), 42);
  const data = c.toAligned();
  assert.equal(data.length, 3, 'x plus one y array per pen');
  assert.deepEqual(data[0], [K0, K0 + 0.25, K0 + 0.5, K0 + 0.75]);
  assert.deepEqual(slots(data, 0, 0), [u, 42, u, u]);
  assert.deepEqual(slots(data, 1, 0), [u, u, u, u], 'a pen without samples is all undefined');
  assert.equal(c.length, 1);
});

test('3. many samples in a column keep only min and max, in the time order of the extremes', () => {
  const c = new TrendColumns(2, W);
  // pen 0: dip first, then the peak
  c.add(0, at(0, 100), 5);
  c.add(0, at(0, 200), 1);
  c.add(0, at(0, 300), 4);
  c.add(0, at(0, 400), 9);
  c.add(0, at(0, 500), 6);
  // pen 1: peak first, then the dip (a spike up drawn before the fall)
  c.add(1, at(0, 100), 5);
  c.add(1, at(0, 200), 9);
  c.add(1, at(0, 300), 4);
  c.add(1, at(0, 400), 1);
  c.add(1, at(0, 500), 6);
  const data = c.toAligned();
  assert.deepEqual(slots(data, 0, 0), [u, 1, 9, u]);
  assert.deepEqual(slots(data, 1, 0), [u, 9, 1, u]);
  assert.equal(c.length, 1, 'still one column');
});

test('4. equal samples in a column draw one point, not two', () => {
  const c = new TrendColumns(1, W);
  c.add(0, at(0, 100), 3);
  c.add(0, at(0, 900), 3);
  assert.deepEqual(slots(c.toAligned(), 0, 0), [u, 3, u, u]);
});

test('5. columns where a pen has no sample are undefined (uPlot connects its line across them)', () => {
  const c = new TrendColumns(2, W);
  c.add(0, at(0), 1);
  for (let k = 1; k <= 3; k++) c.add(1, at(k), k);
  c.add(0, at(4), 2);
  const data = c.toAligned();
  assert.equal(data[0].length, 5 * 4);
  for (let i = 1; i <= 3; i++) assert.deepEqual(slots(data, 0, i), [u, u, u, u], `column ${i}`);
  assert.deepEqual(slots(data, 0, 4), [u, 2, u, u]);
  assert.ok(!data[1].includes(null), 'no gap anywhere');
});

test('6. a bad stretch is one unbroken run of nulls, across columns without samples, to the next good value', () => {
  const c = new TrendColumns(2, W);
  c.add(0, at(0), 10);
  c.add(0, at(1), null); // goes bad; values are stored on change, so nothing more until it recovers
  for (let k = 0; k <= 6; k++) c.add(1, at(k), k); // another pen fills the grid
  c.add(0, at(6, 700), 12);
  const data = c.toAligned();
  const y = data[1];
  assert.deepEqual(slots(data, 0, 0), [u, 10, u, u]);
  // from column 1 up to the slot before the recovered value: every slot null
  const run = y.slice(4, 6 * 4 + 1);
  assert.equal(run.length, 21);
  assert.ok(
    run.every((v) => v === null),
    `expected only nulls, got ${JSON.stringify(run.map((v) => (v === undefined ? 'u' : v)))}`,
  );
  assert.deepEqual(slots(data, 0, 6), [null, 12, u, u]);
  // the other pen is untouched
  assert.ok(data[2].every((v) => v !== null));
});

test('7. a pen that goes bad within a column ends it with a gap marker and stays null after', () => {
  const c = new TrendColumns(2, W);
  c.add(0, at(0, 100), 4);
  c.add(0, at(0, 200), 8);
  c.add(0, at(0, 600), null);
  c.add(1, at(1), 0);
  c.add(1, at(2), 0);
  const data = c.toAligned();
  assert.deepEqual(slots(data, 0, 0), [u, 4, 8, null]);
  assert.deepEqual(slots(data, 0, 1), [null, null, null, null]);
  assert.deepEqual(slots(data, 0, 2), [null, null, null, null]);
});

test('8. a pen that recovers within a column starts it with a gap marker; a recovered pen connects again', () => {
  const c = new TrendColumns(2, W);
  c.add(0, at(0, 100), null);
  c.add(0, at(0, 600), 5);
  c.add(1, at(1), 0);
  c.add(0, at(2), 6);
  const data = c.toAligned();
  assert.deepEqual(slots(data, 0, 0), [null, 5, u, u]);
  assert.deepEqual(slots(data, 0, 1), [u, u, u, u], 'good again: uPlot connects 5 to 6');
  assert.deepEqual(slots(data, 0, 2), [u, 6, u, u]);
});

test('9. a good sample between two bad stretches stands alone between nulls', () => {
  const c = new TrendColumns(2, W);
  for (let k = 0; k <= 6; k++) c.add(1, at(k), k);
  c.add(0, at(0), 1);
  c.add(0, at(1), null);
  c.add(0, at(3), 7);
  c.add(0, at(5), null);
  c.add(0, at(6, 900), 2);
  const data = c.toAligned();
  assert.deepEqual(slots(data, 0, 1), [null, null, null, null]);
  assert.deepEqual(slots(data, 0, 2), [null, null, null, null]);
  assert.deepEqual(slots(data, 0, 3), [null, 7, u, u], 'the good value itself is drawn');
  assert.deepEqual(slots(data, 0, 4), [u, u, u, u], 'good from 7 until it goes bad');
  assert.deepEqual(slots(data, 0, 5), [null, null, null, null]);
  assert.deepEqual(slots(data, 0, 6), [null, 2, u, u]);
  // and within one column: bad, good, bad
  const d = new TrendColumns(1, W);
  d.add(0, at(0, 100), null);
  d.add(0, at(0, 500), 3);
  d.add(0, at(0, 900), null);
  assert.deepEqual(slots(d.toAligned(), 0, 0), [null, 3, u, null]);
});

test('10. a column with only bad samples is all null; non-finite values are gaps, not numbers', () => {
  const c = new TrendColumns(1, W);
  c.add(0, at(0), NaN);
  c.add(0, at(1), Infinity);
  c.add(0, at(2), 1);
  const data = c.toAligned();
  assert.deepEqual(slots(data, 0, 0), [null, null, null, null]);
  assert.deepEqual(slots(data, 0, 1), [null, null, null, null]);
  assert.deepEqual(slots(data, 0, 2), [null, 1, u, u]);
  assert.equal(c.readAt(0, at(1)).value, null);
});

test('11. samples with a bad time or pen are ignored', () => {
  const c = new TrendColumns(2, W);
  c.add(0, NaN, 1);
  c.add(0, Infinity, 1);
  c.add(-1, at(0), 1);
  c.add(2, at(0), 1);
  assert.equal(c.length, 0);
  assert.equal(c.toAligned()[0].length, 0);
});

test('12. late samples land in their own column, in grid order, and extend existing ones', () => {
  const c = new TrendColumns(2, W);
  c.add(0, at(2), 20);
  c.add(0, at(5), 50);
  c.add(1, at(3), 30); // between existing columns: a new one inserted
  c.add(1, at(0), 0); // before all of them
  c.add(0, at(2, 900), 25); // into an existing earlier column
  c.add(0, at(5), 55); // same time as the newest: replaces its last value, widens it
  c.add(1, at(3), 30); // duplicate
  const data = c.toAligned();
  assert.deepEqual(
    data[0].filter((_, i) => i % 4 === 0),
    [K0, K0 + 2, K0 + 3, K0 + 5],
  );
  assert.ok(data[0].every((x, i) => i === 0 || x > data[0][i - 1]), 'x ascending');
  assert.deepEqual(slots(data, 0, 1), [u, 20, 25, u]);
  assert.deepEqual(slots(data, 1, 2), [u, 30, u, u]);
  assert.deepEqual(slots(data, 1, 0), [u, 0, u, u]);
  assert.deepEqual(slots(data, 0, 3), [u, 50, 55, u]);
  assert.equal(c.readAt(0, at(5)).value, 55);
});

test('13. a late sample older than a column\'s newest does not become its last value', () => {
  const c = new TrendColumns(1, W);
  c.add(0, at(0, 800), 8);
  c.add(0, at(0, 200), 2);
  const r = c.readAt(0, at(0, 999));
  assert.equal(r.value, 8);
  assert.equal(r.t, at(0, 800));
  assert.deepEqual(slots(c.toAligned(), 0, 0), [u, 2, 8, u], 'the earlier dip first');
});

test('14. a late good sample into a column whose newest sample is bad keeps the bad stretch a gap', () => {
  // good, bad, then a good sample from before the bad one arrives late
  const c = new TrendColumns(2, W);
  c.add(0, at(0, 100), 1);
  c.add(0, at(0, 800), null);
  c.add(0, at(0, 400), 3);
  // a column with only a bad sample, then a late good one from before it
  c.add(0, at(2, 800), null);
  c.add(0, at(2, 100), 4);
  for (let k = 0; k <= 4; k++) c.add(1, at(k), k);
  c.add(0, at(4), 9);
  const data = c.toAligned();
  assert.deepEqual(slots(data, 0, 0).slice(1), [1, 3, null]);
  assert.deepEqual(slots(data, 0, 1), [null, null, null, null], 'no line through the bad stretch');
  assert.equal(slots(data, 0, 2)[3], null);
  assert.deepEqual(slots(data, 0, 3), [null, null, null, null]);
  assert.deepEqual(slots(data, 0, 4), [null, 9, u, u]);
  assert.equal(c.readAt(0, at(3)).value, null, 'the readout shows the bad sample, the newest');
});

test('15. a late bad sample older than good ones in its column does not open a gap after them', () => {
  const c = new TrendColumns(2, W);
  c.add(0, at(0, 100), 1);
  c.add(0, at(0, 900), 2);
  c.add(0, at(0, 500), null); // late, and before the newest (good) sample
  c.add(1, at(1), 0);
  c.add(0, at(2), 5);
  const data = c.toAligned();
  assert.equal(slots(data, 0, 0)[3], undefined);
  assert.deepEqual(slots(data, 0, 1), [u, u, u, u], 'the pen is good: 2 connects to 5');
  assert.equal(c.readAt(0, at(0, 999)).value, 2);
});

test('16. held value: drawn to `until` only when the pen\'s last sample is good', () => {
  const c = new TrendColumns(4, W);
  c.add(0, at(0), 1); // good: held
  c.add(1, at(0, 100), 2);
  c.add(1, at(1), null); // last sample bad: no held value although the live value is good again
  c.add(2, at(1), 3); // held value not good
  // pen 3: no samples at all
  const until = at(10);
  const data = c.toAligned([1.5, 7, null, 4], until);
  const n = 2 * 4;
  assert.equal(data[0].length, n + 1);
  assert.equal(data[0][n], until / 1000);
  assert.equal(data[1][n], 1.5);
  assert.equal(data[2][n], undefined);
  assert.equal(data[3][n], undefined);
  assert.equal(data[4][n], undefined);
  // pen 1's gap still reaches the end of the data
  assert.deepEqual(slots(data, 1, 1), [null, null, null, null]);
  // without `until` (history) there is no extra slot
  assert.equal(c.toAligned([1, 1, 1, 1]).length, 5);
  assert.equal(c.toAligned([1, 1, 1, 1])[0].length, n);
});

test('17. held value: x never goes back before the last column; with no columns it sits at `until`', () => {
  const c = new TrendColumns(1, W);
  c.add(0, at(5), 1);
  const data = c.toAligned([1], at(2));
  assert.equal(data[0][4], data[0][3], 'clamped to the last slot');
  assert.equal(data[1][4], 1);
  const empty = new TrendColumns(1, W).toAligned([1], at(0));
  assert.deepEqual(empty[0], [at(0) / 1000]);
  assert.deepEqual(empty[1], [undefined], 'nothing to carry');
});

test('18. readAt: the newest sample of the pen at or before the time, with the column\'s range', () => {
  const c = new TrendColumns(2, W);
  c.add(0, at(1, 100), 4);
  c.add(0, at(1, 300), 9);
  c.add(0, at(1, 600), 6);
  c.add(1, at(3), 100);
  c.add(0, at(5), null);
  assert.deepEqual(c.readAt(0, at(0)), { value: null, min: null, max: null, t: null, decimated: false }, 'before any sample');
  assert.deepEqual(c.readAt(0, at(1, 0)), { value: 6, min: 4, max: 9, t: at(1, 600), decimated: true });
  assert.deepEqual(c.readAt(0, at(3)), { value: 6, min: 4, max: 9, t: at(1, 600), decimated: true }, 'another pen\'s column is skipped');
  assert.deepEqual(c.readAt(0, at(5)), { value: null, min: null, max: null, t: at(5), decimated: false }, 'bad');
  assert.deepEqual(c.readAt(0, at(100)).t, at(5), 'after the last column');
  assert.deepEqual(c.readAt(1, at(3)), { value: 100, min: 100, max: 100, t: at(3), decimated: false });
  assert.equal(c.readAt(1, at(2, 999)).t, null);
  const same = new TrendColumns(1, W);
  same.add(0, at(0, 1), 2);
  same.add(0, at(0, 2), 2);
  assert.equal(same.readAt(0, at(0)).decimated, false, 'two equal samples are not a range');
});

test('19. lastTime, addSeries and clear', () => {
  const c = new TrendColumns(2, W);
  assert.equal(c.lastTime(0), undefined);
  c.addSeries(0, [at(0), at(1), at(2)], [1, null, 3]);
  c.addSeries(1, [at(0), at(1, 200), at(9)], [7, 8]); // t longer than v: extra times ignored
  assert.equal(c.lastTime(0), at(2));
  assert.equal(c.lastTime(1), at(1, 200));
  assert.equal(c.length, 3);
  const data = c.toAligned();
  assert.deepEqual(slots(data, 0, 1), [null, null, null, null]);
  assert.deepEqual(slots(data, 0, 2), [null, 3, u, u]);
  c.clear();
  assert.equal(c.length, 0);
  assert.equal(c.lastTime(0), undefined);
});

test('20. pruneBefore drops columns before the cut but keeps one so lines enter from the left edge', () => {
  const c = new TrendColumns(1, W);
  for (let k = 0; k < 10; k++) c.add(0, at(k), k);
  c.pruneBefore(T0 + 4 * W + 300); // inside column 4
  assert.equal(c.length, 7, 'columns 3…9');
  assert.equal(c.toAligned()[0][0], K0 + 3);
  assert.equal(c.readAt(0, at(4)).value, 4);
  assert.equal(c.readAt(0, at(3)).value, 3);
  assert.equal(c.readAt(0, at(2)).t, null, 'gone');
  c.pruneBefore(at(3) - 500); // the cut at the start of column 3: column 2 was dropped already
  assert.equal(c.length, 7);
  c.pruneBefore(T0 - 10 * W);
  assert.equal(c.length, 7, 'a cut before everything drops nothing');
  c.pruneBefore(at(100));
  assert.equal(c.length, 1, 'a cut after everything keeps the last column');
  assert.equal(c.readAt(0, at(100)).value, 9);
});

test('21. pruneBefore keeps every pen\'s last sample before the cut: a steady pen and a bad stretch survive', () => {
  const c = new TrendColumns(3, W);
  c.add(0, at(0), 5); // steady since column 0 (stored on change: no more samples)
  c.add(1, at(1), 1);
  c.add(1, at(2), null); // bad since column 2
  for (let k = 3; k <= 20; k++) c.add(2, at(k), k); // a busy pen
  c.pruneBefore(at(10));
  const data = c.toAligned([5, 1, 20], at(20));
  // the steady pen is still drawn: its sample, then its held value up to now
  assert.equal(c.lastTime(0), at(0));
  assert.equal(c.readAt(0, at(15)).value, 5);
  assert.equal(data[1][data[1].length - 1], 5);
  // the bad pen stays a gap up to now instead of vanishing
  assert.equal(c.readAt(1, at(15)).value, null);
  assert.equal(c.readAt(1, at(15)).t, at(2));
  const last = data[0].length - 1;
  assert.equal(data[2][last], undefined, 'no held value after a bad sample');
  assert.ok(data[2].slice(data[0].indexOf(K0 + 9), last).every((v) => v === null), 'null up to the end');
  // columns only the busy pen needed before the cut are gone; one kept for it (column 9)
  const starts = data[0].filter((_, i) => i % 4 === 0 && i < last);
  assert.deepEqual(starts, [K0, K0 + 2, ...Array.from({ length: 12 }, (_, i) => K0 + 9 + i)]);
});
