/**
 * What node-opcua's refusals mean, in words a technician acts on; which refusals switch a
 * connection to polling; bounded waits on the injected clock.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DriverError } from '../../main/drivers/driver';
import { describeOpcUaError, refusesSubscriptions, statusNameIn, withTimeout } from '../../main/drivers/opcua/opcua-errors';
import { FakeClock } from '../../main/util/clock';

test('1. the status name is found in node-opcua messages', () => {
  assert.equal(statusNameIn(new Error(' serviceResult = BadTooManySessions (0x80560000)')), 'BadTooManySessions');
  assert.equal(statusNameIn(new Error('BadUserAccessDenied (0x801f0000)')), 'BadUserAccessDenied');
  assert.equal(statusNameIn(new Error('connect ECONNREFUSED 127.0.0.1:4840')), null);
});

test('2. refusals that mean "no subscriptions here" switch to polling; others do not', () => {
  assert.equal(refusesSubscriptions(new Error(' serviceResult = BadTooManySubscriptions (0x80770000)')), 'BadTooManySubscriptions');
  assert.equal(refusesSubscriptions(new Error('BadServiceUnsupported (0x800b0000)')), 'BadServiceUnsupported');
  assert.equal(refusesSubscriptions(new Error('BadSessionIdInvalid')), null);
  assert.equal(refusesSubscriptions(new DriverError('timeout', 'create subscription: no answer within 2000 ms')), null);
});

test('3. known refusals come with advice; others keep their text, on one line', () => {
  assert.equal(describeOpcUaError(new Error('BadUserAccessDenied (0x801f0000)')), 'BadUserAccessDenied: the server refused the user name or password');
  assert.match(describeOpcUaError(new Error(' serviceResult = BadTooManySessions (0x80560000)')), /^BadTooManySessions: the server has no free session left/);
  assert.equal(describeOpcUaError(new Error('The connection cannot be established\n  check the server')), 'The connection cannot be established check the server');
});

test('4. withTimeout rejects on the injected clock, and clears its timer when the promise settles', async () => {
  const clock = new FakeClock();
  const never = new Promise<void>(() => undefined);
  const late = withTimeout(never, 1000, 'read of 3 nodes', clock);
  clock.advance(999);
  let settled = false;
  void late.catch(() => (settled = true));
  await Promise.resolve();
  assert.equal(settled, false);
  clock.advance(1);
  await assert.rejects(late, (e: unknown) => e instanceof DriverError && e.code === 'timeout' && /read of 3 nodes: no answer within 1000 ms/.test(e.message));
  assert.equal(await withTimeout(Promise.resolve(5), 1000, 'x', clock), 5);
  assert.equal(clock.pendingTimers(), 0);
});
