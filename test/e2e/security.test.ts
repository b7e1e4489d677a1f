/**
 * People at the line, end to end in Chromium against the headless app on the built-in
 * simulator (the demo project, whose rules make shelving a priority 1 alarm a signed action):
 *
 *   1. a new data dir: the first administrator is created on the screen;
 *   2. an operator signs in with a badge typed as a reader types it (code, Enter) and a PIN,
 *      without a click, and writes a setpoint;
 *   3. signed out (a viewer), a write sent straight over the WebSocket is refused by the runtime;
 *   4. the screen locks: alarms stay visible, a write is refused, the password unlocks it;
 *   5. shelving a P1 alarm (the jam, made priority 1 here) asks for a signature (a wrong password is refused and asked again);
 *      the alarm detail shows the signer's name, the time and the meaning;
 *   6. with the page's clock faked, an hour without activity warns, then signs the operator out;
 *   7. a password an administrator reset is changed at the next sign-in before anything else;
 *   8. an edit of the audit table behind the app's back is found by `npm run audit -- verify`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { startSimulator, type SimulatedLine } from '../../main/simulator/simulator';
import { launchChromium } from '../helpers/browser';
import { callWithCookie, E2E_PASSWORD, pageCookie } from '../helpers/page-session';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';
import { bindToSimulator } from '../../main/app/runtime';
import { loadProjectFile } from '../../main/config/project-loader';
import { stringify } from 'yaml';
import { repoRoot, tempDir, waitFor } from '../helpers/temp';

let sim: SimulatedLine;
let app: HeadlessProcess;
let browser: Browser;
let page: Page;
const tmp = tempDir();
const dataDir = join(tmp.dir, 'data');
const shots = join(repoRoot(), 'test-results');
const BADGE = '0004711942';
const PIN = '2468';
const setpoint = '[data-tag-id="L1.SpeedSetpoint"]';

before(async () => {
  mkdirSync(shots, { recursive: true });
  sim = await startSimulator({ pkiDir: join(tmp.dir, 'sim-pki'), log: () => undefined, idlePeriods: false });
  // the demo project (its rules: shelving a priority 1 alarm is signed), with the jam — which the
  // simulator raises at once — made priority 1
  const project = bindToSimulator(loadProjectFile(join(repoRoot(), 'projects', 'demo-line.yaml')), sim);
  const jam = project.alarms.definitions.find((d) => d.id === 'L1.Jam');
  assert.ok(jam);
  jam.priority = 1;
  const file = join(tmp.dir, 'project.yaml');
  writeFileSync(file, stringify(project));
  app = await startHeadless(['--project', file, '--data-dir', dataDir, '--listen', '127.0.0.1:0']);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(app.url);
  await page.waitForSelector(`${setpoint}[data-quality="good"]`, { timeout: 20_000 });
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await sim?.stop();
  tmp.cleanup();
});

async function call(method: string, params: unknown) {
  const [reply] = await callWithCookie(app.url, await pageCookie(page), [{ method, params }]);
  return reply;
}

async function signedInAs(name: string) {
  await page.locator(`[data-testid="session-name"]:text-is("${name}")`).waitFor({ timeout: 5000 });
}

test('1. first run: the screen asks for the first administrator, who is then signed in', async () => {
  assert.equal(await page.locator('[data-testid="session-name"]').innerText(), 'Viewer');
  await page.click('[data-testid="session-sign-in"]');
  await page.locator('[data-testid="setup-form"]').waitFor();
  await page.fill('[data-testid="setup-user"]', 'admin');
  await page.fill('[data-testid="setup-name"]', 'Ada Admin');
  await page.fill('[data-testid="setup-password"]', E2E_PASSWORD);
  await page.fill('[data-testid="setup-repeat"]', E2E_PASSWORD);
  await page.screenshot({ path: join(shots, 'people-first-admin.png') });
  await page.click('[data-testid="setup-submit"]');
  await signedInAs('Ada Admin');
  assert.equal((await call('session.status', {})).ok, true);
  const status = (await call('session.status', {})).result as { user: { id: string; roles: string[] } | null; setupRequired: boolean };
  assert.deepEqual([status.user?.id, status.user?.roles, status.setupRequired], ['admin', ['admin'], false]);
  // the administrator adds an operator with a badge (the People screen does the same; here over the page's session)
  const created = await call('users.create', { userId: 'olga', name: 'Olga Operator', roles: ['operator'], password: E2E_PASSWORD });
  assert.ok(created.ok, JSON.stringify(created));
  const badge = await call('users.setBadge', { userId: 'olga', badge: BADGE, pin: PIN });
  assert.ok(badge.ok, JSON.stringify(badge));
  await page.click('[data-testid="session-sign-out"]');
  await signedInAs('Viewer');
});

test('2. an operator signs in by badge + PIN typed like a reader (no click) and writes a setpoint', async () => {
  await page.click('[data-testid="session-sign-in"]');
  const badge = page.locator('[data-testid="sign-in-badge"]');
  await badge.waitFor();
  assert.equal(await badge.evaluate((el) => el === el.ownerDocument.activeElement), true, 'the badge field has the focus');
  await page.keyboard.type(BADGE, { delay: 5 });
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('[data-testid="sign-in-pin"]').evaluate((el) => el === el.ownerDocument.activeElement), true, 'Enter moved to the PIN');
  await page.keyboard.type(PIN);
  await page.keyboard.press('Enter');
  await signedInAs('Olga Operator');
  assert.equal(await page.locator('[data-testid="sign-in-dialog"]').count(), 0);

  await page.click(`${setpoint} [data-testid="write-open"]`);
  await page.fill('[data-testid="write-input"]', '128');
  await page.press('[data-testid="write-input"]', 'Enter');
  await page.click('[data-testid="write-send"]'); // the change is shown, then confirmed
  await page.locator('[data-testid="write-result"][data-verified="true"]').waitFor({ timeout: 5000 });
  await page.click('[data-testid="write-close"]');
  assert.equal(sim.model.snapshot().speedSetpoint, 128, 'the PLC holds it');
  const audit = (await call('audit.query', { action: 'tags.write', limit: 5 })) as { ok: boolean; error?: { code: string } };
  assert.equal(audit.ok, false, 'an operator may not read the audit trail');
  assert.equal(audit.error?.code, 'forbidden');
});

test('3. a viewer’s write, sent straight over the WebSocket, is refused by the runtime and on record', async () => {
  await page.click('[data-testid="session-sign-out"]');
  await signedInAs('Viewer');
  assert.equal(await page.locator(`${setpoint} [data-testid="write-open"]`).isDisabled().catch(() => true), true, 'the screen offers no write to a viewer');
  const refused = await call('tags.write', { tagId: 'L1.SpeedSetpoint', value: 99 });
  assert.equal(refused.ok, false);
  assert.equal(refused.error?.code, 'forbidden');
  assert.match(refused.error?.message ?? '', /nobody is signed in/);
  assert.equal(sim.model.snapshot().speedSetpoint, 128, 'the PLC still holds the operator’s value');
  // the refusal is on record, with who (the viewer) and what
  const [, entries] = await callWithCookie(app.url, await pageCookie(page), [
    { method: 'session.signIn', params: { userId: 'admin', password: E2E_PASSWORD } },
    { method: 'audit.query', params: { action: 'tags.write', limit: 10 } },
  ]);
  const rows = (entries.result as { entries: { user: string; outcome: string; target: string }[] }).entries;
  assert.ok(rows.some((r) => r.user === '(viewer)' && r.outcome === 'refused' && r.target === 'L1.SpeedSetpoint'), JSON.stringify(rows));
  await page.reload();
  await signedInAs('Ada Admin');
});

test('4. the screen locks: alarms stay visible, a write is refused, the password unlocks it', async () => {
  sim.setScenario('jam', true);
  await page.click('[data-testid="session-lock"]');
  await page.locator('[data-testid="lock-screen"]').waitFor();
  await page.waitForSelector('[data-testid="alarm-banner"] [data-alarm-id="L1.Jam"]', { timeout: 10_000 });
  await page.screenshot({ path: join(shots, 'people-locked.png') });
  const refused = await call('tags.write', { tagId: 'L1.SpeedSetpoint', value: 99 });
  assert.equal(refused.error?.code, 'forbidden');
  assert.match(refused.error?.message ?? '', /locked/);
  await page.fill('[data-testid="unlock-secret"]', 'not-the-password');
  await page.click('[data-testid="unlock-submit"]');
  await page.locator('[data-testid="unlock-error"]').waitFor();
  await page.fill('[data-testid="unlock-secret"]', E2E_PASSWORD);
  await page.click('[data-testid="unlock-submit"]');
  await page.locator('[data-testid="lock-screen"]').waitFor({ state: 'detached', timeout: 5000 });
  await signedInAs('Ada Admin');
});

test('5. shelving a priority 1 alarm asks for a signature; the detail shows name, time and meaning', async () => {
  // the operator again, by badge
  await page.click('[data-testid="session-sign-in"]');
  await page.fill('[data-testid="sign-in-badge"]', BADGE);
  await page.fill('[data-testid="sign-in-pin"]', PIN);
  await page.click('[data-testid="sign-in-badge-submit"]');
  await signedInAs('Olga Operator');
  sim.setScenario('jam', true);
  await page.click('[data-testid="nav-alarms"]');
  await page.click('[data-testid="alarm-table"] [data-alarm-id="L1.Jam"]', { timeout: 10_000 });
  const detail = page.locator('[data-testid="alarm-detail"][data-alarm-id="L1.Jam"]');
  await detail.waitFor();
  await detail.locator('[data-testid="detail-shelve"]').click();
  await page.fill('[data-testid="shelve-reason"]', 'E-stop circuit being re-wired, permit P-118');
  const before = Date.now();
  await page.click('[data-testid="shelve-confirm"]');
  const signing = page.locator('[data-testid="signing-dialog"]');
  await signing.waitFor({ timeout: 5000 });
  assert.match(await signing.locator('[data-testid="signing-rule"]').innerText(), /^Shelving priority 1 alarms needs an electronic signature/);
  assert.equal(await signing.locator('[data-testid="signing-signer"]').innerText(), 'Olga Operator (olga)');
  assert.equal(await signing.locator('[data-testid="signing-meaning"]').getAttribute('data-meaning'), 'performed');
  await page.screenshot({ path: join(shots, 'people-signing.png') });
  // a wrong password: refused, asked again, nothing shelved
  await page.fill('[data-testid="signing-secret"]', '0000');
  await page.click('[data-testid="signing-submit"]');
  await page.locator('[data-testid="signing-error"]').waitFor({ timeout: 5000 });
  assert.match(await page.locator('[data-testid="signing-error"]').innerText(), /password or PIN is wrong/);
  await page.fill('[data-testid="signing-secret"]', PIN);
  await page.click('[data-testid="signing-submit"]');
  await signing.waitFor({ state: 'detached', timeout: 5000 });
  const signature = detail.locator('[data-testid="signature"]').first();
  await signature.waitFor({ timeout: 5000 });
  assert.equal(await signature.getAttribute('data-meaning'), 'performed');
  assert.equal(await signature.getAttribute('data-user'), 'olga');
  const text = await signature.innerText();
  assert.match(text, /Olga Operator/);
  assert.match(text, /performed/);
  const hhmm = /(\d\d):(\d\d):(\d\d)/.exec(text);
  assert.ok(hhmm, text);
  const shown = new Date(before);
  shown.setHours(Number(hhmm[1]), Number(hhmm[2]), Number(hhmm[3]), 0);
  assert.ok(Math.abs(shown.getTime() - before) < 5000, `signature time ${hhmm[0]} is the time of the shelve`);
  await page.screenshot({ path: join(shots, 'people-signed-shelve.png') });
  // the shelve and its signature are one record upstream and in the audit trail (admin reads it)
  const [, shelves] = await callWithCookie(app.url, await pageCookie(page), [
    { method: 'session.signIn', params: { userId: 'admin', password: E2E_PASSWORD } },
    { method: 'audit.query', params: { action: 'alarm', target: 'L1.Jam', limit: 10 } },
  ]);
  const entries = (shelves.result as { entries: { action: string; user: string; outcome: string; signature: { printedName: string; meaning: string } | null }[] }).entries;
  // the refused try (wrong password) and the signed shelve are both on record
  assert.ok(entries.some((e) => e.action === 'alarms.shelve' && e.outcome === 'refused'), JSON.stringify(entries));
  const done = entries.find((e) => e.action === 'alarm.shelve' && e.outcome === 'done');
  assert.ok(done, JSON.stringify(entries));
  assert.equal(done.user, 'olga');
  assert.deepEqual([done.signature?.printedName, done.signature?.meaning], ['Olga Operator', 'performed']);
});

test('6. an hour without activity (the page’s clock faked): a warning, then the operator is signed out', async () => {
  const idle = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await idle.clock.install();
    await idle.goto(app.url);
    await idle.click('[data-testid="session-sign-in"]');
    await idle.fill('[data-testid="sign-in-badge"]', BADGE);
    await idle.fill('[data-testid="sign-in-pin"]', PIN);
    await idle.click('[data-testid="sign-in-badge-submit"]');
    await idle.locator('[data-testid="session-name"]:text-is("Olga Operator")').waitFor({ timeout: 5000 });
    // the operator role's idle sign-out is 60 min (docs/security.md); 59½ min later, a warning
    await idle.clock.fastForward('59:30');
    await idle.clock.runFor(1000);
    await idle.locator('[data-testid="idle-warning"]').waitFor({ timeout: 5000 });
    assert.match(await idle.locator('[data-testid="idle-warning"]').innerText(), /Signing out in \d+ s/);
    await idle.screenshot({ path: join(shots, 'people-idle-warning.png') });
    await idle.clock.fastForward('00:31');
    await idle.clock.runFor(1000);
    await idle.locator('[data-testid="session-name"]:text-is("Viewer")').waitFor({ timeout: 5000 });
    await waitFor('the message line to say why', async () => /signed out after 60 min without activity/.test(await idle.locator('body').innerText()), 5000);
  } finally {
    await idle.close();
  }
  // on record as an idle sign-out
  const [, out] = await callWithCookie(app.url, await pageCookie(page), [
    { method: 'session.signIn', params: { userId: 'admin', password: E2E_PASSWORD } },
    { method: 'audit.query', params: { action: 'session.signOut', user: 'olga', limit: 5 } },
  ]);
  const rows = (out.result as { entries: { reason: string; detail?: string }[] }).entries;
  assert.ok(rows.some((r) => /without activity/.test(JSON.stringify(r))), JSON.stringify(rows));
});

test('7. a password an administrator reset must be changed at the next sign-in, before anything else', async () => {
  const [, reset] = await callWithCookie(app.url, await pageCookie(page), [
    { method: 'session.signIn', params: { userId: 'admin', password: E2E_PASSWORD } },
    { method: 'users.resetPassword', params: { userId: 'olga', password: 'temporary-2026' } },
    { method: 'session.signOut', params: {} },
  ]);
  assert.ok(reset.ok, JSON.stringify(reset));
  await page.reload();
  await signedInAs('Viewer');
  await page.click('[data-testid="session-sign-in"]');
  await page.fill('[data-testid="sign-in-user"]', 'olga');
  await page.fill('[data-testid="sign-in-password"]', 'temporary-2026');
  await page.click('[data-testid="sign-in-submit"]');
  const dialog = page.locator('[data-testid="change-password-dialog"]');
  await dialog.waitFor({ timeout: 5000 });
  const refused = await call('tags.write', { tagId: 'L1.SpeedSetpoint', value: 99 });
  assert.match(refused.error?.message ?? '', /password has expired: change it/);
  await page.fill('[data-testid="change-current"]', 'temporary-2026');
  await page.fill('[data-testid="change-next"]', 'blue-hopper-2026');
  await page.fill('[data-testid="change-repeat"]', 'blue-hopper-2026');
  await page.click('[data-testid="change-submit"]');
  await dialog.waitFor({ state: 'detached', timeout: 5000 });
  assert.equal(await page.locator(`${setpoint} [data-testid="write-open"]`).isDisabled(), false, 'the operator may write again');
});

test('8. an edit of the audit table behind the app’s back is named by npm run audit -- verify', () => {
  const verify = () => spawnSync(process.execPath, [join(repoRoot(), 'dist', 'main', 'cli', 'audit.js'), 'verify', '--data-dir', dataDir], { encoding: 'utf8' });
  const good = verify();
  assert.equal(good.status, 0, good.stdout + good.stderr);
  const db = new Database(join(dataDir, 'lineside.db'));
  const id = (db.prepare("SELECT id FROM audit WHERE action = 'alarm.shelve' AND outcome = 'done' ORDER BY id DESC LIMIT 1").pluck().get() as number | undefined) ?? 0;
  assert.ok(id > 0);
  db.prepare("UPDATE audit SET user = 'mallory' WHERE id = ?").run(id);
  db.close();
  const bad = verify();
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, new RegExp(`BROKEN at record ${id}`));
});
