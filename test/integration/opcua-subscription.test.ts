/**
 * OPC UA acquisition against a real node-opcua server on loopback: subscriptions (values with
 * the server's SourceTimestamp, pushed between scans, deadband filtered at the server), polling
 * by configuration and by automatic fallback, browsing for tags.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ScanGroup, type AcquiredTag } from '../../main/acquisition/scan-group';
import { DriverError, type DriverReading } from '../../main/drivers/driver';
import { systemClock } from '../../main/util/clock';
import type { TagValue } from '../../shared/types';
import { lineTags, readMap, startTestOpcUaServer, testDriver, type TestOpcUaServer } from '../helpers/opcua-test-server';
import { tempDir, waitFor } from '../helpers/temp';

const tmp = tempDir('lineside-opcua-sub-');
let srv: TestOpcUaServer;
const pkiDir = join(tmp.dir, 'pki');

before(async () => {
  srv = await startTestOpcUaServer({ pkiDir: join(tmp.dir, 'server-pki'), writableVariables: ['Setpoint'] });
});

after(async () => {
  await srv.stop();
  tmp.cleanup();
});

test('1. subscription: values with the server SourceTimestamp, changes pushed, reads cost no request', async (t) => {
  const driver = testDriver({ endpoint: srv.endpoint, pkiDir });
  t.after(() => driver.close());
  const plan = driver.plan(lineTags(100));
  const s0 = srv.model.snapshot();
  const first = await readMap(driver, plan);
  assert.equal(first.size, 7);
  for (const r of first.values()) assert.deepEqual(r.quality, { level: 'good', reason: 'ok' }, r.tagId);
  assert.equal(first.get('LineSpeed')!.value, s0.lineSpeed);
  assert.equal(first.get('ProductCode')!.value, s0.productCode);
  assert.equal(first.get('LineSpeed')!.sourceTs, s0.timeMs, 'SourceTimestamp is when the server sampled the value');

  const pushed: DriverReading[] = [];
  driver.onReadings(plan, (r) => pushed.push(...r));
  const sent = Date.now();
  const s1 = srv.tick(1000);
  const got = await waitFor('the change to be pushed', () => pushed.find((r) => r.tagId === 'LineSpeed' && r.sourceTs === s1.timeMs), 3000, 10);
  assert.equal(got.value, s1.lineSpeed);
  assert.ok(Date.now() - sent < 1000, `pushed ${Date.now() - sent} ms after the change (publishing interval 100 ms)`);

  const again = await readMap(driver, plan);
  assert.equal(again.get('LineSpeed')!.value, s1.lineSpeed, 'read answers with the latest notified value');
  const st = driver.status();
  assert.equal(st.state, 'online');
  assert.equal(plan.requestCount, 0, 'no request per scan');
  assert.equal(st.responseMs, null, 'no Read was sent');
  assert.deepEqual(st.acquisition, { mode: 'subscription', monitoredItems: 7, polledItems: 0, fallback: null, securityMode: 'None', securityPolicy: 'None' });
});

test('2. a deadband filters at the server: small changes are not reported', async (t) => {
  const driver = testDriver({ endpoint: srv.endpoint, pkiDir });
  t.after(() => driver.close());
  const plan = driver.plan([
    { tagId: 'all', address: 'ns=1;s=Line1.Vibration', dataType: 'float64', samplingMs: 100 },
    { tagId: 'filtered', address: 'ns=1;s=Line1.Vibration', dataType: 'float64', samplingMs: 100, opcuaDeadband: { type: 'absolute', value: 1000 } },
  ]);
  const r0 = await readMap(driver, plan);
  assert.equal(r0.get('filtered')!.quality.level, 'good', 'the first value is always reported');
  const pushed: DriverReading[] = [];
  driver.onReadings(plan, (r) => pushed.push(...r));
  for (let i = 0; i < 5; i++) {
    srv.tick(500);
    await new Promise((r) => setTimeout(r, 150));
  }
  await waitFor('unfiltered changes', () => pushed.filter((r) => r.tagId === 'all').length >= 3, 3000);
  assert.equal(pushed.filter((r) => r.tagId === 'filtered').length, 0, 'no change beyond the deadband');
  assert.equal(driver.status().acquisition?.monitoredItems, 2, 'two monitored items on one node');
});

test('3. push reaches a scan group between its scans', async (t) => {
  const driver = testDriver({ endpoint: srv.endpoint, pkiDir });
  t.after(() => driver.close());
  const tags: AcquiredTag[] = lineTags(100, 'LineSpeed').map((d) => ({ id: `L.${d.tagId}`, deviceId: 'plc1', scanMs: 60_000, driverTag: d }));
  const batches: TagValue[][] = [];
  const group = new ScanGroup(driver, 60_000, tags, systemClock, (b) => batches.push(b));
  group.start();
  t.after(() => group.stop());
  await waitFor('the first scan', () => group.values()[0].quality.level === 'good', 5000);
  const s = srv.tick(1000);
  const v = await waitFor('a pushed value (no scan due for a minute)', () => batches.flat().find((x) => x.sourceTs === s.timeMs), 3000, 10);
  assert.equal(v.value, s.lineSpeed);
  assert.equal(group.stats.scans, 1, 'it came by push, not by a scan');
});

test('4. mode polling: one Read per scan, same values', async (t) => {
  const driver = testDriver({ endpoint: srv.endpoint, pkiDir, mode: 'polling' });
  t.after(() => driver.close());
  const plan = driver.plan(lineTags(100));
  const r = await readMap(driver, plan);
  assert.equal(r.get('LineSpeed')!.value, srv.model.snapshot().lineSpeed);
  assert.equal(r.get('LineSpeed')!.sourceTs, srv.model.snapshot().timeMs);
  const st = driver.status();
  assert.equal(st.acquisition?.mode, 'polling');
  assert.equal(st.acquisition?.fallback, null);
  assert.equal(plan.requestCount, 1);
  assert.ok((st.responseMs?.samples ?? 0) >= 1, 'a Read was sent');
});

test('5. a server that refuses subscriptions is polled, and the status says why', async (t) => {
  const refusing = await startTestOpcUaServer({ pkiDir: join(tmp.dir, 'refusing-pki'), refuseSubscriptions: true });
  t.after(() => refusing.stop());
  const driver = testDriver({ endpoint: refusing.endpoint, pkiDir });
  t.after(() => driver.close());
  const plan = driver.plan(lineTags(100));
  const r = await readMap(driver, plan);
  assert.equal(r.get('State')!.quality.level, 'good');
  assert.equal(r.get('LineSpeed')!.value, refusing.model.snapshot().lineSpeed);
  const s = refusing.tick(1000);
  const r2 = await readMap(driver, plan);
  assert.equal(r2.get('LineSpeed')!.sourceTs, s.timeMs, 'each read asks the server');
  const acq = driver.status().acquisition!;
  assert.equal(acq.mode, 'polling');
  assert.match(acq.fallback ?? '', /CreateSubscription refused: BadTooManySubscriptions/);
  assert.equal(acq.polledItems, 7);
});

test('6. an unknown node and a malformed address are config errors; the other tags stay monitored', async (t) => {
  const driver = testDriver({ endpoint: srv.endpoint, pkiDir });
  t.after(() => driver.close());
  const plan = driver.plan([
    { tagId: 'speed', address: 'ns=1;s=Line1.LineSpeed', dataType: 'float64', samplingMs: 100 },
    { tagId: 'nope', address: 'ns=1;s=Line1.DoesNotExist', dataType: 'float64', samplingMs: 100 },
    { tagId: 'garbled', address: 'ns=1;x=what', dataType: 'float64', samplingMs: 100 },
    { tagId: 'wrongType', address: 'ns=1;s=Line1.StateText', dataType: 'float64', samplingMs: 100 },
  ]);
  const r = await readMap(driver, plan);
  assert.equal(r.get('speed')!.quality.level, 'good');
  assert.deepEqual(r.get('nope')!.quality, { level: 'bad', reason: 'config_error' });
  assert.deepEqual(r.get('garbled')!.quality, { level: 'bad', reason: 'config_error' });
  assert.deepEqual(r.get('wrongType')!.quality, { level: 'bad', reason: 'config_error' });
  const acq = driver.status().acquisition!;
  assert.equal(acq.monitoredItems, 2, 'speed and StateText');
  assert.equal(acq.polledItems, 1, 'the unknown node is read each scan (it may appear with a PLC download)');
});

test('7. browse: the Objects folder holds Line1, whose variables come with types for tags', async (t) => {
  const driver = testDriver({ endpoint: srv.endpoint, pkiDir });
  t.after(() => driver.close());
  const root = await driver.browse();
  assert.equal(root.nodeId, 'ns=0;i=85');
  const line1 = root.children.find((c) => c.displayName === 'Line1');
  assert.deepEqual(line1 && { nodeId: line1.nodeId, browseName: line1.browseName, nodeClass: line1.nodeClass }, { nodeId: 'ns=1;s=Line1', browseName: '1:Line1', nodeClass: 'Object' });
  const vars = await driver.browse(line1!.nodeId);
  assert.equal(vars.truncated, false);
  const byName = new Map(vars.children.map((c) => [c.displayName, c]));
  assert.deepEqual(byName.get('LineSpeed'), {
    nodeId: 'ns=1;s=Line1.LineSpeed',
    browseName: '1:LineSpeed',
    displayName: 'LineSpeed',
    nodeClass: 'Variable',
    dataType: 'Double',
    tagDataType: 'float64',
    writable: false,
  });
  assert.equal(byName.get('State')?.tagDataType, 'int32');
  assert.equal(byName.get('Running')?.tagDataType, 'bool');
  assert.equal(byName.get('ProductCode')?.dataType, 'String');
  assert.equal(byName.get('Setpoint')?.writable, true);
  assert.equal(vars.children.length, 8);
  await assert.rejects(driver.browse('not a node id'), /not a NodeId/);
});

test('8. a write is read back from the server, not from the subscription', async (t) => {
  const driver = testDriver({ endpoint: srv.endpoint, pkiDir });
  t.after(() => driver.close());
  // Sampled once a second: a notification of the written value would come up to 2 s later.
  const setpoint = { tagId: 'sp', address: 'ns=1;s=Line1.Setpoint', dataType: 'float64' as const, samplingMs: 1000 };
  const plan = driver.plan([setpoint]);
  assert.equal((await driver.read(plan))[0].value, 0);
  await driver.write(setpoint, 42.5);
  const [back] = await driver.read(driver.plan([setpoint])); // as acquisition's WriteService does
  assert.deepEqual([back.value, back.quality.level], [42.5, 'good'], 'the read after a write asks the server');
  assert.equal(plan.requestCount, 0, 'later reads come from the subscription again');
  await assert.rejects(
    driver.write({ tagId: 'speed', address: 'ns=1;s=Line1.LineSpeed', dataType: 'float64' }, 1),
    (e: unknown) => e instanceof DriverError && e.code === 'device_exception' && /refused the write to ns=1;s=Line1.LineSpeed: Bad/.test(e.message),
  );
});
