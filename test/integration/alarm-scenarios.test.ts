/**
 * The demo project's alarms against the built-in simulator, through the whole runtime (real
 * OPC UA and Modbus servers on loopback, both drivers, the tag bus, SQLite): each scenario
 * raises the alarms it should, and they clear when it ends.
 *
 * The demo definitions are used as they are; only the simulated bearing wears faster (one unit
 * in 10 s instead of 90 s) so the test does not wait minutes. Pushed `alarms` events are what
 * the test watches, as the UI does.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ApiReply } from '../../shared/api';
import type { AlarmJournalPage, AlarmStatus } from '../../shared/alarms';
import type { TagValue } from '../../shared/types';
import { startRuntime } from '../../main/app/runtime';
import type { RuntimeHost } from '../../main/app/runtime-host';
import { tempDir, waitFor } from '../helpers/temp';
import { as } from '../helpers/runtime-session';

const tmp = tempDir();
let runtime: RuntimeHost;
const latest = new Map<string, AlarmStatus>();
let runningSince = 0;

async function call<T>(method: string, params: unknown = {}): Promise<T> {
  const r = (await (await as(runtime, method.startsWith('simulator.') ? ['maintenance'] : ['operator'])).conn.handle(method, params)) as ApiReply<T>;
  if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
  return r.result;
}

const status = (id: string) => latest.get(id);
const active = (id: string) => status(id)?.state.type !== undefined && status(id)!.active;

async function value(tagId: string): Promise<TagValue | undefined> {
  return (await call<TagValue[]>('values.snapshot', { tagIds: [tagId] }))[0];
}

before(async () => {
  runtime = await startRuntime({
    dataDir: join(tmp.dir, 'data'),
    shell: 'headless',
    simulator: { pkiDir: join(tmp.dir, 'pki'), log: () => undefined, idlePeriods: false, wearUnitMs: 10_000, seed: 42 },
  });
  runtime.subscribe((e) => {
    if (e.event !== 'alarms') return;
    for (const s of e.data.statuses) {
      const held = latest.get(s.id);
      if (held === undefined || held.seq < s.seq) latest.set(s.id, s);
    }
  });
  await waitFor('the line to run, read through both drivers', async () => {
    const [state, temp] = [await value('L1.State'), await value('L1.BearingTemp')];
    return state?.quality.level === 'good' && state.value === 2 && temp?.quality.level === 'good';
  }, 30_000);
  runningSince = Date.now();
});

after(async () => {
  await runtime?.close();
  tmp.cleanup();
});

test('1. stuck sensor: the bearing temperature stops moving while the line runs → stuck alarm; moving again clears it', async () => {
  const stuckAt = Date.now();
  await call('simulator.setScenario', { scenario: 'stuckSensor', on: true });
  await waitFor('L1.BearingTemp.Stuck', () => active('L1.BearingTemp.Stuck'), 60_000, 100);
  const after = (Date.now() - stuckAt) / 1000;
  assert.ok(after >= 29, `raised after ${after.toFixed(1)} s: not before its 30 s`);
  assert.equal(status('L1.BearingTemp.Stuck')!.state.type, 'unack');
  assert.equal(active('L1.BearingTemp.H'), false, 'nothing else about the temperature');
  await call('simulator.setScenario', { scenario: 'stuckSensor', on: false });
  await waitFor('the stuck alarm to clear', () => status('L1.BearingTemp.Stuck')?.active === false, 10_000, 100);
  assert.equal(status('L1.BearingTemp.Stuck')!.state.type, 'rtnUnack');
});

test('2. bearing wear → vibration high and the baseline anomaly on vibration; a new bearing clears both', async () => {
  // the baselines need settleS (15 s) + learnS (30 s) of running first
  const wait = runningSince + 50_000 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  assert.equal(active('L1.Vibration.Baseline'), false, 'no anomaly before the wear');
  await call('simulator.setScenario', { scenario: 'bearingWear', on: true });
  await waitFor('L1.Vibration.Baseline', () => active('L1.Vibration.Baseline'), 30_000, 100);
  await waitFor('L1.Vibration.H', () => active('L1.Vibration.H'), 30_000, 100);
  const v = status('L1.Vibration.H')!.value as number;
  assert.ok(v >= 4.0, `raised at ${v} mm/s`);
  await call('simulator.setScenario', { scenario: 'bearingWear', on: false });
  await waitFor('both to clear', () => !active('L1.Vibration.H') && !active('L1.Vibration.Baseline'), 30_000, 100);
  assert.equal(status('L1.Vibration.H')!.state.type, 'rtnUnack');
});

test('3. jam → the fault alarm within a second and a half; latched after the jam clears, until reset', async () => {
  const t0 = Date.now();
  await call('simulator.setScenario', { scenario: 'jam', on: true });
  await waitFor('L1.Jam', () => active('L1.Jam'), 5000, 20);
  const ms = Date.now() - t0;
  assert.ok(ms < 1500, `raised ${ms} ms after the jam`);
  assert.equal(status('L1.Jam')!.value, 101);
  // the line stopped: the speed alarm is suppressed by design, not raised
  await waitFor('speed deviation suppressed', () => status('L1.Speed.Low')?.state.type === 'suppressed', 5000);
  const ack = await call<{ done: string[] }>('alarms.acknowledge', { alarmIds: ['L1.Jam'], comment: 'clearing the infeed' });
  assert.deepEqual(ack.done, ['L1.Jam']);
  await call('simulator.setScenario', { scenario: 'jam', on: false });
  await waitFor('the jam condition to clear (3 s clear delay in the PLC)', () => status('L1.Jam')?.active === false, 15_000, 100);
  assert.equal(status('L1.Jam')!.state.type, 'latched', 'latched: stays until reset');
  await call('alarms.reset', { alarmId: 'L1.Jam' });
  await waitFor('normal after reset', () => status('L1.Jam')?.state.type === 'normal', 2000, 20);
  const journal = await call<AlarmJournalPage>('alarms.journal', { from: t0 - 1000, to: Date.now() + 1000, alarmId: 'L1.Jam' });
  assert.deepEqual(
    journal.entries.map((e) => [e.event, e.user]).reverse(),
    [['activated', null], ['acknowledged', 'operator'], ['cleared', null], ['reset', 'operator']],
  );
  await waitFor('the line to run again', async () => (await value('L1.State'))?.value === 2, 15_000);
});

test('4. dropout → a blip of 8 s raises no alarm; 20 s → communication loss on both devices; process alarms hold their state, marked held; both clear after', async () => {
  assert.equal(status('L1.Vibration.H')?.state.type, 'rtnUnack', 'precondition: an unacknowledged alarm from test 2');
  await call('simulator.dropout', { seconds: 8 });
  await waitFor('the vibration alarm held', () => status('L1.Vibration.H')?.held === true, 10_000, 100);
  await waitFor('communication back after the blip', () => status('L1.Vibration.H')?.held === false, 20_000, 100);
  assert.equal(active('filler_plc.CommLoss') || active('line_controller.CommLoss'), false, 'no alarm for a loss that ended by itself');
  await call('simulator.dropout', { seconds: 20 });
  await waitFor('filler_plc.CommLoss', () => active('filler_plc.CommLoss'), 25_000, 100);
  await waitFor('line_controller.CommLoss', () => active('line_controller.CommLoss'), 25_000, 100);
  await waitFor('the vibration alarm held', () => status('L1.Vibration.H')?.held === true, 10_000, 100);
  assert.equal(status('L1.Vibration.H')!.state.type, 'rtnUnack', 'held, not cleared or raised by bad data');
  await waitFor('communication back', () => !active('filler_plc.CommLoss') && !active('line_controller.CommLoss'), 45_000, 200);
  await waitFor('the vibration alarm confirmed by good values', () => status('L1.Vibration.H')?.held === false, 15_000, 100);
  const list = await call<AlarmStatus[]>('alarms.list');
  assert.ok(list.some((s) => s.id === 'filler_plc.CommLoss' && s.state.type === 'rtnUnack'));
});
