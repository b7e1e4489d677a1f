import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toRaw, WriteRefused, WriteService, type WritableTag, type WriteRecord } from '../../main/acquisition/write-service';
import type { Driver, DriverReading, DriverTag, ReadPlan } from '../../main/drivers/driver';
import { FakeClock } from '../../main/util/clock';
import type { DeviceState, DeviceStatus, TagScalar, TagValue } from '../../shared/types';

const op1 = { user: 'op1', station: 'test', signatureId: null };

/** A device that holds raw values, optionally clamping them like a PLC's own logic would. */
class HoldingDriver implements Driver {
  readonly deviceId = 'plc';
  state: DeviceState = 'online';
  held = new Map<string, TagScalar>();
  clampAt = Infinity;
  failWrites = false;
  plan(tags: readonly DriverTag[]): ReadPlan {
    return { tags, requestCount: 1 };
  }
  async read(plan: ReadPlan): Promise<DriverReading[]> {
    return plan.tags.map((t) => ({ tagId: t.tagId, value: this.held.get(t.tagId) ?? 0, quality: { level: 'good', reason: 'ok' }, sourceTs: 0 }));
  }
  async write(tag: DriverTag, value: TagScalar): Promise<void> {
    if (this.failWrites) throw new Error('exception 4');
    this.held.set(tag.tagId, typeof value === 'number' ? Math.min(value, this.clampAt) : value);
  }
  status(): DeviceStatus {
    return { deviceId: 'plc', name: 'plc', protocol: 'modbus-tcp', endpoint: '', state: this.state, lastError: null, lastErrorTs: null, requests: 0, errors: 0, timeouts: 0, reconnects: 0, responseMs: null, lastOkTs: null };
  }
  onStatus(): () => void {
    return () => undefined;
  }
  async close(): Promise<void> {}
}

const sp: WritableTag = {
  id: 'SP',
  deviceId: 'plc',
  scanMs: 1000,
  driverTag: { tagId: 'SP', address: 'HR0', dataType: 'int16' },
  scaling: { rawMin: 0, rawMax: 1000, engMin: 0, engMax: 100 },
  writable: true,
  min: 0,
  max: 100,
};

function setup() {
  const driver = new HoldingDriver();
  const records: WriteRecord[] = [];
  const published: TagValue[] = [];
  const current: TagValue = { tagId: 'SP', value: 10, quality: { level: 'good', reason: 'ok' }, sourceTs: 0, ts: 0 };
  const svc = new WriteService({
    tags: [sp],
    drivers: new Map([['plc', driver]]),
    current: () => current,
    publish: (b) => published.push(...b),
    record: (r) => records.push(r),
    clock: new FakeClock(),
  });
  return { driver, records, published, svc, current };
}

test('1. engineering units are scaled to raw on the way out and back on the read-back', async () => {
  const { driver, svc, records, published } = setup();
  const r = await svc.write('SP', 42.5, op1);
  assert.equal(driver.held.get('SP'), 425);
  assert.equal(r.readBack, 42.5);
  assert.equal(r.verified, true);
  assert.equal(records[0].outcome, 'done');
  assert.equal(records[0].user, 'op1');
  assert.equal(records[0].oldValue, 10);
  assert.equal(published.at(-1)?.value, 42.5);
});

test('2. a PLC that clamps the value: written, but unverified, and said so', async () => {
  const { driver, svc, records } = setup();
  driver.clampAt = 500;
  const r = await svc.write('SP', 80, op1);
  assert.equal(r.verified, false);
  assert.equal(r.readBack, 50);
  assert.equal(records[0].outcome, 'unverified');
  assert.match(records[0].detail, /read back 50, not 80/);
});

test('3. refusals: device not online, device error, limits', async () => {
  const { driver, svc, records } = setup();
  driver.state = 'backoff';
  await assert.rejects(svc.write('SP', 5, op1), (e: unknown) => e instanceof WriteRefused && e.reason === 'device_not_online');
  driver.state = 'online';
  driver.failWrites = true;
  await assert.rejects(svc.write('SP', 5, op1), (e: unknown) => e instanceof WriteRefused && e.outcome === 'failed' && /exception 4/.test(e.message));
  await assert.rejects(svc.write('SP', -1, op1), (e: unknown) => e instanceof WriteRefused && e.reason === 'out_of_range');
  assert.deepEqual(records.map((r) => r.outcome), ['refused', 'failed', 'refused']);
});

test('4. toRaw: integer types are rounded, floats are not', () => {
  assert.equal(toRaw(12.34, { rawMin: 0, rawMax: 1000, engMin: 0, engMax: 100 }, 'int16'), 123);
  assert.equal(toRaw(12.34, undefined, 'float32'), 12.34);
  assert.equal(toRaw(-50, { rawMin: -1000, rawMax: 1000, engMin: -100, engMax: 100 }, 'int16'), -500);
});
