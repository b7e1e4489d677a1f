/**
 * OPC UA settings in the project file: defaults, and inconsistent combinations refused with
 * the field that is wrong.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { opcuaUser } from '../../main/app/driver-factory';
import { parseProjectText, ProjectFileError } from '../../main/config/project-loader';

const project = (device: string, tag = '') => `version: 1
name: Test line
devices:
  - id: plc
    protocol: opcua
    endpoint: opc.tcp://10.0.0.5:4840
${device}
tags:
  - id: T1
    device: plc
    address: ns=2;s=Speed
    dataType: float64
${tag}`;

function issues(text: string): string[] {
  try {
    parseProjectText(text, 'line.yaml');
  } catch (e) {
    if (e instanceof ProjectFileError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

test('1. defaults: subscription, no security, anonymous', () => {
  const d = parseProjectText(project('')).devices[0];
  assert.equal(d.protocol, 'opcua');
  if (d.protocol !== 'opcua') return;
  assert.equal(d.mode, 'subscription');
  assert.equal(d.securityMode, 'None');
  assert.equal(d.securityPolicy, undefined);
  assert.equal(opcuaUser(d, {}), null);
});

test('2. secure mode, policy, user with the password in an environment variable', () => {
  const d = parseProjectText(
    project('    mode: polling\n    securityMode: SignAndEncrypt\n    securityPolicy: Aes256_Sha256_RsaPss\n    username: hmi\n    passwordEnv: LINESIDE_PLC1_PASSWORD'),
  ).devices[0];
  if (d.protocol !== 'opcua') return assert.fail('opcua');
  assert.deepEqual([d.mode, d.securityMode, d.securityPolicy], ['polling', 'SignAndEncrypt', 'Aes256_Sha256_RsaPss']);
  assert.deepEqual(opcuaUser(d, { LINESIDE_PLC1_PASSWORD: 'pw' }), { username: 'hmi', password: 'pw', passwordSource: 'environment variable LINESIDE_PLC1_PASSWORD' });
  assert.equal(opcuaUser(d, { LINESIDE_PLC1_PASSWORD: '' })?.password, undefined, 'an empty variable is no password');
});

test('3. inconsistent security settings are refused, naming the field', () => {
  assert.deepEqual(issues(project('    securityPolicy: Basic256Sha256')), ['devices[0].securityPolicy: Basic256Sha256 needs securityMode Sign or SignAndEncrypt']);
  assert.deepEqual(issues(project('    securityMode: Sign\n    securityPolicy: None')), ['devices[0].securityPolicy: securityMode Sign needs a policy other than None']);
  assert.match(issues(project('    securityMode: Encrypt')).join(), /devices\[0\]\.securityMode/);
  assert.match(issues(project('    securityMode: Sign\n    securityPolicy: Basic128Rsa15')).join(), /devices\[0\]\.securityPolicy/);
});

test('4. user settings: a password needs a user, a user needs a password, not both sources', () => {
  assert.deepEqual(issues(project('    password: x')), ['devices[0].username: a password needs a username']);
  assert.deepEqual(issues(project('    username: hmi')), ['devices[0].password: username hmi needs password or passwordEnv']);
  assert.deepEqual(issues(project('    username: hmi\n    password: x\n    passwordEnv: PW')), ['devices[0].passwordEnv: give password or passwordEnv, not both']);
  assert.match(issues(project('    username: hmi\n    passwordEnv: my-password')).join(), /passwordEnv: must be an environment variable name/);
});

test('5. a per-tag deadband for the subscription', () => {
  const t = parseProjectText(project('', '    opcuaDeadband: { type: percent, value: 0.5 }')).tags[0];
  assert.deepEqual(t.opcuaDeadband, { type: 'percent', value: 0.5 });
  assert.match(issues(project('', '    opcuaDeadband: { type: percent, value: 150 }')).join(), /tags\[0\]\.opcuaDeadband\.value: a percent deadband is at most 100/);
  assert.match(issues(project('', '    opcuaDeadband: { type: relative, value: 1 }')).join(), /tags\[0\]\.opcuaDeadband\.type/);
});
