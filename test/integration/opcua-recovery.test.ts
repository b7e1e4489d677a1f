/**
 * Recovery without operator action, through a running scan group (the runtime is never
 * recreated): a server restarted on the same port, a link cut with the server still running
 * (the session is reactivated, unchanged values are re-confirmed), and a subscription that falls
 * silent while the session looks alive (the freshness watchdog rebuilds it; values turn
 * uncertain, never stay good).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ScanGroup, type AcquiredTag } from '../../main/acquisition/scan-group';
import type { OpcUaDriver } from '../../main/drivers/opcua/opcua-driver';
import { startSimulator } from '../../main/simulator/simulator';
import { systemClock } from '../../main/util/clock';
import type { TagValue } from '../../shared/types';
import { ManualSimClock } from '../helpers/manual-sim-clock';
import { LinkCutter, lineTags, startTestOpcUaServer, testDriver } from '../helpers/opcua-test-server';
import { freePort } from '../helpers/mosquitto';
import { startSimulatorProcess } from '../helpers/simulator-process';
import { tempDir, waitFor } from '../helpers/temp';

const tmp = tempDir('lineside-opcua-recovery-');
after(() => tmp.cleanup());

/** A scan group on the driver, and every value it published, with when. */
function scan(driver: OpcUaDriver, names: string[], scanMs = 250) {
  const tags: AcquiredTag[] = lineTags(100, ...names).map((d) => ({ id: d.tagId, deviceId: 'plc1', scanMs, driverTag: d }));
  const seen: (TagValue & { at: number })[] = [];
  const group = new ScanGroup(driver, scanMs, tags, systemClock, (b) => seen.push(...b.map((v) => ({ ...v, at: Date.now() }))));
  group.start();
  const allGood = () => group.values().every((v) => v.quality.level === 'good');
  const noneGood = () => group.values().every((v) => v.quality.level !== 'good');
  return { group, seen, allGood, noneGood };
}

test('1. server restarted on the same port: values bad within 2 s, good again within 5 s of its return', async (t) => {
  const srv = await startTestOpcUaServer({ pkiDir: join(tmp.dir, 'srv1') });
  const driver = testDriver({ endpoint: srv.endpoint, pkiDir: join(tmp.dir, 'pki') });
  const s = scan(driver, ['LineSpeed', 'ProductCode']);
  t.after(async () => {
    s.group.stop();
    await driver.close();
    await srv.stop();
  });
  srv.startTicking(200);
  await waitFor('good values', s.allGood, 5000);

  const down = Date.now();
  const restarting = srv.server.restart(2500);
  await waitFor('values bad after the server went down', s.noneGood, 2000, 20);
  const badAfter = Date.now() - down;
  assert.ok(badAfter <= 2000, `bad after ${badAfter} ms`);
  assert.equal(s.group.values()[0].quality.reason, 'comm_failure');
  await restarting;
  const up = Date.now();
  await waitFor('values good after the server came back', () => s.allGood() && s.group.values().every((v) => v.ts > up), 5000, 20);
  const goodAfter = Date.now() - up;
  assert.ok(goodAfter <= 5000, `good again ${goodAfter} ms after the server returned`);
  t.diagnostic(`bad ${badAfter} ms after the server went down, good ${goodAfter} ms after it returned`);
  const st = driver.status();
  assert.equal(st.state, 'online');
  assert.ok(st.reconnects >= 1, 'counted as a reconnect');
  assert.equal(srv.server.sessionCount, 1, 'one session on the restarted server');
  // Never good in between: nothing published while the server was down claimed to be good
  // (unchanged bad values are not re-published: the bus carries changes and heartbeats).
  const during = s.seen.filter((v) => v.at > down + badAfter && v.at < up);
  assert.ok(during.every((v) => v.quality.level !== 'good'), 'not good while the server was down');
});

test('2. link cut with the server running: the same session comes back, unchanged values are re-confirmed', async (t) => {
  const srv = await startTestOpcUaServer({ pkiDir: join(tmp.dir, 'srv2') });
  const link = await LinkCutter.listen(srv.port);
  const driver = testDriver({ endpoint: link.endpoint(), pkiDir: join(tmp.dir, 'pki') });
  // ProductCode never changes: no notification will re-confirm it after the cut.
  const s = scan(driver, ['ProductCode', 'State']);
  t.after(async () => {
    s.group.stop();
    await driver.close();
    await link.close();
    await srv.stop();
  });
  await waitFor('good values', s.allGood, 5000);
  const cut = Date.now();
  link.cut();
  await waitFor('values bad after the cut', s.noneGood, 1000, 10);
  assert.equal(driver.status().state, 'connecting', 'node-opcua is repairing the link');
  await waitFor('values good again', () => s.allGood() && s.group.values().every((v) => v.ts > cut), 5000, 20);
  t.diagnostic(`good again ${Date.now() - cut} ms after the cut`);
  assert.equal(srv.server.sessionCount, 1, 'the session was reactivated, not replaced');
  assert.equal(driver.status().state, 'online');
  assert.equal(driver.status().reconnects, 1);
});

test('3. freshness watchdog: a silent subscription turns values uncertain, then is rebuilt', async (t) => {
  // A manual simulator clock: no tick, so values do not change; only keepalives prove liveness.
  const clock = new ManualSimClock();
  const sim = await startSimulator({ clock, seed: 3, idlePeriods: false, pkiDir: join(tmp.dir, 'sim'), log: () => undefined });
  const driver = testDriver({ endpoint: sim.endpoints.opcua, pkiDir: join(tmp.dir, 'pki'), timeoutMs: 500, tuning: { keepAliveMs: 500, missedKeepAlives: 2 } });
  const s = scan(driver, ['LineSpeed', 'ProductCode'], 200);
  t.after(async () => {
    s.group.stop();
    await driver.close();
    await sim.stop();
  });
  await waitFor('good values', s.allGood, 5000);

  // Unchanged values with keepalives arriving stay good: silence of data is not silence of the server.
  const quietFrom = Date.now();
  await new Promise((r) => setTimeout(r, 2500));
  assert.ok(s.seen.filter((v) => v.at > quietFrom).every((v) => v.quality.level === 'good'), 'no false alarm while only keepalives arrive');
  assert.equal(driver.status().reconnects, 0);

  sim.dropout(600_000); // black hole: no FIN, no RST, nothing
  const cutAt = Date.now();
  await waitFor('values no longer good', s.noneGood, 4000, 20);
  const firstNotGood = s.seen.find((v) => v.at > cutAt && v.quality.level !== 'good')!;
  assert.deepEqual(firstNotGood.quality, { level: 'uncertain', reason: 'stale' }, 'held as uncertain/stale first (a keepalive is overdue)');
  assert.ok(firstNotGood.at - cutAt <= 3000, `uncertain ${firstNotGood.at - cutAt} ms after the link went silent`);
  // then the watchdog declares the subscription dead: a communication failure, and a rebuild
  await waitFor('the watchdog to trip', () => /no publish response or keepalive/.test(driver.status().lastError ?? ''), 4000, 20);
  await waitFor('values bad (comm failure)', () => s.group.values().every((v) => v.quality.reason === 'comm_failure'), 4000, 20);
  t.diagnostic(`uncertain ${firstNotGood.at - cutAt} ms after the link went silent`);
  await new Promise((r) => setTimeout(r, 1500));
  const afterTrip = s.seen.filter((v) => v.at >= firstNotGood.at);
  assert.ok(afterTrip.every((v) => v.quality.level !== 'good'), 'never good again while black-holed');

  clock.advance(600_000); // the cable is back
  const back = Date.now();
  await waitFor('values good after the link returned', () => s.allGood() && s.group.values().every((v) => v.ts > back), 10_000, 50);
  assert.equal(driver.status().state, 'online');
  t.diagnostic(`good ${Date.now() - back} ms after the link returned`);
});

test('4. server process killed and started again on the same port (it forgot our session): good within 5 s of its return', async (t) => {
  const port = await freePort();
  const args = ['--opcua-port', String(port), '--modbus-port', '0', '--pki-dir', join(tmp.dir, 'sim4'), '--seed', '4'];
  let sim = await startSimulatorProcess(args);
  const driver = testDriver({ endpoint: sim.opcua, pkiDir: join(tmp.dir, 'pki') });
  const s = scan(driver, ['LineSpeed', 'ProductCode']);
  t.after(async () => {
    s.group.stop();
    await driver.close();
    await sim.stop('SIGKILL');
  });
  await waitFor('good values', s.allGood, 10_000);

  for (const round of [1, 2]) {
    const down = Date.now();
    await sim.stop('SIGKILL');
    await waitFor('values bad after the server process died', s.noneGood, 2000, 20);
    const badAfter = Date.now() - down;
    // Down for a while, as a PLC that reboots: the client's repair attempts fail meanwhile.
    await new Promise((r) => setTimeout(r, 1500));
    sim = await startSimulatorProcess(args);
    const up = Date.now();
    await waitFor(`round ${round}: values good after the server came back`, () => s.allGood() && s.group.values().every((v) => v.ts > up), 15_000, 20);
    const goodAfter = Date.now() - up;
    t.diagnostic(`round ${round}: bad ${badAfter} ms after the kill, good ${goodAfter} ms after the new server listened`);
    assert.ok(goodAfter <= 5000, `round ${round}: good again ${goodAfter} ms after the server returned (goal ≤ 5,000 ms)`);
    const st = driver.status();
    assert.equal(st.state, 'online');
    assert.ok(st.reconnects >= round, `round ${round}: counted as a reconnect (${st.reconnects})`);
  }
});
