/**
 * An operator changes a setpoint from the overview in a real browser: the dialog checks the
 * limits before sending, the write is read back and confirmed, the value on screen follows,
 * and the change is on record.
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
import { writeDemoProjectFor } from '../helpers/simulated-project';
import { repoRoot, tempDir, waitFor } from '../helpers/temp';

let sim: SimulatedLine;
let app: HeadlessProcess;
let browser: Browser;
let page: Page;
const tmp = tempDir();
const shots = join(repoRoot(), 'test-results');
const row = '[data-tag-id="L1.SpeedSetpoint"]';

before(async () => {
  mkdirSync(shots, { recursive: true });
  sim = await startSimulator({ pkiDir: join(tmp.dir, 'sim-pki'), log: () => undefined, idlePeriods: false });
  app = await startHeadless(['--project', writeDemoProjectFor(sim, tmp.dir), '--data-dir', join(tmp.dir, 'data'), '--listen', '127.0.0.1:0']);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(app.url);
  await signInPageAs(page, app.url, ['operator']);
  await page.waitForSelector(`${row}[data-quality="good"]`, { timeout: 15_000 });
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await sim?.stop();
  tmp.cleanup();
});

test('1. only writable tags offer "Set…"', async () => {
  assert.equal(await page.locator(`${row} [data-testid="write-open"]`).count(), 1);
  assert.equal(await page.locator('[data-tag-id="L1.MotorCurrent"] [data-testid="write-open"]').count(), 0);
});

test('2. out of limits is caught in the dialog; a valid value is written, verified and shown', async () => {
  await page.click(`${row} [data-testid="write-open"]`);
  const input = page.locator('[data-testid="write-input"]');
  await input.fill('250');
  assert.match(await page.locator('[data-testid="write-hint"]').innerText(), /maximum is 200/);
  assert.equal(await page.locator('[data-testid="write-confirm"]').isDisabled(), true);
  await input.fill('135');
  await page.screenshot({ path: join(shots, 'write-dialog.png') });
  await input.press('Enter');
  // the change is shown before anything is sent
  assert.match(await page.locator('[data-testid="write-change"]').innerText(), /^120 → 135 packs\/min$/);
  assert.equal(sim.model.snapshot().speedSetpoint, 120, 'nothing sent before the confirmation');
  await page.screenshot({ path: join(shots, 'write-confirm.png') });
  await page.click('[data-testid="write-send"]');
  const result = page.locator('[data-testid="write-result"]');
  await result.waitFor({ timeout: 5000 });
  assert.equal(await result.getAttribute('data-verified'), 'true');
  assert.match(await result.innerText(), /device now holds 135/);
  await page.click('[data-testid="write-close"]');
  await waitFor('the overview to show 135', async () => (await page.locator(`${row} [data-testid="value"]`).innerText()).includes('135'));
  assert.equal(sim.model.snapshot().speedSetpoint, 135, 'the PLC holds it');
  const trendTag = await page.locator('[data-trend-tag-id]').getAttribute('data-trend-tag-id');
  assert.notEqual(trendTag, 'L1.SpeedSetpoint', 'setting a value did not switch the trend');
});

test('3. a command bit through its two buttons, in the tag’s words (Run / Stop)', async () => {
  await page.click('[data-tag-id="L1.RunCommand"] [data-testid="write-open"]');
  assert.deepEqual([await page.locator('[data-testid="write-on"]').innerText(), await page.locator('[data-testid="write-off"]').innerText()], ['Run', 'Stop']);
  await page.click('[data-testid="write-off"]');
  assert.match(await page.locator('[data-testid="write-change"]').innerText(), /Run → Stop/);
  await page.click('[data-testid="write-send"]');
  await page.locator('[data-testid="write-result"][data-verified="true"]').waitFor({ timeout: 5000 });
  await page.click('[data-testid="write-close"]');
  await page.waitForSelector('[data-tag-id="L1.Running"] [data-testid="value"]:has-text("Stopped")', { timeout: 5000 });
  await page.click('[data-tag-id="L1.RunCommand"] [data-testid="write-open"]');
  await page.click('[data-testid="write-on"]');
  await page.click('[data-testid="write-send"]');
  await page.locator('[data-testid="write-result"][data-verified="true"]').waitFor({ timeout: 5000 });
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('[data-testid="write-dialog"]').count(), 0, 'Escape closes the dialog');
});

test('4. the diagnostics screen shows each device\'s counters and response times, and the writes on record', async () => {
  await page.click('[data-testid="nav-diagnostics"]');
  const plc = page.locator('[data-testid="diagnostics"] [data-device-id="filler_plc"]');
  await plc.waitFor({ timeout: 5000 });
  assert.equal(await plc.getAttribute('data-state'), 'online');
  assert.match(await plc.locator('[data-testid="response-times"]').innerText(), /\d+(\.\d)? \/ \d+(\.\d)? \/ \d+(\.\d)? ms/);
  const before = Number(await plc.locator('[data-testid="requests"]').innerText());
  await waitFor('the request counter to move', async () => Number(await plc.locator('[data-testid="requests"]').innerText()) > before, 6000);
  const audit = page.locator('[data-testid="audit-table"]');
  const text = await audit.innerText();
  assert.match(text, /L1\.SpeedSetpoint\s+120\s+135\s+Done/);
  assert.match(text, /L1\.RunCommand/);
  await page.screenshot({ path: join(shots, 'diagnostics.png') });
  await page.click('[data-testid="nav-operate"]');
  await page.waitForSelector('[data-testid="overview-table"]');
});

test('5. keyboard only: Enter on the row opens Set…, Tab stays in the dialog, Enter reviews and confirms, Escape closes', async () => {
  await page.locator(row).focus();
  await page.keyboard.press('Enter');
  await page.locator('[data-testid="write-dialog"]').waitFor({ timeout: 5000 });
  const inDialog = () => page.evaluate(`document.querySelector('[data-testid="write-dialog"]').contains(document.activeElement)`);
  assert.equal(await inDialog(), true, 'focus moved into the dialog');
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Tab');
    assert.equal(await inDialog(), true, `Tab ${i + 1} stays in the dialog`);
  }
  await page.locator('[data-testid="write-input"]').focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('140');
  await page.keyboard.press('Enter');
  assert.match(await page.locator('[data-testid="write-change"]').innerText(), /135 → 140 packs\/min/);
  await page.keyboard.press('Enter'); // the confirm button has the focus
  await page.locator('[data-testid="write-result"][data-verified="true"]').waitFor({ timeout: 5000 });
  await page.keyboard.press('Escape');
  await page.locator('[data-testid="write-dialog"]').waitFor({ state: 'detached', timeout: 2000 });
  assert.equal(await page.evaluate(`document.activeElement?.getAttribute('data-tag-id')`), 'L1.SpeedSetpoint', 'focus back on the row');
  assert.equal(sim.model.snapshot().speedSetpoint, 140);
});

test('6. Escape closes the write dialog while editing, and nothing is written', async () => {
  await page.click(`${row} [data-testid="write-open"]`);
  await page.locator('[data-testid="write-input"]').fill('150');
  await page.keyboard.press('Escape');
  await page.locator('[data-testid="write-dialog"]').waitFor({ state: 'detached', timeout: 2000 });
  assert.equal(sim.model.snapshot().speedSetpoint, 140);
});
