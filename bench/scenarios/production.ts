/**
 * npm run bench -- production
 *
 * OEE per shift for one year of state history at one change per minute (issue 14: < 200 ms):
 * 525,600 state intervals (running 1–4 min, then a stop of 1 min: a minor stop, a breakdown
 * or a pending one), the downtime events of the stops, counts per minute, in a real SQLite
 * file through the ProductionStore. Two cases:
 * - compute: the KPIs of the 1,095 shifts from the loaded history (the calculator alone);
 * - service: production.kpis as the API runs it (read the year from SQLite, then compute).
 * Each 5 times; p50 and max. Then counterToScreen (production-screen.ts): a PLC counter's change
 * until the Production screen in Chromium shows it.
 */
import { join } from 'node:path';
import { productionSectionSchema } from '../../main/config/production-schema';
import { openDatabase } from '../../main/historian/database';
import { shiftBuckets } from '../../main/production/calendar';
import { computeKpis, type KpiEvent, type KpiInterval } from '../../main/production/kpi-calculator';
import { ProductionService } from '../../main/production/production-service';
import { ProductionStore } from '../../main/production/production-store';
import { FakeClock } from '../../main/util/clock';
import { tempDir } from '../../test/helpers/temp';
import { counterToScreen } from './production-screen';
import { percentile, progress, report, round } from '../report';

const MIN = 60_000;
const SHIFTS = ['06:00', '14:00', '22:00'];

export async function run(): Promise<void> {
  const tmp = tempDir('lineside-bench-production-');
  try {
    const from = new Date(2025, 0, 1, 6, 0).getTime();
    const to = new Date(2026, 0, 1, 6, 0).getTime();
    const db = openDatabase(join(tmp.dir, 'lineside.db'));
    const store = new ProductionStore(db);
    progress('production: writing one year of state history, one change per minute');
    const intervals: KpiInterval[] = [];
    const events: KpiEvent[] = [];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const tw = performance.now();
    store.transaction(() => {
      let runLeft = 1 + Math.floor(rnd() * 4);
      for (let t = from; t < to; t += MIN) {
        const running = runLeft > 0;
        if (running) runLeft--;
        else runLeft = 1 + Math.floor(rnd() * 4);
        const state = running ? 'running' : 'fault';
        const cls = running ? 'run' : 'down';
        store.insertInterval('L1', t, t + MIN, state, cls, null);
        intervals.push({ start: t, end: t + MIN, state, cls });
        if (running) {
          store.addCount('L1', t, 'P1', 120, 118, 2);
        } else {
          const kind = rnd();
          const reason = kind < 0.5 ? 'JAM' : kind < 0.8 ? 'BRK' : null;
          store.insertEvent({ line: 'L1', start: t, end: t + MIN, state: 'fault', fault_code: null, minor: reason === 'JAM' ? 1 : 0, reason_code: reason, reason_by: reason ? 'auto' : null, reason_at: reason ? t : null, comment: '', split_from: null });
          events.push({ start: t, end: t + MIN, minor: reason === 'JAM', category: 'unplanned', lossClass: reason === 'BRK' ? 'breakdown' : reason === 'JAM' ? 'minorStop' : null, reasonCode: reason, reasonName: reason });
        }
      }
      store.seen('L1', to);
    });
    const writeMs = performance.now() - tw;
    const counts = store.counts('L1', from, to).map((c) => ({ ...c, product: c.product }));
    const shifts = shiftBuckets(from, to, SHIFTS);
    progress(`production: ${intervals.length} intervals, ${events.length} stops, ${shifts.length} shifts (written in ${round(writeMs / 1000, 1)} s)`);

    const input = { intervals, events, counts, idealCycleMs: () => 450, startupRejectMs: 5 * MIN };
    const compute: number[] = [];
    let oeeSum = 0;
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      const k = shifts.map((b) => computeKpis(input, b.from, b.to, b.label));
      compute.push(performance.now() - t0);
      oeeSum = k.reduce((s, x) => s + (x.oee ?? 0), 0);
    }
    compute.sort((a, b) => a - b);
    report('production', { case: 'oeePerShiftYear.compute', intervals: intervals.length, stops: events.length, shifts: shifts.length, msP50: round(percentile(compute, 50), 1), msMax: round(compute[compute.length - 1], 1), targetMs: 200, meanOee: round(oeeSum / shifts.length, 4) });

    const section = productionSectionSchema.parse({
      products: [{ code: 'P1', idealCycleS: 0.45 }],
      reasons: [{ code: 'U', name: 'Unplanned', category: 'unplanned', children: [{ code: 'JAM', name: 'Jam', lossClass: 'minorStop' }, { code: 'BRK', name: 'Breakdown', lossClass: 'breakdown' }] }],
      lines: [{ id: 'L1', state: { tag: 'S', rules: [{ equals: 2, state: 'running' }] }, counters: { good: 'G', reject: 'R' }, product: { default: 'P1' } }],
      resumeGapS: 3600,
    });
    const clock = new FakeClock(to);
    const service = new ProductionService({ section, shiftStarts: SHIFTS, store, clock, read: () => undefined, tagTypes: new Map(), audit: () => undefined, changed: () => undefined, alarm: () => null, runExists: () => false });
    // The first call reads the year's history and keeps a summary per closed shift (in the app
    // they are made as each shift ends, so only a database from before summaries sees this);
    // every later call reads 1,095 summary rows.
    const tc = performance.now();
    const first = service.kpis('L1', from, to, 'shift');
    const firstMs = performance.now() - tc;
    if (first.buckets.length !== shifts.length) throw new Error(`service: ${first.buckets.length} shifts, expected ${shifts.length}`);
    const viaService: number[] = [];
    for (let r = 0; r < 9; r++) {
      const t0 = performance.now();
      const k = service.kpis('L1', from, to, 'shift');
      viaService.push(performance.now() - t0);
      if (k.buckets.length !== shifts.length) throw new Error(`service: ${k.buckets.length} shifts, expected ${shifts.length}`);
      if (Math.abs((k.total.oee ?? 0) - (first.total.oee ?? 0)) > 1e-12) throw new Error('the figures from summaries differ from the first computation');
    }
    viaService.sort((a, b) => a - b);
    report('production', { case: 'oeePerShiftYear.service', intervals: intervals.length, stops: events.length, shifts: shifts.length, msP50: round(percentile(viaService, 50), 1), msMax: round(viaService[viaService.length - 1], 1), targetMs: 200, readsSqlite: true, fromShiftSummaries: true });
    report('production', { case: 'oeePerShiftYear.service.firstCall', intervals: intervals.length, stops: events.length, shifts: shifts.length, ms: round(firstMs, 1), makesShiftSummaries: true });
    service.close();
    db.close();
  } finally {
    tmp.cleanup();
  }
  // the demo reads its counters every 1,000 ms; a line that wants them sooner reads them faster
  await counterToScreen(undefined, 200);
  await counterToScreen(undefined, 1000);
}
