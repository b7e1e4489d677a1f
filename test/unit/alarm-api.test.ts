/**
 * The alarm methods as the runtime serves them: the role check happens there (anonymous is an
 * operator: out of service is refused, and the refusal is on record), errors are typed, and a
 * device's connection states map to communication loss as the drivers report them.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ApiError } from '../../shared/api';
import { alarmHandlers, createAlarmService, deviceCommunication } from '../../main/app/alarm-api';
import { defaultRoles, type Grant } from '../../shared/security';
import type { Caller } from '../../main/security/caller';
import { parseProjectText } from '../../main/config/project-loader';
import { openDatabase } from '../../main/historian/database';
import { AuditTrail } from '../../main/security/audit-trail';
import { FakeClock } from '../../main/util/clock';
import { createLogger } from '../../main/util/log';
import { tempDir } from '../helpers/temp';

const tmp = tempDir();
after(() => tmp.cleanup());

const project = parseProjectText(`version: 1
name: t
devices:
  - { id: plc, protocol: modbus-tcp, host: 127.0.0.1 }
tags:
  - { id: temp, device: plc, address: HR0, dataType: float32 }
alarms:
  definitions:
    - { id: T.H, type: high, tag: temp, limit: 80, priority: 2, message: Temperature high }
`);

function rig() {
  const db = openDatabase(join(tmp.dir, `api-${Math.random().toString(36).slice(2)}.db`));
  const audit = new AuditTrail(db);
  const clock = new FakeClock();
  const service = createAlarmService({ project, db, clock, emit: () => undefined, audit: (r) => audit.record(r), log: createLogger('test') });
  const h = alarmHandlers(service);
  service.ingest([{ tagId: 'temp', value: 90, quality: { level: 'good', reason: 'ok' }, sourceTs: clock.now(), ts: clock.now() }]);
  return { db, audit, service, h, close: () => (service.close(), db.close()) };
}

function caller(roles: string[], grants: readonly Grant[]): Caller {
  return { userId: 'ann', name: 'Ann', roles, grants, station: 'test', sessionId: 's', signatureId: null, actor: { user: 'ann', station: 'test', signatureId: null } };
}
const operator = caller(['operator'], defaultRoles.operator);

test('1. what the screen is told a role may do follows the role table: operator, viewer, engineer', () => {
  const r = rig();
  const allowed = (c: Caller) => (r.h['alarms.definitions']({}, c) as { permissions: { allowed: Record<string, boolean>; role: string } }).permissions;
  const op = allowed(operator);
  for (const a of ['acknowledge', 'shelve', 'unshelve', 'reset', 'comment']) assert.equal(op.allowed[a], true, a);
  assert.equal(op.allowed.removeFromService, false);
  assert.equal(op.role, 'operator');
  assert.equal(Object.values(allowed(caller([], ['view'])).allowed).some(Boolean), false, 'a viewer may do nothing');
  assert.equal(allowed(caller(['engineer'], defaultRoles.engineer)).allowed.removeFromService, true);
  r.close();
});

test('2. actions carry the caller: user and station on record', () => {
  const r = rig();
  r.h['alarms.acknowledge']({ alarmIds: ['T.H'], comment: 'seen' }, operator);
  const [last] = r.audit.recent(1);
  assert.deepEqual([last.action, last.target, last.outcome, last.user, last.station], ['alarm.acknowledge', 'T.H', 'done', 'ann', 'test']);
  r.close();
});

test('3. refusals by state and unknown alarms come back as typed errors', () => {
  const r = rig();
  assert.throws(() => r.h['alarms.reset']({ alarmId: 'T.H' }, operator), (e: unknown) => e instanceof ApiError && e.code === 'refused');
  assert.throws(() => r.h['alarms.comment']({ alarmId: 'nope', text: 'x' }, operator), (e: unknown) => e instanceof ApiError && e.code === 'not_found');
  const ok = r.h['alarms.acknowledge']({ alarmIds: ['T.H'] }, operator) as { done: string[] };
  assert.deepEqual(ok.done, ['T.H']);
  const cfg = r.h['alarms.definitions']({}, operator) as { definitions: { condition: string }[]; permissions: { allowed: Record<string, boolean> } };
  assert.equal(cfg.definitions[0].condition, '≥ 80');
  assert.equal(cfg.permissions.allowed.removeFromService, false);
  r.close();
});

test('4. device states: the first connection is not a loss; backing off, or reconnecting after being online, is', () => {
  const c = deviceCommunication();
  assert.equal(c('plc', 'stopped'), null);
  assert.equal(c('plc', 'connecting'), null, 'start-up: not yet');
  assert.equal(c('plc', 'backoff'), false, 'the first connection failed');
  assert.equal(c('plc', 'connecting'), null);
  assert.equal(c('plc', 'online'), true);
  assert.equal(c('plc', 'degraded'), true);
  assert.equal(c('plc', 'connecting'), false, 'lost after having been online');
  assert.equal(c('other', 'connecting'), null, 'per device');
});

test('5. definitions carry the numeric limit of limit alarms, null for every other type', () => {
  const p = parseProjectText(`version: 1
name: t
devices:
  - { id: plc, protocol: modbus-tcp, host: 127.0.0.1 }
tags:
  - { id: temp, device: plc, address: HR0, dataType: float32 }
  - { id: sp, device: plc, address: HR2, dataType: float32 }
alarms:
  definitions:
    - { id: T.HH, type: highHigh, tag: temp, limit: 95.5, priority: 1, message: a }
    - { id: T.H, type: high, tag: temp, limit: 80, priority: 2, message: b }
    - { id: T.L, type: low, tag: temp, limit: 10, priority: 3, message: c }
    - { id: T.LL, type: lowLow, tag: temp, limit: -5, priority: 2, message: d }
    - { id: T.Dev, type: deviation, tag: temp, setpointTag: sp, limit: 7, priority: 3, message: e }
    - { id: T.Bad, type: badQuality, tag: temp, priority: 4, message: f }
    - { id: plc.Comm, type: commLoss, device: plc, priority: 2, message: g }
`);
  const db = openDatabase(join(tmp.dir, `limits-${Math.random().toString(36).slice(2)}.db`));
  const service = createAlarmService({ project: p, db, clock: new FakeClock(), emit: () => undefined, audit: () => undefined, log: createLogger('test') });
  try {
    const defs = alarmHandlers(service)['alarms.definitions']({}, operator) as { definitions: { id: string; limit: number | null }[] };
    const limits = Object.fromEntries(defs.definitions.map((d) => [d.id, d.limit]));
    assert.deepEqual(limits, { 'T.HH': 95.5, 'T.H': 80, 'T.L': 10, 'T.LL': -5, 'T.Dev': null, 'T.Bad': null, 'plc.Comm': null });
  } finally {
    service.close();
    db.close();
  }
});
