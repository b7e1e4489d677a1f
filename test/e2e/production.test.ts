/**
 * The Production screen by touch in Chromium (a touch screen context: taps, no mouse), against
 * the headless app on the built-in simulator, its random stops off and its states scripted
 * (`sim.model.force`), stops under 3 s minor:
 *
 *   1. a stop with no reason of its own: it appears on the screen pending a reason (count, list,
 *      outlined on the timeline); the operator taps it, picks a reason in the picker, confirms:
 *      the count drops and the Pareto shows the reason; a correction the same way; Escape closes;
 *   2. the whole loop: bearing wear raises the vibration alarm; from its detail the operator
 *      raises a maintenance request (the lifecycle buttons greyed for her, with the reason); the
 *      technician acknowledges and starts it, runs the alarm's bearing procedure by touch (the
 *      line stops, a worn bearing is replaced, the line runs, signed); the alarm clears; he
 *      closes the request choosing that run; the operator gives the stop its reason (drive
 *      bearing, a breakdown: linked to the request, none raised again) and the shift's OEE and
 *      losses show it;
 *   3. the product changed from the configured products.
 * Screenshots: test-results/production-*.png at 1280×800 and 1920×1080.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { stringify } from 'yaml';
import { bindToSimulator } from '../../main/app/runtime';
import { loadProjectFile } from '../../main/config/project-loader';
import { MachineState } from '../../main/simulator/line-model';
import { startSimulator, type SimulatedLine } from '../../main/simulator/simulator';
import type { MaintenanceRequest } from '../../shared/production';
import { launchChromium } from '../helpers/browser';
import { callWithCookie, createUsersWithCookie, E2E_PASSWORD, pageCookie, releaseInstructionWithCookie, switchPageUser } from '../helpers/page-session';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';
import { repoRoot, tempDir, waitFor } from '../helpers/temp';

let sim: SimulatedLine;
let app: HeadlessProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const tmp = tempDir();
const shots = join(repoRoot(), 'test-results');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  mkdirSync(shots, { recursive: true });
  // no random stops (states are scripted); a bearing wears out in seconds
  sim = await startSimulator({ pkiDir: join(tmp.dir, 'sim-pki'), log: () => undefined, idlePeriods: false, production: false, wearUnitMs: 4000 });
  const project = bindToSimulator(loadProjectFile(join(repoRoot(), 'projects', 'demo-line.yaml')), sim);
  project.instructions.folder = join(repoRoot(), 'projects', 'instructions');
  project.production!.minorStopS = 3; // the demo's 2 minutes would make the test slow
  const file = join(tmp.dir, 'project.yaml');
  writeFileSync(file, stringify(project));
  app = await startHeadless(['--project', file, '--data-dir', join(tmp.dir, 'data'), '--listen', '127.0.0.1:0']);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, hasTouch: true });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(app.url);
  await createUsersWithCookie(app.url, await pageCookie(page), [
    { userId: 'olga', name: 'Olga Operator', roles: ['operator'] },
    { userId: 'max', name: 'Max Maintenance', roles: ['maintenance'] },
    { userId: 'eve', name: 'Eve Engineer', roles: ['engineer'] },
    { userId: 'sam', name: 'Sam Supervisor', roles: ['supervisor'] },
  ]);
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await sim?.stop();
  tmp.cleanup();
});

/** The page's session as this user, then a reload and the Production screen by a tap. */
async function asOnProduction(userId: string): Promise<void> {
  await switchPageUser(page, app.url, userId);
  await page.tap('[data-testid="nav-production"]');
  await page.waitForSelector('[data-testid="production-screen"][data-ready="true"]');
}

async function call<T>(method: string, params: unknown): Promise<T> {
  const [r] = await callWithCookie(app.url, await pageCookie(page), [{ method, params }]);
  assert.ok(r.ok, `${method}: ${JSON.stringify(r.error)}`);
  return r.result as T;
}

async function release(instructionId: string): Promise<void> {
  await releaseInstructionWithCookie(app.url, await pageCookie(page), instructionId, { engineer: 'eve', supervisor: 'sam' });
}

async function atStep(id: string): Promise<void> {
  await page.locator(`[data-testid="step"][data-step-id="${id}"]`).waitFor({ timeout: 15_000 });
}

const pendingCount = async () => Number(await page.getAttribute('[data-testid="pending-count"]', 'data-count'));

async function shoot(name: string): Promise<void> {
  for (const size of [{ width: 1280, height: 800 }, { width: 1920, height: 1080 }]) {
    await page.setViewportSize(size);
    await sleep(300);
    await page.screenshot({ path: join(shots, `production-${name}-${size.width}.png`) });
    // the header keeps every tab on one line and the clock in view, the tab's count included
    const header = (await page.evaluate(`(() => {
      const clock = document.querySelector('.clock').getBoundingClientRect();
      const tab = document.querySelector('[data-testid="nav-production"]').getBoundingClientRect();
      const badge = document.querySelector('[data-testid="nav-badge-production"]');
      return { clockRight: clock.right, width: innerWidth, tabHeight: tab.height, badgeBelow: badge === null ? 0 : badge.getBoundingClientRect().bottom - tab.top };
    })()`)) as { clockRight: number; width: number; tabHeight: number; badgeBelow: number };
    assert.ok(header.clockRight <= header.width + 1, `${name} at ${size.width}: the clock past the edge ${JSON.stringify(header)}`);
    assert.ok(header.badgeBelow < header.tabHeight * 0.8, `${name} at ${size.width}: the tab's count on a second line ${JSON.stringify(header)}`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('1. a stop pending a reason: tapped, a reason picked and confirmed; the count drops, the Pareto shows it; a correction', async () => {
  await asOnProduction('olga');
  await page.locator('[data-testid="prod-state"][data-state="running"]').waitFor({ timeout: 20_000 });
  const before = await pendingCount();
  // a plain stop (no fault code, no state reason): past the 3 s threshold, it needs a reason
  sim.model.force(MachineState.Stopped, 0);
  await page.locator('[data-testid="prod-state"][data-state="idle"]').waitFor();
  await sleep(5000);
  sim.model.force(MachineState.Running, 0);
  await page.locator('[data-testid="prod-state"][data-state="running"]').waitFor();
  const stop = page.locator('[data-testid="prod-pending"] [data-testid="stop"][data-status="pending"]').last();
  await stop.waitFor();
  await waitFor('the count shows the new stop', async () => (await pendingCount()) === before + 1, 10_000);
  assert.ok((await page.locator('[data-testid="timeline-pending"]').count()) >= 1, 'the stop is outlined on the timeline');
  const id = await stop.getAttribute('data-downtime-id');
  const navBadge = async () => ((await page.locator('[data-testid="nav-badge-production"]').count()) === 0 ? 0 : Number(await page.innerText('[data-testid="nav-badge-production"]')));
  await waitFor('the count on the nav tab', async () => (await navBadge()) === before + 1, 10_000);
  await shoot('pending');

  await stop.tap();
  const picker = page.locator('[data-testid="reason-picker"]');
  await picker.waitFor();
  // Escape closes the picker and nothing is set
  await page.keyboard.press('Escape');
  await picker.waitFor({ state: 'detached' });
  assert.equal(await pendingCount(), before + 1);
  await page.tap(`[data-testid="stop"][data-downtime-id="${id}"]`);
  await picker.waitFor();
  assert.equal(await page.isDisabled('[data-testid="reason-confirm"]'), true, 'no reason picked: nothing to confirm');
  await page.tap('[data-testid="reason-option"][data-reason-code="UNPLANNED"]');
  await page.tap('[data-testid="reason-option"][data-reason-code="FLOW"]');
  await page.tap('[data-testid="reason-option"][data-reason-code="FLOW-STARVED"]');
  await page.fill('[data-testid="reason-comment"]', 'no cups from the filler');
  await shoot('reason-dialog');
  await page.tap('[data-testid="reason-confirm"]');
  await picker.waitFor({ state: 'detached' });
  await waitFor('the pending count drops', async () => (await pendingCount()) === before, 10_000);
  await waitFor('and on the nav tab', async () => (await navBadge()) === before, 10_000);
  await page.locator('[data-testid="pareto-entry"][data-reason-code="FLOW-STARVED"][data-count="1"]').waitFor();
  const done = page.locator(`[data-testid="stops-done"] [data-testid="stop"][data-downtime-id="${id}"]`);
  assert.match(await done.innerText(), /No product at infeed/);

  // a correction: the same way, on record
  await done.tap();
  await picker.waitFor();
  assert.match(await picker.innerText(), /Correct the reason/);
  await page.tap('[data-testid="reason-option"][data-reason-code="UNPLANNED"]');
  await page.tap('[data-testid="reason-option"][data-reason-code="SETUP-ADJUST"]');
  await page.tap('[data-testid="reason-confirm"]');
  await picker.waitFor({ state: 'detached' });
  await page.locator('[data-testid="pareto-entry"][data-reason-code="SETUP-ADJUST"][data-count="1"]').waitFor();
  assert.equal(await page.locator('[data-testid="pareto-entry"][data-reason-code="FLOW-STARVED"]').count(), 0);
  const events = await call<{ id: number; reasonCode: string; comment: string; history: { kind: string }[] }[]>('production.downtime.list', { status: 'done' });
  const e = events.find((x) => x.id === Number(id));
  assert.equal(e?.reasonCode, 'SETUP-ADJUST');
  assert.deepEqual(e?.history.map((h) => h.kind).filter((k) => k !== 'comment'), ['reason', 'correction']);
  await shoot('after-reason');
});

test('2. the whole loop: bearing wear → alarm → maintenance request → the bearing procedure run → the alarm clears → the request done by that run → the stop with its reason in the shift\'s OEE', { timeout: 240_000 }, async () => {
  sim.model.force(null); // the line follows its run command again
  await release('WI-MNT-014');
  sim.setScenario('bearingWear', true);
  await asOnProduction('olga');
  await page.locator('[data-testid="prod-state"][data-state="running"]').waitFor({ timeout: 20_000 });
  // the operator: the alarm, its detail, one tap for a maintenance request
  await page.tap('[data-testid="nav-alarms"]');
  await page.tap('[data-testid="alarm-table"] [data-alarm-id="L1.Vibration.H"]', { timeout: 30_000 });
  await page.locator('[data-testid="alarm-detail"][data-alarm-id="L1.Vibration.H"]').waitFor();
  await page.tap('[data-testid="detail-maintenance"]');
  await page.tap('[data-testid="nav-production"]');
  const request = page.locator('[data-testid="maint-request"][data-alarm-id="L1.Vibration.H"]');
  await request.waitFor();
  assert.equal(await request.getAttribute('data-state'), 'open');
  const requestId = Number(await request.getAttribute('data-request-id'));
  const created = await call<MaintenanceRequest>('maintenance.get', { id: requestId });
  assert.equal(created.source, 'alarm');
  assert.equal(created.createdBy, 'olga');
  assert.equal(created.trend?.tagIds.includes('L1.Vibration'), true, JSON.stringify(created.trend));
  // the operator may raise requests, not work them: the lifecycle buttons are greyed, saying why
  const ack = request.locator('[data-testid="maint-ack"]');
  assert.equal(await ack.isDisabled(), true);
  assert.match((await ack.getAttribute('data-why')) ?? '', /maintenance\.work|work on/);
  assert.equal(await request.locator('[data-testid="maint-cancel"]').isDisabled(), true);
  assert.equal(await page.isDisabled('[data-testid="maint-new"]'), false, 'an operator may raise a request by hand');
  await shoot('maintenance-operator');

  // the technician: acknowledges and starts the request, then runs the alarm's procedure
  await asOnProduction('max');
  for (const [button, state] of [['maint-ack', 'acknowledged'], ['maint-start', 'inProgress']] as const) {
    await request.locator(`[data-testid="${button}"]`).tap();
    await page.locator(`[data-testid="maint-request"][data-request-id="${requestId}"][data-state="${state}"]`).waitFor();
  }
  await shoot('maintenance-in-progress');
  await page.tap('[data-testid="nav-alarms"]');
  await page.tap('[data-testid="alarm-table"] [data-alarm-id="L1.Vibration.H"]');
  await page.tap('[data-testid="detail-procedure"]');
  await atStep('stop');
  await page.tap('[data-testid="step-done"]'); // the run command off: the line stops
  await atStep('lockout');
  await page.tap('[data-testid="step-confirm"]');
  await page.tap('[data-testid="step-done"]');
  await atStep('inspect');
  await page.tap('[data-testid="step-choice"][data-option="Worn"]');
  await atStep('replace');
  sim.setScenario('bearingWear', false); // the new bearing
  await sleep(6000); // fitting it takes a while: a stop past the (test's 3 s) minor-stop limit
  await page.tap('[data-testid="step-done"]');
  await atStep('restore');
  await page.tap('[data-testid="step-confirm"]');
  await page.tap('[data-testid="step-done"]');
  await atStep('start');
  await page.tap('[data-testid="step-done"]');
  await atStep('temp');
  await page.fill('[data-testid="step-value"]', '41.5');
  await page.tap('[data-testid="step-done"]');
  await atStep('done');
  await page.tap('[data-testid="step-done"]');
  await page.fill('[data-testid="signing-secret"]', E2E_PASSWORD);
  await page.tap('[data-testid="signing-submit"]');
  await page.locator('[data-testid="run-player"][data-state="completed"]').waitFor({ timeout: 10_000 });
  const runId = (await call<{ id: number; instructionId: string; state: string }[]>('runs.list', { instructionId: 'WI-MNT-014', state: 'completed' }))[0].id;

  // the alarm clears with the new bearing
  await waitFor('the vibration alarm to clear', async () => (await call<{ id: string; active: boolean }[]>('alarms.list', {})).find((a) => a.id === 'L1.Vibration.H')?.active === false, 60_000, 500);

  // the request done, by that run
  await asOnProduction('max');
  await request.locator('[data-testid="maint-done"]').tap();
  const dialog = page.locator('[data-testid="maint-done-dialog"]');
  await dialog.waitFor();
  await page.locator(`[data-testid="maint-done-run"][data-run-id="${runId}"][aria-checked="true"]`).waitFor();
  await page.fill('[data-testid="maint-done-comment"]', 'bearing worn, replaced (SKF 6205-2RS)');
  await shoot('maintenance-done-dialog');
  await page.tap('[data-testid="maint-done-confirm"]');
  await dialog.waitFor({ state: 'detached' });
  await request.waitFor({ state: 'detached' });
  const closed = await call<MaintenanceRequest>('maintenance.get', { id: requestId });
  assert.equal(closed.state, 'done');
  assert.equal(closed.runId, runId, 'the request keeps the run that did the work');
  assert.deepEqual(closed.history.map((h) => h.to), ['open', 'acknowledged', 'inProgress', 'done']);
  assert.equal(closed.history[1].user, 'max');

  // the operator gives the stop its reason: a mechanical breakdown of the drive bearing
  await asOnProduction('olga');
  const pending = await call<{ id: number; start: number; end: number | null }[]>('production.downtime.list', { status: 'pending' });
  const stopEvent = pending.find((e) => e.start >= closed.history[2].ts && e.end !== null);
  assert.ok(stopEvent, `the maintenance stop pending a reason: ${JSON.stringify(pending)}`);
  await page.tap(`[data-testid="prod-pending"] [data-testid="stop"][data-downtime-id="${stopEvent.id}"]`);
  await page.waitForSelector('[data-testid="reason-picker"]');
  await page.tap('[data-testid="reason-option"][data-reason-code="UNPLANNED"]');
  await page.tap('[data-testid="reason-option"][data-reason-code="MECH"]');
  await page.tap('[data-testid="reason-option"][data-reason-code="MECH-DRIVE"]');
  await page.tap('[data-testid="reason-confirm"]');
  await page.waitForSelector('[data-testid="reason-picker"]', { state: 'detached' });
  await page.locator('[data-testid="pareto-entry"][data-reason-code="MECH-DRIVE"][data-count="1"]').waitFor();
  // the stop was the request's work: linked to it, no second request raised
  const linked = await call<MaintenanceRequest>('maintenance.get', { id: requestId });
  assert.equal(linked.downtimeId, stopEvent.id);
  const open = await call<MaintenanceRequest[]>('maintenance.list', { open: true, limit: 50 });
  assert.equal(open.filter((r) => r.downtimeId === stopEvent.id).length, 0, 'no request raised again for the stop');
  // the shift's OEE: the stop as breakdown time, on screen and in the figures
  const live = await call<{ shift: { from: number }; kpis: { oee: number | null; losses: { breakdown: number } } }>('production.live', {});
  assert.ok(live.kpis.losses.breakdown >= stopEvent.end! - stopEvent.start - 2000, `breakdown ${live.kpis.losses.breakdown} ms for a ${stopEvent.end! - stopEvent.start} ms stop`);
  assert.ok(live.kpis.oee !== null && live.kpis.oee < 1);
  assert.notEqual(await page.innerText('[data-testid="six-losses"] [data-loss="breakdown"] .prod-bars__figure'), '0 min');
  await shoot('loop-oee');
});

test('3. the product, changed from the configured products', async () => {
  await asOnProduction('olga');
  await page.tap('[data-testid="product-change"]');
  await page.waitForSelector('[data-testid="product-dialog"]');
  assert.equal(await page.locator('[data-testid="product-option"]').count(), 2);
  await page.tap('[data-testid="product-option"][data-product="PK-500"]');
  await page.fill('[data-testid="product-order"]', 'ORD-4711');
  await page.tap('[data-testid="product-confirm"]');
  await page.waitForSelector('[data-testid="product-dialog"]', { state: 'detached' });
  await waitFor('the product on screen', async () => /Pack 500 g/.test(await page.innerText('[data-testid="prod-product"]')) && /ORD-4711/.test(await page.innerText('[data-testid="prod-product"]')), 10_000);
});

test('4. a stop split at a time inside it: two stops, each waiting for its reason', async () => {
  await asOnProduction('olga');
  const before = await pendingCount();
  sim.model.force(MachineState.Stopped, 0);
  await page.locator('[data-testid="prod-state"][data-state="idle"]').waitFor();
  await sleep(9000);
  sim.model.force(MachineState.Running, 0);
  await page.locator('[data-testid="prod-state"][data-state="running"]').waitFor();
  await waitFor('the stop pending', async () => (await pendingCount()) === before + 1, 10_000);
  const stop = page.locator('[data-testid="prod-pending"] [data-testid="stop"][data-status="pending"]').last();
  const id = Number(await stop.getAttribute('data-downtime-id'));
  const event = (await call<{ id: number; start: number; end: number }[]>('production.downtime.list', { status: 'pending' })).find((e) => e.id === id);
  assert.ok(event !== undefined && event.end - event.start > 8000, JSON.stringify(event));
  await stop.tap();
  await page.waitForSelector('[data-testid="reason-picker"]');
  await page.tap('[data-testid="split-open"]');
  // a time outside the stop cannot be confirmed
  await page.fill('[data-testid="split-at"]', '03:00:00');
  assert.equal(await page.isDisabled('[data-testid="split-confirm"]'), true);
  const at = Math.ceil((event.start + 4000) / 1000) * 1000;
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  await page.fill('[data-testid="split-at"]', `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`);
  await page.tap('[data-testid="split-confirm"]');
  await page.waitForSelector('[data-testid="reason-picker"]', { state: 'detached' });
  await waitFor('two stops pending', async () => (await pendingCount()) === before + 2, 10_000);
  const parts = (await call<{ id: number; start: number; end: number; splitFrom: number | null }[]>('production.downtime.list', { status: 'pending' })).filter((e) => e.id === id || e.splitFrom === id);
  assert.deepEqual(parts.map((e) => [e.start, e.end]).sort((a, b) => a[0] - b[0]), [
    [event.start, at],
    [at, event.end],
  ]);
  // the last hour: the stops are wide enough to see
  await page.tap('[data-testid="timeline-hour"]');
  const width = await page.locator('[data-testid="timeline-pending"]').last().evaluate((el) => (el as unknown as { getBoundingClientRect(): { width: number } }).getBoundingClientRect().width);
  assert.ok(width >= 5, `a 4 s stop ${width} px wide in the last hour`);
  // every state since the app started is on the bar, each where it began
  const live = await call<{ now: number; shift: { from: number }; timeline: { start: number; end: number | null; state: string }[] }>('production.live', {});
  const segs = await page.locator('.prod-seg[data-state]').evaluateAll((els) => els.map((el) => [el.getAttribute('data-state'), Number.parseFloat((el as unknown as { style: { left: string } }).style.left)]));
  // the last hour, or the shift so far when it began less than an hour ago
  const windowFrom = Math.max(live.shift.from, live.now - 3_600_000);
  const shown = live.timeline.filter((i) => (i.end ?? live.now) > windowFrom);
  assert.deepEqual(segs.map(([state]) => state), shown.map((i) => i.state), JSON.stringify(segs));
  const idle = shown.findIndex((i) => i.state === 'idle');
  assert.ok(idle >= 0 && Math.abs((segs[idle][1] as number) - (100 * (shown[idle].start - windowFrom)) / 3_600_000) < 1, JSON.stringify({ segs, shown, windowFrom }));
  await shoot('split-last-hour');
});
