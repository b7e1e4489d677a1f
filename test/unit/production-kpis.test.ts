/**
 * The production domain on scripted histories, with the figures worked out by hand in the
 * comments (minutes unless said otherwise). Local time is Europe/Berlin, so that the DST days
 * (2026-03-29: 02:00 → 03:00, 2026-10-25: 03:00 → 02:00) are real.
 */
process.env.TZ = 'Europe/Berlin';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CounterTracker } from '../../main/production/counter-tracker';
import { classifyState, type StateModel } from '../../main/production/state-classifier';
import { DowntimeTracker, downtimeStatus, isMinorStop } from '../../main/production/downtime-tracker';
import { computeKpis, pareto, type KpiCount, type KpiEvent, type KpiInterval } from '../../main/production/kpi-calculator';
import { hourBuckets, shiftBuckets } from '../../main/production/calendar';
import { defaultStateClasses, type RecordedState } from '../../shared/production';
import { GOOD, type Quality } from '../../shared/quality';

const BAD_COMM_FAILURE: Quality = { level: 'bad', reason: 'comm_failure' };
import type { TagValue } from '../../shared/types';

const MIN = 60_000;
const SHIFTS = ['06:00', '14:00', '22:00'];
const at = (d: string) => new Date(d).getTime(); // local time (no Z)

const tv = (tagId: string, value: TagValue['value'], good = true): TagValue => ({ tagId, value, quality: good ? GOOD : BAD_COMM_FAILURE, sourceTs: 0, ts: 0 });

test('1. state classifier: rules in order, the default, and a value not good is unknown (never running)', () => {
  const m: StateModel = {
    tag: 'S',
    rules: [
      { state: 'running', equals: 2 },
      { state: 'fault', in: [3, 7] },
      { state: 'blocked', above: 9, below: 20 },
      { state: 'plannedStop', tag: 'Plan', equals: true },
    ],
    default: 'idle',
  };
  const read = (s: TagValue, plan = tv('Plan', false)) => (id: string) => (id === 'S' ? s : plan);
  assert.equal(classifyState(m, read(tv('S', 2))), 'running');
  assert.equal(classifyState(m, read(tv('S', 7))), 'fault');
  assert.equal(classifyState(m, read(tv('S', 12))), 'blocked');
  assert.equal(classifyState(m, read(tv('S', 20))), 'idle');
  assert.equal(classifyState(m, read(tv('S', 0), tv('Plan', true))), 'plannedStop');
  // running by value, but the value is bad: unknown
  assert.equal(classifyState(m, read(tv('S', 2, false))), 'unknown');
  assert.equal(classifyState(m, () => undefined), 'unknown');
  // a rule's own tag not good, before a match: unknown too
  assert.equal(classifyState(m, read(tv('S', 0), tv('Plan', true, false))), 'unknown');
});

test('2. counter tracker: counting, bad readings skipped, a wrap and a reset', () => {
  const c = new CounterTracker(2 ** 16);
  const steps = [
    c.update(65_500, true), // baseline
    c.update(65_510, true), // +10
    c.update(999, false), // bad: no reading
    c.update(65_530, true), // +20 from the last good (65 510)
    c.update(4, true), // wrap: 65 536 − 65 530 + 4 = +10
    c.update(1_000, true), // +996
    c.update(3, true), // reset (1 000 is below half the range): +3 counted since the reset
    c.update(-32_768, true), // a signed int16 counter past 32 767 reads as 32 768: +32 765
  ];
  assert.deepEqual(steps, [
    { kind: 'baseline' },
    { kind: 'count', delta: 10 },
    { kind: 'ignored' },
    { kind: 'count', delta: 20 },
    { kind: 'wrap', delta: 10 },
    { kind: 'count', delta: 996 },
    { kind: 'reset', delta: 3 },
    { kind: 'count', delta: 32_765 },
  ]);
  // sum counted: 10 + 20 + 10 + 996 + 3 + 32 765 = 33 804 (the bad 999 never counted)
  assert.equal(steps.reduce((s, x) => s + ('delta' in x ? x.delta : 0), 0), 33_804);
});

test('3. downtime tracker: opens on leaving running, auto reason from the fault code or the state, closes on running', () => {
  const d = new DowntimeTracker({ faultCodes: { 102: 'FLOW-FILM' }, states: { changeover: 'SETUP-CHANGEOVER' } });
  const cls = (s: RecordedState) => (s === 'unknown' ? 'unknown' : defaultStateClasses[s]);
  assert.deepEqual(d.onState(0, 'running', 'run', 0), []);
  assert.deepEqual(d.onState(1000, 'fault', cls('fault'), 0), [{ kind: 'open', start: 1000, state: 'fault', faultCode: null, reason: null }]);
  // the fault code arrives a scan later: the open stop gets its reason
  assert.deepEqual(d.onState(1500, 'fault', cls('fault'), 102), [{ kind: 'autoReason', reason: 'FLOW-FILM', faultCode: 102 }]);
  assert.deepEqual(d.onState(2000, 'starved', cls('starved'), 0), []); // still the same stop
  assert.deepEqual(d.onState(9000, 'running', 'run', 0), [{ kind: 'close', end: 9000 }]);
  assert.deepEqual(d.onState(10_000, 'changeover', 'down', 0), [{ kind: 'open', start: 10_000, state: 'changeover', faultCode: null, reason: 'SETUP-CHANGEOVER' }]);
  assert.deepEqual(d.onState(11_000, 'unknown', 'unknown', null), [{ kind: 'close', end: 11_000 }]);
  // minor: shorter than the threshold and not planned
  assert.equal(isMinorStop(119_999, 120_000, false), true);
  assert.equal(isMinorStop(120_000, 120_000, false), false);
  assert.equal(isMinorStop(1000, 120_000, true), false);
  assert.equal(downtimeStatus({ end: null, minor: false, reasonCode: null }), 'open');
  assert.equal(downtimeStatus({ end: 5, minor: false, reasonCode: null }), 'pending');
  assert.equal(downtimeStatus({ end: 5, minor: true, reasonCode: null }), 'minor');
  assert.equal(downtimeStatus({ end: 5, minor: false, reasonCode: 'X' }), 'done');
});

/** A script of [start "HH:MM", state] on one day; each lasts until the next; `end` closes the last. */
function script(day: string, steps: [string, RecordedState][], end: string): KpiInterval[] {
  return steps.map(([hhmm, state], i) => ({
    start: at(`${day}T${hhmm}:00`),
    end: at(`${day}T${i + 1 < steps.length ? steps[i + 1][0] : end}:00`),
    state,
    cls: state === 'unknown' ? 'unknown' : defaultStateClasses[state],
  }));
}

const ev = (day: string, a: string, b: string, o: Partial<KpiEvent>): KpiEvent => ({
  start: at(`${day}T${a}:00`),
  end: at(`${day}T${b}:00`),
  minor: false,
  category: 'unplanned',
  lossClass: null,
  reasonCode: null,
  reasonName: null,
  ...o,
});

test('4. one early shift by hand: A, P, Q, OEE, six big losses, MTBF/MTTR, Pareto', () => {
  const day = '2026-03-10';
  const intervals = script(
    day,
    [
      ['06:00', 'plannedStop'], // 30 planned downtime (shift meeting)
      ['06:30', 'running'], // 150
      ['09:00', 'fault'], // 1: a film jam, a minor stop (threshold 2 min)
      ['09:01', 'running'], // 119
      ['11:00', 'fault'], // 20: breakdown
      ['11:20', 'running'], // 40
      ['12:00', 'idle'], // 30: a break (planned reason)
      ['12:30', 'running'], // 30
      ['13:00', 'unknown'], // 10: the state tag was bad
      ['13:10', 'running'], // 30
      ['13:40', 'changeover'], // 20: setup
    ],
    '14:00',
  );
  const events: KpiEvent[] = [
    ev(day, '06:00', '06:30', { category: 'planned', reasonCode: 'PLAN-MEETING', reasonName: 'Shift meeting' }),
    ev(day, '09:00', '09:01', { minor: true, lossClass: 'minorStop', reasonCode: 'FLOW-FILM' }),
    ev(day, '11:00', '11:20', { lossClass: 'breakdown', reasonCode: 'MECH-SEALER', reasonName: 'Sealer heater failure' }),
    ev(day, '12:00', '12:30', { category: 'planned', reasonCode: 'PLAN-BREAK' }),
    ev(day, '13:40', '14:00', { lossClass: 'setup', reasonCode: 'SETUP-CHANGEOVER', reasonName: 'Product changeover' }),
  ];
  // ideal cycle 0.5 s (120/min); 40 000 made, 800 rejects: 100 at 11:21 (within 5 min of the
  // breakdown's end: startup rejects), 700 later (process defects)
  const counts: KpiCount[] = [
    { t: at(`${day}T08:00:00`), product: 'P', total: 15_000, good: 15_000, reject: 0 },
    { t: at(`${day}T11:21:00`), product: 'P', total: 10_000, good: 9_900, reject: 100 },
    { t: at(`${day}T13:30:00`), product: 'P', total: 15_000, good: 14_300, reject: 700 },
  ];
  const k = computeKpis({ intervals, events, counts, idealCycleMs: () => 500, startupRejectMs: 5 * MIN }, at(`${day}T06:00:00`), at(`${day}T14:00:00`), 'early');
  // planned time PT = 480 − 10 unknown = 470; planned downtime = 30 + 30 = 60; PBT = 410
  assert.equal(k.plannedMs, 470 * MIN);
  assert.equal(k.unknownMs, 10 * MIN);
  assert.equal(k.plannedDowntimeMs, 60 * MIN);
  assert.equal(k.plannedBusyMs, 410 * MIN);
  // run 150 + 119 + 40 + 30 + 30 = 369, plus the 1 minor stop: APT = 370; down 20 + 20 = 40 (410 = 370 + 40)
  assert.equal(k.runMs, 370 * MIN);
  assert.equal(k.minorStopMs, 1 * MIN);
  assert.equal(k.downMs, 40 * MIN);
  // A = 370 / 410 = 0.902 439; P = 40 000 × 0.5 s / (370 × 60 s) = 20 000 / 22 200 = 0.900 901
  // Q = 39 200 / 40 000 = 0.98; OEE = 20 000 / 24 600 × 0.98 = 0.796 748
  assert.ok(Math.abs(k.availability! - 370 / 410) < 1e-12);
  assert.ok(Math.abs(k.performance! - 20_000 / 22_200) < 1e-12);
  assert.equal(k.quality, 0.98);
  assert.ok(Math.abs(k.oee! - 0.796748) < 1e-6, String(k.oee));
  assert.deepEqual([k.total, k.good, k.reject], [40_000, 39_200, 800]);
  // losses (ms): breakdown 20 min, setup 20 min, minor 1 min;
  // reduced speed = 370 − 1 − 333.33 min (40 000 × 0.5 s) = 22 140 000 − 20 000 000 = 2 140 000;
  // startup rejects 100 × 500 = 50 000, process defects 700 × 500 = 350 000
  assert.deepEqual(k.losses, { breakdown: 20 * MIN, setup: 20 * MIN, minorStop: 1 * MIN, reducedSpeed: 2_140_000, startupReject: 50_000, processDefect: 350_000, unassigned: 0 });
  // stops: the minor, the breakdown, the changeover (planned ones are not stops); one failure:
  // MTBF = APT / 1 = 370 min, MTTR = 20 min
  assert.deepEqual([k.stops, k.failures, k.mtbfMs, k.mttrMs], [3, 1, 370 * MIN, 20 * MIN]);
  // target: PBT / ideal cycle = 410 × 120 = 49 200
  assert.equal(k.targetCount, 49_200);
  const top = pareto(events, at(`${day}T06:00:00`), at(`${day}T14:00:00`));
  // 20 + 20 + 1 = 41 min: breakdown and changeover tie at 20 (each 20/41 = 0.4878), minor 1
  assert.deepEqual(top.map((p) => [p.reasonCode, p.durationMs / MIN, Math.round(p.cumulative * 1000) / 1000]), [
    ['MECH-SEALER', 20, 0.488],
    ['SETUP-CHANGEOVER', 20, 0.976],
    ['minor', 1, 1],
  ]);
});

test('5. a breakdown across the shift change is split between the shifts; the failure is counted where it began', () => {
  const day = '2026-03-10';
  // 13:00–13:50 running, 13:50–14:20 fault (breakdown, 30 min), 14:20–15:00 running
  const intervals = script(day, [['13:00', 'running'], ['13:50', 'fault'], ['14:20', 'running']], '15:00');
  const events = [ev(day, '13:50', '14:20', { lossClass: 'breakdown', reasonCode: 'MECH-DRIVE' })];
  const input = { intervals, events, counts: [], idealCycleMs: () => 500, startupRejectMs: 0 };
  const [early, late] = shiftBuckets(at(`${day}T13:00:00`), at(`${day}T15:00:00`), SHIFTS).map((b) => computeKpis(input, b.from, b.to, b.label));
  assert.deepEqual([early.label, late.label], ['2026-03-10 06:00', '2026-03-10 14:00']);
  // early (13:00–14:00): run 50, breakdown 10 → A = 50/60; late (14:00–15:00): breakdown 20, run 40 → A = 40/60
  assert.deepEqual([early.runMs / MIN, early.losses.breakdown / MIN, early.failures, early.mttrMs! / MIN], [50, 10, 1, 10]);
  assert.deepEqual([late.runMs / MIN, late.losses.breakdown / MIN, late.failures, late.mttrMs], [40, 20, 0, null]);
  assert.ok(Math.abs(early.availability! - 50 / 60) < 1e-12 && Math.abs(late.availability! - 40 / 60) < 1e-12);
});

test('6. DST: the night shift into 29 March is 7 h, into 25 October 9 h; a running line is 100 % available either way', () => {
  const spring = shiftBuckets(at('2026-03-28T22:00:00'), at('2026-03-29T14:00:00'), SHIFTS);
  assert.deepEqual(spring.map((b) => [b.label, (b.to - b.from) / 3_600_000]), [['2026-03-28 22:00', 7], ['2026-03-29 06:00', 8]]);
  const autumn = shiftBuckets(at('2026-10-24T22:00:00'), at('2026-10-25T06:00:00'), SHIFTS);
  assert.deepEqual(autumn.map((b) => [b.label, (b.to - b.from) / 3_600_000]), [['2026-10-24 22:00', 9]]);
  // the line runs the whole night: 7 h run of 7 h planned; 7 × 3 600 packs at 1 s ideal → P = 1
  const night = spring[0];
  const k = computeKpis(
    {
      intervals: [{ start: night.from, end: night.to, state: 'running', cls: 'run' }],
      events: [],
      counts: [{ t: night.from, product: 'P', total: 25_200, good: 25_200, reject: 0 }],
      idealCycleMs: () => 1000,
      startupRejectMs: 0,
    },
    night.from,
    night.to,
  );
  assert.deepEqual([k.plannedBusyMs, k.runMs, k.availability, k.performance, k.oee], [7 * 3_600_000, 7 * 3_600_000, 1, 1, 1]);
  // 23 local hours on the spring day, 25 on the autumn one
  assert.equal(hourBuckets(at('2026-03-29T00:00:00'), at('2026-03-30T00:00:00')).length, 23);
  const fall = hourBuckets(at('2026-10-25T00:00:00'), at('2026-10-26T00:00:00'));
  assert.equal(fall.length, 25);
  assert.deepEqual(fall.slice(1, 4).map((b) => b.label), ['2026-10-25 01:00', '2026-10-25 02:00', '2026-10-25 02:00']);
});

test('7. a counter reset and a wrap within an hour: the counts the KPIs see', () => {
  // uint16 good counter: 65 000 (baseline) → 65 500 (+500) → 64 (wrap: 36 + 64 = +100) → reset to 0 (+0)
  // → 400 (+400): 1 000 good; rejects 0 → 10 → 20: 20; total 1 020 in 60 min of running at 0.5 s ideal:
  // P = 1 020 × 0.5 / 3 600 = 0.141 666…, Q = 1 000 / 1 020
  const good = new CounterTracker(2 ** 16);
  const rej = new CounterTracker(2 ** 16);
  const readings: [number, number][] = [[65_000, 0], [65_500, 10], [64, 20], [0, 20], [400, 20]];
  let g = 0;
  let r = 0;
  for (const [gv, rv] of readings) {
    const a = good.update(gv, true);
    const b = rej.update(rv, true);
    g += 'delta' in a ? a.delta : 0;
    r += 'delta' in b ? b.delta : 0;
  }
  assert.deepEqual([g, r], [1_000, 20]);
  const t0 = at('2026-03-10T08:00:00');
  const k = computeKpis(
    { intervals: [{ start: t0, end: t0 + 60 * MIN, state: 'running', cls: 'run' }], events: [], counts: [{ t: t0, product: 'P', total: g + r, good: g, reject: r }], idealCycleMs: () => 500, startupRejectMs: 0 },
    t0,
    t0 + 60 * MIN,
  );
  assert.ok(Math.abs(k.performance! - (1020 * 0.5) / 3600) < 1e-12);
  assert.ok(Math.abs(k.quality! - 1000 / 1020) < 1e-12);
});

test('8. unknown and uncovered time stays out of the KPIs; no planned busy time gives null, not a number', () => {
  const t0 = at('2026-03-10T08:00:00');
  // 30 min unknown (bad quality), 30 min running; then nothing recorded for 60 min
  const intervals: KpiInterval[] = [
    { start: t0, end: t0 + 30 * MIN, state: 'unknown', cls: 'unknown' },
    { start: t0 + 30 * MIN, end: t0 + 60 * MIN, state: 'running', cls: 'run' },
  ];
  const k = computeKpis({ intervals, events: [], counts: [], idealCycleMs: () => null, startupRejectMs: 0 }, t0, t0 + 120 * MIN);
  // unknown 30 + uncovered 60 = 90; PBT = 120 − 90 = 30 = run: A = 1 (bad time never counts as running)
  assert.deepEqual([k.unknownMs / MIN, k.plannedBusyMs / MIN, k.runMs / MIN, k.availability], [90, 30, 30, 1]);
  assert.equal(k.quality, null);
  const none = computeKpis({ intervals: [intervals[0]], events: [], counts: [], idealCycleMs: () => null, startupRejectMs: 0 }, t0, t0 + 30 * MIN);
  assert.deepEqual([none.availability, none.performance, none.oee], [null, null, null]);
});
