/**
 * Production at the line through the real runtime and the real simulator on loopback (OPC UA
 * state, Modbus counters), with states scripted in the simulator (force):
 *
 *   1. a short film jam (fault 102) is a minor stop with its reason from the fault code; a
 *      sealer breakdown (fault 201) gets MECH-SEALER by itself; a plain stop waits for a reason;
 *   2. the operator gives it (a breakdown reason that opens a maintenance request); a viewer is
 *      refused; the KPIs agree with the timeline; the correction is on record;
 *   3. a maintenance request from an alarm carries the alarm and a trend range; its lifecycle
 *      by the maintenance role, refused for an operator and out of order;
 *   4. after a restart on the same data dir the KPIs of the range before are the same.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { stringify } from 'yaml';
import { bindToSimulator, startRuntime } from '../../main/app/runtime';
import type { RuntimeHost } from '../../main/app/runtime-host';
import { loadProjectFile } from '../../main/config/project-loader';
import { MachineState } from '../../main/simulator/line-model';
import { startSimulator, type SimulatedLine } from '../../main/simulator/simulator';
import type { DowntimeEvent } from '../../shared/production';
import { admin, connect, signedIn, type TestConnection } from '../helpers/runtime-session';
import { repoRoot, tempDir, waitFor } from '../helpers/temp';

const tmp = tempDir();
let sim: SimulatedLine;
let rt: RuntimeHost;
let file: string;
let operator: TestConnection;
let tech: TestConnection;
let t0 = 0;
let t1 = 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  sim = await startSimulator({ pkiDir: join(tmp.dir, 'sim-pki'), log: () => undefined, idlePeriods: false, production: false });
  const project = bindToSimulator(loadProjectFile(join(repoRoot(), 'projects', 'demo-line.yaml')), sim);
  project.instructions.folder = join(repoRoot(), 'projects', 'instructions');
  // stops under 3 s are minor here (the demo's 2 minutes would make the test slow)
  project.production!.minorStopS = 3;
  file = join(tmp.dir, 'project.yaml');
  writeFileSync(file, stringify(project));
  rt = await startRuntime({ projectFile: file, dataDir: join(tmp.dir, 'data'), shell: 'headless' });
  await admin(rt);
  operator = await signedIn(rt, ['operator'], 'olga');
  tech = await signedIn(rt, ['maintenance'], 'max');
  await waitFor('the line running, seen by production', async () => (await operator.call('production.live', {})).state === 'running', 20_000);
});

after(async () => {
  await rt?.close();
  await sim?.stop();
  tmp.cleanup();
});

async function hold(state: MachineState, fault: number, ms: number): Promise<void> {
  sim.model.force(state, fault);
  await sleep(ms);
}

test('1. scripted stops: minor with a fault-code reason, a breakdown by fault code, a stop pending its reason', async () => {
  t0 = Date.now();
  await hold(MachineState.Running, 0, 2000);
  await hold(MachineState.Faulted, 102, 1200); // film jam: minor (< 3 s)
  await hold(MachineState.Running, 0, 2000);
  await hold(MachineState.Faulted, 201, 5000); // sealer heater: breakdown, 5 s
  await hold(MachineState.Running, 0, 2000);
  await hold(MachineState.Stopped, 0, 5000); // stopped: idle, no reason
  await hold(MachineState.Running, 0, 2500);
  t1 = Date.now();
  const list: DowntimeEvent[] = await operator.call('production.downtime.list', { from: t0, to: t1 });
  const events = list.reverse();
  assert.deepEqual(events.map((e) => [e.state, e.faultCode, e.status, e.reasonCode]), [
    ['fault', 102, 'minor', 'FLOW-FILM'],
    ['fault', 201, 'done', 'MECH-SEALER'],
    ['idle', null, 'pending', null],
  ]);
  assert.equal(events[1].reasonBy, 'auto');
  // durations as scripted, within the OPC UA sampling (500 ms) either side
  for (const [e, ms] of [[events[0], 1200], [events[1], 5000], [events[2], 5000]] as const) assert.ok(Math.abs(e.durationMs - ms) < 900, `${e.state} ${e.durationMs} ms, scripted ${ms}`);
  const live = await operator.call('production.live', {});
  assert.deepEqual(live.pending.map((e) => e.id), [events[2].id]);
  assert.equal(live.product, 'PK-330');
});

test('2. the operator gives the reason (a viewer may not); KPIs agree with the timeline', async () => {
  const pending = (await operator.call('production.downtime.list', { status: 'pending' }))[0];
  const viewer = connect(rt);
  const refused = await viewer.conn.handle('production.downtime.setReason', { id: pending.id, reasonCode: 'FLOW-STARVED' });
  assert.ok(!refused.ok && refused.error.code === 'forbidden', JSON.stringify(refused));
  const group = await operator.conn.handle('production.downtime.setReason', { id: pending.id, reasonCode: 'MECH' });
  assert.ok(!group.ok && group.error.code === 'not_found', JSON.stringify(group));
  const first = await operator.call('production.downtime.setReason', { id: pending.id, reasonCode: 'FLOW-STARVED' });
  assert.deepEqual([first.status, first.lossClass], ['done', 'minorStop']);
  // corrected: a breakdown of the drive (it opens a maintenance request by itself)
  const e = await operator.call('production.downtime.setReason', { id: pending.id, reasonCode: 'MECH-DRIVE', comment: 'drive tripped' });
  assert.deepEqual([e.status, e.reasonCode, e.lossClass, e.reasonBy, e.comment], ['done', 'MECH-DRIVE', 'breakdown', 'olga', 'drive tripped']);
  assert.deepEqual(e.history.map((h) => [h.kind, h.from, h.to, h.user]), [['reason', null, 'FLOW-STARVED', 'olga'], ['correction', 'FLOW-STARVED', 'MECH-DRIVE', 'olga']]);
  const requests = await tech.call('maintenance.list', { open: true });
  assert.equal(requests.find((r) => r.downtimeId === pending.id)?.source, 'downtime');

  const k = await operator.call('production.kpis', { from: t0, to: t1, bucket: 'none' });
  const tl = await operator.call('production.timeline', { from: t0, to: t1 });
  const runFromTimeline = tl.intervals.filter((i) => i.cls === 'run').reduce((s, i) => s + (i.end ?? t1) - i.start, 0);
  const t = k.total;
  // APT = running + the minor stop; PBT = APT + breakdowns (10 s scripted); A = APT / PBT
  assert.equal(t.runMs, runFromTimeline + t.minorStopMs);
  assert.equal(t.plannedBusyMs, t.runMs + t.downMs);
  assert.ok(Math.abs(t.losses.breakdown - 10_000) < 1800, `breakdown ${t.losses.breakdown} ms`);
  assert.ok(Math.abs(t.minorStopMs - 1200) < 900, `minor ${t.minorStopMs}`);
  assert.ok(Math.abs(t.availability! - t.runMs / t.plannedBusyMs) < 1e-12);
  assert.deepEqual([t.stops, t.failures], [3, 2]);
  // counts are kept per minute: a range counts the minutes that start in it (shift, hour and
  // day buckets always begin on a minute), so these are checked from the minute t0 is in
  const MIN = 60_000;
  const counted = (await operator.call('production.kpis', { from: Math.floor(t0 / MIN) * MIN, to: t1 + MIN, bucket: 'none' })).total;
  assert.ok(counted.total > 0 && counted.good + counted.reject === counted.total, JSON.stringify([counted.total, counted.good, counted.reject]));
  // at most 120 packs/min against an ideal 130, ramping up after every stop: P below 1
  assert.ok(counted.performance! > 0 && counted.performance! < 120 / 130, `P ${counted.performance}`);
  assert.deepEqual(k.pareto.slice(0, 2).map((p) => p.lossClass), ['breakdown', 'breakdown']);
  const audit = await (await admin(rt)).call('audit.query', { action: 'downtime.', limit: 10 });
  assert.deepEqual(audit.entries.map((x) => [x.action, x.user]).reverse(), [['downtime.reason', 'olga'], ['downtime.correct', 'olga']]);
});

test('3. a maintenance request from an alarm: carries the alarm and its trend; the lifecycle by maintenance only', async () => {
  sim.model.force(null);
  sim.setScenario('jam', true);
  await waitFor('L1.Jam active', async () => (await operator.call('alarms.list', {})).some((a) => a.id === 'L1.Jam' && a.active), 15_000);
  const r = await operator.call('maintenance.create', { source: 'alarm', alarmId: 'L1.Jam', description: 'jams again', priority: 2 });
  assert.deepEqual([r.state, r.source, r.alarm?.id, r.alarm?.value, r.trend?.tagIds, r.createdBy], ['open', 'alarm', 'L1.Jam', 101, ['L1.FaultCode'], 'olga']);
  assert.ok(r.trend!.from < r.alarm!.activeSince! && r.trend!.to >= r.alarm!.activeSince!);
  const byOperator = await operator.conn.handle('maintenance.transition', { id: r.id, to: 'acknowledged' });
  assert.ok(!byOperator.ok && byOperator.error.code === 'forbidden', JSON.stringify(byOperator));
  const early = await tech.conn.handle('maintenance.transition', { id: r.id, to: 'done' });
  assert.ok(!early.ok && early.error.code === 'refused' && /is open: it can go to acknowledged or cancelled/.test(early.error.message), JSON.stringify(early));
  await tech.call('maintenance.transition', { id: r.id, to: 'acknowledged' });
  await tech.call('maintenance.transition', { id: r.id, to: 'inProgress', comment: 'on my way' });
  const noRun = await tech.conn.handle('maintenance.transition', { id: r.id, to: 'done', runId: 999_999 });
  assert.ok(!noRun.ok && noRun.error.code === 'not_found');
  const done = await tech.call('maintenance.transition', { id: r.id, to: 'done', comment: 'cleared, guide adjusted' });
  assert.deepEqual(done.history.map((h) => [h.from, h.to, h.user]), [[null, 'open', 'olga'], ['open', 'acknowledged', 'max'], ['acknowledged', 'inProgress', 'max'], ['inProgress', 'done', 'max']]);
  assert.deepEqual([done.state, done.assignee, done.closedAt !== null], ['done', 'max', true]);
  const again = await tech.conn.handle('maintenance.transition', { id: r.id, to: 'cancelled' });
  assert.ok(!again.ok && again.error.code === 'refused');
  // a request from a stop that is not a breakdown is refused
  const minor = (await operator.call('production.downtime.list', { status: 'minor' }))[0];
  const notBreakdown = await operator.conn.handle('maintenance.create', { source: 'downtime', downtimeId: minor.id });
  assert.ok(!notBreakdown.ok && notBreakdown.error.code === 'refused' && /not a breakdown/.test(notBreakdown.error.message), JSON.stringify(notBreakdown));
  sim.setScenario('jam', false);
});

test('4. after a restart on the same data dir the KPIs of the range before are the same', async () => {
  const before = await operator.call('production.kpis', { from: t0, to: t1, bucket: 'hour' });
  await rt.close();
  rt = await startRuntime({ projectFile: file, dataDir: join(tmp.dir, 'data'), shell: 'headless' });
  const c = connect(rt);
  const afterRestart = await c.call('production.kpis', { from: t0, to: t1, bucket: 'hour' });
  assert.deepEqual(afterRestart.total, before.total);
  assert.deepEqual(afterRestart.buckets, before.buckets);
  assert.deepEqual(afterRestart.pareto, before.pareto);
  const requests = await c.call('maintenance.list', {});
  assert.equal(requests.length, 2);
});
