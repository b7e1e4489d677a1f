import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionSupervisor } from '../../main/drivers/connection-supervisor';
import { DriverError } from '../../main/drivers/driver';
import { FakeClock } from '../../main/util/clock';
import type { DeviceState } from '../../shared/types';

function setup(failConnects: number) {
  const clock = new FakeClock();
  let attempts = 0;
  const destroyed: number[] = [];
  const states: DeviceState[] = [];
  const sup = new ConnectionSupervisor<number>({
    deviceId: 'd',
    name: 'd',
    protocol: 'modbus-tcp',
    endpoint: 'x',
    clock,
    backoff: { initialMs: 100, maxMs: 1000, jitter: 0 },
    connect: async () => {
      attempts++;
      if (attempts <= failConnects) throw new Error(`refused #${attempts}`);
      return attempts;
    },
    destroy: async (c) => {
      destroyed.push(c);
    },
  });
  sup.onStatus((s) => states.push(s.state));
  return { clock, sup, destroyed, states, attempts: () => attempts };
}

test('1. connects once and reuses the client while it works', async () => {
  const { sup, attempts } = setup(0);
  assert.equal(await sup.acquire(), 1);
  assert.equal(await sup.acquire(), 1);
  assert.equal(attempts(), 1);
  assert.equal(sup.status().state, 'connecting', 'connected is not online until the device answers');
  sup.countRequest(true);
  assert.equal(sup.status().state, 'online');
});

test('2. exponential backoff: refuses at once until the delay elapsed, doubling up to the cap', async () => {
  const { clock, sup, attempts } = setup(5);
  await assert.rejects(sup.acquire(), /refused #1/);
  assert.equal(sup.status().state, 'backoff');
  await assert.rejects(sup.acquire(), /backing off/);
  assert.equal(attempts(), 1, 'no attempt during backoff');
  const delays = [100, 200, 400, 800];
  for (const d of delays) {
    clock.advance(d - 1);
    await assert.rejects(sup.acquire(), /backing off/);
    clock.advance(1);
    await assert.rejects(sup.acquire(), /refused/);
  }
  assert.equal(attempts(), 5);
  clock.advance(1000); // capped
  assert.equal(await sup.acquire(), 6);
  sup.countRequest(true);
  assert.equal(sup.status().state, 'online');
});

test('3. a failed request destroys the client and the next connect builds a new one', async () => {
  const { clock, sup, destroyed } = setup(0);
  const first = await sup.acquire();
  sup.fail(new Error('timeout'));
  assert.deepEqual(destroyed, [first]);
  assert.equal(sup.status().lastError, 'timeout');
  clock.advance(100);
  const second = await sup.acquire();
  assert.notEqual(second, first);
  assert.equal(sup.status().reconnects, 1);
});

test('4. close destroys the client and refuses further use', async () => {
  const { sup, destroyed, states } = setup(0);
  await sup.acquire();
  await sup.close();
  assert.equal(destroyed.length, 1);
  assert.equal(states.at(-1), 'stopped');
  await assert.rejects(sup.acquire(), /closed/);
});

test('5. diagnostics: response-time percentiles, timeouts, last good answer', async () => {
  const { clock, sup } = setup(0);
  await sup.acquire();
  for (let i = 1; i <= 100; i++) sup.countRequest(true, i);
  const s = sup.status();
  assert.deepEqual(s.responseMs, { p50: 50, p95: 95, p99: 99, max: 100, samples: 100 });
  assert.equal(s.lastOkTs, clock.now());
  sup.fail(new DriverError('timeout', 'no answer within 500 ms'));
  sup.fail(new Error('reset'));
  assert.equal(sup.status().timeouts, 1);
  assert.equal(sup.status().lastError, 'reset');
});
