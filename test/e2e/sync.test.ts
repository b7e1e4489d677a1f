/**
 * Upstream status in a real browser: the header's indicator stays grey while records go out,
 * turns abnormal once the broker has been away longer than the project's alert delay, and
 * comes back; the upstream screen shows the sink and the quarantine, where an engineer retries
 * and deletes refused records.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startSimulator, type SimulatedLine } from '../../main/simulator/simulator';
import { launchChromium } from '../helpers/browser';
import { signInPageAs } from '../helpers/page-session';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto';
import { startReceiverCli, writeSyncProject, type ReceiverProcess } from '../helpers/mosquitto-sync';
import { repoRoot, tempDir, waitFor } from '../helpers/temp';

let sim: SimulatedLine;
let broker: Mosquitto;
let receiver: ReceiverProcess;
let app: HeadlessProcess;
let browser: Browser;
let page: Page;
const tmp = tempDir();
const shots = join(repoRoot(), 'test-results');
const indicator = '[data-testid="sync-indicator"]';

before(async () => {
  mkdirSync(shots, { recursive: true });
  broker = await startMosquitto({ dir: join(tmp.dir, 'broker') });
  // The receiver refuses one busy tag, so that the quarantine has something in it.
  receiver = await startReceiverCli(['--db', join(tmp.dir, 'receiver.db'), '--mqtt', broker.url, '--reject-tag', 'L1.MotorCurrent']);
  sim = await startSimulator({ pkiDir: join(tmp.dir, 'sim-pki'), log: () => undefined, idlePeriods: false });
  const project = writeSyncProject(sim, tmp.dir, {
    alertOfflineS: 3,
    ackTimeoutS: 2,
    retry: { initialS: 0.2, maxS: 1 },
    sinks: [{ id: 'plant-broker', type: 'mqtt', url: broker.url }],
  });
  app = await startHeadless(['--project', project, '--data-dir', join(tmp.dir, 'data'), '--listen', '127.0.0.1:0']);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(app.url);
  await signInPageAs(page, app.url, ['maintenance']);
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await receiver?.stop();
  await sim?.stop();
  await broker?.stop();
  tmp.cleanup();
});

test('1. the indicator is grey while records go out; the upstream screen shows the sink', async () => {
  await page.waitForSelector(`${indicator}[data-tone="normal"]`, { timeout: 20_000 });
  assert.match(await page.locator(indicator).innerText(), /Upstream (online|sending)/);
  await page.click(indicator);
  const sink = page.locator('[data-sink-id="plant-broker"]');
  await sink.waitFor({ timeout: 5000 });
  assert.equal(await sink.getAttribute('data-state'), 'online');
  assert.match(await sink.innerText(), /acknowledged by the receiver/);
  assert.equal(await page.locator('[data-testid="nav-upstream"]').getAttribute('aria-current'), 'page');
});

test('2. refused records are listed with the reason; delete (with a reason) and retry', async () => {
  const rows = page.locator('[data-testid="quarantine-table"] tbody tr');
  await rows.first().waitFor({ timeout: 20_000 });
  assert.match(await rows.first().innerText(), /unknown tag "L1\.MotorCurrent"/);
  await page.screenshot({ path: join(shots, 'sync-screen.png') });
  const first = await rows.first().getAttribute('data-quarantine-id');
  await rows.first().locator('input[type="checkbox"]').check();
  assert.equal(await page.locator('[data-testid="quarantine-delete"]').isDisabled(), true, 'no reason yet');
  await page.fill('input[aria-label="Reason for deleting"]', 'tag not known upstream; accepted loss');
  await page.click('[data-testid="quarantine-delete"]');
  await page.waitForSelector(`[data-quarantine-id="${first}"]`, { state: 'detached', timeout: 5000 });

  const second = page.locator('[data-testid="quarantine-table"] tbody tr').first();
  const id = await second.getAttribute('data-quarantine-id');
  await second.locator('input[type="checkbox"]').check();
  await page.click('[data-testid="quarantine-retry"]');
  // refused again: still there, one attempt more
  await waitFor('a second attempt', async () => (await page.locator(`[data-quarantine-id="${id}"] td:nth-child(5)`).innerText()) === '2', 15_000, 200);
});

test('3. the broker away longer than the alert delay: abnormal; back: grey again', async () => {
  await broker.stop('SIGKILL');
  // dashed ("reconnecting") for the first 3 s, which the indicator's 5 s poll may not catch
  await page.waitForSelector('[data-sink-id="plant-broker"]:not([data-state="online"])', { timeout: 10_000 });
  await page.waitForSelector(`${indicator}[data-tone="abnormal"]`, { timeout: 15_000 });
  assert.match(await page.locator(indicator).innerText(), /Upstream offline/);
  assert.match(await page.locator('[data-testid="sync-last-error"]').innerText(), /connect|lost the connection/);
  await page.screenshot({ path: join(shots, 'sync-offline.png') });
  await broker.start();
  await page.waitForSelector(`${indicator}[data-tone="normal"]`, { timeout: 20_000 });
});
