/**
 * Security settings by name and the choice of endpoint.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageSecurityMode, SecurityPolicy } from 'node-opcua';
import { normalizeThumbprint } from '../../main/drivers/opcua/opcua-pki';
import { resolveSecurity, selectEndpoint, type EndpointOffer } from '../../main/drivers/opcua/opcua-security';

test('1. defaults: None/None; a secure mode without a policy gets Basic256Sha256', () => {
  assert.deepEqual(resolveSecurity(), { mode: 'None', policy: 'None' });
  assert.deepEqual(resolveSecurity('Sign'), { mode: 'Sign', policy: 'Basic256Sha256' });
  assert.deepEqual(resolveSecurity('SignAndEncrypt', 'Aes256_Sha256_RsaPss'), { mode: 'SignAndEncrypt', policy: 'Aes256_Sha256_RsaPss' });
  assert.deepEqual(resolveSecurity('None', 'Basic256Sha256'), { mode: 'None', policy: 'None' });
});

const offer = (mode: MessageSecurityMode, policy: SecurityPolicy): EndpointOffer => ({ securityMode: mode, securityPolicyUri: policy, serverCertificate: Buffer.from([mode]) });
const endpoints = [
  offer(MessageSecurityMode.None, SecurityPolicy.None),
  offer(MessageSecurityMode.Sign, SecurityPolicy.Basic256Sha256),
  offer(MessageSecurityMode.SignAndEncrypt, SecurityPolicy.Basic256Sha256),
  offer(MessageSecurityMode.SignAndEncrypt, SecurityPolicy.Aes128_Sha256_RsaOaep),
];

test('2. the endpoint with the same mode and policy is chosen', () => {
  const e = selectEndpoint(endpoints, { mode: 'SignAndEncrypt', policy: 'Aes128_Sha256_RsaOaep' });
  assert.equal(e, endpoints[3]);
});

test('3. none matches: the error lists what the server offers', () => {
  const e = selectEndpoint(endpoints, { mode: 'SignAndEncrypt', policy: 'Aes256_Sha256_RsaPss' });
  assert.equal(
    e,
    'the server offers no SignAndEncrypt/Aes256_Sha256_RsaPss endpoint (it offers None/None, Sign/Basic256Sha256, SignAndEncrypt/Basic256Sha256, SignAndEncrypt/Aes128_Sha256_RsaOaep)',
  );
  assert.match(String(selectEndpoint([], { mode: 'Sign', policy: 'Basic256Sha256' })), /it offers nothing/);
});

test('4. thumbprints as tools print them are accepted', () => {
  assert.equal(normalizeThumbprint('60:5F:43 8C'), '605f438c');
});
