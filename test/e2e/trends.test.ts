/**
 * End to end: the Trends screen in Debian's Chromium against the headless shell, the simulator's
 * real servers live, and a known history seeded into the data dir before the app starts:
 * L1.Speed and L1.MotorCurrent ramp by 1 unit per minute (speed from 0, current from 10) at
 * 1 Hz over two hours, with a 10-minute bad-quality stretch.
 *
 * Add two pens, see live data move; zoom into history and see finer detail arrive; a cursor
 * reads the known values, two cursors the statistics between them; the bad stretch is a gap;
 * a saved view reopens; the CSV export holds the raw samples of the range.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startSimulator, type SimulatedLine } from '../../main/simulator/simulator';
import { launchChromium } from '../helpers/browser';
import { signInPageAs } from '../helpers/page-session';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';
import { rampWithBadStretch, seedHistory } from '../helpers/seed-history';
import { writeDemoProjectFor } from '../helpers/simulated-project';
import { repoRoot, tempDir, waitFor } from '../helpers/temp';

const MIN = 60_000;
const PENS = ['L1.Speed', 'L1.MotorCurrent'];
// whole minutes, two and a half hours ago: the seeded data ends well before the live data starts
const T0 = Math.floor((Date.now() - 150 * MIN) / MIN) * MIN;
const BAD_FROM = T0 + 30 * MIN;
const BAD_TO = T0 + 40 * MIN;
const ramp = rampWithBadStretch({ from: T0, tags: PENS, slopePerMin: 1, badFrom: BAD_FROM, badTo: BAD_TO });

let sim: SimulatedLine;
let app: HeadlessProcess;
let browser: Browser;
let page: Page;
const errors: string[] = [];
const tmp = tempDir();
const shots = join(repoRoot(), 'test-results');

interface Drawn {
  from: number;
  to: number;
  loading: boolean;
  points: number;
  last: Record<string, { t: number; v: number | null }>;
  gaps: Record<string, number>;
}

const pen = (tagId: string) => `[data-testid="trend-pen"][data-tag-id="${tagId}"]`;
const screenAttr = (name: string) => page.locator('[data-testid="trends-screen"]').getAttribute(name);

/** Collects the chart's drawn events in the page, so a test can wait for the one it expects. */
async function recordDraws(): Promise<void> {
  await page.evaluate(`(() => {
    window.__draws = [];
    document.addEventListener('lineside-trend-drawn', (e) => {
      window.__draws.push(e.detail);
      if (window.__draws.length > 200) window.__draws.shift();
    });
  })()`);
}

async function lastDraw(): Promise<Drawn | null> {
  return (await page.evaluate('window.__draws.length === 0 ? null : window.__draws[window.__draws.length - 1]')) as Drawn | null;
}

/** Waits for a draw of the range the screen shows, with its data loaded. */
async function settled(): Promise<Drawn> {
  return waitFor('the chart drawn with its data loaded', async () => {
    const d = await lastDraw();
    const from = Number(await screenAttr('data-from'));
    const to = Number(await screenAttr('data-to'));
    const mode = await screenAttr('data-mode');
    if (d === null || d.loading || (await screenAttr('data-loading')) !== 'false') return null;
    if (mode === 'history' && (Math.abs(d.from - from) > 1 || Math.abs(d.to - to) > 1)) return null;
    return d;
  }, 15_000);
}

/** Opens the Trends screen on a historical range through its address. */
async function openRange(from: number, to: number): Promise<Drawn> {
  await page.evaluate(`location.hash = ${JSON.stringify(`#trends?pens=${PENS.join(',')}&from=${from}&to=${to}`)}`);
  await waitFor('the range to apply', async () => Number(await screenAttr('data-from')) === from && Number(await screenAttr('data-to')) === to);
  return settled();
}

/** Clicks the plot at time t (ms) of the range shown. */
async function clickAt(t: number): Promise<void> {
  const from = Number(await screenAttr('data-from'));
  const to = Number(await screenAttr('data-to'));
  const box = await page.locator('.trends__plot .u-over').boundingBox();
  assert.ok(box !== null, 'the plot is on screen');
  await page.mouse.click(box.x + ((t - from) / (to - from)) * box.width, box.y + box.height / 2);
}

const hhmm = (t: number) => {
  const d = new Date(t);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

before(async () => {
  mkdirSync(shots, { recursive: true });
  const dataDir = join(tmp.dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  await seedHistory({ dataDir, tags: PENS.map((name) => ({ name })), from: T0, to: T0 + 120 * MIN, periodMs: 1000, value: ramp });
  sim = await startSimulator({ pkiDir: join(tmp.dir, 'sim-pki'), log: () => undefined });
  const project = writeDemoProjectFor(sim, tmp.dir);
  app = await startHeadless(['--project', project, '--data-dir', dataDir, '--listen', '127.0.0.1:0']);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, acceptDownloads: true });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(app.url);
  await signInPageAs(page, app.url, ['operator']);
  await recordDraws();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await sim?.stop();
  tmp.cleanup();
});

test('1. two pens added from the tag picker; live data moves', async () => {
  await page.click('[data-testid="nav-trends"]');
  await page.click('[data-testid="trend-add-pen-empty"]');
  await page.fill('[data-testid="trend-pen-search"]', 'line speed');
  const options = page.locator('[data-testid="trend-pen-option"]');
  assert.ok((await options.count()) >= 1, 'the search finds the line speed');
  await page.click('[data-testid="trend-pen-option"][data-tag-id="L1.Speed"]');
  await page.fill('[data-testid="trend-pen-search"]', 'drive current');
  await page.click('[data-testid="trend-pen-option"][data-tag-id="L1.MotorCurrent"]');
  await page.click('[data-testid="trend-picker-done"]');
  assert.equal(await page.locator('[data-testid="trend-pen"]').count(), 2);
  assert.equal(await screenAttr('data-mode'), 'live');

  const first = await waitFor('a live point of the line speed', async () => (await lastDraw())?.last['L1.Speed']);
  const moved = await waitFor('the live trend to move on', async () => {
    const d = await lastDraw();
    const p = d?.last['L1.Speed'];
    return p !== undefined && p.t > first.t + 1000 && d !== null && d.to > first.t ? p : null;
  });
  assert.ok(moved.v !== null, 'the live value is good and drawn');
  // the readout shows the value now, with its quality
  await waitFor('a live reading', async () => /\d/.test(await page.locator(`${pen('L1.Speed')} [data-testid="trend-pen-value"]`).innerText()));
  assert.equal(await page.locator(`${pen('L1.Speed')} [data-testid="trend-pen-quality"]`).innerText(), 'good');
  await page.screenshot({ path: join(shots, 'trends-live.png') });
});

test('2. zooming into history brings finer detail: min/max per pixel, then every sample', async () => {
  const wide = await openRange(T0, T0 + 120 * MIN);
  assert.equal(await screenAttr('data-mode'), 'history');
  assert.match(await page.locator('[data-testid="trend-detail"]').innerText(), /min\/max per pixel/);
  // 2 h of 1 Hz is 7,200 samples a pen: reduced to about one column a pixel, never more
  const box = await page.locator('.trends__plot .u-over').boundingBox();
  assert.ok(box !== null);
  assert.ok(wide.points <= 4 * box.width + 8, `${wide.points} x slots for ${box.width} px`);

  // drag a box over ten minutes (from 60 to 70 min): the range follows and raw samples arrive
  const x = (t: number) => box.x + ((t - T0) / (120 * MIN)) * box.width;
  await page.mouse.move(x(T0 + 60 * MIN), box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(x(T0 + 65 * MIN), box.y + box.height / 2, { steps: 5 });
  await page.mouse.move(x(T0 + 70 * MIN), box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await waitFor('the zoomed range', async () => Number(await screenAttr('data-to')) - Number(await screenAttr('data-from')) < 12 * MIN);
  const from = Number(await screenAttr('data-from'));
  const to = Number(await screenAttr('data-to'));
  assert.ok(Math.abs(from - (T0 + 60 * MIN)) < 30_000 && Math.abs(to - (T0 + 70 * MIN)) < 30_000, `box zoom to ${new Date(from).toISOString()}–${new Date(to).toISOString()}`);
  const fine = await settled();
  await waitFor('every sample', async () => /every sample/.test(await page.locator('[data-testid="trend-detail"]').innerText()));
  // every sample of both pens: 600 a pen in ten minutes, each in its own column
  assert.ok(fine.points >= 4 * 590, `${fine.points} x slots after the zoom`);
  await page.screenshot({ path: join(shots, 'trends-zoomed.png') });

  // the wheel zooms out around the pointer, and the keyboard pans
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, 200);
  await waitFor('wheel zoom-out', async () => Number(await screenAttr('data-to')) - Number(await screenAttr('data-from')) > to - from);
  const before = Number(await screenAttr('data-from'));
  await page.locator('.trends__plot').focus();
  await page.keyboard.press('ArrowRight');
  await waitFor('keyboard pan', async () => Number(await screenAttr('data-from')) > before);
});

test('3. the cursor reads the known values; two cursors give delta, min, max and average', async () => {
  await openRange(T0 + 10 * MIN, T0 + 20 * MIN);
  await clickAt(T0 + 15 * MIN + 500);
  // the value in force: the sample at T0+15 min (speed 15.0, current 25.00), not interpolated
  await waitFor('the cursor readout', async () => /At /.test(await page.locator('[data-testid="trend-readout-at"]').innerText()));
  const speed = await page.locator(`${pen('L1.Speed')} [data-testid="trend-pen-value"]`).innerText();
  const current = await page.locator(`${pen('L1.MotorCurrent')} [data-testid="trend-pen-value"]`).innerText();
  assert.ok(['15.0', '15.0'].includes(speed), `speed at the cursor: ${speed}`);
  assert.ok(['25.00', '25.01', '24.99'].includes(current), `current at the cursor: ${current}`);
  assert.equal(await page.locator(`${pen('L1.Speed')} [data-testid="trend-pen-quality"]`).innerText(), 'good');
  assert.match(await page.locator(`${pen('L1.Speed')} [data-testid="trend-pen-time"]`).innerText(), new RegExp(hhmm(T0 + 15 * MIN)));

  await clickAt(T0 + 12 * MIN + 500);
  await page.click('[data-testid="trend-cursor-a"]');
  await clickAt(T0 + 18 * MIN + 500);
  await page.click('[data-testid="trend-cursor-b"]');
  const cell = (tagId: string, what: string) => page.locator(`${pen(tagId)} [data-testid="trend-pen-${what}"]`).innerText();
  await waitFor('statistics between the cursors', async () => /\d/.test(await cell('L1.Speed', 'avg')));
  const num = async (tagId: string, what: string) => Number((await cell(tagId, what)).replace('+', ''));
  // the ramp: +1 a minute over six minutes
  assert.ok(Math.abs((await num('L1.Speed', 'delta')) - 6) <= 0.1, `delta ${await cell('L1.Speed', 'delta')}`);
  assert.ok(Math.abs((await num('L1.Speed', 'min')) - 12) <= 0.1, `min ${await cell('L1.Speed', 'min')}`);
  assert.ok(Math.abs((await num('L1.Speed', 'max')) - 18) <= 0.1, `max ${await cell('L1.Speed', 'max')}`);
  assert.ok(Math.abs((await num('L1.Speed', 'avg')) - 15) <= 0.1, `avg ${await cell('L1.Speed', 'avg')}`);
  assert.ok(Math.abs((await num('L1.MotorCurrent', 'avg')) - 25) <= 0.1, `current avg ${await cell('L1.MotorCurrent', 'avg')}`);
  await page.screenshot({ path: join(shots, 'trends-cursors.png') });
  await page.click('[data-testid="trend-cursor-clear"]');
});

test('4. a bad-quality stretch is a gap, and the cursor says so', async () => {
  const d = await openRange(T0 + 20 * MIN, T0 + 50 * MIN);
  // counted as uPlot clips them: a run of consecutive nulls; uPlot draws a line across anything
  // else, so a bad stretch broken into several runs would show as a line through the gap
  assert.equal(d.gaps['L1.Speed'], 1, 'one unbroken gap in the speed');
  assert.equal(d.gaps['L1.MotorCurrent'], 1, 'one gap in the current');
  await clickAt(T0 + 35 * MIN);
  await waitFor('the gap readout', async () => /NOT GOOD/.test(await page.locator(`${pen('L1.Speed')} [data-testid="trend-pen-quality"]`).innerText()));
  assert.equal(await page.locator(`${pen('L1.Speed')} [data-testid="trend-pen-value"]`).innerText(), '—');
  await page.screenshot({ path: join(shots, 'trends-gap.png') });
  // outside the stretch: good again, no gap
  const clean = await openRange(T0 + 50 * MIN, T0 + 80 * MIN);
  assert.equal(clean.gaps['L1.Speed'], 0);
});

test('5. a saved view reopens with its pens and range', async () => {
  const from = T0 + 5 * MIN;
  const to = T0 + 25 * MIN;
  await openRange(from, to);
  // a pen's colour: the next one of the palette, kept with the view
  const swatch = page.locator(`${pen('L1.MotorCurrent')} [data-testid="trend-pen-color"]`);
  const before = await swatch.getAttribute('data-color');
  await swatch.click();
  const color = await swatch.getAttribute('data-color');
  assert.ok(color !== null && color !== before && color !== (await page.locator(`${pen('L1.Speed')} [data-testid="trend-pen-color"]`).getAttribute('data-color')), `a new colour no other pen has: ${before} → ${color}`);
  await page.click('[data-testid="trend-view-save-open"]');
  await page.fill('[data-testid="trend-view-name"]', 'Ramp check');
  await page.click('[data-testid="trend-view-save"]');
  await page.waitForSelector('[data-testid="trend-save"]', { state: 'detached' });

  // change everything: live, one pen less
  await page.click('[data-testid="trend-live-1"]');
  await page.click(`${pen('L1.MotorCurrent')} [data-testid="trend-pen-remove"]`);
  assert.equal(await page.locator('[data-testid="trend-pen"]').count(), 1);
  assert.equal(await screenAttr('data-mode'), 'live');

  await page.click('[data-testid="trend-views-open"]');
  await page.click('[data-testid="trend-view-open"][data-view-name="Ramp check"]');
  await waitFor('the view to reopen', async () => (await screenAttr('data-mode')) === 'history' && Number(await screenAttr('data-from')) === from);
  assert.equal(Number(await screenAttr('data-to')), to);
  assert.deepEqual(await page.locator('[data-testid="trend-pen"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tag-id'))), PENS);
  assert.equal(await swatch.getAttribute('data-color'), color, 'the colour came back with the view');
  await settled();

  // the same name again is not overwritten without asking
  await page.click('[data-testid="trend-view-save-open"]');
  await page.fill('[data-testid="trend-view-name"]', 'ramp CHECK');
  await page.click('[data-testid="trend-view-save"]');
  await page.waitForSelector('[data-testid="trend-view-replace"]');
  await page.keyboard.press('Escape');
});

test('6. CSV export of the visible range holds its raw samples', async () => {
  const from = T0 + 28 * MIN;
  const to = T0 + 32 * MIN;
  await openRange(from, to);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="trend-export-csv"]')]);
  const file = await download.path();
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'timestamp,tag,value,units,quality');
  const rows = lines.slice(1).map((l) => l.split(','));
  for (const tag of PENS) {
    const mine = rows.filter((r) => r[1] === tag);
    // every sample of the range, ends included: 4 minutes at 1 Hz
    assert.equal(mine.length, 241, `${tag}: ${mine.length} rows`);
    const good = mine.filter((r) => r[4] === 'good');
    const bad = mine.filter((r) => r[4] === 'bad:comm_failure');
    assert.equal(good.length, 120, `${tag}: two good minutes before the bad stretch`);
    assert.equal(bad.length, 121, `${tag}: the bad stretch is in the export, marked bad`);
    for (const r of good) {
      const t = Date.parse(r[0]);
      assert.ok(Math.abs(Number(r[2]) - (ramp(tag, t) as number)) < 1e-9, `${tag} at ${r[0]}: ${r[2]}`);
    }
  }

  // the picture: a PNG taller than the chart (title, time range and legend above it)
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="trend-export-png"]')]);
  assert.match(png.suggestedFilename(), /^lineside-trend-.*\.png$/);
  const bytes = readFileSync(await png.path());
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  const canvas = await page.locator('.trends__plot canvas').evaluate((c) => [(c as unknown as { width: number }).width, (c as unknown as { height: number }).height]);
  assert.ok(width > canvas[0] && height > canvas[1] + 80, `picture ${width}×${height} for a ${canvas.join('×')} chart`);
  assert.deepEqual(errors, [], 'no errors in the page (CSP violations included)');
});

test('7. touch: a swipe pans, a pinch zooms, a tap pins the cursor', async () => {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, hasTouch: true });
  const touchPage = await context.newPage();
  try {
    const from = T0 + 60 * MIN;
    const to = T0 + 80 * MIN;
    await touchPage.goto(`${app.url}#trends?pens=${PENS.join(',')}&from=${from}&to=${to}`);
    const attr = async (name: string) => Number(await touchPage.locator('[data-testid="trends-screen"]').getAttribute(name));
    await waitFor('the range', async () => (await attr('data-from')) === from && (await touchPage.locator('[data-testid="trends-screen"]').getAttribute('data-loading')) === 'false');
    // the chart is drawn again once its data is in: measure it once it stands on screen
    const plotBox = () => touchPage.locator('.trends__plot .u-over').boundingBox();
    await waitFor('the plot on screen', async () => ((await plotBox())?.width ?? 0) > 100, 10_000);
    const box = await plotBox();
    assert.ok(box !== null);
    const cdp = await context.newCDPSession(touchPage);
    const y = box.y + box.height / 2;
    const touch = async (type: 'touchStart' | 'touchMove' | 'touchEnd', points: { x: number; y: number }[]) =>
      cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points.map((p, i) => ({ x: p.x, y: p.y, id: i })) });

    // swipe right to left over a quarter of the plot: later by a quarter of the span
    const x0 = box.x + box.width * 0.6;
    await touch('touchStart', [{ x: x0, y }]);
    for (let k = 1; k <= 10; k++) await touch('touchMove', [{ x: x0 - (box.width * 0.25 * k) / 10, y }]);
    await touch('touchEnd', []);
    await waitFor('the swipe to pan', async () => (await attr('data-from')) > from);
    const panned = (await attr('data-from')) - from;
    assert.ok(Math.abs(panned - 5 * MIN) < 30_000, `panned by ${panned / 1000} s (a quarter of 20 min)`);
    assert.equal((await attr('data-to')) - (await attr('data-from')), to - from, 'a pan keeps the span');

    // pinch out: two fingers from 200 px apart to 400 px apart halve the span
    const mid = box.x + box.width / 2;
    await touch('touchStart', [{ x: mid - 100, y }, { x: mid + 100, y }]);
    for (let k = 1; k <= 10; k++) await touch('touchMove', [{ x: mid - 100 - 10 * k, y }, { x: mid + 100 + 10 * k, y }]);
    await touch('touchEnd', []);
    await waitFor('the pinch to zoom', async () => (await attr('data-to')) - (await attr('data-from')) < to - from);
    const span = (await attr('data-to')) - (await attr('data-from'));
    assert.ok(Math.abs(span - (to - from) / 2) < 30_000, `span after the pinch: ${span / 1000} s`);

    // a tap pins the cursor: the readout is for that time
    await touchPage.touchscreen.tap(mid, y);
    await waitFor('the tap readout', async () => /At /.test(await touchPage.locator('[data-testid="trend-readout-at"]').innerText()));
    const targets = await touchPage.locator('.trends button').evaluateAll((bs) => bs.map((b) => b.getBoundingClientRect()).filter((r) => r.width > 0).map((r) => Math.min(r.width, r.height)));
    assert.ok(targets.length > 20 && targets.every((s) => s >= 48), `every button is a 48 px touch target (smallest ${Math.min(...targets)} px)`);
  } finally {
    await context.close();
  }
});
