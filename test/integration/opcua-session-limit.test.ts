/**
 * A PLC allows few sessions (here 5). Thirty forced reconnects must not use them up: a broken
 * link reactivates the same session, and a connection the driver closes closes its session.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LinkCutter, lineTags, readMap, startTestOpcUaServer, testDriver, type TestOpcUaServer } from '../helpers/opcua-test-server';
import { tempDir, waitFor } from '../helpers/temp';

const tmp = tempDir('lineside-opcua-sessions-');
let srv: TestOpcUaServer;
let link: LinkCutter;

before(async () => {
  srv = await startTestOpcUaServer({ pkiDir: join(tmp.dir, 'server-pki'), maxSessions: 5 });
  link = await LinkCutter.listen(srv.port);
});

after(async () => {
  await link.close();
  await srv.stop();
  tmp.cleanup();
});

test('30 forced reconnects against a server with 5 sessions: never BadTooManySessions', async (t) => {
  const driver = testDriver({ endpoint: link.endpoint(), pkiDir: join(tmp.dir, 'pki') });
  t.after(() => driver.close());
  const errors = new Set<string>();
  driver.onStatus((s) => {
    if (s.lastError) errors.add(s.lastError);
  });
  const plan = driver.plan(lineTags(100, 'ProductCode', 'State'));
  const allGood = async () => [...(await readMap(driver, plan)).values()].every((r) => r.quality.level === 'good');
  await waitFor('first values', allGood, 5000);

  for (let i = 1; i <= 30; i++) {
    link.cut();
    await waitFor(`reconnect ${i}`, async () => driver.status().reconnects === i && (await allGood()), 8000, 25);
    assert.ok(srv.server.sessionCount <= 1, `reconnect ${i}: ${srv.server.sessionCount} sessions on the server`);
  }
  assert.equal(driver.status().state, 'online');
  assert.ok(![...errors].some((e) => /BadTooManySessions/.test(e)), [...errors].join('\n'));

  // Drivers that come and go (a runtime restarted, a project reloaded) give their session back.
  for (let i = 0; i < 8; i++) {
    const other = testDriver({ endpoint: srv.endpoint, pkiDir: join(tmp.dir, 'pki') });
    const r = await readMap(other, other.plan(lineTags(100, 'State')));
    assert.equal(r.get('State')!.quality.level, 'good', `driver ${i}: ${other.status().lastError ?? ''}`);
    await other.close();
    assert.equal(srv.server.sessionCount, 1, `after driver ${i} closed`);
  }
});
