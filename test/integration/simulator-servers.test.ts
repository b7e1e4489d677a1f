/**
 * The simulator's real servers on loopback, read by independent clients (modbus-serial's client,
 * node-opcua's client), compared with the model's own state.
 *
 * The model ticks on the real clock, so for exact comparisons the test holds the ticks while
 * it reads (a clock whose interval callbacks can be held back): the model then cannot move
 * between the server answering and the test looking at the model.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ModbusRTU from 'modbus-serial';
import {
  AttributeIds,
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  StatusCodes,
  type ClientSession,
} from 'node-opcua';
import { systemClock, type SimulatorClock } from '../../main/simulator/clock';
import { LineModel, MachineState } from '../../main/simulator/line-model';
import { startModbusServer } from '../../main/simulator/modbus-server';
import { startSimulator, type SimulatedLine } from '../../main/simulator/simulator';

class HoldableTicks implements SimulatorClock {
  held = false;
  now = (): number => systemClock.now();
  setTimeout = systemClock.setTimeout;
  clear = systemClock.clear;
  setInterval: SimulatorClock['setInterval'] = (fn, ms) =>
    systemClock.setInterval(() => {
      if (!this.held) fn();
    }, ms);
}

const clock = new HoldableTicks();
let line: SimulatedLine;
let tmp: string;
const openModbusClients = new Set<ModbusRTU>();

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function modbusClient(timeoutMs: number): Promise<ModbusRTU> {
  const client = new ModbusRTU();
  await client.connectTCP('127.0.0.1', { port: line.endpoints.modbusTcp.port });
  client.setID(1);
  client.setTimeout(timeoutMs);
  openModbusClients.add(client);
  return client;
}

function closeModbus(client: ModbusRTU): Promise<void> {
  openModbusClients.delete(client);
  return new Promise((resolve) => client.close(() => resolve()));
}

function words(data: number[]): Buffer {
  const b = Buffer.alloc(data.length * 2);
  data.forEach((w, i) => b.writeUInt16BE(w, i * 2));
  return b;
}
/** "CDAB": low word first, each word big-endian → put the high word first, then read BE */
function cdab(lowWord: number, highWord: number): Buffer {
  return words([highWord, lowWord]);
}

function modbusCodeOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null && 'modbusCode' in err ? err.modbusCode : undefined;
}

/** modbus-serial's timeout is a plain object with errno ETIMEDOUT, not an Error */
function isTimeout(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'errno' in err && err.errno === 'ETIMEDOUT';
}

async function held<T>(fn: () => Promise<T>): Promise<T> {
  clock.held = true;
  try {
    return await fn();
  } finally {
    clock.held = false;
  }
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lineside-sim-test-'));
  line = await startSimulator({ seed: 1234, clock, pkiDir: path.join(tmp, 'pki'), idlePeriods: false, log: () => undefined });
  await waitFor('the line to run', () => line.model.state === MachineState.Running);
});

after(async () => {
  await Promise.all([...openModbusClients].map(closeModbus));
  await line?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('1. reports the ports it listens on, and keeps its PKI where it was told', () => {
  const { modbusTcp, opcua } = line.endpoints;
  assert.equal(modbusTcp.host, '127.0.0.1');
  assert.ok(modbusTcp.port > 0);
  assert.match(opcua, /^opc\.tcp:\/\/127\.0\.0\.1:\d+\/UA\/Lineside$/);
  const status = line.status();
  assert.equal(status.endpoints.modbusTcp, `127.0.0.1:${modbusTcp.port}`);
  assert.equal(status.endpoints.opcua, opcua);
  assert.deepEqual(status.scenarios, { bearingWear: false, stuckSensor: false, jam: false });
  assert.equal(status.dropoutUntil, null);
  assert.ok(fs.existsSync(path.join(tmp, 'pki', 'server', 'own', 'certs')), 'server PKI under pkiDir');
});

test('2. Modbus registers decode to the model state, in both word orders', async () => {
  const client = await modbusClient(1_000);
  await held(async () => {
    const hr = (await client.readHoldingRegisters(0, 6)).data;
    const hrFloat = (await client.readHoldingRegisters(10, 4)).data;
    const ir = (await client.readInputRegisters(0, 4)).data;
    const co = (await client.readCoils(0, 3)).data.slice(0, 3);
    const di = (await client.readDiscreteInputs(0, 2)).data.slice(0, 2);
    const m = line.model;

    assert.equal(hr[0], 120, 'HR0 speed setpoint');
    assert.equal(hr[1], m.faultCode, 'HR1 fault code');
    assert.equal(words([hr[2], hr[3]]).readUInt32BE(0), m.goodCount, 'HR2-3 good count ABCD');
    assert.ok(m.goodCount > 0xffff, 'the high word is exercised');
    assert.equal(cdab(hr[4], hr[5]).readUInt32BE(0), m.rejectCount, 'HR4-5 reject count CDAB');
    assert.equal(words([hrFloat[0], hrFloat[1]]).readFloatBE(0), Math.fround(m.motorCurrent), 'HR10-11 current ABCD');
    assert.ok(m.motorCurrent > 2, `running motor draws current: ${m.motorCurrent}`);
    assert.equal(cdab(hrFloat[2], hrFloat[3]).readFloatBE(0), Math.fround(m.bearingTemperature), 'HR12-13 temp CDAB');
    assert.ok(m.bearingTemperature > 20 && m.bearingTemperature < 60);

    assert.equal(words([ir[0]]).readInt16BE(0), Math.round(m.ambientTemperature * 10), 'IR0 ambient ×10');
    assert.equal(ir[1], m.motorSpeedRpm, 'IR1 rpm');
    assert.equal(words([ir[2], ir[3]]).readInt32BE(0), m.webTensionDeviation, 'IR2-3 web tension int32 ABCD');

    assert.deepEqual(co, [m.runCommand, m.motorRunning, m.rejectGateActive]);
    assert.deepEqual(co.slice(0, 2), [true, true]);
    assert.deepEqual(di, [true, true]);
  });
  await closeModbus(client);
});

test('3. unmapped addresses answer with exception 2 (illegal data address)', async () => {
  const client = await modbusClient(1_000);
  for (const [what, read] of [
    ['HR6', () => client.readHoldingRegisters(6, 1)],
    ['HR0..HR6', () => client.readHoldingRegisters(0, 7)],
    ['HR13..HR14', () => client.readHoldingRegisters(13, 2)],
    ['IR4', () => client.readInputRegisters(4, 1)],
    ['CO3', () => client.readCoils(3, 1)],
    ['DI2', () => client.readDiscreteInputs(0, 3)],
  ] as const) {
    await assert.rejects(read(), (err: unknown) => modbusCodeOf(err) === 2, what);
  }
  await assert.rejects(client.writeRegister(1, 7), (err: unknown) => modbusCodeOf(err) === 2, 'HR1 is read-only');
  assert.equal(line.model.faultCode, 0);
  await closeModbus(client);
});

test('4. writing HR0 sets the model speed setpoint, clamped; CO0 starts and stops the line', async () => {
  const client = await modbusClient(1_000);
  await client.writeRegister(0, 150);
  assert.equal(line.model.speedSetpoint, 150);
  assert.equal((await client.readHoldingRegisters(0, 1)).data[0], 150);
  await client.writeRegisters(0, [250]);
  assert.equal(line.model.speedSetpoint, 200, 'FC16 write clamps to 200');
  await client.writeRegister(0, 120);
  assert.equal(line.model.speedSetpoint, 120);

  await client.writeCoil(0, false);
  assert.equal(line.model.state, MachineState.Stopped);
  assert.deepEqual((await client.readCoils(0, 2)).data.slice(0, 2), [false, false]);
  await client.writeCoil(0, true);
  await waitFor('the line to restart', () => line.model.state === MachineState.Running);
  await closeModbus(client);
});

test('5. OPC UA variables in ns=1 under Line1 carry the model values, Good, with source timestamps', async () => {
  const clientCertificateManager = new OPCUACertificateManager({
    rootFolder: path.join(tmp, 'client-pki'),
    automaticallyAcceptUnknownCertificate: true,
    disableFileWatchers: true,
  });
  const client = OPCUAClient.create({
    applicationName: 'lineside-simulator-test',
    endpointMustExist: false,
    securityMode: MessageSecurityMode.None,
    securityPolicy: SecurityPolicy.None,
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    clientCertificateManager,
  });
  let session: ClientSession | null = null;
  try {
    await client.connect(line.endpoints.opcua);
    session = await client.createSession();
    const s = session;

    const nsArray = await s.read({ nodeId: 'i=2255', attributeId: AttributeIds.Value });
    assert.equal((nsArray.value.value as string[])[1], 'urn:lineside:simulator');

    const browse = await s.browse('ns=1;s=Line1');
    const names = (browse.references ?? []).map((r) => r.browseName.name).sort();
    assert.deepEqual(names, ['LineSpeed', 'ProductCode', 'Running', 'SpeedSetpoint', 'State', 'StateText', 'Vibration']);

    const expected = [
      ['State', DataType.Int32],
      ['StateText', DataType.String],
      ['LineSpeed', DataType.Double],
      ['Vibration', DataType.Double],
      ['Running', DataType.Boolean],
      ['ProductCode', DataType.String],
      ['SpeedSetpoint', DataType.Double],
    ] as const;

    await held(async () => {
      const values = await s.read(expected.map(([name]) => ({ nodeId: `ns=1;s=Line1.${name}`, attributeId: AttributeIds.Value })));
      const m = line.model;
      const byName = new Map(expected.map(([name], i) => [name, values[i]]));
      for (const [name, dataType] of expected) {
        const dv = byName.get(name);
        assert.ok(dv, name);
        assert.equal(dv.statusCode.value, StatusCodes.Good.value, `${name} status`);
        assert.equal(dv.value.dataType, dataType, `${name} data type`);
        assert.equal(dv.sourceTimestamp?.getTime(), m.timeMs, `${name} source timestamp = model time`);
      }
      assert.equal(byName.get('State')?.value.value, MachineState.Running);
      assert.equal(byName.get('StateText')?.value.value, 'Running');
      assert.equal(byName.get('LineSpeed')?.value.value, m.lineSpeed);
      assert.equal(byName.get('Vibration')?.value.value, m.vibration);
      assert.equal(byName.get('Running')?.value.value, true);
      assert.equal(byName.get('ProductCode')?.value.value, 'PK-330');
      assert.equal(byName.get('SpeedSetpoint')?.value.value, 120);
    });

    // Scenarios show up over OPC UA without waiting for a tick.
    line.setScenario('jam', true);
    const state = await s.read({ nodeId: 'ns=1;s=Line1.State', attributeId: AttributeIds.Value });
    assert.equal(state.value.value, MachineState.Faulted);
    assert.equal(line.status().scenarios.jam, true);
    line.setScenario('jam', false);

    const write = await s.write({
      nodeId: 'ns=1;s=Line1.SpeedSetpoint',
      attributeId: AttributeIds.Value,
      value: { value: { dataType: DataType.Double, value: 10 } },
    });
    assert.notEqual(write.value, StatusCodes.Good.value, 'SpeedSetpoint is read-only over OPC UA');
    assert.equal(line.model.speedSetpoint, 120);
  } finally {
    await session?.close().catch(() => undefined);
    await client.disconnect();
    await clientCertificateManager.dispose();
  }
});

test('6. a dropout makes Modbus requests time out, without closing the connection; then it recovers', async () => {
  const client = await modbusClient(500);
  await client.readHoldingRegisters(0, 1);

  line.dropout(1_500);
  const until = line.status().dropoutUntil;
  assert.ok(until !== null && until > Date.now() + 1_000, 'status reports the dropout');

  const started = Date.now();
  await assert.rejects(client.readHoldingRegisters(0, 1), isTimeout);
  assert.ok(Date.now() - started >= 450, 'no fast failure: the device just went quiet');
  assert.equal(client.isOpen, true, 'the connection stays open during the dropout');

  const fresh = await modbusClient(500);
  await assert.rejects(fresh.readHoldingRegisters(0, 1), isTimeout, 'new connections are black-holed too');
  await closeModbus(fresh);

  await sleep(Math.max(0, until - Date.now()) + 100);
  assert.equal(line.status().dropoutUntil, null);
  const after = await modbusClient(500);
  assert.equal((await after.readHoldingRegisters(0, 1)).data[0], 120);
  await closeModbus(after);
  await closeModbus(client);
});

test('7. the Modbus server alone: a response delay holds every answer; other unit ids get none', async () => {
  const model = new LineModel({ seed: 5 });
  const server = await startModbusServer({
    host: '127.0.0.1',
    port: 0,
    model,
    clock: systemClock,
    responseDelayMs: 150,
    log: () => undefined,
  });
  const client = new ModbusRTU();
  try {
    await client.connectTCP('127.0.0.1', { port: server.port });
    client.setID(1);
    client.setTimeout(1_000);
    let t = Date.now();
    assert.equal((await client.readHoldingRegisters(0, 1)).data[0], 120);
    assert.ok(Date.now() - t >= 140, `answer after ${Date.now() - t} ms`);
    t = Date.now();
    await assert.rejects(client.readInputRegisters(9, 1), (err: unknown) => modbusCodeOf(err) === 2);
    assert.ok(Date.now() - t >= 140, 'exceptions are delayed as well');

    client.setID(2);
    client.setTimeout(300);
    await assert.rejects(client.readHoldingRegisters(0, 1), isTimeout, 'unit id 2 is not answered');
  } finally {
    await new Promise<void>((resolve) => client.close(() => resolve()));
    await server.close();
  }
});
