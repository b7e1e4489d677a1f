/**
 * The Electron shell's security decisions (main/shell/electron-policy.ts), in plain Node.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkIpcSender,
  contentSecurityPolicy,
  isAllowedSenderUrl,
  isDownloadAllowed,
  isNavigationAllowed,
  isPermissionGranted,
  webPreferences,
  withContentSecurityPolicy,
  type IpcSenderFacts,
} from '../../main/shell/electron-policy';

const index = 'file:///opt/Lineside/resources/app.asar/dist/renderer/index.html';

test('1. webPreferences: isolated, sandboxed, no Node, web security on', () => {
  const prefs = webPreferences('/app/dist/preload/preload.bundle.js', { devTools: false });
  assert.equal(prefs.preload, '/app/dist/preload/preload.bundle.js');
  assert.equal(prefs.contextIsolation, true);
  assert.equal(prefs.sandbox, true);
  assert.equal(prefs.nodeIntegration, false);
  assert.equal(prefs.nodeIntegrationInWorker, false);
  assert.equal(prefs.nodeIntegrationInSubFrames, false);
  assert.equal(prefs.webSecurity, true);
  assert.equal(prefs.allowRunningInsecureContent, false);
  assert.equal(prefs.webviewTag, false);
  assert.equal(prefs.spellcheck, false);
  assert.equal(prefs.devTools, false);
  assert.equal(webPreferences('p', { devTools: true }).devTools, true);
  // Nothing that re-opens what the others close.
  for (const key of ['enableRemoteModule', 'enableBlinkFeatures', 'additionalArguments']) {
    assert.ok(!(key in prefs), key);
  }
});

test('2. the CSP: nothing by default, our own files only, no inline script or eval', () => {
  const directives = new Map(
    contentSecurityPolicy.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name, values.join(' ')] as const;
    }),
  );
  assert.equal(directives.get('default-src'), "'none'");
  assert.equal(directives.get('script-src'), "'self'");
  assert.equal(directives.get('style-src'), "'self'");
  // blob: only for what the page made in memory (a work instruction's picture or video fetched through the API)
  assert.equal(directives.get('img-src'), "'self' data: blob:");
  assert.equal(directives.get('media-src'), "'self' blob:");
  assert.equal(directives.get('font-src'), "'self'");
  assert.equal(directives.get('connect-src'), "'self'");
  assert.equal(directives.get('base-uri'), "'none'");
  assert.equal(directives.get('form-action'), "'none'");
  assert.equal(directives.get('frame-ancestors'), "'none'");
  assert.doesNotMatch(contentSecurityPolicy, /unsafe-inline|unsafe-eval|\*/);
});

test('3. the CSP header replaces any CSP the response carried, whatever its casing', () => {
  const headers = withContentSecurityPolicy({
    'content-security-policy': ["default-src *"],
    'Content-Type': ['text/html'],
  });
  assert.deepEqual(headers, {
    'Content-Type': ['text/html'],
    'Content-Security-Policy': [contentSecurityPolicy],
  });
  assert.deepEqual(withContentSecurityPolicy(undefined), { 'Content-Security-Policy': [contentSecurityPolicy] });
});

test('4. IPC sender URL: only our renderer page (hash ignored, path compared decoded)', () => {
  assert.equal(isAllowedSenderUrl(index, index), true);
  assert.equal(isAllowedSenderUrl(`${index}#/trends`, index), true);
  // Chromium and Node may encode an install path differently.
  assert.equal(
    isAllowedSenderUrl('file:///C:/Program Files/Lineside/dist/renderer/index.html', 'file:///C:/Program%20Files/Lineside/dist/renderer/index.html'),
    true,
  );
  for (const url of [
    'https://evil.example/index.html',
    'http://127.0.0.1:8080/dist/renderer/index.html',
    'file:///opt/Lineside/resources/app.asar/dist/renderer/other.html',
    'file:///tmp/index.html',
    'file://remote-host/opt/Lineside/resources/app.asar/dist/renderer/index.html',
    `${index}?x=1`,
    'about:blank',
    'data:text/html,<script>1</script>',
    '',
    'not a url',
  ]) {
    assert.equal(isAllowedSenderUrl(url, index), false, url);
  }
});

test('5. IPC sender: the main frame of our window, showing our page; anything else is refused', () => {
  const good: IpcSenderFacts = {
    senderWebContentsId: 3,
    windowWebContentsId: 3,
    hasFrame: true,
    isMainFrame: true,
    senderFrameUrl: index,
  };
  assert.deepEqual(checkIpcSender(good, index), { trusted: true });
  const cases: [string, Partial<IpcSenderFacts>, RegExp][] = [
    ['another webContents', { senderWebContentsId: 4 }, /not the Lineside window/],
    ['no window (yet, or any more)', { windowWebContentsId: null }, /not the Lineside window/],
    ['a frame that is gone', { hasFrame: false }, /frame is gone/],
    ['an iframe', { isMainFrame: false }, /subframe/],
    ['another page', { senderFrameUrl: 'https://evil.example/' }, /not the renderer/],
  ];
  for (const [name, change, reason] of cases) {
    const verdict = checkIpcSender({ ...good, ...change }, index);
    assert.equal(verdict.trusted, false, name);
    if (!verdict.trusted) assert.match(verdict.reason, reason, name);
  }
});

test('6. navigation: only to the renderer page itself (a reload); never elsewhere', () => {
  assert.equal(isNavigationAllowed(index, index), true);
  assert.equal(isNavigationAllowed(`${index}#/alarms`, index), true);
  for (const url of [
    'https://example.com/',
    'http://localhost:3000/',
    'file:///etc/passwd',
    'file:///opt/Lineside/resources/app.asar/dist/renderer/../../package.json',
    'javascript:alert(1)',
    'chrome://settings',
  ]) {
    assert.equal(isNavigationAllowed(url, index), false, url);
  }
});

test('7. permissions: none granted', () => {
  for (const p of ['media', 'geolocation', 'notifications', 'serial', 'hid', 'usb', 'clipboard-read', 'openExternal', 'fullscreen', 'unknown']) {
    assert.equal(isPermissionGranted(p), false, p);
  }
});

test('8. downloads: only blobs our own page made (its CSV exports); nothing from the network or another origin', () => {
  assert.equal(isDownloadAllowed('blob:file:///4f0c6a1e-7d1b-4c2a-9a55-0b8e2f1d2c3a', index), true);
  assert.equal(isDownloadAllowed('blob:null/4f0c6a1e', index), true);
  assert.equal(isDownloadAllowed('https://example.com/x.exe', index), false);
  assert.equal(isDownloadAllowed('file:///etc/passwd', index), false);
  assert.equal(isDownloadAllowed('data:text/csv,a', index), false);
  assert.equal(isDownloadAllowed('blob:https://evil.example/1', index), false);
  assert.equal(isDownloadAllowed('blob:http://127.0.0.1:8080/1', 'http://127.0.0.1:8080/index.html'), true);
  assert.equal(isDownloadAllowed('blob:http://127.0.0.1:9999/1', 'http://127.0.0.1:8080/index.html'), false);
});
