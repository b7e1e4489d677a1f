/**
 * What time a trend shows (renderer/features/trends/trend-range.ts): shift starts in local time
 * (across midnight too), presets, zoom and pan within the span limits, saved-view range specs,
 * the #trends address, and the labels.
 *
 * Shift starts are the line PC's local time: every expectation here is built with local-time
 * Date constructors or read back with local getters, so the tests hold in any timezone (run
 * them with TZ=Pacific/Chatham or TZ=America/St_Johns to see).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  axisLabel,
  DEFAULT_LIVE_SPAN_MS,
  formatDateTime,
  formatSpan,
  formatTrendHash,
  fromLocalInput,
  LIVE_SPANS_MIN,
  MAX_SPAN_MS,
  MIN_SPAN_MS,
  panRange,
  parseTrendHash,
  presetRange,
  PRESET_LABELS,
  rangeSpecOf,
  shiftStart,
  toLocalInput,
  windowOfSpec,
  windowRange,
  zoomRange,
  type TrendWindow,
} from '../../renderer/features/trends/trend-range';
import { trendLiveSpansMin, trendRangePresets, trendRangeSchema } from '../../shared/trend-api';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const SHIFTS = ['06:00', '14:00', '22:00'];

/** Local time → epoch ms. */
const local = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number => new Date(y, mo - 1, d, h, mi, s).getTime();

/** Epoch ms → local "YYYY-MM-DD HH:MM", independent of the module's own formatting. */
function localStamp(t: number): string {
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

test('1. shift start: the latest start of today at or before now', () => {
  assert.equal(localStamp(shiftStart(local(2025, 3, 10, 15, 30), SHIFTS)), '2025-03-10 14:00');
  assert.equal(localStamp(shiftStart(local(2025, 3, 10, 6, 0), SHIFTS)), '2025-03-10 06:00', 'exactly at a start: that shift');
  assert.equal(localStamp(shiftStart(local(2025, 3, 10, 5, 59, 59), SHIFTS)), '2025-03-09 22:00', 'a second before: still the night shift');
  assert.equal(localStamp(shiftStart(local(2025, 3, 10, 23, 59), SHIFTS)), '2025-03-10 22:00');
  assert.equal(shiftStart(local(2025, 3, 10, 15, 30), SHIFTS), local(2025, 3, 10, 14, 0));
});

test('2. shift start crossing midnight: the night shift began yesterday, also across month and year ends', () => {
  assert.equal(localStamp(shiftStart(local(2025, 3, 10, 3, 0), SHIFTS)), '2025-03-09 22:00');
  assert.equal(localStamp(shiftStart(local(2025, 3, 1, 0, 30), SHIFTS)), '2025-02-28 22:00');
  assert.equal(localStamp(shiftStart(local(2024, 3, 1, 0, 30), SHIFTS)), '2024-02-29 22:00', 'leap year');
  assert.equal(localStamp(shiftStart(local(2026, 1, 1, 1, 0), SHIFTS)), '2025-12-31 22:00');
  // one shift a day, starting in the evening: all morning belongs to yesterday's
  assert.equal(localStamp(shiftStart(local(2025, 6, 15, 10, 0), ['18:30'])), '2025-06-14 18:30');
  assert.equal(localStamp(shiftStart(local(2025, 6, 15, 19, 0), ['18:30'])), '2025-06-15 18:30');
});

test('3. shift starts: any order, one-digit hours, malformed entries ignored; none means midnight', () => {
  const messy = ['22:00', 'noon', '6:00', '24:00', '14:60', '14:00', ''];
  assert.equal(localStamp(shiftStart(local(2025, 3, 10, 7, 0), messy)), '2025-03-10 06:00');
  assert.equal(localStamp(shiftStart(local(2025, 3, 10, 16, 0), messy)), '2025-03-10 14:00');
  assert.equal(localStamp(shiftStart(local(2025, 3, 10, 2, 0), messy)), '2025-03-09 22:00');
  assert.equal(localStamp(shiftStart(local(2025, 3, 10, 16, 0), [])), '2025-03-10 00:00');
  assert.equal(localStamp(shiftStart(local(2025, 3, 10, 16, 0), ['25:00', 'x'])), '2025-03-10 00:00');
});

test('4. shift starts over the days around daylight-saving changes stay at the local clock time', () => {
  // whatever the timezone, the start is the wall-clock time on the right day
  for (const [mo, d] of [
    [3, 30], // EU spring forward 2025
    [3, 9], // US spring forward 2025
    [10, 26], // EU fall back 2025
    [4, 6], // southern hemisphere (NZ/AU) fall back 2025
  ]) {
    const now = local(2025, mo, d, 3, 30);
    const s = shiftStart(now, SHIFTS);
    assert.ok(s <= now && now - s <= 8 * HOUR, `${mo}-${d}: within one shift`);
    const prev = new Date(local(2025, mo, d, 12, 0));
    prev.setDate(prev.getDate() - 1);
    assert.equal(new Date(s).getDate(), prev.getDate());
    assert.equal(new Date(s).getHours(), 22);
    assert.equal(new Date(s).getMinutes(), 0);
  }
});

test('5. presets: a range ending now; the shift from its start, at least the minimum span', () => {
  const now = local(2025, 3, 10, 15, 30);
  const spans: Record<string, number> = { '15m': 15 * MIN, '1h': HOUR, '8h': 8 * HOUR, '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY };
  for (const [preset, span] of Object.entries(spans)) {
    assert.deepEqual(presetRange(preset as keyof typeof PRESET_LABELS, now, SHIFTS), { from: now - span, to: now }, preset);
  }
  assert.deepEqual(presetRange('shift', now, SHIFTS), { from: local(2025, 3, 10, 14, 0), to: now });
  const atStart = local(2025, 3, 10, 14, 0);
  assert.deepEqual(presetRange('shift', atStart, SHIFTS), { from: atStart, to: atStart + MIN_SPAN_MS }, 'never an empty range');
  // every preset of the API has a label, and nothing else does
  assert.deepEqual(Object.keys(PRESET_LABELS).sort(), [...trendRangePresets].sort());
  assert.deepEqual([...LIVE_SPANS_MIN], [...trendLiveSpansMin]);
  assert.ok(LIVE_SPANS_MIN.some((m) => m * MIN === DEFAULT_LIVE_SPAN_MS));
});

test('6. windowRange: live ends now; history is what it says', () => {
  assert.deepEqual(windowRange({ mode: 'live', spanMs: 10 * MIN }, 1_000_000_000), { from: 1_000_000_000 - 10 * MIN, to: 1_000_000_000 });
  assert.deepEqual(windowRange({ mode: 'history', from: 5, to: 50_000 }, 1_000_000_000), { from: 5, to: 50_000 });
});

test('7. zoom keeps the anchor where it is on screen', () => {
  assert.deepEqual(zoomRange(0, 100_000, 0.5), { from: 25_000, to: 75_000 }, 'default anchor: the middle');
  assert.deepEqual(zoomRange(0, 100_000, 0.5, 0), { from: 0, to: 50_000 });
  assert.deepEqual(zoomRange(0, 100_000, 0.5, 80_000), { from: 40_000, to: 90_000 });
  assert.deepEqual(zoomRange(0, 100_000, 2, 80_000), { from: -80_000, to: 120_000 }, 'zoom out');
  assert.deepEqual(zoomRange(0, 100_000, 0.5, 500_000), { from: 50_000, to: 100_000 }, 'an anchor outside is clamped to the edge');
  assert.deepEqual(zoomRange(0, 100_000, 0.5, -5), { from: 0, to: 50_000 });
  assert.deepEqual(zoomRange(0, 3, 1, 0), { from: 0, to: MIN_SPAN_MS }, 'below the minimum span even unzoomed');
  const mid = zoomRange(0, 3, 1);
  assert.equal(mid.to - mid.from, MIN_SPAN_MS);
  assert.ok(Math.abs((mid.from + mid.to) / 2 - 1.5) <= 1, 'around the middle');
  const r = zoomRange(0.4, 100_000.4, 1 / 3);
  assert.ok(Number.isInteger(r.from) && Number.isInteger(r.to), 'whole ms');
});

test('8. zoom is clamped to the minimum and maximum span, still around the anchor', () => {
  // 20 s zoomed to 2 s: 10 s, with the anchor a quarter in as before
  assert.deepEqual(zoomRange(0, 20_000, 0.1, 5_000), { from: 2_500, to: 12_500 });
  const tiny = zoomRange(1_000_000, 1_000_000 + MIN_SPAN_MS, 0.01);
  assert.equal(tiny.to - tiny.from, MIN_SPAN_MS);
  assert.deepEqual(tiny, { from: 1_000_000, to: 1_000_000 + MIN_SPAN_MS }, 'at the minimum: zooming in does nothing');
  const huge = zoomRange(0, 300 * DAY, 10, 150 * DAY);
  assert.equal(huge.to - huge.from, MAX_SPAN_MS);
  assert.equal((huge.from + huge.to) / 2, 150 * DAY, 'centred on the anchor');
  const edge = zoomRange(0, 300 * DAY, 10, 0);
  assert.deepEqual(edge, { from: 0, to: MAX_SPAN_MS }, 'anchored at the left edge');
});

test('9. pan moves the range by a fraction of its span, keeping the span', () => {
  assert.deepEqual(panRange(0, 100_000, 0.5), { from: 50_000, to: 150_000 });
  assert.deepEqual(panRange(0, 100_000, -0.25), { from: -25_000, to: 75_000 });
  assert.deepEqual(panRange(0, 100_000, 0), { from: 0, to: 100_000 });
  const r = panRange(0, 30_000, 1 / 7);
  assert.equal(r.to - r.from, 30_000);
  assert.ok(Number.isInteger(r.from));
});

test('10. saved-view range specs: live span clamped to what the API takes, presets kept as presets, fixed ranges as they are', () => {
  assert.deepEqual(rangeSpecOf({ mode: 'live', spanMs: 10 * MIN }, null), { kind: 'live', spanMs: 10 * MIN });
  assert.deepEqual(rangeSpecOf({ mode: 'live', spanMs: 5_000 }, null), { kind: 'live', spanMs: MIN });
  assert.deepEqual(rangeSpecOf({ mode: 'live', spanMs: DAY }, '24h'), { kind: 'live', spanMs: 8 * HOUR }, 'live wins over a preset');
  assert.deepEqual(rangeSpecOf({ mode: 'history', from: 1, to: 2 }, '7d'), { kind: 'preset', preset: '7d' });
  assert.deepEqual(rangeSpecOf({ mode: 'history', from: 1_000, to: 2_000 }, null), { kind: 'fixed', from: 1_000, to: 2_000 });
  for (const w of [
    { mode: 'live', spanMs: 1 },
    { mode: 'live', spanMs: 10 * DAY },
    { mode: 'history', from: 1_700_000_000_000, to: 1_700_000_600_000 },
  ] as TrendWindow[]) {
    const spec = rangeSpecOf(w, null);
    assert.equal(trendRangeSchema.safeParse(spec).success, true, JSON.stringify(spec));
  }
});

test('11. range spec round trip: live and fixed come back the same; a preset is worked out again from now', () => {
  const now = local(2025, 3, 10, 15, 30);
  const windows: TrendWindow[] = [
    { mode: 'live', spanMs: 60 * MIN },
    { mode: 'history', from: now - 3 * HOUR, to: now - HOUR },
  ];
  for (const w of windows) assert.deepEqual(windowOfSpec(rangeSpecOf(w, null), now + DAY, SHIFTS), w);
  const later = now + 2 * HOUR;
  assert.deepEqual(windowOfSpec(rangeSpecOf({ mode: 'history', from: now - HOUR, to: now }, '1h'), later, SHIFTS), {
    mode: 'history',
    from: later - HOUR,
    to: later,
  });
  assert.deepEqual(windowOfSpec({ kind: 'preset', preset: 'shift' }, later, SHIFTS), {
    mode: 'history',
    from: local(2025, 3, 10, 14, 0),
    to: later,
  });
});

test('12. #trends address: pens and a live or fixed window', () => {
  assert.deepEqual(parseTrendHash('#trends?pens=L1.Speed,L1.Temp&live=600000'), {
    pens: ['L1.Speed', 'L1.Temp'],
    window: { mode: 'live', spanMs: 600_000 },
  });
  assert.deepEqual(parseTrendHash('#trends?pens=A&from=1000&to=71000'), { pens: ['A'], window: { mode: 'history', from: 1000, to: 71_000 } });
  assert.deepEqual(parseTrendHash('#trends'), { pens: [], window: null });
  assert.deepEqual(parseTrendHash('#trends?'), { pens: [], window: null });
  assert.deepEqual(parseTrendHash('#trends?pens= A , ,B,A,'), { pens: ['A', 'B'], window: null }, 'trimmed, no blanks, no repeats');
  assert.equal(parseTrendHash('#alarms'), null);
  assert.equal(parseTrendHash('#trendsx'), null);
  assert.equal(parseTrendHash('trends?pens=A'), null);
  assert.equal(parseTrendHash(''), null);
});

test('13. #trends address: a bad or out-of-range window is clamped or dropped, never trusted', () => {
  assert.deepEqual(parseTrendHash('#trends?live=1')?.window, { mode: 'live', spanMs: MIN });
  assert.deepEqual(parseTrendHash('#trends?live=999999999')?.window, { mode: 'live', spanMs: 8 * HOUR });
  assert.equal(parseTrendHash('#trends?live=0')?.window, null);
  assert.equal(parseTrendHash('#trends?live=-5')?.window, null);
  assert.equal(parseTrendHash('#trends?live=abc')?.window, null);
  assert.equal(parseTrendHash('#trends?from=5000&to=5000')?.window, null, 'empty');
  assert.equal(parseTrendHash('#trends?from=9000&to=5000')?.window, null, 'backwards');
  assert.equal(parseTrendHash('#trends?from=5000')?.window, null, 'half a range');
  assert.equal(parseTrendHash('#trends?from=x&to=5000')?.window, null);
  assert.deepEqual(parseTrendHash('#trends?live=abc&from=1&to=2')?.window, { mode: 'history', from: 1, to: 2 }, 'a bad live falls back to the range');
});

test('14. #trends address round trip, with a &token= parameter ignored by the parser', () => {
  const pens = ['L1.Speed', 'Line-2:Motor_Current.PV', 'a.b'];
  const windows: TrendWindow[] = [
    { mode: 'live', spanMs: 10 * MIN },
    { mode: 'history', from: 1_750_000_000_000, to: 1_750_003_600_000 },
  ];
  for (const w of windows) {
    const hash = formatTrendHash(pens, w);
    assert.match(hash, /^#trends\?pens=L1\.Speed,Line-2/, 'commas left readable');
    assert.deepEqual(parseTrendHash(hash), { pens, window: w });
    assert.deepEqual(parseTrendHash(`${hash}&token=s3cr3t%2Fvalue`), { pens, window: w });
    const r = parseTrendHash(`${hash}&token=s3cr3t`);
    assert.ok(r !== null && !JSON.stringify(r).includes('s3cr3t'));
  }
  assert.equal(formatTrendHash([], { mode: 'live', spanMs: 60_000 }), '#trends?live=60000');
  assert.deepEqual(parseTrendHash(formatTrendHash([], { mode: 'live', spanMs: 60_000 })), { pens: [], window: { mode: 'live', spanMs: 60_000 } });
});

test('15. formatSpan: seconds, minutes, hours to one decimal, then days', () => {
  assert.equal(formatSpan(10_000), '10 s');
  assert.equal(formatSpan(45_400), '45 s');
  assert.equal(formatSpan(MIN), '1 min');
  assert.equal(formatSpan(10 * MIN), '10 min');
  assert.equal(formatSpan(HOUR), '1 h');
  assert.equal(formatSpan(90 * MIN), '1.5 h');
  assert.equal(formatSpan(8 * HOUR), '8 h');
  assert.equal(formatSpan(47 * HOUR), '47 h');
  assert.equal(formatSpan(2 * DAY), '2 days');
  assert.equal(formatSpan(2.5 * DAY), '2.5 days');
  assert.equal(formatSpan(30 * DAY), '30 days');
  assert.equal(formatSpan(MAX_SPAN_MS), '400 days');
  // just under a unit rounds up into it, never "60 s" or "60 min"
  assert.equal(formatSpan(59_999), '1 min');
  assert.equal(formatSpan(HOUR - 1), '1 h');
});

test('16. axis labels: seconds for short spans, the date (month-day, as in the ISO date the screens write) for spans over two days, local time', () => {
  const t = local(2025, 1, 5, 7, 8, 9) / 1000;
  assert.equal(axisLabel(t, 60_000), '07:08:09');
  assert.equal(axisLabel(t, 15 * MIN), '07:08:09');
  assert.equal(axisLabel(t, 15 * MIN + 1), '07:08');
  assert.equal(axisLabel(t, 2 * DAY), '07:08');
  assert.equal(axisLabel(t, 2 * DAY + 1), '01-05 07:08');
  assert.equal(axisLabel(local(2025, 12, 31, 23, 59, 0) / 1000, 7 * DAY), '12-31 23:59');
});

test('17. date-time text and datetime-local input values are local time and round-trip', () => {
  const t = local(2025, 3, 9, 4, 5, 6);
  assert.equal(formatDateTime(t), '2025-03-09 04:05:06');
  assert.equal(formatDateTime(t, false), '2025-03-09 04:05');
  assert.equal(toLocalInput(t), '2025-03-09T04:05:06');
  assert.equal(fromLocalInput(toLocalInput(t)), t);
  assert.equal(fromLocalInput(''), null);
  assert.equal(fromLocalInput('not a date'), null);
});
