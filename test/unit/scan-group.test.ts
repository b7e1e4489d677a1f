import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScanGroup, type AcquiredTag } from '../../main/acquisition/scan-group';
import { FakeClock } from '../../main/util/clock';
import type { Driver, DriverReading, ReadPlan } from '../../main/drivers/driver';
import type { DeviceStatus, TagValue } from '../../shared/types';
import type { Quality } from '../../shared/quality';

/**
 * A scripted driver: each read answers what `next` says, after `delayMs` of fake time.
 * (Acquisition is tested against the Driver interface; the real drivers are tested against real
 * servers in test/integration.)
 */
class ScriptedDriver implements Driver {
  readonly deviceId = 'dev';
  reads = 0;
  next: (tagId: string) => { value: number | null; quality: Quality } = () => ({ value: 1, quality: { level: 'good', reason: 'ok' } });
  delayMs = 0;
  constructor(private readonly clock: FakeClock) {}
  plan(tags: ReadPlan['tags']): ReadPlan {
    return { tags, requestCount: 1 };
  }
  read(plan: ReadPlan): Promise<DriverReading[]> {
    this.reads++;
    const answer = () => plan.tags.map((t) => ({ tagId: t.tagId, ...this.next(t.tagId), sourceTs: this.clock.now() }));
    if (this.delayMs === 0) return Promise.resolve(answer());
    return new Promise((resolve) => this.clock.setTimeout(() => resolve(answer()), this.delayMs));
  }
  writes: [string, unknown][] = [];
  async write(tag: { tagId: string }, value: unknown): Promise<void> {
    this.writes.push([tag.tagId, value]);
  }
  status(): DeviceStatus {
    return { deviceId: 'dev', name: 'dev', protocol: 'modbus-tcp', endpoint: '', state: 'online', lastError: null, lastErrorTs: null, requests: 0, errors: 0, timeouts: 0, reconnects: 0, responseMs: null, lastOkTs: null };
  }
  onStatus(): () => void {
    return () => undefined;
  }
  async close(): Promise<void> {}
}

const tags: AcquiredTag[] = [
  { id: 'A', deviceId: 'dev', scanMs: 100, driverTag: { tagId: 'A', address: 'HR0', dataType: 'int16' } },
  { id: 'B', deviceId: 'dev', scanMs: 100, driverTag: { tagId: 'B', address: 'HR1', dataType: 'int16' }, scaling: { rawMin: 0, rawMax: 1000, engMin: 0, engMax: 100 } },
];

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

function setup() {
  const clock = new FakeClock();
  const driver = new ScriptedDriver(clock);
  const published: TagValue[][] = [];
  const group = new ScanGroup(driver, 100, tags, clock, (b) => published.push(b));
  return { clock, driver, published, group, latest: (id: string) => published.flat().filter((v) => v.tagId === id).at(-1) };
}

test('1. reads on a fixed grid and scales raw values', async () => {
  const { clock, driver, group, latest } = setup();
  driver.next = (id) => ({ value: id === 'B' ? 500 : 7, quality: { level: 'good', reason: 'ok' } });
  group.start();
  clock.advance(0);
  await settle();
  assert.equal(driver.reads, 1);
  for (let i = 0; i < 10; i++) {
    clock.advance(100);
    await settle();
  }
  assert.equal(driver.reads, 11);
  assert.equal(latest('A')?.value, 7);
  assert.equal(latest('B')?.value, 50);
  group.stop();
});

test('2. a failed read holds the last value and marks it bad; recovery makes it good', async () => {
  const { clock, driver, group, latest } = setup();
  group.start();
  clock.advance(0);
  await settle();
  assert.equal(latest('A')?.quality.level, 'good');
  driver.next = () => ({ value: null, quality: { level: 'bad', reason: 'comm_failure' } });
  clock.advance(100);
  await settle();
  const bad = latest('A')!;
  assert.deepEqual(bad.quality, { level: 'bad', reason: 'comm_failure' });
  assert.equal(bad.value, 1, 'last value held');
  driver.next = () => ({ value: 2, quality: { level: 'good', reason: 'ok' } });
  clock.advance(100);
  await settle();
  assert.equal(latest('A')?.value, 2);
  assert.equal(latest('A')?.quality.level, 'good');
  group.stop();
});

test('3. a scan still running when the next is due is skipped, and old values turn stale', async () => {
  const { clock, driver, group, latest } = setup();
  group.start();
  clock.advance(0);
  await settle();
  driver.delayMs = 1000; // the device hangs for ten scan periods
  clock.advance(100);
  await settle();
  for (let i = 0; i < 5; i++) {
    clock.advance(100);
    await settle();
  }
  assert.ok(group.stats.overruns >= 4);
  assert.equal(driver.reads, 2, 'no queued reads');
  assert.deepEqual(latest('A')?.quality, { level: 'uncertain', reason: 'stale' });
  group.stop();
});

test('4. out-of-range raw values are clamped and uncertain, never good', async () => {
  const { clock, driver, group, latest } = setup();
  driver.next = () => ({ value: 1500, quality: { level: 'good', reason: 'ok' } });
  group.start();
  clock.advance(0);
  await settle();
  assert.equal(latest('B')?.value, 100);
  assert.deepEqual(latest('B')?.quality, { level: 'uncertain', reason: 'out_of_range' });
  group.stop();
});

test('5. before the first read values are bad/waiting, not good', () => {
  const { group } = setup();
  group.start();
  for (const v of group.values()) assert.deepEqual(v.quality, { level: 'bad', reason: 'waiting' });
  group.stop();
});

test('6. the same sample read again is confirmed but re-published only every REPUBLISH_MS', async () => {
  const { clock, driver, group, published } = setup();
  driver.next = () => ({ value: 5, quality: { level: 'good', reason: 'ok' } });
  // a driver answering from memory: the source timestamp does not move
  const fixedSource = clock.now();
  const read = driver.read.bind(driver);
  driver.read = async (plan) => (await read(plan)).map((r) => ({ ...r, sourceTs: fixedSource }));
  group.start();
  clock.advance(0);
  await settle();
  const count = () => published.flat().filter((v) => v.tagId === 'A').length;
  const afterFirst = count();
  for (let i = 0; i < 50; i++) {
    clock.advance(100);
    await settle();
  }
  assert.equal(count(), afterFirst, 'five seconds of identical samples: nothing new on the bus');
  assert.ok(group.values().every((v) => v.quality.level === 'good'), 'still confirmed, not stale');
  for (let i = 0; i < 60; i++) {
    clock.advance(100);
    await settle();
  }
  assert.equal(count(), afterFirst + 1, 'one heartbeat after REPUBLISH_MS');
  group.stop();
});
