/**
 * The people side through a started runtime and its real SQLite file: a signature the project
 * asks for (shelving a priority 1 alarm), lockout after failed sign-ins raising the sign-in
 * alarm with the same words for unknown users and wrong passwords, and the audit chain checked
 * by `npm run audit -- verify` after the file was edited behind the app's back.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { startRuntime } from '../../main/app/runtime';
import type { RuntimeHost } from '../../main/app/runtime-host';
import { tempDir, waitFor } from '../helpers/temp';
import { admin, connect, signedIn, TEST_PASSWORD } from '../helpers/runtime-session';

const tmp = tempDir();
const dataDir = join(tmp.dir, 'data');
let rt: RuntimeHost;
const project = `version: 1
name: Security
devices:
  - { id: plc, protocol: modbus-tcp, host: 127.0.0.1, port: 1, enabled: false }
tags:
  - { id: EStopOk, device: plc, address: CO0, dataType: bool }
alarms:
  definitions:
    - { id: EStop, type: discrete, tag: EStopOk, equals: false, priority: 1, message: Emergency stop pressed }
security:
  roles:
    useradmin: { grants: [view, users.manage] }
  lockout: { attempts: 3, minutes: 5, unknownIdFailures: 3 }
  signatures:
    - { action: alarms.shelve, priorities: [1, 2], meaning: performed, comment: true }
`;

before(async () => {
  writeFileSync(join(tmp.dir, 'project.yaml'), project);
  rt = await startRuntime({ projectFile: join(tmp.dir, 'project.yaml'), dataDir, shell: 'headless' });
});

after(async () => {
  await rt?.close();
  tmp.cleanup();
});

test('1. shelving a priority 1 alarm needs a signature; the signature names who, when, meaning', async () => {
  const op = await signedIn(rt, ['operator'], 'olga');
  // the E-stop alarm comes in: EStopOk false (a value as acquisition would publish it)
  await waitFor('definitions', async () => (await op.call('alarms.definitions', {})).definitions.length > 0, 5000);
  const r0 = await op.conn.handle('alarms.shelve', { alarmId: 'EStop', mode: 'oneShot', reason: 'checking the circuit' });
  assert.equal(r0.ok, false);
  assert.equal(!r0.ok && r0.error.code, 'signature_required');
  assert.equal(!r0.ok && r0.error.context?.kind, 'signature');
  const wrong = await op.conn.handle('alarms.shelve', { alarmId: 'EStop', mode: 'oneShot', reason: 'checking the circuit' }, { meaning: 'performed', comment: 'x', secret: 'not-my-password' });
  assert.equal(!wrong.ok && wrong.error.code, 'unauthenticated');
  const noComment = await op.conn.handle('alarms.shelve', { alarmId: 'EStop', mode: 'oneShot', reason: 'checking the circuit' }, { meaning: 'performed', secret: TEST_PASSWORD });
  assert.equal(!noComment.ok && noComment.error.code, 'unauthenticated');
  // the alarm is normal here (no device), so the engine refuses the shelve itself — but only
  // after the signature was taken: the signature is on record with the refused action
  const signed = await op.conn.handle('alarms.shelve', { alarmId: 'EStop', mode: 'oneShot', reason: 'checking the circuit' }, { meaning: 'performed', comment: 'circuit test', secret: TEST_PASSWORD });
  assert.ok(signed.ok || signed.error.code === 'refused', JSON.stringify(signed));
  const sigs = await op.call('signatures.forTarget', { target: 'EStop' });
  assert.equal(sigs.length, 1);
  assert.deepEqual([sigs[0].userId, sigs[0].printedName, sigs[0].meaning, sigs[0].comment], ['olga', 'Test olga', 'performed', 'circuit test']);
  assert.match(sigs[0].contentHash, /^[0-9a-f]{64}$/);
  const a = await admin(rt);
  const entry = (await a.call('audit.query', { action: 'alarm.shelve', limit: 1 })).entries[0];
  assert.equal(entry.signature?.printedName, 'Test olga');
  assert.equal(entry.signature?.meaning, 'performed');
  assert.equal(sigs[0].auditId, entry.id, 'the signature links to its audit record');
});

test('2. failed sign-ins: one message for unknown user and wrong password; lockout raises the sign-in alarm', async () => {
  await signedIn(rt, ['operator'], 'pete');
  const c = connect(rt, 'lockout-station', 'panel 3');
  const unknown = await c.conn.handle('session.signIn', { userId: 'nobody', password: 'whatever1' });
  const wrong = await c.conn.handle('session.signIn', { userId: 'pete', password: 'whatever1' });
  assert.ok(!unknown.ok && !wrong.ok);
  assert.equal(!unknown.ok && unknown.error.message, !wrong.ok && wrong.error.message);
  await c.conn.handle('session.signIn', { userId: 'pete', password: 'whatever2' });
  await c.conn.handle('session.signIn', { userId: 'pete', password: 'whatever3' });
  const right = await c.conn.handle('session.signIn', { userId: 'pete', password: TEST_PASSWORD });
  assert.equal(right.ok, false, 'locked: even the right password is refused');
  await waitFor('the sign-in alarm to be active', async () => (await c.call('alarms.list', {})).some((s) => s.id === 'Lineside.SignIn' && s.active), 5000);
  const a = await admin(rt);
  const lockout = (await a.call('audit.query', { action: 'session.lockout', limit: 1 })).entries[0];
  assert.deepEqual([lockout.target, lockout.station], ['pete', 'panel 3']);
  await a.call('users.unlock', { userId: 'pete' });
  assert.equal((await c.conn.handle('session.signIn', { userId: 'pete', password: TEST_PASSWORD })).ok, true);
});

test('3. the audit chain: verify passes, then an edit behind the app’s back is named by record', async () => {
  const verify = () => spawnSync(process.execPath, [join(__dirname, '..', '..', 'main', 'cli', 'audit.js'), 'verify', '--data-dir', dataDir], { encoding: 'utf8' });
  const a = await admin(rt);
  assert.equal((await a.call('audit.verify', {})).ok, true);
  const good = verify();
  assert.equal(good.status, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /audit chain ok: \d+ records/);
  const target = (await a.call('audit.query', { action: 'session.signIn', limit: 1 })).entries[0].id;
  const db = new Database(join(dataDir, 'lineside.db'));
  db.prepare("UPDATE audit SET user = 'mallory' WHERE id = ?").run(target);
  db.close();
  const bad = verify();
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, new RegExp(`BROKEN at record ${target}: its content does not match its hash`));
  const viaApi = await a.call('audit.verify', {});
  assert.deepEqual([viaApi.ok, viaApi.firstBad?.id], [false, target]);
});

test('4. nobody takes user management away from themselves, whatever the role is called; refused changes go on record', async () => {
  const uma = await signedIn(rt, ['useradmin'], 'uma');
  const self = await uma.conn.handle('users.update', { userId: 'uma', roles: ['viewer'] });
  assert.equal(self.ok, false);
  assert.ok(!self.ok && self.error.code === 'refused' && /your own user management/.test(self.error.message), JSON.stringify(self));
  const a = await admin(rt);
  const disable = await a.conn.handle('users.update', { userId: 'admin', enabled: false });
  assert.ok(!disable.ok && disable.error.code === 'refused', JSON.stringify(disable));
  const weak = await a.conn.handle('users.resetPassword', { userId: 'uma', password: 'short' });
  assert.ok(!weak.ok && weak.error.code === 'bad_request', JSON.stringify(weak));
  const refused = (await a.call('audit.query', { action: 'user.', limit: 20 })).entries.filter((e) => e.outcome === 'refused');
  assert.deepEqual(
    refused.map((e) => [e.user, e.action, e.target]).reverse(),
    [
      ['uma', 'user.update', 'uma'],
      ['admin', 'user.update', 'admin'],
      ['admin', 'user.resetPassword', 'uma'],
    ],
  );
  assert.match(refused[0].detail, /at least \d+ characters/);
});
