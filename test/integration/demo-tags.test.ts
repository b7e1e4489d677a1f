/**
 * Every tag of the demo project, read through both real drivers from the built-in simulator's
 * real servers on loopback, compared with the simulator's own state. The simulator's clock is
 * held still while reading so the expected values are exact.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bindToSimulator } from '../../main/app/runtime';
import { createDriver } from '../../main/app/driver-factory';
import { loadProjectFile } from '../../main/config/project-loader';
import type { Project } from '../../main/config/project-schema';
import type { Driver, DriverReading } from '../../main/drivers/driver';
import { startSimulator, type SimulatedLine } from '../../main/simulator/simulator';
import { systemClock } from '../../main/util/clock';
import type { TagScalar } from '../../shared/types';
import { ManualSimClock } from '../helpers/manual-sim-clock';
import { repoRoot, tempDir } from '../helpers/temp';

let sim: SimulatedLine;
let project: Project;
const clock = new ManualSimClock();
const tmp = tempDir();
const drivers = new Map<string, Driver>();

before(async () => {
  sim = await startSimulator({ clock, seed: 42, idlePeriods: false, pkiDir: join(tmp.dir, 'sim-pki'), log: () => undefined });
  project = bindToSimulator(loadProjectFile(join(repoRoot(), 'projects', 'demo-line.yaml')), sim);
  for (const d of project.devices) drivers.set(d.id, createDriver(d, systemClock, join(tmp.dir, 'pki')));
  clock.advance(60_000); // a minute of production: line up to speed, counters running
});

after(async () => {
  for (const d of drivers.values()) await d.close();
  await sim.stop();
  tmp.cleanup();
});

async function readAll(deviceId: string): Promise<Map<string, DriverReading>> {
  const driver = drivers.get(deviceId)!;
  const tags = project.tags.filter((t) => t.device === deviceId);
  const plan = driver.plan(tags.map((t) => ({ tagId: t.id, address: t.address, dataType: t.dataType, wordOrder: t.wordOrder })));
  const readings = await driver.read(plan);
  return new Map(readings.map((r) => [r.tagId, r]));
}

function expectGood(readings: Map<string, DriverReading>, tagId: string, expected: TagScalar, tolerance = 0): void {
  const r = readings.get(tagId);
  assert.ok(r, `${tagId} was read`);
  assert.deepEqual(r.quality, { level: 'good', reason: 'ok' }, `${tagId} quality`);
  assert.equal(typeof r.value, typeof expected, `${tagId} type`);
  if (tolerance > 0) assert.ok(Math.abs((r.value as number) - (expected as number)) <= tolerance, `${tagId}: ${String(r.value)} ≈ ${String(expected)}`);
  else assert.equal(r.value, expected, tagId);
}

test('1. Modbus TCP: every demo tag, every type and word order, exact', async () => {
  const s = sim.model.snapshot();
  assert.equal(s.state, 2, 'line running after a minute');
  assert.ok(s.lineSpeed > 100);
  const r = await readAll('filler_plc');
  assert.equal(r.size, project.tags.filter((t) => t.device === 'filler_plc').length);
  expectGood(r, 'L1.SpeedSetpoint', 120);
  expectGood(r, 'L1.FaultCode', 0);
  expectGood(r, 'L1.GoodCount', Math.trunc(s.goodCount)); // uint32 ABCD
  expectGood(r, 'L1.RejectCount', Math.trunc(s.rejectCount)); // uint32 CDAB
  expectGood(r, 'L1.MotorCurrent', Math.fround(s.motorCurrent)); // float32 ABCD
  expectGood(r, 'L1.BearingTemp', Math.fround(s.bearingTemperature)); // float32 CDAB
  expectGood(r, 'L1.AmbientTemp', Math.round(s.ambientTemperature * 10)); // raw int16; scaling is acquisition's
  expectGood(r, 'L1.MotorRpm', Math.round(s.motorSpeedRpm));
  expectGood(r, 'L1.TensionDev', Math.round(s.webTensionDeviation)); // int32, signed
  expectGood(r, 'L1.RunCommand', s.runCommand);
  expectGood(r, 'L1.MotorRunning', s.motorRunning);
  expectGood(r, 'L1.RejectGate', s.rejectGateActive);
  expectGood(r, 'L1.EStopOk', s.eStopOk);
  expectGood(r, 'L1.GuardClosed', s.guardDoorClosed);
  assert.ok(s.goodCount > 65_535 || Math.trunc(s.goodCount) === r.get('L1.GoodCount')!.value, 'both words of the counter');
});

test('2. OPC UA: every demo tag with the server type, exact, with source timestamps', async () => {
  const s = sim.model.snapshot();
  const r = await readAll('line_controller');
  expectGood(r, 'L1.State', s.state);
  expectGood(r, 'L1.StateText', s.stateText);
  expectGood(r, 'L1.Speed', s.lineSpeed);
  expectGood(r, 'L1.Vibration', s.vibration);
  expectGood(r, 'L1.Running', s.state === 2);
  expectGood(r, 'L1.ProductCode', 'PK-330');
  expectGood(r, 'L1.SpeedSetpointMirror', 120);
  assert.equal(r.get('L1.Speed')!.sourceTs, s.timeMs, 'SourceTimestamp is the model time of the value');
});

test('3. a merged Modbus block refused with "illegal address" is split; good neighbours stay good', async () => {
  // HR0..HR13 spans HR6..HR9, which the PLC does not map: the first read is refused and bisected.
  const driver = drivers.get('filler_plc')!;
  const tags = project.tags.filter((t) => t.device === 'filler_plc' && t.address.startsWith('HR'));
  const plan = driver.plan(tags.map((t) => ({ tagId: t.id, address: t.address, dataType: t.dataType, wordOrder: t.wordOrder })));
  assert.equal(plan.requestCount, 1, 'planned as one request');
  const first = await driver.read(plan);
  assert.ok(first.every((x) => x.quality.level === 'good'), JSON.stringify(first.filter((x) => x.quality.level !== 'good')));
  assert.ok(plan.requestCount >= 2 && plan.requestCount <= tags.length, `re-planned into ${plan.requestCount} requests`);
  const errorsBefore = driver.status().errors;
  await driver.read(plan);
  assert.equal(driver.status().errors, errorsBefore, 'the refined plan reads without exceptions');
});

test('4. a tag at an address the PLC does not have is a config error; the rest of the scan is good', async () => {
  const driver = drivers.get('filler_plc')!;
  const plan = driver.plan([
    { tagId: 'ok', address: 'HR0', dataType: 'uint16' },
    { tagId: 'missing', address: 'HR7', dataType: 'uint16' },
    { tagId: 'ok2', address: 'HR1', dataType: 'uint16' },
  ]);
  const r = new Map((await driver.read(plan)).map((x) => [x.tagId, x]));
  assert.deepEqual(r.get('missing')!.quality, { level: 'bad', reason: 'config_error' });
  assert.equal(r.get('ok')!.quality.level, 'good');
  assert.equal(r.get('ok2')!.quality.level, 'good');
});

test('5. an unknown OPC UA node is a config error for that tag only', async () => {
  const driver = drivers.get('line_controller')!;
  const plan = driver.plan([
    { tagId: 'speed', address: 'ns=1;s=Line1.LineSpeed', dataType: 'float64' },
    { tagId: 'nope', address: 'ns=1;s=Line1.DoesNotExist', dataType: 'float64' },
    { tagId: 'wrongType', address: 'ns=1;s=Line1.StateText', dataType: 'float64' },
  ]);
  const r = new Map((await driver.read(plan)).map((x) => [x.tagId, x]));
  assert.equal(r.get('speed')!.quality.level, 'good');
  assert.deepEqual(r.get('nope')!.quality, { level: 'bad', reason: 'config_error' });
  assert.deepEqual(r.get('wrongType')!.quality, { level: 'bad', reason: 'config_error' });
});
