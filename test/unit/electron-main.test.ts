/**
 * The Electron shell's wiring (main/shell/electron-main.ts), run in plain Node against a fake
 * `electron` module and a fake runtime: which IPC channels exist, that the sender check guards
 * them, that events reach the window, that every webContents is locked down, and that quitting
 * closes the runtime once. The real thing is covered by test/e2e/electron.test.ts where an
 * Electron binary is installed.
 *
 * The fakes are planted in require's cache under the paths `require('electron')` and
 * `require('../app/runtime')` resolve to, so neither the real electron package (which would try
 * to download its binary) nor the real runtime is loaded.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { IPC_EVENT_CHANNEL, IPC_PRINT_PDF_CHANNEL, ipcChannelFor, methodNames, type ApiEvent, type ApiReply, type PdfSaveResult } from '../../shared/api';
import type { RuntimeHost } from '../../main/app/runtime-host';
import type { RuntimeOptions } from '../../main/app/runtime';
import { appRoot } from '../../main/app/paths';

// ---- the fake electron ----------------------------------------------------------------------

class FakeEvent {
  prevented = false;
  constructor(readonly url = '', readonly isMainFrame = true) {}
  preventDefault(): void {
    this.prevented = true;
  }
}

class FakeWebContents extends EventEmitter {
  static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  readonly sent: { channel: string; payload: unknown }[] = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  printOptions: unknown[] = [];
  async printToPDF(options: unknown): Promise<Uint8Array> {
    this.printOptions.push(options);
    return new TextEncoder().encode('%PDF-1.7 fake');
  }
}

const windows: FakeBrowserWindow[] = [];
class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  loaded: string | null = null;
  destroyed = false;
  constructor(readonly options: { webPreferences: Record<string, unknown> }) {
    super();
    windows.push(this);
    fakeApp.emit('web-contents-created', new FakeEvent(), this.webContents);
  }
  async loadFile(file: string): Promise<void> {
    this.loaded = file;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return false;
  }
  show(): void {}
  focus(): void {}
  restore(): void {}
}

type IpcHandler = (event: unknown, params: unknown) => Promise<ApiReply<unknown>>;
const ipcHandlers = new Map<string, IpcHandler>();
const saveDialogs: string[] = [];

const calls = { quit: 0, exit: [] as number[], sandbox: 0, paths: new Map<string, string>() };
const fakeApp = Object.assign(new EventEmitter(), {
  isPackaged: false,
  enableSandbox: () => void calls.sandbox++,
  setName: () => undefined,
  setPath: (name: string, value: string) => void calls.paths.set(name, value),
  getPath: (name: string) => calls.paths.get(name) ?? join(tmpdir(), 'never-used', name),
  requestSingleInstanceLock: () => true,
  whenReady: () => Promise.resolve(),
  quit: () => {
    calls.quit++;
    const event = new FakeEvent();
    fakeApp.emit('before-quit', event);
  },
  exit: (code: number) => void calls.exit.push(code),
});

type HeadersHook = (details: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void;
const sessionHooks: {
  headers?: HeadersHook;
  permissionRequest?: (wc: unknown, permission: string, cb: (granted: boolean) => void) => void;
  permissionCheck?: (wc: unknown, permission: string) => boolean;
  device?: () => boolean;
  downloads: EventEmitter;
} = { downloads: new EventEmitter() };

const fakeElectron = {
  app: fakeApp,
  BrowserWindow: FakeBrowserWindow,
  dialog: {
    showErrorBox: () => undefined,
    showSaveDialog: async (...args: unknown[]) => {
      const options = args.at(-1) as { defaultPath: string };
      saveDialogs.push(options.defaultPath);
      return { canceled: false, filePath: options.defaultPath };
    },
  },
  ipcMain: { handle: (channel: string, handler: IpcHandler) => void ipcHandlers.set(channel, handler) },
  session: {
    defaultSession: {
      webRequest: { onHeadersReceived: (hook: HeadersHook) => void (sessionHooks.headers = hook) },
      setPermissionRequestHandler: (h: typeof sessionHooks.permissionRequest) => void (sessionHooks.permissionRequest = h),
      setPermissionCheckHandler: (h: typeof sessionHooks.permissionCheck) => void (sessionHooks.permissionCheck = h),
      setDevicePermissionHandler: (h: typeof sessionHooks.device) => void (sessionHooks.device = h),
      on: (name: string, listener: (...args: unknown[]) => void) => sessionHooks.downloads.on(name, listener),
    },
  },
};

// ---- the fake runtime -----------------------------------------------------------------------

const hostCalls: { method: unknown; params: unknown }[] = [];
const connections: string[] = [];
const eventListeners = new Set<(e: ApiEvent) => void>();
let closeCount = 0;
let startOptions: RuntimeOptions | null = null;
const fakeHost: RuntimeHost = {
  info: {
    product: 'Lineside',
    version: '0.0.0-test',
    shell: 'electron',
    projectName: 'test',
    projectFile: 'test.yaml',
    simulator: true,
    startedAt: 0,
    frameIntervalMs: 100,
    shiftStarts: ['06:00', '14:00', '22:00'],
    display: { dateFormat: 'iso', locale: null, hour12: false, graphic: [] },
  },
  exportSamplesCsv: async () => ({ rows: 0, bytes: 0 }),
  connect: (c) => {
    connections.push(c.sessionId);
    return {
      handle: async (method, params) => {
        hostCalls.push({ method, params });
        return { ok: true, result: { echoed: method } };
      },
      close: () => undefined,
    };
  },
  subscribe: (listener) => {
    eventListeners.add(listener);
    return () => eventListeners.delete(listener);
  },
  close: async () => {
    closeCount++;
  },
};

function plant(id: string, exports: unknown): void {
  require.cache[id] = { id, filename: id, loaded: true, exports, children: [], paths: [], path: dirname(id) } as unknown as NodeJS.Module;
}

// ---- load the shell -------------------------------------------------------------------------

const shellFile = require.resolve('../../main/shell/electron-main');
const dataDir = mkdtempSync(join(tmpdir(), 'lineside-electron-main-'));
process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));

plant(require.resolve('electron', { paths: [dirname(shellFile)] }), fakeElectron);
plant(require.resolve('../../main/app/runtime'), {
  startRuntime: async (options: RuntimeOptions) => {
    startOptions = options;
    return fakeHost;
  },
});

const savedArgv = process.argv;
process.argv = [process.execPath, 'dist/main/shell/electron-main.js', '--data-dir', dataDir];
// Loaded after the fakes are planted, and exactly then: an import would be hoisted above them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require(shellFile);
process.argv = savedArgv;

const rendererUrl = pathToFileURL(join(appRoot(), 'dist', 'renderer', 'index.html')).href;
const settle = () => new Promise((r) => setImmediate(r));

function window(): FakeBrowserWindow {
  assert.equal(windows.length, 1, 'one window');
  return windows[0];
}

function ipcEvent(win: FakeBrowserWindow, frame: { url: string; parent: unknown } | null) {
  return { sender: win.webContents, senderFrame: frame };
}

// ---- cases ----------------------------------------------------------------------------------

test('1. before ready: sandbox for all renderers, profile and data under --data-dir', async () => {
  await settle();
  assert.equal(calls.sandbox, 1);
  assert.equal(calls.paths.get('userData'), join(dataDir, 'electron-profile'));
  assert.ok(startOptions !== null);
  assert.equal(startOptions.dataDir, dataDir);
  assert.equal(startOptions.shell, 'electron');
  assert.equal(startOptions.projectFile, undefined, 'no --project: the demo project');
});

test('2. one hardened window, loading the renderer with the bundled preload', () => {
  const win = window();
  const prefs = win.options.webPreferences;
  assert.equal(prefs.contextIsolation, true);
  assert.equal(prefs.sandbox, true);
  assert.equal(prefs.nodeIntegration, false);
  assert.equal(prefs.webSecurity, true);
  assert.equal(prefs.preload, join(appRoot(), 'dist', 'preload', 'preload.bundle.js'));
  assert.equal(win.loaded, join(appRoot(), 'dist', 'renderer', 'index.html'));
});

test('3. IPC: exactly one channel per API method and the PDF channel, nothing generic', () => {
  assert.deepEqual([...ipcHandlers.keys()].sort(), [...methodNames.map(ipcChannelFor), IPC_PRINT_PDF_CHANNEL].sort());
});

test('3b. the page saved as PDF: Chromium prints it, the file goes where the dialog says; a subframe or a bad name is refused', async () => {
  const win = window();
  const handler = ipcHandlers.get(IPC_PRINT_PDF_CHANNEL) as unknown as (event: unknown, name: unknown) => Promise<PdfSaveResult>;
  assert.ok(handler);
  calls.paths.set('documents', dataDir);
  const refused = await handler(ipcEvent(win, { url: rendererUrl, parent: {} }), 'run.pdf');
  assert.deepEqual(refused, { saved: false, reason: 'sender is a subframe' });
  const badName = await handler(ipcEvent(win, { url: rendererUrl, parent: null }), '../run.pdf');
  assert.equal(badName.saved, false);
  assert.equal(win.webContents.printOptions.length, 0, 'nothing printed for a refused call');
  const saved = await handler(ipcEvent(win, { url: rendererUrl, parent: null }), 'WI-OPS-001 run 4.pdf');
  assert.deepEqual(saved, { saved: true, path: join(dataDir, 'WI-OPS-001 run 4.pdf') });
  assert.deepEqual(saveDialogs, [join(dataDir, 'WI-OPS-001 run 4.pdf')]);
  assert.deepEqual(win.webContents.printOptions, [{ printBackground: true, pageSize: 'A4' }]);
  assert.match(readFileSync(join(dataDir, 'WI-OPS-001 run 4.pdf'), 'utf8'), /^%PDF-/);
});

test('4. IPC from the main frame of our window showing our page reaches the runtime', async () => {
  const win = window();
  const handler = ipcHandlers.get(ipcChannelFor('tags.list'));
  assert.ok(handler);
  const reply = await handler(ipcEvent(win, { url: rendererUrl, parent: null }), {});
  assert.deepEqual(reply, { ok: true, result: { echoed: 'tags.list' } });
  assert.deepEqual(hostCalls.at(-1), { method: 'tags.list', params: {} });
  assert.deepEqual(connections, ['window'], 'the window has one session');
});

test('5. IPC from an iframe, another page, a gone frame or another webContents is refused', async () => {
  const win = window();
  const handler = ipcHandlers.get(ipcChannelFor('simulator.dropout'));
  assert.ok(handler);
  const before = hostCalls.length;
  const other = new FakeBrowserWindow({ webPreferences: {} });
  windows.pop();
  const senders = [
    ipcEvent(win, { url: rendererUrl, parent: {} }),
    ipcEvent(win, { url: 'https://evil.example/', parent: null }),
    ipcEvent(win, null),
    ipcEvent(other, { url: rendererUrl, parent: null }),
  ];
  for (const sender of senders) {
    const reply = await handler(sender, { seconds: 5 });
    assert.equal(reply.ok, false);
    if (!reply.ok) assert.equal(reply.error.code, 'forbidden');
  }
  assert.equal(hostCalls.length, before, 'the runtime never saw the refused calls');
});

test('6. runtime events are pushed to the window on the event channel', () => {
  const win = window();
  const event: ApiEvent = { event: 'values', data: { values: [] } };
  assert.equal(eventListeners.size, 1);
  for (const l of eventListeners) l(event);
  assert.deepEqual(win.webContents.sent, [{ channel: IPC_EVENT_CHANNEL, payload: event }]);
});

test('7. every webContents: no new windows, no navigation away, no <webview>', () => {
  const contents = new FakeWebContents();
  fakeApp.emit('web-contents-created', new FakeEvent(), contents);
  assert.deepEqual(contents.windowOpenHandler?.({ url: 'https://example.com/' }), { action: 'deny' });

  const away = new FakeEvent('https://example.com/');
  contents.emit('will-navigate', away);
  assert.equal(away.prevented, true);
  const reload = new FakeEvent(rendererUrl);
  contents.emit('will-navigate', reload);
  assert.equal(reload.prevented, false);
  const redirect = new FakeEvent('file:///etc/passwd');
  contents.emit('will-redirect', redirect);
  assert.equal(redirect.prevented, true);
  const subframe = new FakeEvent('https://example.com/', false);
  contents.emit('will-frame-navigate', subframe);
  assert.equal(subframe.prevented, true);
  const webview = new FakeEvent();
  contents.emit('will-attach-webview', webview);
  assert.equal(webview.prevented, true);
});

test('8. session: CSP on every response, permissions and devices denied, downloads cancelled but our own exports', () => {
  let headers: Record<string, string[]> = {};
  sessionHooks.headers?.({ responseHeaders: { 'Content-Security-Policy': ['default-src *'] } }, (r) => (headers = r.responseHeaders));
  assert.match(headers['Content-Security-Policy'][0], /^default-src 'none'; script-src 'self'/);
  let granted: boolean | null = null;
  sessionHooks.permissionRequest?.(null, 'media', (g) => (granted = g));
  assert.equal(granted, false);
  assert.equal(sessionHooks.permissionCheck?.(null, 'serial'), false);
  assert.equal(sessionHooks.device?.(), false);
  const download = new FakeEvent();
  sessionHooks.downloads.emit('will-download', download, { getURL: () => 'https://example.com/x.exe' });
  assert.equal(download.prevented, true);
  // the page's own CSV export (a blob it made): saved where the person chooses
  const own = new FakeEvent();
  let dialog: { title?: string; defaultPath?: string } | null = null;
  sessionHooks.downloads.emit('will-download', own, {
    getURL: () => 'blob:file:///4f0c6a1e-7d1b-4c2a-9a55-0b8e2f1d2c3a',
    getFilename: () => 'lineside-audit-2026-12-03.csv',
    setSaveDialogOptions: (o: { title?: string; defaultPath?: string }) => (dialog = o),
  });
  assert.equal(own.prevented, false);
  assert.match((dialog as { defaultPath?: string } | null)?.defaultPath ?? '', /lineside-audit-2026-12-03\.csv$/);
});

test('9. quitting closes the runtime once, then quits; the window closing stops events', async () => {
  const win = window();
  win.destroyed = true;
  win.emit('closed');
  assert.equal(eventListeners.size, 0, 'unsubscribed when the window closed');

  const first = new FakeEvent();
  fakeApp.emit('before-quit', first);
  assert.equal(first.prevented, true, 'quit waits for the runtime to close');
  const second = new FakeEvent();
  fakeApp.emit('before-quit', second);
  assert.equal(second.prevented, true, 'still closing');
  await settle();
  await settle();
  assert.equal(closeCount, 1);
  assert.ok(calls.quit >= 1, 'quits once the runtime is closed');
  const after = new FakeEvent();
  fakeApp.emit('before-quit', after);
  assert.equal(after.prevented, false, 'after closing, quit proceeds');
  assert.equal(closeCount, 1);
  assert.deepEqual(calls.exit, []);
});
