/**
 * Subscription parameters and the freshness watchdog, with plain numbers for time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silenceLimitMs, subscriptionRequest, SubscriptionWatchdog, SUBSCRIPTION_LIFETIME_MS } from '../../main/drivers/opcua/subscription-watchdog';

test('1. publishing follows the fastest sampling interval, within 50 ms .. 1 s', () => {
  assert.equal(subscriptionRequest(500, 1000).requestedPublishingInterval, 500);
  assert.equal(subscriptionRequest(10, 1000).requestedPublishingInterval, 50);
  assert.equal(subscriptionRequest(60_000, 1000).requestedPublishingInterval, 1000);
});

test('2. a keepalive about every keepAliveMs, a lifetime of at least 3 keepalives and the lifetime wanted', () => {
  const r = subscriptionRequest(100, 1000);
  assert.equal(r.requestedMaxKeepAliveCount, 10, '10 × 100 ms');
  assert.equal(r.requestedLifetimeCount, SUBSCRIPTION_LIFETIME_MS / 100);
  const slow = subscriptionRequest(1000, 1000);
  assert.equal(slow.requestedMaxKeepAliveCount, 1);
  assert.ok(slow.requestedLifetimeCount >= 3 * slow.requestedMaxKeepAliveCount);
  assert.ok(subscriptionRequest(50, 60_000).requestedLifetimeCount >= 3 * 1200, 'never below 3 keepalive periods');
});

test('3. silence allowed: N keepalive periods of the revised values, plus one interval', () => {
  assert.equal(silenceLimitMs(100, 10, 3), 3100);
  assert.equal(silenceLimitMs(1000, 0, 2), 3000, 'a keepalive count of 0 counts as 1');
});

test('4. the watchdog: alive while heard, expired after the limit of silence', () => {
  const w = new SubscriptionWatchdog(3000, 10_000);
  assert.equal(w.expired(13_000), false, 'exactly at the limit: not yet');
  assert.equal(w.expired(13_001), true);
  w.heard(12_000); // a keepalive
  assert.equal(w.silentMs(14_000), 2000);
  assert.equal(w.expired(15_000), false);
  w.heard(11_000); // late, out of order: does not move time back
  assert.equal(w.silentMs(15_000), 3000);
  assert.equal(w.expired(15_500), true);
});
