import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FaultCode,
  LINE_PHYSICS,
  LineModel,
  MachineState,
  REJECT_RATE,
  type LineModelOptions,
} from '../../main/simulator/line-model';
import {
  ModbusException,
  readCoils,
  readHoldingRegisters,
  readInputRegisters,
  writeCoils,
  writeHoldingRegisters,
} from '../../main/simulator/modbus-map';

const TICK = 100;

function model(options: LineModelOptions = {}): LineModel {
  return new LineModel({ seed: 42, startTimeMs: 1_700_000_000_000, idlePeriods: false, ...options });
}

/** Steps `ms` of simulated time in ticks; calls `each` after every tick. */
function run(m: LineModel, ms: number, each?: () => void): void {
  for (let t = 0; t < ms; t += TICK) {
    m.step(TICK);
    each?.();
  }
}

function mean(m: LineModel, ms: number, read: () => number): number {
  let sum = 0;
  let n = 0;
  run(m, ms, () => {
    sum += read();
    n++;
  });
  return sum / n;
}

test('1. starts stopped, runs after the start-up delay, and ramps to the setpoint', () => {
  const m = model();
  assert.equal(m.state, MachineState.Stopped);
  assert.equal(m.lineSpeed, 0);
  run(m, LINE_PHYSICS.startUpDelayMs);
  assert.equal(m.state, MachineState.Running);
  assert.equal(m.stateText, 'Running');
  run(m, 3_000);
  // First-order lag: after about one time constant, well on the way but not there.
  assert.ok(m.lineSpeed > 50 && m.lineSpeed < 110, `speed after 3 s: ${m.lineSpeed}`);
  run(m, 30_000);
  assert.ok(Math.abs(m.lineSpeed - 120) < 0.5, `speed after 33 s: ${m.lineSpeed}`);
  assert.equal(m.motorSpeedRpm, Math.round(m.lineSpeed * 12));
  assert.equal(m.timeMs, 1_700_000_000_000 + 34_000);
});

test('2. motor current and vibration follow speed, with noise', () => {
  const m = model();
  run(m, 40_000);
  const current = mean(m, 10_000, () => m.motorCurrent);
  assert.ok(Math.abs(current - (2.0 + 0.08 * 120)) < 0.1, `mean current ${current}`);
  const vibration = mean(m, 10_000, () => m.vibration);
  assert.ok(Math.abs(vibration - (1.2 + 0.01 * 120)) < 0.1, `mean vibration ${vibration}`);
  const samples = new Set<number>();
  run(m, 1_000, () => samples.add(m.motorCurrent));
  assert.ok(samples.size > 5, 'current is noisy, not constant');
});

test('3. counters increase monotonically with speed and rejects are about 1.5 %', () => {
  const m = model();
  const good0 = m.goodCount;
  const reject0 = m.rejectCount;
  let lastGood = good0;
  let lastReject = reject0;
  let gatePulses = 0;
  let gateWasActive = false;
  run(m, 30 * 60_000, () => {
    assert.ok(m.goodCount >= lastGood && m.rejectCount >= lastReject);
    lastGood = m.goodCount;
    lastReject = m.rejectCount;
    if (m.rejectGateActive && !gateWasActive) gatePulses++;
    gateWasActive = m.rejectGateActive;
  });
  const good = m.goodCount - good0;
  const rejects = m.rejectCount - reject0;
  const packs = good + rejects;
  // ~30 min at 120 packs/min minus the ramp: about 3 600 packs
  assert.ok(packs > 3_500 && packs < 3_610, `packs ${packs}`);
  const rate = rejects / packs;
  assert.ok(Math.abs(rate - REJECT_RATE) < 0.006, `reject rate ${rate}`);
  assert.ok(gatePulses > 0 && gatePulses <= rejects, `reject gate pulsed ${gatePulses} times for ${rejects} rejects`);
});

test('4. counters do not move while stopped', () => {
  const m = model();
  run(m, 20_000);
  m.setRunCommand(false);
  assert.equal(m.state, MachineState.Stopped, 'stop is immediate');
  run(m, 10_000);
  const good = m.goodCount;
  assert.equal(m.lineSpeed, 0);
  assert.equal(m.motorCurrent, 0);
  assert.equal(m.motorRunning, false);
  run(m, 10_000);
  assert.equal(m.goodCount, good);
  m.setRunCommand(true);
  run(m, LINE_PHYSICS.startUpDelayMs + TICK);
  assert.equal(m.state, MachineState.Running);
});

test('5. jam faults the line at once; clearing it restarts the line a few seconds later', () => {
  const m = model();
  run(m, 20_000);
  assert.ok(m.lineSpeed > 100);
  m.setScenario('jam', true);
  assert.equal(m.state, MachineState.Faulted);
  assert.equal(m.faultCode, FaultCode.InfeedJam);
  assert.equal(m.faultCode, 101);
  assert.equal(m.lineSpeed, 0);
  run(m, 60_000);
  assert.equal(m.state, MachineState.Faulted, 'stays faulted while jammed');
  assert.equal(m.lineSpeed, 0);
  m.setRunCommand(false);
  run(m, 1_000);
  assert.equal(m.state, MachineState.Faulted, 'a stop command does not clear a fault');
  m.setRunCommand(true);

  m.setScenario('jam', false);
  run(m, LINE_PHYSICS.jamClearDelayMs - 2 * TICK);
  assert.equal(m.state, MachineState.Faulted, 'the fault clears only after the clear delay');
  run(m, 3 * TICK);
  assert.equal(m.state, MachineState.Running);
  assert.equal(m.faultCode, FaultCode.None);
  run(m, 30_000);
  assert.ok(Math.abs(m.lineSpeed - 120) < 1);
});

test('6. bearing wear raises vibration and temperature over simulated minutes', () => {
  const healthy = model();
  const worn = model();
  run(healthy, 5 * 60_000);
  run(worn, 5 * 60_000);
  worn.setScenario('bearingWear', true);
  const vib0 = mean(worn, 5_000, () => worn.vibration);
  const temp0 = worn.bearingTemperature;
  run(worn, 60_000);
  run(healthy, 65_000);
  const vib1 = mean(worn, 5_000, () => worn.vibration);
  // Visible within a minute or two, as a demo needs.
  assert.ok(vib1 > vib0 + 1.5, `vibration ${vib0} -> ${vib1} after 1 min of wear`);
  run(worn, 60_000);
  assert.ok(worn.bearingTemperature > temp0 + 5, `temperature ${temp0} -> ${worn.bearingTemperature} after 2 min`);
  assert.ok(worn.motorCurrent > healthy.motorCurrent, 'a worn bearing draws more current');
  const vibHealthy = mean(healthy, 5_000, () => healthy.vibration);
  assert.ok(vibHealthy < 2.6, `healthy vibration stays put: ${vibHealthy}`);

  worn.setScenario('bearingWear', false);
  assert.equal(worn.bearingWearLevel, 0, 'switching wear off replaces the bearing');
});

test('7. bearing temperature settles toward ambient + k·speed from its start value', () => {
  const m = model();
  assert.equal(m.bearingTemperature, LINE_PHYSICS.bearingTempInitialC);
  run(m, 20 * 60_000);
  const expected = m.ambientTemperature + LINE_PHYSICS.bearingTempPerPackC * 120;
  assert.ok(Math.abs(m.bearingTemperature - expected) < 0.5, `${m.bearingTemperature} vs ${expected}`);
  assert.ok(Math.abs(m.ambientTemperature - 21.5) < 1.5, `ambient ${m.ambientTemperature}`);
});

test('8. a stuck sensor freezes the reported temperature while the truth moves on', () => {
  const m = model();
  run(m, 30_000);
  m.setScenario('stuckSensor', true);
  const frozen = m.bearingTemperature;
  run(m, 5 * 60_000, () => assert.equal(m.bearingTemperature, frozen));
  assert.ok(Math.abs(m.bearingTemperatureActual - frozen) > 2, 'the real temperature kept rising');
  m.setScenario('stuckSensor', false);
  m.step(TICK);
  assert.ok(Math.abs(m.bearingTemperature - m.bearingTemperatureActual) < 0.5);
});

test('9. the speed setpoint clamps to 0..200', () => {
  const m = model();
  assert.equal(m.speedSetpoint, 120);
  assert.equal(m.setSpeedSetpoint(250), 200);
  assert.equal(m.speedSetpoint, 200);
  assert.equal(m.setSpeedSetpoint(-5), 0);
  assert.equal(m.setSpeedSetpoint(Number.NaN), 0);
  assert.equal(m.setSpeedSetpoint(150), 150);
  run(m, 40_000);
  assert.ok(Math.abs(m.lineSpeed - 150) < 0.5);
});

test('10. same seed, same run; idle periods come every few minutes and end', () => {
  const a = new LineModel({ seed: 7 });
  const b = new LineModel({ seed: 7 });
  const idleStarts: number[] = [];
  let wasIdle = false;
  for (let t = 0; t < 20 * 60_000; t += TICK) {
    a.step(TICK);
    b.step(TICK);
    const idle = a.state === MachineState.Idle;
    if (idle && !wasIdle) idleStarts.push(t);
    wasIdle = idle;
  }
  assert.deepEqual(a.snapshot(), b.snapshot());
  assert.ok(idleStarts.length >= 3 && idleStarts.length <= 10, `idle periods in 20 min: ${idleStarts.length}`);
  assert.notEqual(a.state, MachineState.Faulted);
});

test('11. web tension deviation is a signed integer, noisy around zero', () => {
  const m = model();
  run(m, 10_000);
  let negatives = 0;
  let positives = 0;
  run(m, 60_000, () => {
    const v = m.webTensionDeviation;
    assert.ok(Number.isInteger(v));
    if (v < 0) negatives++;
    if (v > 0) positives++;
  });
  assert.ok(negatives > 50 && positives > 50, `${negatives} negative, ${positives} positive`);
});

test('12. Modbus map: word orders and signed encodings decode independently', () => {
  const m = model({ initialGoodCount: 0x0001_2345, initialRejectCount: 0x0002_0003 });
  run(m, 500); // still stopped: counters unchanged
  const s = m.snapshot();
  const hr = readHoldingRegisters(s, 0, 6);
  assert.deepEqual(hr, [120, 0, 0x0001, 0x2345, 0x0003, 0x0002]);
  const floats = readHoldingRegisters(s, 10, 4);
  const b = Buffer.alloc(8);
  floats.forEach((w, i) => b.writeUInt16BE(w, i * 2));
  assert.ok(Math.abs(b.readFloatBE(0) - s.motorCurrent) < 1e-6);
  const cdab = Buffer.alloc(4);
  cdab.writeUInt16BE(floats[3], 0);
  cdab.writeUInt16BE(floats[2], 2);
  assert.ok(Math.abs(cdab.readFloatBE(0) - s.bearingTemperature) < 1e-4);

  const ir = readInputRegisters({ ...s, ambientTemperature: -3.27, webTensionDeviation: -1234 }, 0, 4);
  assert.equal(Buffer.from([ir[0] >> 8, ir[0] & 0xff]).readInt16BE(0), -33);
  const i32 = Buffer.alloc(4);
  i32.writeUInt16BE(ir[2], 0);
  i32.writeUInt16BE(ir[3], 2);
  assert.equal(i32.readInt32BE(0), -1234);

  assert.deepEqual(readCoils(s, 0, 3), [true, false, false]);
  assert.throws(() => readHoldingRegisters(s, 6, 1), (e: unknown) => e instanceof ModbusException && e.modbusErrorCode === 2);
  assert.throws(() => readHoldingRegisters(s, 12, 3), (e: unknown) => e instanceof ModbusException && e.modbusErrorCode === 2);
  assert.throws(() => readCoils(s, 2, 2), (e: unknown) => e instanceof ModbusException && e.modbusErrorCode === 2);

  writeHoldingRegisters(m, 0, [999]);
  assert.equal(m.speedSetpoint, 200);
  assert.throws(() => writeHoldingRegisters(m, 1, [5]), ModbusException);
  assert.throws(() => writeHoldingRegisters(m, 0, [5, 6]), ModbusException);
  assert.equal(m.speedSetpoint, 200, 'a refused block write changes nothing');
  writeCoils(m, 0, [false]);
  assert.equal(m.runCommand, false);
  assert.throws(() => writeCoils(m, 1, [true]), ModbusException);
});
