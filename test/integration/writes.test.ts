/**
 * Operator writes through the runtime's API against the built-in simulator's real servers:
 * limits, device state and quality checks, read-back verification, and the audit trail.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startRuntime } from '../../main/app/runtime';
import type { RuntimeHost } from '../../main/app/runtime-host';
import type { ApiReply, TagWriteResult } from '../../shared/api';
import type { AuditEntry, DeviceStatus, TagValue } from '../../shared/types';
import { tempDir, waitFor } from '../helpers/temp';
import { as } from '../helpers/runtime-session';


let rt: RuntimeHost;
const tmp = tempDir();

async function call<T>(method: string, params: unknown): Promise<ApiReply<T>> {
  // the simulator is maintenance's to drive; the writes are an operator's
  const who = method.startsWith('simulator.') ? ['maintenance'] : ['operator'];
  return (await (await as(rt, who)).conn.handle(method, params)) as ApiReply<T>;
}

async function value(tagId: string): Promise<TagValue | undefined> {
  const r = await call<TagValue[]>('values.snapshot', { tagIds: [tagId] });
  return r.ok ? r.result[0] : undefined;
}

before(async () => {
  rt = await startRuntime({ dataDir: tmp.dir, shell: 'headless', simulator: { log: () => undefined, idlePeriods: false } });
  await waitFor('both devices online and values good', async () => {
    const d = await call<DeviceStatus[]>('devices.list', {});
    const sp = await value('L1.SpeedSetpoint');
    return d.ok && d.result.every((x) => x.state === 'online') && sp?.quality.level === 'good';
  }, 15_000);
});

after(async () => {
  await rt.close();
  tmp.cleanup();
});

test('1. a setpoint write is carried out, read back, verified, shown and recorded', async () => {
  const r = await call<TagWriteResult>('tags.write', { tagId: 'L1.SpeedSetpoint', value: 150 });
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.result.readBack, 150);
  assert.equal(r.result.verified, true);
  assert.equal((await value('L1.SpeedSetpoint'))?.value, 150, 'the live value shows the read-back at once');
  // the line follows: the OPC UA mirror of the setpoint changes too
  await waitFor('the controller to see the new setpoint', async () => (await value('L1.SpeedSetpointMirror'))?.value === 150, 5000);
  const audit = await call<AuditEntry[]>('audit.recent', { limit: 5, target: 'L1.SpeedSetpoint' });
  assert.ok(audit.ok);
  const last = audit.result[0];
  assert.equal(last.user, 'operator');
  assert.equal(last.station, 'test');
  assert.equal(last.action, 'tag.write');
  assert.equal(last.oldValue, 120);
  assert.equal(last.newValue, 150);
  assert.equal(last.outcome, 'done');
  assert.ok(Math.abs(last.ts - Date.now()) < 5000);
});

test('2. out of the tag limits, wrong type, read-only and unknown tags are refused and recorded', async () => {
  const above = await call('tags.write', { tagId: 'L1.SpeedSetpoint', value: 250 });
  assert.equal(above.ok, false);
  assert.equal(!above.ok && above.error.code, 'refused');
  assert.match(!above.ok ? above.error.message : '', /above the maximum 200/);
  const wrongType = await call('tags.write', { tagId: 'L1.SpeedSetpoint', value: true });
  assert.match(!wrongType.ok ? wrongType.error.message : '', /expects a number/);
  const readOnly = await call('tags.write', { tagId: 'L1.MotorCurrent', value: 3 });
  assert.equal(!readOnly.ok && readOnly.error.code, 'forbidden');
  const unknown = await call('tags.write', { tagId: 'L1.Nope', value: 3 });
  assert.equal(!unknown.ok && unknown.error.code, 'not_found');
  const badPayload = await call('tags.write', { tagId: 'L1.SpeedSetpoint', value: { $gt: 1 } });
  assert.equal(!badPayload.ok && badPayload.error.code, 'bad_request');
  const audit = await call<AuditEntry[]>('audit.recent', { limit: 10 });
  assert.ok(audit.ok);
  const refused = audit.result.filter((a) => a.outcome === 'refused');
  assert.ok(refused.length >= 4, `${refused.length} refusals on record`);
  assert.ok(refused.some((a) => a.target === 'L1.SpeedSetpoint' && a.newValue === 250 && /maximum/.test(a.detail)));
  assert.equal((await value('L1.SpeedSetpoint'))?.value, 150, 'nothing changed');
});

test('3. a command bit: run command off stops the line, on starts it', async () => {
  const off = await call<TagWriteResult>('tags.write', { tagId: 'L1.RunCommand', value: false });
  assert.ok(off.ok && off.result.verified, JSON.stringify(off));
  await waitFor('the line to stop', async () => (await value('L1.Running'))?.value === false, 5000);
  const on = await call<TagWriteResult>('tags.write', { tagId: 'L1.RunCommand', value: true });
  assert.ok(on.ok && on.result.verified);
  await waitFor('the line to run again', async () => (await value('L1.Running'))?.value === true, 8000);
});

test('4. while the PLC does not answer, writes are refused (not queued) and recorded', async () => {
  await call('simulator.dropout', { seconds: 4 });
  await waitFor('the setpoint to turn bad', async () => (await value('L1.SpeedSetpoint'))?.quality.level === 'bad', 5000);
  const r = await call('tags.write', { tagId: 'L1.SpeedSetpoint', value: 100 });
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.error.code, 'refused');
  assert.match(!r.ok ? r.error.message : '', /not online|bad/);
  await waitFor('recovery', async () => (await value('L1.SpeedSetpoint'))?.quality.level === 'good', 15_000);
  assert.equal((await value('L1.SpeedSetpoint'))?.value, 150, 'the refused write never reached the PLC');
});
