/**
 * End to end: the headless shell serving the real renderer to Debian's Chromium, the built-in
 * simulator's real servers behind it. A live value changes on screen; a communication dropout
 * turns it bad (never shown as good), and it turns good again after.
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

const row = (tagId: string) => `[data-tag-id="${tagId}"]`;
const valueOf = (tagId: string) => `${row(tagId)} [data-testid="value"]`;

before(async () => {
  mkdirSync(shots, { recursive: true });
  sim = await startSimulator({ pkiDir: join(tmp.dir, 'sim-pki'), log: () => undefined });
  const project = writeDemoProjectFor(sim, tmp.dir);
  app = await startHeadless(['--project', project, '--data-dir', join(tmp.dir, 'data'), '--listen', '127.0.0.1:0']);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(app.url);
  await signInPageAs(page, app.url, ['maintenance']);
  (page as unknown as { __errors: string[] }).__errors = errors;
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await sim?.stop();
  tmp.cleanup();
});

test('1. the overview lists every tag and shows a live value changing', async () => {
  await page.waitForSelector(`${row('L1.Speed')}[data-quality="good"]`, { timeout: 15_000 });
  const rows = await page.locator('[data-tag-id]').count();
  assert.ok(rows >= 21, `${rows} tag rows`);
  const first = await page.locator(valueOf('L1.MotorCurrent')).innerText();
  await waitFor('the motor current to change on screen', async () => {
    const now = await page.locator(valueOf('L1.MotorCurrent')).innerText();
    return now !== first && /\d/.test(now);
  });
  await page.screenshot({ path: join(shots, 'overview-live.png') });
  assert.deepEqual((page as unknown as { __errors: string[] }).__errors, [], 'no errors in the page (CSP violations included)');
});

test('2. a dropout turns values bad within seconds, visibly; they turn good again after', async () => {
  sim.dropout(8000);
  const t0 = Date.now();
  // OPC UA (polled) and Modbus tags both go bad: a timeout is a communication failure
  await page.waitForSelector(`${row('L1.Speed')}[data-quality="bad"]`, { timeout: 8_000 });
  await page.waitForSelector(`${row('L1.MotorCurrent')}[data-quality="bad"]`, { timeout: 8_000 });
  const badAfter = Date.now() - t0;
  const text = await page.locator(row('L1.MotorCurrent')).innerText();
  assert.match(text, /BAD/i, 'the row says the value is bad');
  assert.match(text, /comm/i, 'and why');
  await page.screenshot({ path: join(shots, 'overview-dropout.png') });
  // the device strip says the PLC is not online (connecting or backing off), while it is cut
  await page.waitForSelector('[data-device-id="filler_plc"]:not([data-state="online"])', { timeout: 5_000 });
  await page.waitForSelector(`${row('L1.Speed')}[data-quality="good"]`, { timeout: 20_000 });
  await page.waitForSelector(`${row('L1.MotorCurrent')}[data-quality="good"]`, { timeout: 20_000 });
  const goodAfter = Date.now() - t0;
  assert.ok(badAfter < 8000, `bad after ${badAfter} ms`);
  assert.ok(goodAfter >= 8000, `good again only after the dropout (${goodAfter} ms)`);
  await page.screenshot({ path: join(shots, 'overview-recovered.png') });
});

test('3. a jam: the fault code carries its alarm priority beside the value; the stopped drive current is marked below its normal band', async () => {
  sim.setScenario('jam', true);
  try {
    const indicator = page.locator(`${valueOf('L1.FaultCode')} [data-testid="value-alarm"]`);
    await indicator.waitFor({ timeout: 5000 });
    assert.equal(await indicator.getAttribute('data-priority'), '2', 'the jam is a priority 2 alarm');
    // the code in words, as the project names it; the line's state in the header, on every screen
    assert.equal(await page.locator(`${valueOf('L1.FaultCode')} .value-text`).innerText(), 'Infeed jam');
    await page.locator('[data-testid="line-state"][data-state="fault"]').waitFor({ timeout: 5000 });
    assert.match(await page.locator('[data-testid="line-state"]').innerText(), /FAULT/);
    assert.equal(await page.locator(`${valueOf('L1.EStopOk')} .value-text`).innerText(), 'Healthy');
    assert.equal(await indicator.locator('svg.prio--2').count(), 1, 'shape + number + colour, the banner\'s own badge');
    const badge = await indicator.boundingBox();
    const text = await page.locator(`${valueOf('L1.FaultCode')} .value-text`).boundingBox();
    assert.ok(badge && text, 'both on screen');
    assert.ok(badge.x + badge.width <= text.x + 1 && Math.abs(badge.y + badge.height / 2 - (text.y + text.height / 2)) < 12, 'beside the value, on its line');
    // leaving the normal band is marked, and is not an alarm colour
    await page.waitForSelector(`${valueOf('L1.MotorCurrent')}[data-band="low"]`, { timeout: 8000 });
    assert.match(await page.locator(`${valueOf('L1.MotorCurrent')} .value-band`).innerText(), /▼/);
    assert.equal(await page.locator(`${valueOf('L1.Speed')} [data-testid="value-alarm"]`).count(), 0, 'a tag without an alarm has no indicator');
    // the line graphic carries the same cues in place: the filler's fault in words with its
    // priority, its state Faulted, the drive current below its band; tapping a value trends it
    const graphic = (id: string) => `[data-testid="line-graphic"] [data-graphic-tag="${id}"]`;
    assert.equal(await page.locator(`${graphic('L1.FaultCode')} [data-testid="value-alarm"]`).getAttribute('data-priority'), '2');
    assert.equal(await page.locator(`${graphic('L1.FaultCode')} .value-text`).innerText(), 'Infeed jam');
    await page.waitForSelector(`[data-testid="line-unit"][data-unit-id="filler"] [data-testid="line-unit-state"]:has-text("Faulted")`, { timeout: 5000 });
    assert.equal(await page.getAttribute(graphic('L1.MotorCurrent'), 'data-band'), 'low');
    assert.equal(await page.locator(`${graphic('L1.Speed')} [data-testid="value-alarm"]`).count(), 0);
    await page.click(graphic('L1.BearingTemp'));
    await page.waitForSelector('[data-testid="trend"][data-trend-tag-id="L1.BearingTemp"]', { timeout: 5000 });
    await page.screenshot({ path: join(shots, 'overview-abnormal.png') });
  } finally {
    sim.setScenario('jam', false);
  }
});

test('4. age says how fresh the reading is (last confirmed by the device, not last changed); the runtime gone, every value turns stale on screen', async () => {
  sim.setScenario('jam', false);
  // the state text does not change while the line runs, yet the device confirms it every scan
  await page.waitForSelector(`${row('L1.StateText')}[data-quality="good"]`, { timeout: 15_000 });
  await waitFor('the state text confirmed within its scans', async () => /^[0-3] s$/.test(await page.locator(`${row('L1.StateText')} [data-testid="age"]`).innerText()), 10_000);
  const confirmed = Number(await page.getAttribute(`${row('L1.StateText')} [data-testid="age"]`, 'data-confirmed'));
  assert.ok(Date.now() - confirmed < 4000, `confirmed ${Date.now() - confirmed} ms ago`);

  assert.ok((await page.locator('[data-tag-id][data-quality="good"]').count()) >= 15);
  await app.stop('SIGKILL');
  await page.waitForSelector('[data-testid="disconnected-banner"]', { timeout: 10_000 });
  await waitFor('no value shown as good', async () => (await page.locator('[data-tag-id][data-quality="good"]').count()) === 0, 5000);
  assert.match(await page.locator(`${row('L1.Speed')} td.cell-quality`).innerText(), /STALE/);
  assert.equal(await page.getAttribute(row('L1.Speed'), 'data-quality'), 'uncertain');
  // the age grows: nothing confirms the values any more
  const ageBefore = Number(await page.getAttribute(`${row('L1.Speed')} [data-testid="age"]`, 'data-confirmed'));
  await page.waitForTimeout(2500);
  assert.match(await page.locator(`${row('L1.Speed')} [data-testid="age"]`).innerText(), /^([3-9]|\d\d+) s$/);
  assert.equal(Number(await page.getAttribute(`${row('L1.Speed')} [data-testid="age"]`, 'data-confirmed')), ageBefore);
  await page.screenshot({ path: join(shots, 'overview-disconnected.png') });
});
