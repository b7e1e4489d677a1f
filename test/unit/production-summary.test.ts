/**
 * The KPI summaries of closed shifts (kpi-summary.ts, production_kpi_summary): on a random but
 * seeded history of ten days, the service's figures from summaries are the figures computed
 * over the whole range at once (every bucket, the total, the Pareto), on the first call (which
 * makes the summaries) and on the next (which reads them); a reason set, a correction and a
 * split afterwards drop the summaries they touch, and the figures follow; a query range that
 * clips a shift keeps no summary of the piece. Local time is Europe/Berlin over the DST change.
 */
process.env.TZ = 'Europe/Berlin';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { productionSectionSchema } from '../../main/config/production-schema';
import { openDatabase } from '../../main/historian/database';
import { shiftBuckets } from '../../main/production/calendar';
import { computeKpis, type KpiCount, type KpiEvent, type KpiInterval } from '../../main/production/kpi-calculator';
import { ProductionService } from '../../main/production/production-service';
import { ProductionStore } from '../../main/production/production-store';
import { FakeClock } from '../../main/util/clock';
import { defaultStateClasses, type KpiFigures, type MachineStateName } from '../../shared/production';
import type { Actor } from '../../shared/types';
import { tempDir } from '../helpers/temp';

const tmp = tempDir('lineside-production-summary-');
after(() => tmp.cleanup());

const MIN = 60_000;
const SHIFTS = ['06:00', '14:00', '22:00'];
const FROM = new Date(2026, 9, 20, 6, 0).getTime(); // ten days across the end of DST (25 Oct)
const TO = new Date(2026, 9, 30, 6, 0).getTime();
const actor: Actor = { user: 'olga', station: 'test', signatureId: null };

const reasons = {
  JAM: { category: 'unplanned', lossClass: 'minorStop', name: 'Jam' },
  BRK: { category: 'unplanned', lossClass: 'breakdown', name: 'Breakdown' },
  SET: { category: 'unplanned', lossClass: 'setup', name: 'Setup' },
  CLN: { category: 'planned', lossClass: 'setup', name: 'Cleaning' },
} as const;
type Code = keyof typeof reasons;

const section = productionSectionSchema.parse({
  products: [
    { code: 'P1', idealCycleS: 0.45 },
    { code: 'P2', idealRatePerMin: 90 },
  ],
  reasons: [
    { code: 'U', name: 'Unplanned', category: 'unplanned', children: [{ code: 'JAM', name: 'Jam', lossClass: 'minorStop' }, { code: 'BRK', name: 'Breakdown', lossClass: 'breakdown' }, { code: 'SET', name: 'Setup', lossClass: 'setup' }] },
    { code: 'PL', name: 'Planned', category: 'planned', children: [{ code: 'CLN', name: 'Cleaning', lossClass: 'setup' }] },
  ],
  lines: [{ id: 'L1', state: { tag: 'S', rules: [{ equals: 2, state: 'running' }] }, counters: { good: 'G', reject: 'R' }, product: { default: 'P1' } }],
  resumeGapS: 3600,
  startupRejectS: 300,
  minorStopS: 120,
});
const ict = (p: string | null) => (p === 'P1' ? 450 : p === 'P2' ? 60_000 / 90 : null);

interface History {
  intervals: KpiInterval[];
  events: (KpiEvent & { id: number })[];
  counts: KpiCount[];
}

/** Writes a seeded history: runs, stops of every kind (some without reason), counts, two products. */
function writeHistory(store: ProductionStore): History {
  let seed = 11;
  const rnd = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const h: History = { intervals: [], events: [], counts: [] };
  store.transaction(() => {
    for (let t = FROM; t < TO; ) {
      const running = rnd() < 0.7;
      const len = (1 + Math.floor(rnd() * (running ? 40 : 12))) * MIN;
      const end = Math.min(TO, t + len);
      const state: MachineStateName = running ? 'running' : rnd() < 0.15 ? 'plannedStop' : rnd() < 0.5 ? 'idle' : 'fault';
      const cls = defaultStateClasses[state];
      store.insertInterval('L1', t, end, state, cls, null);
      h.intervals.push({ start: t, end, state, cls });
      if (running) {
        const product = new Date(t).getDate() % 2 === 0 ? 'P1' : 'P2';
        for (let m = t; m < end; m += MIN) {
          const reject = m - t < 3 * MIN ? 3 : rnd() < 0.2 ? 1 : 0;
          store.addCount('L1', m, product, 120, 120 - reject, reject);
          h.counts.push({ t: m, product, total: 120, good: 120 - reject, reject });
        }
      } else if (cls === 'down') {
        const r = rnd();
        const code: Code | null = len <= 2 * MIN ? 'JAM' : r < 0.3 ? 'BRK' : r < 0.5 ? 'SET' : r < 0.6 ? 'CLN' : null;
        const minor = code === 'JAM';
        const id = store.insertEvent({ line: 'L1', start: t, end, state, fault_code: null, minor: minor ? 1 : 0, reason_code: code, reason_by: code ? 'auto' : null, reason_at: code ? t : null, comment: '', split_from: null });
        h.events.push({ id, ...eventOf(t, end, minor, code) });
      }
      t = end;
    }
    store.seen('L1', TO);
  });
  return h;
}

function eventOf(start: number, end: number, minor: boolean, code: Code | null): KpiEvent {
  const r = code ? reasons[code] : null;
  return { start, end, minor, category: r?.category ?? null, lossClass: r?.lossClass ?? null, reasonCode: code, reasonName: r?.name ?? null };
}

/** The Pareto written out plainly (not through kpi-summary.ts): every unplanned stop overlapping the range, once. */
function naivePareto(events: readonly KpiEvent[], from: number, to: number) {
  const by = new Map<string, { reasonCode: string | null; name: string; lossClass: string | null; count: number; durationMs: number; cumulative: number }>();
  for (const e of events) {
    if (e.start >= to || e.end <= from || e.category === 'planned') continue;
    const key = e.minor ? 'minor' : (e.reasonCode ?? 'none');
    const p = by.get(key) ?? { reasonCode: e.minor ? 'minor' : e.reasonCode, name: e.minor ? 'Minor stops' : (e.reasonName ?? 'No reason yet'), lossClass: e.minor ? 'minorStop' : e.lossClass, count: 0, durationMs: 0, cumulative: 0 };
    p.count++;
    p.durationMs += Math.min(e.end, to) - Math.max(e.start, from);
    by.set(key, p);
  }
  const out = [...by.values()].sort((a, b) => b.durationMs - a.durationMs || b.count - a.count);
  const sum = out.reduce((n, p) => n + p.durationMs, 0);
  let acc = 0;
  for (const p of out) p.cumulative = (acc += p.durationMs) / sum;
  return out;
}

/** Floats summed in another order differ in the last bits: compare to 1e-9. */
function close(a: unknown, b: unknown, path: string): void {
  if (typeof a === 'number' && typeof b === 'number') {
    assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)), `${path}: ${a} vs ${b}`);
  } else if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), `${path}: keys`);
    for (const k of Object.keys(a)) close((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
  } else assert.equal(a, b, path);
}

function expectFigures(service: ProductionService, h: History, from: number, to: number, what: string): void {
  const input = { intervals: h.intervals, events: h.events, counts: h.counts, idealCycleMs: ict, startupRejectMs: 300_000, targetProduct: 'P1' };
  const k = service.kpis('L1', from, to, 'shift');
  const shifts = shiftBuckets(from, to, SHIFTS);
  assert.equal(k.buckets.length, shifts.length, `${what}: shifts`);
  k.buckets.forEach((b, i) => close(b, computeKpis(input, shifts[i].from, shifts[i].to, shifts[i].label), `${what} shift ${shifts[i].label}`));
  close(k.total, computeKpis(input, from, to, k.total.label) as KpiFigures, `${what} total`);
  close(k.pareto, naivePareto(h.events, from, to), `${what} pareto`);
}

test('KPI summaries of closed shifts give the figures computed over the whole range, and follow every change', () => {
  const db = openDatabase(join(tmp.dir, 'lineside.db'));
  const store = new ProductionStore(db);
  const h = writeHistory(store);
  const clock = new FakeClock(TO + 3_600_000);
  const service = new ProductionService({ section, shiftStarts: SHIFTS, store, clock, read: () => undefined, tagTypes: new Map(), audit: () => undefined, changed: () => undefined, alarm: () => null, runExists: () => false });
  const kept = () => Number(db.prepare("SELECT count(*) FROM production_kpi_summary WHERE kind = 'shift'").pluck().get());
  try {
    assert.ok(h.events.length > 100 && h.events.some((e) => e.reasonCode === null) && h.events.some((e) => e.category === 'planned'), 'a history with every kind of stop');
    const shifts = shiftBuckets(FROM, TO, SHIFTS);
    assert.equal(shifts.length, 30);
    assert.ok(shifts.some((s) => s.to - s.from === 9 * 3_600_000), 'the night shift across the DST change is nine hours');

    assert.equal(kept(), 0);
    expectFigures(service, h, FROM, TO, 'first call');
    assert.equal(kept(), 30, 'every closed shift kept');
    expectFigures(service, h, FROM, TO, 'from summaries');

    // A reason given, a correction, a split: the summaries they touch are dropped, the figures follow.
    const open = h.events.find((e) => e.reasonCode === null && !e.minor && e.end - e.start > 4 * MIN)!;
    service.setReason(open.id, 'BRK', actor);
    Object.assign(open, eventOf(open.start, open.end, false, 'BRK'));
    assert.ok(kept() < 30, 'the shift of the stop is no longer kept');
    expectFigures(service, h, FROM, TO, 'after a reason');
    const brk = h.events.find((e) => e.reasonCode === 'BRK' && e.id !== open.id)!;
    service.setReason(brk.id, 'CLN', actor);
    Object.assign(brk, eventOf(brk.start, brk.end, false, 'CLN'));
    expectFigures(service, h, FROM, TO, 'after a correction to planned');
    const long = h.events.find((e) => !e.minor && e.end - e.start >= 8 * MIN && e.reasonCode === 'SET')!;
    const at = long.start + 4 * MIN;
    const [, second] = service.split(long.id, at, actor);
    const i = h.events.indexOf(long);
    h.events.splice(i, 1, { ...long, end: at }, { ...long, id: second.id, start: at });
    expectFigures(service, h, FROM, TO, 'after a split');
    assert.equal(kept(), 30);

    // A range that clips shifts: the same figures; the clipped pieces are not kept.
    // it starts and ends inside stops, which the Pareto counts once, where it starts
    const spanning = h.events.filter((e) => !e.minor && e.category !== 'planned' && e.end - e.start > 4 * MIN);
    const a = spanning[5].start + 2 * MIN;
    const b = spanning[spanning.length - 5].start + 2 * MIN;
    expectFigures(service, h, a, b, 'clipped range');
    assert.equal(Number(db.prepare('SELECT count(*) FROM production_kpi_summary WHERE from_ts = ? OR to_ts = ?').pluck().get(a, b)), 0);

    // Another production section (an ideal rate changed): the old summaries are not used.
    service.close();
    const changed = productionSectionSchema.parse({ ...section, products: [{ code: 'P1', idealCycleS: 0.5 }, { code: 'P2', idealRatePerMin: 90 }] });
    const again = new ProductionService({ section: changed, shiftStarts: SHIFTS, store, clock, read: () => undefined, tagTypes: new Map(), audit: () => undefined, changed: () => undefined, alarm: () => null, runExists: () => false });
    assert.equal(kept(), 0, 'summaries of another section dropped');
    const k = again.kpis('L1', FROM, TO, 'shift');
    close(k.total, computeKpis({ intervals: h.intervals, events: h.events, counts: h.counts, idealCycleMs: (p) => (p === 'P1' ? 500 : ict(p)), startupRejectMs: 300_000, targetProduct: 'P1' }, FROM, TO, k.total.label), 'new section total');
    again.close();
  } finally {
    service.close();
    db.close();
  }
});
