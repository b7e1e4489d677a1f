/**
 * Every screen and the main dialogs at a 1280×800 line-side panel and at 1920×1080, measured in
 * a real browser: no horizontal overflow (the page's or any element's box past the right edge),
 * no header cells over each other, no text spilling out of its box or cut down to nothing, and
 * the Overview's values and labels big enough to read from two metres at 1920×1080.
 * Screenshots of everything go to test-results/layout-<screen>-<width>.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startSimulator, type SimulatedLine } from '../../main/simulator/simulator';
import { launchChromium } from '../helpers/browser';
import { callWithCookie, E2E_PASSWORD, pageCookie, releaseInstructionWithCookie, signInPageAs } from '../helpers/page-session';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';
import { writeDemoProjectFor } from '../helpers/simulated-project';
import { repoRoot, tempDir, waitFor } from '../helpers/temp';

let sim: SimulatedLine;
let app: HeadlessProcess;
let browser: Browser;
let page: Page;
const tmp = tempDir();
const shots = join(repoRoot(), 'test-results');

const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
] as const;

/** The smallest readable sizes at 1920×1080, in CSS px (issue 12: values ≥ 28, labels ≥ 18). */
const MIN_VALUE_PX = 28;
const MIN_LABEL_PX = 18;
/** A text cut with an ellipsis must still show this much of itself, or 70 % of it. */
const MIN_ELLIPSIS_PX = 240;

/**
 * Measures the page (a string, evaluated in the page: the tests compile without the DOM
 * library). Returns one line per problem found, naming the element.
 */
const MEASURE = `(() => {
  const problems = [];
  const vw = window.innerWidth;
  const vh = window.innerHeight;
  const name = (el) => {
    const id = el.getAttribute('data-testid');
    const cls = typeof el.className === 'string' && el.className !== '' ? '.' + el.className.trim().split(/\\s+/).slice(0, 2).join('.') : '';
    const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    return el.tagName.toLowerCase() + (id ? '[' + id + ']' : '') + cls + (text ? ' "' + text + '"' : '');
  };
  const visible = (el) => {
    if (el.closest('.visually-hidden, svg, canvas, option, select')) return false;
    const s = getComputedStyle(el);
    if (s.display === 'none' || s.visibility === 'hidden') return false;
    const r = el.getBoundingClientRect();
    // a box squeezed to no width still counts when it holds text (a header cell in a 0-wide column)
    return r.height > 1 && (r.width > 1 || (el.textContent || '').trim() !== '');
  };
  /** an ancestor that clips horizontally (its own box then decides what is seen) */
  const clipper = (el) => {
    for (let node = el; node.parentElement !== null && node.parentElement !== document.body; node = node.parentElement) {
      if (getComputedStyle(node).position === 'fixed') return null; // a dialog: only the viewport clips it
      const p = node.parentElement;
      if (getComputedStyle(p).overflowX !== 'visible') return p;
    }
    return null;
  };
  if (document.documentElement.scrollWidth > vw + 1) problems.push('page scrolls horizontally: ' + document.documentElement.scrollWidth + ' > ' + vw);
  if (document.documentElement.scrollHeight > vh + 1) problems.push('page scrolls vertically: ' + document.documentElement.scrollHeight + ' > ' + vh);
  const all = [...document.body.querySelectorAll('*')].filter(visible);
  for (const el of all) {
    const r = el.getBoundingClientRect();
    const c = clipper(el);
    const clipRight = c === null ? vw : Math.min(vw, c.getBoundingClientRect().right);
    if (c === null && r.right > vw + 1) problems.push('past the right edge (' + Math.round(r.right) + ' > ' + vw + '): ' + name(el));
    if (c === null && r.bottom > vh + 1 && getComputedStyle(el).position !== 'fixed') problems.push('below the bottom edge (' + Math.round(r.bottom) + ' > ' + vh + '): ' + name(el));
    const s = getComputedStyle(el);
    if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1) problems.push('scrolls horizontally (' + el.scrollWidth + ' > ' + el.clientWidth + '): ' + name(el));
    const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
    if (!ownText || el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') continue;
    if (s.textOverflow === 'ellipsis') {
      if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth < MIN_ELLIPSIS_PX && el.clientWidth < 0.7 * el.scrollWidth) problems.push('text cut to nothing (' + el.clientWidth + ' px of ' + el.scrollWidth + '): ' + name(el));
      continue;
    }
    const range = document.createRange();
    range.selectNodeContents(el);
    const t = range.getBoundingClientRect();
    if (t.width > 0 && (t.right > r.right + 1.5 || t.left < r.left - 1.5) && t.right <= clipRight + 1) problems.push('text spills out of its box (' + Math.round(t.width) + ' px in ' + Math.round(r.width) + '): ' + name(el));
    if (t.width > 0 && t.right > clipRight + 1 && c !== null && s.textOverflow !== 'ellipsis') problems.push('text clipped (' + Math.round(t.right - clipRight) + ' px hidden): ' + name(el));
  }
  // the alarm banner keeps the same height whatever it shows: nothing in it reaches past its box
  const banner = document.querySelector('.alarm-banner');
  if (banner !== null) {
    const b = banner.getBoundingClientRect();
    for (const el of banner.querySelectorAll('*')) {
      if (!visible(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.bottom > b.bottom + 1 || r.top < b.top - 1 || r.right > b.right + 1) problems.push('out of the alarm banner: ' + name(el));
    }
  }
  // header cells, and the header bar's pieces: side by side, never over each other
  const rows = [...document.querySelectorAll('thead tr, [role="row"]:has(> [role="columnheader"]), .header, .alarm-banner')];
  for (const row of rows) {
    const cells = [...row.children].filter(visible).map((el) => [el, el.getBoundingClientRect()]);
    for (let i = 0; i < cells.length; i++)
      for (let j = i + 1; j < cells.length; j++) {
        const [a, ra] = cells[i];
        const [b, rb] = cells[j];
        const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
        const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
        if (w > 1 && h > 1) problems.push('overlap: ' + name(a) + ' and ' + name(b));
      }
  }
  return problems;
})()`.replace('MIN_ELLIPSIS_PX', String(MIN_ELLIPSIS_PX));

async function layoutProblems(p: Page = page): Promise<string[]> {
  return (await p.evaluate(MEASURE)) as string[];
}

async function check(what: string, size: { width: number }, p: Page = page): Promise<void> {
  await p.waitForTimeout(300); // one frame of live data and layout settle
  await p.screenshot({ path: join(shots, `layout-${what}-${size.width}.png`) });
  const problems = await layoutProblems(p);
  assert.deepEqual(problems, [], `${what} at ${size.width}: ${problems.length} problems`);
}

/** Runs the check with a dialog open, then closes it by Escape whatever the check found. */
async function closingWith(dialog: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } finally {
    await page.keyboard.press('Escape');
    await page.waitForSelector(dialog, { state: 'detached' });
  }
}

async function toScreen(name: string, ready: string): Promise<void> {
  await page.click(`[data-testid="nav-${name}"]`);
  await page.waitForSelector(ready, { timeout: 10_000 });
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  sim = await startSimulator({ pkiDir: join(tmp.dir, 'sim-pki'), log: () => undefined, idlePeriods: false });
  app = await startHeadless(['--project', writeDemoProjectFor(sim, tmp.dir), '--data-dir', join(tmp.dir, 'data'), '--listen', '127.0.0.1:0']);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: SIZES[0] });
  page.setDefaultTimeout(5000);
  await page.goto(app.url);
  await signInPageAs(page, app.url, ['admin']);
  // two instructions released (engineer + supervisor), so the step player can be measured
  const cookie = await pageCookie(page);
  const people = await callWithCookie(app.url, cookie, [
    { method: 'users.create', params: { userId: 'eve', name: 'Eve Engineer', roles: ['engineer'], password: E2E_PASSWORD } },
    { method: 'users.create', params: { userId: 'sam', name: 'Sam Supervisor', roles: ['supervisor'], password: E2E_PASSWORD } },
  ]);
  assert.ok(people.every((r) => r.ok), JSON.stringify(people));
  for (const id of ['WI-OPS-001', 'WI-OPS-010']) await releaseInstructionWithCookie(app.url, cookie, id, { engineer: 'eve', supervisor: 'sam' });
  const [back] = await callWithCookie(app.url, cookie, [{ method: 'session.signIn', params: { userId: 'admin', password: E2E_PASSWORD } }]);
  assert.ok(back.ok, JSON.stringify(back));
  await page.reload();
  await page.waitForSelector('[data-tag-id="L1.Speed"][data-quality="good"]', { timeout: 20_000 });
  // abnormal states on screen, as an operator would meet them: a jam and a worn bearing
  sim.setScenario('jam', true);
  sim.setScenario('bearingWear', true);
  await page.waitForSelector('[data-testid="alarm-banner"] [data-alarm-id="L1.Jam"]', { timeout: 10_000 });
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await sim?.stop();
  tmp.cleanup();
});

for (const size of SIZES) {
  test(`screens at ${size.width}×${size.height}`, async (t) => {
    await page.setViewportSize(size);
    await t.test('overview', async () => {
      await toScreen('operate', '[data-testid="overview-table"]');
      await check('overview', size);
    });
    await t.test('trends (two pens)', async () => {
      await toScreen('trends', '[data-testid="trends-screen"]');
      if ((await page.locator('[data-testid="trend-pen"]').count()) === 0) {
        await page.click('[data-testid="trend-add-pen-empty"]');
        for (const id of ['L1.Speed', 'L1.MotorCurrent']) await page.click(`[data-testid="trend-pen-option"][data-tag-id="${id}"]`);
        await page.click('[data-testid="trend-picker-done"]');
      }
      await check('trends', size);
    });
    await t.test('trend view save dialog', async () => {
      await page.click('[data-testid="trend-view-save-open"]');
      await page.waitForSelector('[data-testid="trend-save"]');
      await closingWith('[data-testid="trend-save"]', () => check('dialog-trend-save', size));
    });
    await t.test('alarm summary with an alarm selected', async () => {
      await toScreen('alarms', '[data-testid="alarm-summary"]');
      await page.click('[data-testid="alarm-table"] [data-alarm-id="L1.Jam"]');
      await page.waitForSelector('[data-testid="alarm-detail"]');
      await check('alarms-summary', size);
    });
    await t.test('shelve dialog', async () => {
      await page.click('[data-testid="detail-shelve"]');
      await page.waitForSelector('[data-testid="shelve-dialog"]');
      await closingWith('[data-testid="shelve-dialog"]', () => check('dialog-shelve', size));
    });
    await t.test('alarm journal', async () => {
      await page.click('[data-testid="alarms-view-journal"]');
      await page.waitForSelector('[data-testid="alarm-journal"]');
      await check('alarms-journal', size);
    });
    await t.test('alarm performance', async () => {
      await page.click('[data-testid="alarms-view-kpis"]');
      await page.waitForSelector('[data-testid="alarms-screen"][data-view="kpis"]');
      await check('alarms-performance', size);
    });
    await t.test('production', async () => {
      await toScreen('production', '[data-testid="production-screen"][data-ready="true"]');
      await check('production', size);
    });
    await t.test('production: reason picker', async () => {
      // the jam holds the line stopped: its stop is on the screen, and its reason can be corrected
      await page.click('[data-testid="prod-pending"] [data-testid="stop"]', { timeout: 15_000 });
      await page.waitForSelector('[data-testid="reason-picker"]');
      await page.click('[data-testid="reason-option"][data-reason-code="UNPLANNED"]');
      await closingWith('[data-testid="reason-picker"]', () => check('dialog-production-reason', size));
    });
    await t.test('production: new maintenance request', async () => {
      await page.click('[data-testid="maint-new"]');
      await page.waitForSelector('[data-testid="maint-new-dialog"]');
      await closingWith('[data-testid="maint-new-dialog"]', () => check('dialog-maintenance-new', size));
    });
    await t.test('instructions', async () => {
      await toScreen('instructions', '[data-testid="instructions-screen"] [data-testid="instruction"]');
      await check('instructions', size);
    });
    for (const [id, name] of [['WI-OPS-001', 'start-of-shift'], ['WI-OPS-010', 'changeover']] as const) {
      await t.test(`step player: ${name}`, async () => {
        const running = page.locator(`[data-testid="runs-running"] [data-instruction-id="${id}"] [data-testid="run-resume"]`);
        if ((await running.count()) > 0) await running.first().click();
        else await page.click(`[data-instruction-id="${id}"] [data-testid="instruction-start"]`);
        await page.waitForSelector('[data-testid="run-player"] [data-testid="step"]');
        await check(`player-${name}`, size);
        await page.click('[data-testid="run-close"]');
        await page.waitForSelector('[data-testid="run-player"]', { state: 'detached' });
      });
    }
    await t.test('diagnostics', async () => {
      await toScreen('diagnostics', '[data-testid="diagnostics"] [data-device-id]');
      await check('diagnostics', size);
    });
    await t.test('upstream', async () => {
      await toScreen('upstream', '[data-testid="sync-screen"]');
      await check('upstream', size);
    });
    await t.test('people: users and audit', async () => {
      await toScreen('people', '[data-testid="people-screen"]');
      await check('people-users', size);
      await page.click('[data-testid="people-tab-audit"]');
      await check('people-audit', size);
    });
    await t.test('write dialog', async () => {
      await toScreen('operate', '[data-testid="overview-table"]');
      await page.click('[data-tag-id="L1.SpeedSetpoint"] [data-testid="write-open"]');
      await page.waitForSelector('[data-testid="write-dialog"]');
      await closingWith('[data-testid="write-dialog"]', () => check('dialog-write', size));
    });
    await t.test('sign-in dialog (a second panel, nobody signed in)', async () => {
      const other = await browser.newPage({ viewport: size });
      try {
        await other.goto(app.url);
        await other.click('[data-testid="session-sign-in"]');
        await other.waitForSelector('[data-testid="sign-in-dialog"]');
        await check('dialog-sign-in', size, other);
      } finally {
        await other.close();
      }
    });
  });
}

test('the Overview reads from two metres at 1920×1080: values and labels big enough', async () => {
  await page.setViewportSize(SIZES[1]);
  await toScreen('operate', '[data-testid="overview-table"]');
  const sizes = (await page.evaluate(`(() => {
    const px = (sel) => [...document.querySelectorAll(sel)].map((el) => parseFloat(getComputedStyle(el).fontSize));
    return {
      value: px('[data-testid="overview-table"] .value-text'),
      graphicValue: px('[data-testid="line-graphic"] .line-value__text'),
      graphicLabel: px('[data-testid="line-graphic"] .line-unit__label, [data-testid="line-graphic"] .line-unit__state, [data-testid="line-graphic"] .line-value__label, [data-testid="line-graphic"] .line-value__units'),
      name: px('[data-testid="overview-table"] .tag-name'),
      units: px('[data-testid="overview-table"] td.cell-units'),
      quality: px('[data-testid="overview-table"] td.cell-quality'),
      age: px('[data-testid="overview-table"] td.cell-age'),
    };
  })()`)) as Record<string, number[]>;
  assert.ok(sizes.value.length >= 21, `${sizes.value.length} values measured`);
  assert.ok(Math.min(...sizes.value) >= MIN_VALUE_PX, `values at ${Math.min(...sizes.value)} px, want ≥ ${MIN_VALUE_PX}`);
  // the line graphic's values and labels: as big as the table's
  assert.ok(sizes.graphicValue.length >= 9, `${sizes.graphicValue.length} graphic values measured`);
  assert.ok(Math.min(...sizes.graphicValue) >= MIN_VALUE_PX, `graphic values at ${Math.min(...sizes.graphicValue)} px, want ≥ ${MIN_VALUE_PX}`);
  for (const label of ['name', 'units', 'quality', 'age', 'graphicLabel'] as const) {
    assert.ok(sizes[label].length > 0, `${label} measured`);
    assert.ok(Math.min(...sizes[label]) >= MIN_LABEL_PX, `${label} at ${Math.min(...sizes[label])} px, want ≥ ${MIN_LABEL_PX}`);
  }
  await waitFor('a value on screen', async () => /\d/.test(await page.locator('[data-tag-id="L1.Speed"] [data-testid="value"]').innerText()));
});

test('the Production screen reads from two metres at 1920×1080 and is worked by touch: values, labels, 48 px targets', async () => {
  await page.setViewportSize(SIZES[1]);
  await toScreen('production', '[data-testid="production-screen"][data-ready="true"]');
  const m = (await page.evaluate(`(() => {
    const root = document.querySelector('[data-testid="production-screen"]');
    const px = (sel) => [...root.querySelectorAll(sel)].map((el) => parseFloat(getComputedStyle(el).fontSize));
    const small = [...root.querySelectorAll('button')].filter((b) => b.offsetParent !== null).map((b) => b.getBoundingClientRect()).filter((r) => r.height < 48 || r.width < 48).length;
    return { value: px('.prod-value, .prod-facts dd'), label: px('.prod-label, .prod-sub, .prod-bars__row, .prod-stop, .prod-facts dt, .prod-timeline__tick, .prod-legend'), buttons: root.querySelectorAll('button').length, small };
  })()`)) as { value: number[]; label: number[]; buttons: number; small: number };
  assert.ok(m.value.length >= 8, `${m.value.length} values measured`);
  assert.ok(Math.min(...m.value) >= MIN_VALUE_PX, `values at ${Math.min(...m.value)} px, want ≥ ${MIN_VALUE_PX}`);
  assert.ok(m.label.length >= 10, `${m.label.length} labels measured`);
  assert.ok(Math.min(...m.label) >= MIN_LABEL_PX, `labels at ${Math.min(...m.label)} px, want ≥ ${MIN_LABEL_PX}`);
  assert.ok(m.buttons >= 4, `${m.buttons} buttons`);
  assert.equal(m.small, 0, 'every button is a 48 px touch target');
});

test('larger text (the footer\'s A+): every font a fifth larger (the header and the alarm banner keep theirs), and the screens still fit at 1920×1080', async () => {
  await page.setViewportSize(SIZES[1]);
  await toScreen('operate', '[data-testid="overview-table"]');
  const valuePx = () => page.evaluate(`parseFloat(getComputedStyle(document.querySelector('[data-tag-id="L1.Speed"] .value-text')).fontSize)`) as Promise<number>;
  const normal = await valuePx();
  await page.click('[data-testid="text-size"]');
  assert.equal(await page.getAttribute('[data-testid="text-size"]', 'aria-pressed'), 'true');
  try {
    const large = await valuePx();
    assert.ok(Math.abs(large / normal - 1.2) < 0.01, `value ${normal} px → ${large} px`);
    // a reload keeps the station's setting
    await page.reload();
    await page.waitForSelector('[data-tag-id="L1.Speed"][data-quality="good"]', { timeout: 20_000 });
    assert.equal(await valuePx(), large);
    for (const size of [SIZES[1]]) {
      await page.setViewportSize(size);
      for (const [screen, ready] of [
        ['operate', '[data-testid="overview-table"]'],
        ['alarms', '[data-testid="alarm-summary"]'],
        ['production', '[data-testid="production-screen"][data-ready="true"]'],
        ['instructions', '[data-testid="instructions-screen"] [data-testid="instruction"]'],
        ['trends', '[data-testid="trends-screen"]'],
        ['diagnostics', '[data-testid="diagnostics"] [data-device-id]'],
        ['upstream', '[data-testid="sync-screen"]'],
        ['people', '[data-testid="people-screen"]'],
      ] as const) {
        await toScreen(screen, ready);
        await check(`large-text-${screen}`, size);
      }
    }
  } finally {
    await page.setViewportSize(SIZES[1]);
    await page.click('[data-testid="text-size"]');
  }
  await toScreen('operate', '[data-testid="overview-table"]');
  assert.equal(await valuePx(), normal);
});
