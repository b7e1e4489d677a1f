/**
 * Alarms in a real browser against the headless shell: a jam appears in the banner within a
 * second of the simulator raising it, is acknowledged there, and shows in the journal with its
 * user and time; a latched fault is reset from the summary; a shelved alarm comes back when its
 * (short) shelve expires. Screenshots of banner, summary and journal go to test-results/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { stringify } from 'yaml';
import { bindToSimulator } from '../../main/app/runtime';
import { loadProjectFile } from '../../main/config/project-loader';
import { startSimulator, type SimulatedLine } from '../../main/simulator/simulator';
import { launchChromium } from '../helpers/browser';
import { signInPageAs } from '../helpers/page-session';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';
import { repoRoot, tempDir, waitFor } from '../helpers/temp';

let sim: SimulatedLine;
let app: HeadlessProcess;
let browser: Browser;
let page: Page;
const tmp = tempDir();
const shots = join(repoRoot(), 'test-results');
const jamLine = '[data-testid="alarm-banner"] [data-alarm-id="L1.Jam"]';

before(async () => {
  mkdirSync(shots, { recursive: true });
  sim = await startSimulator({ pkiDir: join(tmp.dir, 'sim-pki'), log: () => undefined, idlePeriods: false });
  // the demo project, with the shortest shelve at 5 s so that a test can watch one expire
  const project = bindToSimulator(loadProjectFile(join(repoRoot(), 'projects', 'demo-line.yaml')), sim);
  project.alarms.shelve.minS = 5;
  const file = join(tmp.dir, 'project.yaml');
  writeFileSync(file, stringify(project));
  app = await startHeadless(['--project', file, '--data-dir', join(tmp.dir, 'data'), '--listen', '127.0.0.1:0']);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(app.url);
  await signInPageAs(page, app.url, ['operator']);
  await page.waitForSelector('[data-tag-id="L1.FaultCode"][data-quality="good"]', { timeout: 20_000 });
  await page.waitForSelector('[data-testid="alarm-banner"][data-active="0"]', { timeout: 10_000 });
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await sim?.stop();
  tmp.cleanup();
});

test('1. a jam is in the banner within one second of the simulator raising it', async (t) => {
  // the page notes (on the machine's clock) when the line appears, so polling adds nothing
  // (a string: the tests compile without the DOM library)
  await page.evaluate(`(() => {
    const check = () => {
      if (window.jamShownAt === undefined && document.querySelector(${JSON.stringify(jamLine)}) !== null) window.jamShownAt = performance.timeOrigin + performance.now();
    };
    new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true });
  })()`);
  const raisedAt = Date.now();
  sim.setScenario('jam', true);
  await page.waitForSelector(jamLine, { timeout: 5000 });
  const shownAt = (await page.evaluate('window.jamShownAt')) as number | undefined;
  assert.ok(shownAt !== undefined);
  const ms = shownAt - raisedAt;
  t.diagnostic(`shown ${Math.round(ms)} ms after the simulator raised it`);
  assert.ok(ms < 1000, `shown ${Math.round(ms)} ms after the simulator raised it`);
  const line = page.locator(jamLine);
  assert.equal(await line.getAttribute('data-state'), 'unack');
  assert.match(await line.innerText(), /Infeed jam, line stopped/);
  const p2 = page.locator('[data-testid="alarm-counts"] .alarm-count[data-priority="2"]');
  assert.equal(await p2.getAttribute('data-unacknowledged'), '1');
  assert.equal(await line.locator('.prio--blink').count(), 1, 'unacknowledged: blinking');
  await page.screenshot({ path: join(shots, 'alarm-banner.png') });
});

test('2. acknowledged from the banner: steady, and in the journal with its user and time', async () => {
  const before = Date.now();
  await page.click(`${jamLine} [data-testid="banner-ack"]`);
  await page.waitForSelector(`${jamLine}[data-state="acked"]`, { timeout: 3000 });
  assert.equal(await page.locator(`${jamLine} .prio--blink`).count(), 0, 'acknowledged: steady');
  assert.match(await page.locator(jamLine).innerText(), /Acknowledged \d\d:\d\d:\d\d by operator/);

  await page.click('[data-testid="nav-alarms"]');
  await page.click('[data-testid="alarms-view-journal"]');
  const row = page.locator('[data-testid="journal-table"] tr[data-alarm-id="L1.Jam"][data-event="acknowledged"]');
  await row.waitFor({ timeout: 5000 });
  assert.equal(await row.getAttribute('data-user'), 'operator');
  const text = await row.innerText();
  const hhmmss = /(\d\d):(\d\d):(\d\d)/.exec(text);
  assert.ok(hhmmss, text);
  const shown = new Date(before);
  shown.setHours(Number(hhmmss[1]), Number(hhmmss[2]), Number(hhmmss[3]), 0);
  assert.ok(Math.abs(shown.getTime() - before) < 5000, `journal time ${hhmmss[0]} is the time of the click`);
  assert.match(text, /Infeed jam, line stopped/);
  assert.match(text, /Active → Active, acknowledged/);
  // search narrows it
  await page.fill('[data-testid="journal-text"]', 'operator');
  await waitFor('only actions by operator', async () => {
    const users = await page.locator('[data-testid="journal-table"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-user')));
    return users.length > 0 && users.every((u) => u === 'operator');
  }, 5000);
  await page.fill('[data-testid="journal-text"]', '');
  await page.waitForSelector('[data-testid="journal-table"] tr[data-event="activated"]', { timeout: 5000 });
  await page.screenshot({ path: join(shots, 'alarm-journal.png') });
  // the CSV of the same search downloads
  const download = page.waitForEvent('download', { timeout: 5000 });
  await page.click('[data-testid="journal-csv"]');
  const d = await download;
  assert.match(d.suggestedFilename(), /^alarm-journal_.*\.csv$/);
});

test('3. the summary: a latched fault, reset once the jam is cleared; out of service needs an engineer', async () => {
  sim.setScenario('jam', false);
  await page.click('[data-testid="alarms-view-summary"]');
  const row = page.locator('[data-testid="alarm-table"] [data-alarm-id="L1.Jam"]');
  await page.waitForSelector('[data-testid="alarm-table"] [data-alarm-id="L1.Jam"][data-state="latched"]', { timeout: 15_000 });
  await row.click();
  const detail = page.locator('[data-testid="alarm-detail"][data-alarm-id="L1.Jam"]');
  await detail.waitFor();
  assert.match(await detail.locator('[data-testid="detail-response"]').innerText(), /Clear the jam/);
  assert.equal(await detail.locator('[data-testid="detail-oos"]').isDisabled(), true, 'the operator role may not take alarms out of service');
  const box = await detail.locator('[data-testid="detail-reset"]').boundingBox();
  assert.ok(box !== null && box.height >= 48 && box.width >= 48, 'a touch target');
  await page.screenshot({ path: join(shots, 'alarm-summary.png') });
  // its tag around the alarm time, and from there the live trend on the Overview
  await detail.locator('[data-testid="detail-trend"]').click();
  await page.waitForSelector('[data-testid="alarm-trend"][data-tag-id="L1.FaultCode"] [data-testid="trend-chart"] canvas', { timeout: 5000 });
  await page.click('[data-testid="alarm-trend-live"]');
  await page.waitForSelector('[data-testid="trend"][data-trend-tag-id="L1.FaultCode"]', { timeout: 3000 });
  await page.click('[data-testid="nav-alarms"]');
  await row.click();
  await detail.locator('[data-testid="detail-reset"]').click();
  await row.waitFor({ state: 'detached', timeout: 3000 });
});

test('4. a shelved alarm returns, unacknowledged, when its shelve expires', async () => {
  sim.setScenario('jam', true);
  await page.waitForSelector(jamLine, { timeout: 5000 });
  await page.click('[data-testid="alarm-table"] [data-alarm-id="L1.Jam"]');
  await page.click('[data-testid="detail-shelve"]');
  await page.click('[data-testid="shelve-5"]');
  await page.fill('[data-testid="shelve-reason"]', 'jam being cleared by the line lead');
  const shelvedAt = Date.now();
  await page.click('[data-testid="shelve-confirm"]');
  await page.waitForSelector('[data-testid="alarm-table"] [data-alarm-id="L1.Jam"][data-state="shelved"]', { timeout: 3000 }).catch(async () => {
    // the state filter shows active alarms: a shelved one is found under "Shelved"
    await page.selectOption('[data-testid="filter-state"]', 'shelved');
    await page.waitForSelector('[data-testid="alarm-table"] [data-alarm-id="L1.Jam"][data-state="shelved"]', { timeout: 3000 });
  });
  assert.equal(await page.locator(jamLine).count(), 0, 'a shelved alarm is not in the banner');
  await page.waitForSelector(`${jamLine}[data-state="unack"]`, { timeout: 15_000 });
  const back = (Date.now() - shelvedAt) / 1000;
  assert.ok(back >= 4.5 && back < 12, `back after ${back.toFixed(1)} s`);
  await page.selectOption('[data-testid="filter-state"]', 'annunciated');
  await page.click('[data-testid="alarms-view-journal"]');
  await page.waitForSelector('[data-testid="journal-table"] tr[data-alarm-id="L1.Jam"][data-event="shelveExpired"]', { timeout: 5000 });
  sim.setScenario('jam', false);
});

test('5. by keyboard: Enter on an alarm row selects it and moves focus to its detail actions; Enter there acknowledges', async () => {
  sim.setScenario('jam', true);
  await page.click('[data-testid="alarms-view-summary"]');
  const row = page.locator('[data-testid="alarm-table"] [data-alarm-id="L1.Jam"][data-state="unack"]');
  await row.waitFor({ timeout: 10_000 });
  await row.focus();
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="alarm-detail"][data-alarm-id="L1.Jam"]').waitFor();
  await waitFor('focus in the detail actions', async () => (await page.evaluate(`document.activeElement?.closest('[data-testid="alarm-actions"]') !== null && document.activeElement?.getAttribute('data-testid')`)) === 'detail-ack', 3000);
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="alarm-table"] [data-alarm-id="L1.Jam"][data-state="acked"]').waitFor({ timeout: 5000 });
  sim.setScenario('jam', false);
});
