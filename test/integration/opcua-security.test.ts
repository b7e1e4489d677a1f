/**
 * OPC UA security against a real server: an unknown server certificate is rejected (never
 * accepted by itself), shown with its thumbprint and trusted through the API; Sign and
 * SignAndEncrypt with each policy; user name and password, right and wrong.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { stringify } from 'yaml';
import { opcuaUser } from '../../main/app/driver-factory';
import { startRuntime } from '../../main/app/runtime';
import type { OpcUaDeviceConfig } from '../../main/config/project-schema';
import type { ApiReply, ResultOf } from '../../shared/api';
import type { OpcUaSecurityMode, OpcUaSecurityPolicy } from '../../shared/opcua';
import type { DeviceStatus, TagValue } from '../../shared/types';
import { lineTags, readMap, startTestOpcUaServer, testDriver, trustByFile, type TestOpcUaServer } from '../helpers/opcua-test-server';
import { tempDir, waitFor } from '../helpers/temp';
import { as } from '../helpers/runtime-session';

const tmp = tempDir('lineside-opcua-security-');
let srv: TestOpcUaServer;
let thumbprint: string;
/** a client PKI that trusts the server (the manual procedure: the file copied to trusted/certs) */
const trustingPki = join(tmp.dir, 'trusting-pki');

before(async () => {
  srv = await startTestOpcUaServer({ pkiDir: join(tmp.dir, 'server-pki'), users: [{ username: 'operator', password: 's3cret' }] });
  thumbprint = createHash('sha1').update(srv.server.certificate).digest('hex');
  trustByFile(trustingPki, srv.server.certificate);
});

after(async () => {
  await srv.stop();
  tmp.cleanup();
});

function ok<T>(reply: ApiReply<unknown>): T {
  if (!reply.ok) assert.fail(`API error: ${reply.error.code}: ${reply.error.message}`);
  return reply.result as T;
}

test('1. an unknown server certificate is rejected with its thumbprint; trusted through the API, the device connects', async (t) => {
  const dataDir = join(tmp.dir, 'runtime');
  const projectFile = join(tmp.dir, 'secure.yaml');
  writeFileSync(
    projectFile,
    stringify({
      version: 1,
      name: 'secure line',
      devices: [{ id: 'plc1', protocol: 'opcua', endpoint: srv.endpoint, securityMode: 'SignAndEncrypt', securityPolicy: 'Basic256Sha256', timeoutMs: 1000 }],
      tags: [{ id: 'L1.Speed', device: 'plc1', address: 'ns=1;s=Line1.LineSpeed', dataType: 'float64', scanMs: 200 }],
    }),
  );
  const host = await startRuntime({ projectFile, dataDir, shell: 'headless' });
  t.after(() => host.close());
  const device = async () => ok<DeviceStatus[]>(await (await as(host, ['engineer'])).conn.handle('devices.list', {}))[0];
  const speed = async () => ok<TagValue[]>(await (await as(host, ['engineer'])).conn.handle('values.snapshot', { tagIds: ['L1.Speed'] }))[0];

  const refused = await waitFor('the certificate to be refused', async () => ((await device()).certificate ? device() : null), 8000);
  assert.deepEqual({ thumbprint: refused.certificate!.thumbprint, trusted: refused.certificate!.trusted }, { thumbprint, trusted: false });
  assert.match(refused.certificate!.subject, /CN=/);
  assert.match(refused.lastError ?? '', new RegExp(`not trusted.*${thumbprint}`));
  assert.notEqual(refused.state, 'online');
  assert.notEqual((await speed()).quality.level, 'good');
  const rejected = readdirSync(join(dataDir, 'pki', 'rejected'));
  assert.ok(rejected.some((f) => f.includes(thumbprint)), `in pki/rejected: ${rejected.join(', ')}`);
  // Nothing was trusted behind the engineer's back, however many attempts were made.
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(readdirSync(join(dataDir, 'pki', 'trusted', 'certs')).length, 0);

  const certs = ok<ResultOf<'opcua.certificates'>>(await (await as(host, ['engineer'])).conn.handle('opcua.certificates', { deviceId: 'plc1' }));
  assert.deepEqual(certs.rejected.map((c) => c.thumbprint), [thumbprint]);
  assert.match(certs.own?.subject ?? '', /Lineside HMI/);
  assert.ok(existsSync(join(dataDir, 'pki', 'own', 'certs', 'client_certificate.pem')), 'client certificate created on first run');

  const wrong = await (await as(host, ['engineer'])).conn.handle('opcua.trustCertificate', { deviceId: 'plc1', thumbprint: '0'.repeat(40) });
  assert.equal(!wrong.ok && wrong.error.code, 'not_found');

  // As a tool prints it: upper case, colon separated.
  const printed = thumbprint.toUpperCase().match(/../g)!.join(':');
  const trusted = ok<ResultOf<'opcua.trustCertificate'>>(await (await as(host, ['engineer'])).conn.handle('opcua.trustCertificate', { deviceId: 'plc1', thumbprint: printed }));
  assert.equal(trusted.certificate.thumbprint, thumbprint);
  const connected = Date.now();
  await waitFor('the tag to turn good', async () => (await speed()).quality.level === 'good', 8000);
  const after = await device();
  assert.equal(after.state, 'online');
  assert.equal(after.certificate?.trusted, true);
  t.diagnostic(`connected ${Date.now() - connected} ms after the trust action`);

  const audit = ok<ResultOf<'audit.recent'>>(await (await as(host, ['engineer'])).conn.handle('audit.recent', { limit: 10, target: 'plc1' }));
  assert.deepEqual(
    audit.map((a) => [a.action, a.outcome]),
    [
      ['opcua.trustCertificate', 'done'],
      ['opcua.trustCertificate', 'refused'],
    ],
  );
});

const combos: [OpcUaSecurityMode, OpcUaSecurityPolicy][] = [
  ['Sign', 'Basic256Sha256'],
  ['Sign', 'Aes128_Sha256_RsaOaep'],
  ['Sign', 'Aes256_Sha256_RsaPss'],
  ['SignAndEncrypt', 'Basic256Sha256'],
  ['SignAndEncrypt', 'Aes128_Sha256_RsaOaep'],
  ['SignAndEncrypt', 'Aes256_Sha256_RsaPss'],
];

for (const [i, [securityMode, securityPolicy]] of combos.entries()) {
  test(`2.${i + 1} ${securityMode} with ${securityPolicy}`, async (t) => {
    const driver = testDriver({ endpoint: srv.endpoint, pkiDir: trustingPki, securityMode, securityPolicy });
    t.after(() => driver.close());
    const r = await readMap(driver, driver.plan(lineTags(100, 'LineSpeed', 'ProductCode')));
    assert.deepEqual(r.get('LineSpeed')!.quality, { level: 'good', reason: 'ok' }, driver.status().lastError ?? '');
    assert.equal(r.get('ProductCode')!.value, srv.model.snapshot().productCode);
    const st = driver.status();
    assert.equal(st.acquisition?.securityMode, securityMode);
    assert.equal(st.acquisition?.securityPolicy, securityPolicy);
    assert.deepEqual({ thumbprint: st.certificate?.thumbprint, trusted: st.certificate?.trusted }, { thumbprint, trusted: true });
  });
}

test('3. user name and password: accepted; a wrong password is refused, saying so; no session is left behind', async (t) => {
  const good = testDriver({ endpoint: srv.endpoint, pkiDir: trustingPki, user: { username: 'operator', password: 's3cret', passwordSource: 'the project file' } });
  t.after(() => good.close());
  const r = await readMap(good, good.plan(lineTags(100, 'State')));
  assert.equal(r.get('State')!.quality.level, 'good', good.status().lastError ?? '');

  const encrypted = testDriver({
    endpoint: srv.endpoint,
    pkiDir: trustingPki,
    securityMode: 'SignAndEncrypt',
    securityPolicy: 'Aes256_Sha256_RsaPss',
    user: { username: 'operator', password: 's3cret', passwordSource: 'the project file' },
  });
  t.after(() => encrypted.close());
  assert.equal((await readMap(encrypted, encrypted.plan(lineTags(100, 'State')))).get('State')!.quality.level, 'good', encrypted.status().lastError ?? '');
  const sessions = srv.server.sessionCount;

  const wrong = testDriver({
    endpoint: srv.endpoint,
    pkiDir: trustingPki,
    user: { username: 'operator', password: 'guess', passwordSource: 'the project file' },
    backoff: { initialMs: 100, maxMs: 100, jitter: 0 },
  });
  t.after(() => wrong.close());
  const plan = wrong.plan(lineTags(100, 'State'));
  for (let i = 0; i < 3; i++) {
    const bad = await readMap(wrong, plan);
    assert.deepEqual(bad.get('State')!.quality, { level: 'bad', reason: 'comm_failure' });
    await new Promise((r) => setTimeout(r, 150));
  }
  assert.match(wrong.status().lastError ?? '', /user operator: BadUserAccessDenied: the server refused the user name or password/);
  assert.equal(srv.server.sessionCount, sessions, 'refused logins leave no session on the server');
});

test('4. a password from an environment variable that is not set: a clear error, no connection attempt with an empty password', async (t) => {
  const device = { id: 'plc1', protocol: 'opcua', endpoint: srv.endpoint, username: 'operator', passwordEnv: 'LINESIDE_TEST_PLC1_PASSWORD' } as OpcUaDeviceConfig;
  const user = opcuaUser(device, {});
  assert.deepEqual(user, { username: 'operator', password: undefined, passwordSource: 'environment variable LINESIDE_TEST_PLC1_PASSWORD' });
  const driver = testDriver({ endpoint: srv.endpoint, pkiDir: trustingPki, user });
  t.after(() => driver.close());
  await driver.read(driver.plan(lineTags(100, 'State')));
  assert.match(driver.status().lastError ?? '', /no password for user operator: environment variable LINESIDE_TEST_PLC1_PASSWORD is not set/);
  assert.deepEqual(opcuaUser(device, { LINESIDE_TEST_PLC1_PASSWORD: 's3cret' })?.password, 's3cret');
});
