/**
 * A maintenance technician brings a secure OPC UA PLC online from the Diagnostics screen in a
 * real browser: the device shows NOT TRUSTED with the server's thumbprint, the technician
 * compares it and trusts it, the device connects and its value turns good on the Overview.
 * Then an engineer browses the server to pick a tag: its NodeId and a ready YAML tag line.
 */
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { stringify } from 'yaml';
import { launchChromium } from '../helpers/browser';
import { signInPageAs } from '../helpers/page-session';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';
import { startTestOpcUaServer, type TestOpcUaServer } from '../helpers/opcua-test-server';
import { repoRoot, tempDir, waitFor } from '../helpers/temp';

const tmp = tempDir('lineside-e2e-opcua-');
const shots = join(repoRoot(), 'test-results');
const dataDir = join(tmp.dir, 'data');
const DEVICE = 'line_plc';
let srv: TestOpcUaServer;
let app: HeadlessProcess;
let browser: Browser;
let page: Page;
let thumbprint: string;
let serverStopped = false;
const pageErrors: string[] = [];

const row = `[data-testid="diagnostics"] [data-device-id="${DEVICE}"]`;
const detail = `[data-testid="diagnostics"] [data-opcua-device-id="${DEVICE}"]`;
const pairs = (hex: string) => hex.toUpperCase().match(/../g)!.join(':');

before(async () => {
  mkdirSync(shots, { recursive: true });
  srv = await startTestOpcUaServer({ pkiDir: join(tmp.dir, 'server-pki') });
  srv.startTicking(200);
  thumbprint = createHash('sha1').update(srv.server.certificate).digest('hex');
  const projectFile = join(tmp.dir, 'secure-line.yaml');
  writeFileSync(
    projectFile,
    stringify({
      version: 1,
      name: 'Secure line',
      devices: [
        {
          id: DEVICE,
          name: 'Line controller',
          protocol: 'opcua',
          endpoint: srv.endpoint,
          securityMode: 'SignAndEncrypt',
          securityPolicy: 'Basic256Sha256',
          timeoutMs: 1000,
        },
      ],
      tags: [
        { id: 'L1.Speed', name: 'Line speed', device: DEVICE, address: 'ns=1;s=Line1.LineSpeed', dataType: 'float64', units: 'packs/min', scanMs: 200 },
        { id: 'L1.State', name: 'Machine state', device: DEVICE, address: 'ns=1;s=Line1.State', dataType: 'int32', decimals: 0, scanMs: 500 },
      ],
    }),
  );
  app = await startHeadless(['--project', projectFile, '--data-dir', dataDir, '--listen', '127.0.0.1:0']);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(app.url);
  await signInPageAs(page, app.url, ['engineer']);
  await page.click('[data-testid="nav-diagnostics"]');
});

after(async () => {
  await browser?.close();
  await app?.stop();
  if (!serverStopped) await srv?.stop();
  tmp.cleanup();
});

test('1. an untrusted server certificate: NOT TRUSTED with the server\'s thumbprint, the device without comms', async () => {
  const cert = page.locator(`${detail} [data-testid="server-certificate"][data-trusted="false"]`);
  await cert.waitFor({ timeout: 15_000 });
  assert.match(await cert.locator('[data-testid="cert-status"]').innerText(), /NOT TRUSTED/);
  const shown = cert.locator('[data-testid="cert-thumbprint"]');
  assert.equal(await shown.getAttribute('data-thumbprint'), thumbprint);
  assert.equal((await shown.innerText()).replace(/\s+/g, ''), pairs(thumbprint), 'in pairs, as read aloud');
  assert.match(await cert.locator('[data-testid="cert-subject"]').innerText(), /CN=/);
  assert.notEqual(await page.locator(row).getAttribute('data-state'), 'online');
  assert.match(await page.locator(`${detail} [data-testid="opcua-security"]`).innerText(), /Sign & encrypt · Basic256Sha256/);
  assert.match(await page.locator(`${detail} [data-testid="opcua-acquisition"]`).innerText(), /Subscription/);

  // Lineside's own certificate, for the PLC's administrator, as on disk.
  const own = page.locator('[data-testid="own-thumbprint"]');
  await own.waitFor({ timeout: 12_000 });
  const pem = readFileSync(join(dataDir, 'pki', 'own', 'certs', 'client_certificate.pem'), 'utf8');
  const ownThumb = new X509Certificate(pem).fingerprint.replace(/:/g, '').toLowerCase();
  assert.equal(await own.getAttribute('data-thumbprint'), ownThumb);
  assert.equal((await page.locator('[data-testid="pki-folder"]').innerText()).trim(), join(dataDir, 'pki'));
  await waitFor('the rejected count', async () => /1 rejected/.test(await page.locator('[data-testid="pki-counts"]').innerText()), 12_000);
  await page.screenshot({ path: join(shots, 'opcua-diagnostics-untrusted.png') });
});

test('2. Trust certificate… → compare → trust: the device goes online, the certificate is trusted and on record', async () => {
  await page.click(`${detail} [data-testid="trust-open"]`);
  const dialog = page.locator('[data-testid="trust-dialog"]');
  await dialog.waitFor();
  assert.equal(await dialog.locator('[data-testid="trust-thumbprint"]').getAttribute('data-thumbprint'), thumbprint);
  assert.equal((await dialog.locator('[data-testid="trust-thumbprint"]').innerText()).replace(/\s+/g, ''), pairs(thumbprint));
  await page.screenshot({ path: join(shots, 'opcua-trust-dialog.png') });
  await page.click('[data-testid="trust-confirm"]');
  const result = dialog.locator('[data-testid="trust-result"]');
  await result.waitFor({ timeout: 5000 });
  assert.equal(await result.getAttribute('data-ok'), 'true', await result.innerText());
  await dialog.locator('[data-testid="trust-device-state"][data-state="online"]').waitFor({ timeout: 10_000 });
  await page.screenshot({ path: join(shots, 'opcua-trust-done.png') });
  await page.click('[data-testid="trust-close"]');
  assert.equal(await dialog.count(), 0);

  await page.locator(`${row}[data-state="online"]`).waitFor({ timeout: 5000 });
  await page.locator(`${detail} [data-testid="server-certificate"][data-trusted="true"]`).waitFor({ timeout: 5000 });
  assert.equal(await page.locator(`${detail} [data-testid="trust-open"]`).count(), 0, 'nothing left to trust');
  await waitFor('the subscription to be reported', async () => /Subscription · 2 monitored/.test(await page.locator(`${detail} [data-testid="opcua-acquisition"]`).innerText()), 5000);
  const audit = await page.locator('[data-testid="audit-table"]').innerText();
  assert.match(audit, new RegExp(`Trust certificate\\s+${DEVICE}`));
  assert.ok(audit.replace(/\s+/g, '').includes(pairs(thumbprint)), 'the trusted thumbprint is on record');
  await page.screenshot({ path: join(shots, 'opcua-diagnostics-trusted.png') });

  await page.click('[data-testid="nav-operate"]');
  await page.locator('[data-tag-id="L1.Speed"][data-quality="good"]').waitFor({ timeout: 10_000 });
  // the untrusted-certificate error is over: not beside the device's "Online", past on Diagnostics
  await page.locator(`.device-strip [data-device-id="${DEVICE}"][data-state="online"]`).waitFor({ timeout: 5000 });
  assert.equal(await page.locator(`.device-strip [data-device-id="${DEVICE}"] [data-testid="device-error"]`).count(), 0);
  await page.screenshot({ path: join(shots, 'opcua-overview-good.png') });
  await page.click('[data-testid="nav-diagnostics"]');
  await page.locator(`${row} [data-testid="error-past"]`).waitFor({ timeout: 5000 });
});

test('3. Browse: Objects → Line1 → LineSpeed gives its NodeId and a YAML tag line', async () => {
  await page.click(`${detail} [data-testid="browse-open"]`);
  const panel = page.locator('[data-testid="opcua-browse"]');
  await panel.waitFor();
  const line1 = panel.locator('[data-testid="browse-node"][data-node-id="ns=1;s=Line1"]');
  await line1.waitFor({ timeout: 5000 });
  assert.equal(await panel.locator('[data-testid="browse-node"][data-node-id="ns=0;i=85"]').getAttribute('aria-expanded'), 'true', 'Objects is open');
  await line1.locator('[data-testid="browse-select"]').click();
  assert.equal(await line1.getAttribute('aria-expanded'), 'true', 'a tap opens a folder');
  const speed = panel.locator('[data-testid="browse-node"][data-node-id="ns=1;s=Line1.LineSpeed"]');
  await speed.waitFor({ timeout: 5000 });
  assert.match(await speed.innerText(), /LineSpeed[\s\S]*Variable · Double → float64 · read-only/);
  await speed.locator('[data-testid="browse-select"]').click();

  const nodeId = panel.locator('[data-testid="browse-nodeid"]');
  assert.equal(await nodeId.innerText(), 'ns=1;s=Line1.LineSpeed');
  assert.match(await panel.locator('[data-testid="browse-data-type"]').innerText(), /Double → project dataType float64/);
  assert.match(await panel.locator('[data-testid="browse-writable"]').innerText(), /^No/);
  const yaml = await panel.locator('[data-testid="browse-yaml"]').innerText();
  assert.equal(yaml, `- { id: Line1.LineSpeed, device: ${DEVICE}, address: "ns=1;s=Line1.LineSpeed", dataType: float64 }`);

  // Copy: to the clipboard when the browser allows it, else the text is selected for Ctrl+C.
  await page.click('[data-testid="browse-copy-yaml"]');
  const outcome = panel.locator('[data-testid="copy-outcome"]');
  await waitFor('the copy outcome', async () => (await outcome.getAttribute('data-outcome')) !== null, 3000);
  if ((await outcome.getAttribute('data-outcome')) === 'selected') {
    assert.equal(await page.evaluate<string>('String(window.getSelection())'), yaml);
  }
  await page.screenshot({ path: join(shots, 'opcua-browse.png') });
  await page.keyboard.press('Escape');
  assert.equal(await panel.count(), 0, 'Escape closes the panel');
});

test('4. Browse on a device without comms: the API\'s error in the panel', async () => {
  serverStopped = true;
  await srv.stop();
  await page.locator(`${row}:not([data-state="online"])`).waitFor({ timeout: 15_000 });
  await page.click(`${detail} [data-testid="browse-open"]`);
  const error = page.locator('[data-testid="opcua-browse"] [data-testid="browse-error"]');
  await error.waitFor({ timeout: 10_000 });
  assert.match(await error.innerText(), /not connected/);
  await page.screenshot({ path: join(shots, 'opcua-browse-offline.png') });
  await page.click('[data-testid="browse-close"]');
  assert.deepEqual(pageErrors, []);
});
