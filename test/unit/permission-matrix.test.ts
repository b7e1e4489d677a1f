/**
 * The permission table (shared/method-permissions.ts) against the real API: every method ×
 * every shipped role, through a started runtime's sessions. A method whose role lacks the
 * permission must come back `forbidden` (checked in the runtime, whatever the UI shows); a
 * method it has must never be `forbidden`. The sample params below must validate, so that the
 * check is reached (a bad_request would hide it): a new method without sample params fails here.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startRuntime } from '../../main/app/runtime';
import type { RuntimeHost } from '../../main/app/runtime-host';
import { methodNames, type MethodName } from '../../shared/api-channels';
import { METHOD_PERMISSIONS } from '../../shared/method-permissions';
import { defaultRoles, grantsAllow } from '../../shared/security';
import { tempDir } from '../helpers/temp';
import { admin, connect, signedIn, type TestConnection } from '../helpers/runtime-session';

const tmp = tempDir();
let rt: RuntimeHost;
const project = `version: 1
name: Matrix
devices:
  - { id: plc, protocol: modbus-tcp, host: 127.0.0.1, port: 1, enabled: false }
  - { id: ua, protocol: opcua, endpoint: "opc.tcp://127.0.0.1:1", enabled: false }
tags:
  - { id: A, device: plc, address: HR0, dataType: float32, writable: true }
alarms:
  definitions:
    - { id: A.H, type: high, tag: A, limit: 80, priority: 3, message: A high }
`;

const T = 1_700_000_000_000;
const SAMPLE: Record<MethodName, unknown> = {
  'app.info': {},
  'tags.list': {},
  'values.snapshot': {},
  'history.query': { tagId: 'A', from: T, to: T + 1000, maxPoints: 10 },
  'history.buckets': { tagIds: ['A'], from: T, to: T + 1000, buckets: 2 },
  'history.status': {},
  'history.trend': { tagIds: ['A'], from: T, to: T + 1000, maxPoints: 10 },
  'trendViews.list': {},
  'trendViews.save': { name: 'v', pens: [{ tagId: 'A' }], range: { kind: 'preset', preset: '1h' } },
  'trendViews.delete': { id: 999 },
  'devices.list': {},
  'simulator.status': {},
  'simulator.setScenario': { scenario: 'jam', on: false },
  'simulator.dropout': { seconds: 1 },
  'tags.write': { tagId: 'A', value: 1 },
  'audit.recent': { limit: 5 },
  'opcua.browse': { deviceId: 'ua' },
  'opcua.certificates': { deviceId: 'ua' },
  'opcua.trustCertificate': { deviceId: 'ua', thumbprint: '0'.repeat(40) },
  'alarms.definitions': {},
  'alarms.list': {},
  'alarms.acknowledge': { alarmIds: ['A.H'] },
  'alarms.shelve': { alarmId: 'A.H', mode: 'oneShot', reason: 'matrix test' },
  'alarms.unshelve': { alarmId: 'A.H' },
  'alarms.reset': { alarmId: 'A.H' },
  'alarms.comment': { alarmId: 'A.H', text: 'x' },
  'alarms.removeFromService': { alarmId: 'A.H', reason: 'matrix test' },
  'alarms.returnToService': { alarmId: 'A.H' },
  'alarms.journal': { from: T, to: T + 1000 },
  'alarms.journalCsv': { from: T, to: T + 1000 },
  'alarms.kpis': { from: T, to: T + 1000 },
  'sync.status': {},
  'sync.quarantine': {},
  'sync.retryQuarantined': { ids: [1] },
  'sync.deleteQuarantined': { ids: [1], reason: 'matrix test' },
  'session.status': {},
  'session.signIn': { userId: 'nobody-here', password: 'x' },
  'session.signInBadge': { badge: '0000', pin: '0000' },
  'session.signOut': {},
  'session.activity': {},
  'session.lock': {},
  'session.unlock': { secret: 'x' },
  'session.changePassword': { current: 'x', next: 'y' },
  'session.createFirstAdmin': { userId: 'second', name: 'Second Admin', password: 'long-enough-1' },
  'users.list': {},
  'users.create': { userId: 'matrix-made', name: 'Matrix Made', roles: ['viewer'], password: 'long-enough-1' },
  'users.update': { userId: 'no-such-user', enabled: true },
  'users.resetPassword': { userId: 'no-such-user', password: 'long-enough-1' },
  'users.setBadge': { userId: 'no-such-user', badge: null },
  'users.unlock': { userId: 'no-such-user' },
  'audit.query': {},
  'audit.csv': {},
  'audit.verify': {},
  'signatures.forTarget': { target: 'A.H' },
  'instructions.list': {},
  'instructions.version': { hash: '0'.repeat(64) },
  'instructions.media': { hash: '0'.repeat(64), sha256: '1'.repeat(64) },
  'instructions.reload': {},
  'instructions.submit': { hash: '0'.repeat(64) },
  'instructions.reject': { hash: '0'.repeat(64), reason: 'matrix test' },
  'instructions.approve': { hash: '0'.repeat(64) },
  'instructions.release': { hash: '0'.repeat(64) },
  'instructions.retire': { hash: '0'.repeat(64), reason: 'matrix test' },
  'runs.start': { instructionId: 'no-such-instruction' },
  'runs.get': { runId: 999 },
  'runs.complete': { runId: 999, stepId: 'x' },
  'runs.abort': { runId: 999, reason: 'matrix test' },
  'runs.list': {},
  'instructions.exportPackage': { hash: '0'.repeat(64) },
  'instructions.importPackage': { fileName: 'x.lsip', data: 'e30=' },
  'packageKeys.list': {},
  'packageKeys.own': {},
  'packageKeys.trust': { publicKey: Buffer.alloc(32, 7).toString('base64'), name: 'matrix test' },
  'packageKeys.remove': { fingerprint: '00'.repeat(32), reason: 'matrix test' },
  'production.config': {},
  'production.live': {},
  'production.kpis': { from: T, to: T + 1000 },
  'production.timeline': { from: T, to: T + 1000 },
  'production.downtime.list': {},
  'production.downtime.setReason': { id: 1, reasonCode: 'X' },
  'production.downtime.split': { id: 1, at: T },
  'production.downtime.comment': { id: 1, text: 'x' },
  'production.product.set': { product: 'P' },
  'maintenance.create': { title: 'matrix test' },
  'maintenance.list': {},
  'maintenance.get': { id: 1 },
  'maintenance.transition': { id: 1, to: 'acknowledged' },
};
// These change the caller's own session: run last, or on a session of their own.
const SESSION_CHANGING = new Set<MethodName>(['session.signIn', 'session.signInBadge', 'session.signOut', 'session.lock', 'session.unlock', 'session.changePassword']);

before(async () => {
  writeFileSync(join(tmp.dir, 'project.yaml'), project);
  rt = await startRuntime({ projectFile: join(tmp.dir, 'project.yaml'), dataDir: join(tmp.dir, 'data'), shell: 'headless' });
  await admin(rt);
});

after(async () => {
  await rt?.close();
  tmp.cleanup();
});

test('1. every API method has a permission, and every permission is a known one', () => {
  assert.deepEqual(Object.keys(METHOD_PERMISSIONS).sort(), [...methodNames].sort());
  assert.deepEqual(Object.keys(SAMPLE).sort(), [...methodNames].sort(), 'sample params for every method');
});

test('2. every method × every shipped role, and nobody signed in, through the real API', { timeout: 120_000 }, async () => {
  const roles = ['(nobody)', ...Object.keys(defaultRoles)];
  let checked = 0;
  for (const role of roles) {
    const grants = role === '(nobody)' ? ['view' as const] : defaultRoles[role as keyof typeof defaultRoles];
    const session: TestConnection = role === '(nobody)' ? connect(rt) : await signedIn(rt, [role], `m-${role}`);
    for (const method of methodNames) {
      if (SESSION_CHANGING.has(method)) continue;
      const reply = await session.conn.handle(method, SAMPLE[method]);
      const code = reply.ok ? 'ok' : reply.error.code;
      assert.notEqual(code, 'bad_request', `${method}: the sample params must validate (${!reply.ok ? reply.error.message : ''})`);
      const allowed = grantsAllow(grants, METHOD_PERMISSIONS[method]);
      if (allowed) assert.notEqual(code, 'forbidden', `${role} may call ${method}: ${!reply.ok ? reply.error.message : ''}`);
      else assert.equal(code, 'forbidden', `${role} must be refused ${method} (got ${code})`);
      checked++;
    }
  }
  assert.ok(checked >= roles.length * (methodNames.length - SESSION_CHANGING.size));
});

test('3. a refusal is on record with who, where, what', async () => {
  const viewer = connect(rt, 'matrix-viewer', 'panel 7');
  const r = await viewer.conn.handle('tags.write', { tagId: 'A', value: 5 });
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.error.message : '', /nobody is signed in: sign in to write setpoints/);
  const a = await admin(rt);
  const page = await a.call('audit.query', { action: 'tags.write', limit: 5 });
  const last = page.entries[0];
  assert.deepEqual([last.user, last.station, last.target, last.outcome], ['(viewer)', 'panel 7', 'A', 'refused']);
});
