/**
 * The desktop app, launched for real with Playwright's Electron support: the hardened window,
 * the preload's allow-list, live data over IPC, and the navigation lock.
 *
 * Needs the Electron binary, which build machines without GitHub access do not have (the npm
 * package installs without it and would try to download it on first use). The binary is looked
 * up without downloading (main/shell/electron-binary.ts); when it is missing the test reports as
 * skipped, with the reason.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { findElectronBinary } from '../../main/shell/electron-binary';
import { methodNames, type ApiReply, type AppInfo } from '../../shared/api';

function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'lineside') return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json named "lineside" above ${from}`);
  }
}

const root = findRepoRoot(__dirname);

/** What the page sees of the bridge, typed for the evaluate callbacks (they run in the page). */
type PageGlobals = { lineside?: Record<string, unknown> };

async function waitFor<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('Electron desktop shell', async (t) => {
  const binary = findElectronBinary(root);
  if ('missing' in binary) {
    t.skip(`Electron binary not installed (${binary.missing}): the desktop shell was not launched`);
    return;
  }
  for (const built of ['dist/main/shell/electron-main.js', 'dist/preload/preload.bundle.js', 'dist/renderer/index.html']) {
    assert.ok(existsSync(join(root, built)), `${built} is missing: run \`npm run build\` first`);
  }
  assert.ok(
    existsSync(join(root, 'build/native/electron/better_sqlite3.node')),
    'build/native/electron/better_sqlite3.node is missing: the Electron build of better-sqlite3 is made by `npm start`',
  );

  const dataDir = mkdtempSync(join(tmpdir(), 'lineside-electron-e2e-'));
  const app: ElectronApplication = await _electron.launch({
    executablePath: binary.path,
    args: ['dist/main/shell/electron-main.js', '--data-dir', dataDir],
    cwd: root,
    env: { ...process.env, LINESIDE_LOG: process.env.LINESIDE_LOG ?? 'warn' } as Record<string, string>,
    timeout: 60_000,
  });
  t.after(async () => {
    await app.close().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });
  const page: Page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');

  await t.test('1. the page is our renderer, loaded from dist/renderer/index.html', () => {
    assert.match(page.url(), /^file:\/\/.*\/dist\/renderer\/index\.html(#.*)?$/);
  });

  await t.test('2. window.lineside has exactly the allow-listed functions', async () => {
    const shape = await page.evaluate(() => {
      const bridge = (globalThis as unknown as PageGlobals).lineside;
      if (bridge === undefined) return null;
      return Object.keys(bridge).map((k) => [k, typeof bridge[k]] as const);
    });
    assert.ok(shape !== null, 'window.lineside is not exposed');
    assert.deepEqual(shape.map(([k]) => k).sort(), [...methodNames, 'onEvent'].sort());
    for (const [key, type] of shape) assert.equal(type, 'function', key);
  });

  await t.test('3. no Node in the page: no require, no process, no Buffer, no ipcRenderer', async () => {
    const seen = await page.evaluate(() => {
      const g = globalThis as unknown as Record<string, unknown>;
      return {
        require: typeof require,
        process: typeof g.process,
        Buffer: typeof g.Buffer,
        module: typeof g.module,
        ipcRenderer: typeof g.ipcRenderer,
      };
    });
    assert.deepEqual(seen, {
      require: 'undefined',
      process: 'undefined',
      Buffer: 'undefined',
      module: 'undefined',
      ipcRenderer: 'undefined',
    });
  });

  await t.test('4. the CSP is in force: eval is refused', async () => {
    const outcome = await page.evaluate(() => {
      try {
        (0, eval)('1 + 1');
        return 'evaluated';
      } catch (err) {
        return (err as Error).name;
      }
    });
    assert.equal(outcome, 'EvalError');
  });

  await t.test('5. an API call through the bridge reaches the runtime', async () => {
    const reply = await page.evaluate(async () => {
      const bridge = (globalThis as unknown as PageGlobals).lineside;
      const call = bridge?.['app.info'] as ((p: object) => Promise<unknown>) | undefined;
      return call ? call({}) : null;
    });
    const info = reply as ApiReply<AppInfo> | null;
    assert.ok(info !== null && info.ok, `app.info failed: ${JSON.stringify(reply)}`);
    assert.equal(info.result.shell, 'electron');
    assert.equal(info.result.product, 'Lineside');
  });

  await t.test('6. a live value appears in the overview', async () => {
    const value = page.locator('[data-tag-id="L1.Speed"] [data-testid="value"]');
    const text = await waitFor('a number in L1.Speed', async () => {
      const content = (await value.count()) > 0 ? await value.first().textContent() : null;
      return content !== null && /\d/.test(content) ? content : null;
    });
    assert.match(text, /\d/);
  });

  await t.test('7. navigating away and opening windows are blocked', async () => {
    const before = page.url();
    await page.evaluate(() => {
      (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
    });
    const opened = await page.evaluate(() => {
      const open = (globalThis as unknown as { open: (url: string) => unknown }).open;
      return open('https://example.com/') === null;
    });
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(page.url(), before, 'the window must stay on the renderer page');
    assert.equal(opened, true, 'window.open must return null');
    assert.equal(app.windows().length, 1, 'no second window');
    const stillThere = await page.evaluate(() => typeof (globalThis as unknown as PageGlobals).lineside);
    assert.equal(stillThere, 'object');
  });
});
