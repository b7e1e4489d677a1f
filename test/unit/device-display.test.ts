/**
 * A device's last error beside its state only while it is the present trouble
 * (renderer/features/devices/device-display.ts): an online device that answered since, or
 * that has stayed online for a minute, shows it as past.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CURRENT_ERROR_MS, deviceErrorIsCurrent } from '../../renderer/features/devices/device-display';

const T = 1_760_000_000_000;
const d = (state: 'online' | 'backoff' | 'degraded', lastErrorTs: number | null, lastOkTs: number | null, lastError: string | null = 'no answer within 500 ms reading HR1') => ({ state, lastError, lastErrorTs, lastOkTs });

test('1. not online: the error is the present trouble, however old', () => {
  assert.equal(deviceErrorIsCurrent(d('backoff', T, T - 1000), T + 3_600_000), true);
  assert.equal(deviceErrorIsCurrent(d('degraded', T, T + 10), T + 10), true);
});

test('2. online and answered since: past at once', () => {
  assert.equal(deviceErrorIsCurrent(d('online', T, T + 500), T + 1000), false);
});

test('3. online, no answer known since: shown for a minute, then past', () => {
  assert.equal(deviceErrorIsCurrent(d('online', T, T - 5000), T + 1000), true);
  assert.equal(deviceErrorIsCurrent(d('online', T, null), T + CURRENT_ERROR_MS - 1), true);
  assert.equal(deviceErrorIsCurrent(d('online', T, T - 5000), T + CURRENT_ERROR_MS), false);
});

test('4. no error: nothing to show', () => {
  assert.equal(deviceErrorIsCurrent(d('backoff', null, null, null), T), false);
});
