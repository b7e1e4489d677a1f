/**
 * The People screen in a real browser against the headless shell, at the 1280×800 of a line
 * panel: an administrator creates an operator and gives them a badge + PIN through the UI; the
 * operator signs in with the badge from the header's sign-in dialog; the administrator cannot
 * disable themselves (the screen prevents it and the runtime refuses it too), disables the
 * operator, and finds all of it in the audit trail (filtered, exported as CSV, chain verified).
 * A supervisor sees the audit trail only; an operator has no People tab and the runtime refuses
 * their direct `users.list`. Screenshots go to test-results/ (people-*.png).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { callWithCookie, E2E_PASSWORD, pageCookie, signInPageAs } from '../helpers/page-session';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';
import { repoRoot, tempDir, waitFor } from '../helpers/temp';

let app: HeadlessProcess;
let browser: Browser;
let admin: Page;
const others: BrowserContext[] = [];
const tmp = tempDir();
const shots = join(repoRoot(), 'test-results');
const VIEWPORT = { width: 1280, height: 800 };
const OPERATOR = 'op.ann';
const BADGE = '04A1B2C3';
const PIN = '2468';

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT, acceptDownloads: true });
  others.push(context);
  const page = await context.newPage();
  await page.goto(app.url);
  await page.waitForSelector('[data-testid="session"]');
  return page;
}

const row = (id: string) => `[data-testid="user-row-${id}"]`;

before(async () => {
  mkdirSync(shots, { recursive: true });
  // no --project: the demo line on the built-in simulator
  app = await startHeadless(['--data-dir', join(tmp.dir, 'data'), '--listen', '127.0.0.1:0']);
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: VIEWPORT, acceptDownloads: true });
  others.push(context);
  admin = await context.newPage();
  await admin.goto(app.url);
  await signInPageAs(admin, app.url, ['admin']);
  await admin.waitForSelector('[data-testid="session"][data-user="admin"]', { timeout: 15_000 });
});

after(async () => {
  for (const c of others) await c.close().catch(() => undefined);
  await browser?.close();
  await app?.stop();
  tmp.cleanup();
});

test('1. an administrator creates an operator through the UI; the dialog shows what is wrong first', async () => {
  await admin.click('[data-testid="nav-people"]');
  await admin.waitForSelector('[data-testid="users-table"] [data-testid="user-row-admin"]');
  await admin.click('[data-testid="user-create"]');
  const dialog = admin.locator('[data-testid="user-dialog"]');
  await dialog.waitFor();
  await admin.fill('[data-testid="user-id"]', OPERATOR);
  await admin.fill('[data-testid="user-name"]', 'Ann Operator');
  await admin.click('[data-testid="user-role-operator"]');
  assert.match(await dialog.innerText(), /at least 8 characters/, 'the project minimum is shown as a hint');
  await admin.fill('[data-testid="user-password"]', 'short');
  await admin.fill('[data-testid="user-repeat"]', 'short');
  await admin.click('[data-testid="dialog-submit"]');
  assert.match(await dialog.locator('[data-testid="dialog-error"]').innerText(), /at least 8 characters/);
  await admin.fill('[data-testid="user-password"]', E2E_PASSWORD);
  await admin.fill('[data-testid="user-repeat"]', E2E_PASSWORD);
  await admin.screenshot({ path: join(shots, 'people-user-dialog.png') });
  await admin.click('[data-testid="dialog-submit"]');
  await dialog.waitFor({ state: 'detached' });
  const r = admin.locator(row(OPERATOR));
  await r.waitFor();
  const text = await r.innerText();
  assert.match(text, /Ann Operator/);
  assert.match(text, /operator/);
  assert.equal(await r.getAttribute('data-enabled'), 'true');
  assert.equal(await r.getAttribute('data-badge'), 'false');

  // the same id again: the runtime's refusal is shown in the dialog, not swallowed
  await admin.click('[data-testid="user-create"]');
  await admin.fill('[data-testid="user-id"]', OPERATOR);
  await admin.fill('[data-testid="user-name"]', 'Ann Again');
  await admin.click('[data-testid="user-role-operator"]');
  await admin.fill('[data-testid="user-password"]', E2E_PASSWORD);
  await admin.fill('[data-testid="user-repeat"]', E2E_PASSWORD);
  await admin.click('[data-testid="dialog-submit"]');
  const refused = dialog.locator('[data-testid="dialog-error"]');
  await refused.waitFor();
  assert.match(await refused.innerText(), /op\.ann|exists/i);
  await admin.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
});

test('2. the administrator sets a badge + PIN; the operator signs in with it from the header', async () => {
  await admin.click(`${row(OPERATOR)} [data-testid="user-badge-open"]`);
  const dialog = admin.locator('[data-testid="badge-dialog"]');
  await dialog.waitFor();
  await admin.fill('[data-testid="badge-code"]', BADGE);
  await admin.press('[data-testid="badge-code"]', 'Enter'); // as a reader ends its code: on to the PIN
  assert.equal(await admin.evaluate('document.activeElement?.dataset?.testid'), 'badge-pin');
  await admin.fill('[data-testid="badge-pin"]', PIN);
  await admin.fill('[data-testid="badge-pin-repeat"]', '2469');
  await admin.click('[data-testid="dialog-submit"]');
  assert.match(await dialog.locator('[data-testid="dialog-error"]').innerText(), /PINs differ/);
  await admin.fill('[data-testid="badge-pin-repeat"]', PIN);
  await admin.screenshot({ path: join(shots, 'people-badge-dialog.png') });
  await admin.click('[data-testid="dialog-submit"]');
  await dialog.waitFor({ state: 'detached' });
  await admin.waitForSelector(`${row(OPERATOR)}[data-badge="true"]`);
  await admin.screenshot({ path: join(shots, 'people-users-panel.png') });

  const op = await newPage();
  await op.click('[data-testid="session-sign-in"]');
  await op.fill('[data-testid="sign-in-badge"]', BADGE);
  await op.press('[data-testid="sign-in-badge"]', 'Enter'); // a reader's Enter moves on to the PIN
  await op.fill('[data-testid="sign-in-pin"]', PIN);
  await op.press('[data-testid="sign-in-pin"]', 'Enter');
  await op.waitForSelector(`[data-testid="session"][data-user="${OPERATOR}"]`, { timeout: 10_000 });
  assert.equal(await op.locator('[data-testid="nav-people"]').count(), 0, 'an operator has no People tab');
  const [list] = await callWithCookie(app.url, await pageCookie(op), [{ method: 'users.list', params: {} }]);
  assert.equal(list.ok, false);
  assert.equal(list.error?.code, 'forbidden');
  assert.match(list.error?.message ?? '', /may not manage users/);

  // 3 is the next test: it disables this operator and watches this page lose the session
  opPage = op;
});

let opPage: Page;

test('3. the administrator cannot disable themselves; disabling the operator signs them out', async () => {
  // the screen prevents it …
  await admin.click(`${row('admin')} [data-testid="user-toggle-enabled"]`);
  const confirm = admin.locator('[data-testid="confirm-dialog"]');
  await confirm.waitFor();
  assert.match(await confirm.locator('[data-testid="dialog-warning"]').innerText(), /cannot disable your own account/);
  assert.equal(await confirm.locator('[data-testid="dialog-submit"]').isDisabled(), true);
  await admin.keyboard.press('Escape');
  await confirm.waitFor({ state: 'detached' });
  await admin.click(`${row('admin')} [data-testid="user-edit"]`);
  const edit = admin.locator('[data-testid="user-dialog"]');
  await admin.click('[data-testid="user-role-admin"]');
  await admin.click('[data-testid="user-role-operator"]');
  assert.match(await edit.locator('[data-testid="dialog-warning"]').innerText(), /own user management role/);
  await admin.screenshot({ path: join(shots, 'people-user-dialog-self.png') });
  assert.equal(await edit.locator('[data-testid="dialog-submit"]').isDisabled(), true);
  await admin.click('[data-testid="dialog-cancel"]');
  await edit.waitFor({ state: 'detached' });
  // … and the runtime refuses it too
  const [self] = await callWithCookie(app.url, await pageCookie(admin), [{ method: 'users.update', params: { userId: 'admin', enabled: false } }]);
  assert.equal(self.ok, false);
  assert.match(self.error?.message ?? '', /cannot disable yourself/);

  await admin.click(`${row(OPERATOR)} [data-testid="user-toggle-enabled"]`);
  await confirm.waitFor();
  await admin.click('[data-testid="dialog-submit"]');
  await confirm.waitFor({ state: 'detached' });
  await admin.waitForSelector(`${row(OPERATOR)}[data-enabled="false"]`);
  assert.match(await admin.locator(`${row(OPERATOR)} [data-testid="user-enabled"]`).innerText(), /Disabled/);
  await opPage.waitForSelector('[data-testid="session"][data-user=""]', { timeout: 10_000 });
  const [badge] = await callWithCookie(app.url, await pageCookie(opPage), [{ method: 'session.signInBadge', params: { badge: BADGE, pin: PIN } }]);
  assert.equal(badge.ok, false, 'a disabled user cannot sign in by badge');
});

test('4. the audit trail shows the creation by the admin, filters by action, and verifies its chain', async () => {
  await admin.click('[data-testid="people-tab-audit"]');
  const creation = admin.locator(`[data-testid="audit-row"][data-action="user.create"][data-target="${OPERATOR}"][data-outcome="done"]`);
  // the second try (the user exists already) is on record as refused
  await admin.locator(`[data-testid="audit-row"][data-action="user.create"][data-target="${OPERATOR}"][data-outcome="refused"]`).waitFor({ timeout: 5000 });
  await creation.waitFor({ timeout: 5000 });
  assert.equal(await creation.getAttribute('data-user'), 'admin');
  assert.match(await creation.innerText(), /admin[\s\S]*user\.create[\s\S]*op\.ann[\s\S]*Ann Operator[\s\S]*Done/);
  assert.ok((await admin.locator('[data-testid="audit-row"][data-action="user.setBadge"]').count()) >= 1);
  // newest first
  const ids = (await admin.locator('[data-testid="audit-row"]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-audit-id'))))) as number[];
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a));

  await admin.fill('[data-testid="audit-filter-action"]', 'user.');
  await waitFor('only user.* rows', async () => {
    const actions = (await admin.locator('[data-testid="audit-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')))) as string[];
    return actions.length >= 3 && actions.every((a) => a.startsWith('user.'));
  });
  await admin.fill('[data-testid="audit-filter-user"]', 'admin');
  await admin.fill('[data-testid="audit-filter-target"]', 'op.');
  await waitFor('only user.* rows by admin on op.*', async () => {
    const rows = (await admin.locator('[data-testid="audit-row"]').evaluateAll((rs) => rs.map((r) => `${r.getAttribute('data-user')} ${r.getAttribute('data-action')} ${r.getAttribute('data-target')}`))) as string[];
    return rows.length >= 3 && rows.every((r) => /^admin user\.\S+ op\.ann$/.test(r));
  });

  await admin.click('[data-testid="audit-verify"]');
  const result = admin.locator('[data-testid="audit-verify-result"]');
  await result.waitFor({ timeout: 10_000 });
  assert.equal(await result.getAttribute('data-ok'), 'true');
  assert.match(await result.innerText(), /Chain intact: \d+ records checked in \d+ ms/);
  await admin.screenshot({ path: join(shots, 'people-audit-panel.png') });
});

test('5. the CSV export downloads the filtered trail with its header and the creation', async () => {
  const [download] = await Promise.all([admin.waitForEvent('download', { timeout: 10_000 }), admin.click('[data-testid="audit-export"]')]);
  assert.match(download.suggestedFilename(), /^lineside-audit-\d{4}-\d{2}-\d{2}\.csv$/);
  const file = await download.path();
  const lines = readFileSync(file, 'utf8').trim().split(/\r\n/);
  assert.equal(lines[0], 'id,time_utc,user,station,action,target,old_value,new_value,outcome,reason,detail,signed_by,signature_meaning,signature_time_utc,verified_by,hash');
  const created = lines.find((l) => /,admin,[^,]*,user\.create,op\.ann,.*,done,/.test(l));
  assert.ok(created, `a row for the creation in\n${lines.join('\n')}`);
  assert.match(created, /Ann Operator/);
  assert.ok(lines.slice(1).every((l) => /,user\.[A-Za-z]+,op\.ann,/.test(l)), 'the export has the panel\'s filters');
  assert.match(await admin.locator('[data-testid="audit-export-note"]').innerText(), /\d+ rows exported/);
});

test('6. a supervisor sees the audit trail but not the users', async () => {
  const sup = await newPage();
  await signInPageAs(sup, app.url, ['supervisor']);
  await sup.click('[data-testid="nav-people"]');
  await sup.waitForSelector('[data-testid="people-audit"] [data-testid="audit-row"]');
  assert.equal(await sup.locator('[data-testid="people-users"]').count(), 0);
  assert.equal(await sup.locator('[data-testid="people-tab-users"]').count(), 0);
  assert.equal(await sup.locator('[data-testid="audit-export"]').isDisabled(), false, 'a supervisor may export');
  await sup.screenshot({ path: join(shots, 'people-audit-supervisor.png') });
  const [list] = await callWithCookie(app.url, await pageCookie(sup), [{ method: 'users.list', params: {} }]);
  assert.equal(list.error?.code, 'forbidden');
});

test('7. an operator has no People tab, and the runtime refuses their users.list', async () => {
  const op = await newPage();
  await signInPageAs(op, app.url, ['operator']);
  await op.waitForSelector('[data-testid="session"][data-user="operator"]');
  assert.equal(await op.locator('[data-testid="nav-people"]').count(), 0);
  const [list, audit] = await callWithCookie(app.url, await pageCookie(op), [
    { method: 'users.list', params: {} },
    { method: 'audit.query', params: {} },
  ]);
  assert.equal(list.ok, false);
  assert.equal(list.error?.code, 'forbidden');
  assert.equal(audit.error?.code, 'forbidden');
});

test('8. a user locked out by wrong passwords is shown locked and unlocked by the admin; a reset password must be changed', async () => {
  const stranger = await newPage();
  const cookie = await pageCookie(stranger);
  const tries = await callWithCookie(app.url, cookie, Array.from({ length: 5 }, () => ({ method: 'session.signIn', params: { userId: 'supervisor', password: 'not-the-password' } })));
  assert.ok(tries.every((t) => !t.ok));
  await admin.click('[data-testid="people-tab-users"]');
  const sup = admin.locator(row('supervisor'));
  await sup.waitFor();
  await waitFor('the lockout on screen', async () => (await sup.getAttribute('data-locked')) === 'true', 5000);
  assert.match(await sup.locator('[data-testid="user-lock"]').innerText(), /locked until (\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}:\d{2}/);
  await admin.screenshot({ path: join(shots, 'people-users-locked.png') });
  await sup.locator('[data-testid="user-unlock"]').click();
  await admin.click('[data-testid="confirm-dialog"] [data-testid="dialog-submit"]');
  await admin.waitForSelector(`${row('supervisor')}[data-locked="false"]`);
  assert.equal(await sup.locator('[data-testid="user-unlock"]').count(), 0);

  await sup.locator('[data-testid="user-reset-password"]').click();
  const dialog = admin.locator('[data-testid="password-dialog"]');
  await admin.fill('[data-testid="password-new"]', 'supervisor-2026'); // contains the user id
  await admin.fill('[data-testid="password-repeat"]', 'supervisor-2026');
  await admin.click('[data-testid="dialog-submit"]');
  assert.match(await dialog.locator('[data-testid="dialog-error"]').innerText(), /must not contain the user id/);
  await admin.screenshot({ path: join(shots, 'people-password-dialog.png') });
  await admin.fill('[data-testid="password-new"]', 'fresh-start-77');
  await admin.fill('[data-testid="password-repeat"]', 'fresh-start-77');
  await admin.click('[data-testid="dialog-submit"]');
  await dialog.waitFor({ state: 'detached' });
  await waitFor('the reset password on screen', async () => /to change at sign-in/.test(await sup.innerText()), 5000);
  const [signIn] = await callWithCookie(app.url, cookie, [{ method: 'session.signIn', params: { userId: 'supervisor', password: 'fresh-start-77' } }]);
  assert.equal(signIn.ok, true, 'unlocked: the new password signs in');
  assert.equal((signIn.result as { mustChangePassword: boolean }).mustChangePassword, true);
});

test('9. the trail is paged newest first: "Older records" appends the next page without gaps or repeats', async () => {
  // 120 refused calls, each on record (outcome refused), by a viewer: more than one page
  const viewer = await newPage();
  await callWithCookie(app.url, await pageCookie(viewer), Array.from({ length: 120 }, () => ({ method: 'users.list', params: {} })));
  await admin.click('[data-testid="people-tab-audit"]'); // opened anew: no filters
  const rows = admin.locator('[data-testid="audit-row"]');
  await waitFor('the first page', async () => (await rows.count()) === 100);
  const firstRefused = admin.locator('[data-testid="audit-row"][data-outcome="refused"]').first();
  assert.equal(await firstRefused.getAttribute('data-action'), 'users.list');
  assert.match(await firstRefused.innerText(), /REFUSED/);
  await admin.click('[data-testid="audit-older"]');
  await waitFor('the second page', async () => (await rows.count()) > 100);
  const ids = (await rows.evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-audit-id'))))) as number[];
  for (let i = 1; i < ids.length; i++) assert.equal(ids[i], ids[i - 1] - 1, `record ${ids[i - 1] - 1} follows ${ids[i - 1]}`);
});
