/**
 * The Electron shell: hosts the runtime in the desktop app, shows the renderer in one hardened
 * window and carries the API over IPC. Entry point of the desktop app (package.json "main").
 *
 *   electron dist/main/shell/electron-main.js [--data-dir <dir>] [--project <file>]
 *
 * The security decisions live in electron-policy.ts (plain functions, unit-tested); this file
 * wires them to Electron. What it guarantees (see docs/security.md):
 * - the renderer runs sandboxed, context-isolated, without Node; the preload exposes exactly one
 *   function per API method (preload/preload.ts), and each method has its own IPC channel here;
 *   there is no generic channel, and the remote module is long gone from Electron;
 * - every IPC call is checked to come from the main frame of our window showing our page;
 * - a strict CSP, no navigation away from the page, no new windows, no <webview>, no permissions,
 *   no downloads, in every webContents (`web-contents-created`), not just ours.
 */
import { app, BrowserWindow, dialog, ipcMain, session, type IpcMainInvokeEvent, type Session } from 'electron';
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC_EVENT_CHANNEL, IPC_PRINT_PDF_CHANNEL, ipcChannelFor, methodNames, type ApiReply, type MethodName, type PdfSaveResult } from '../../shared/api';
import { appRoot } from '../app/paths';
import { startRuntime } from '../app/runtime';
import type { RuntimeConnection, RuntimeHost } from '../app/runtime-host';
import { createLogger } from '../util/log';
import { savePageAsPdf } from './save-pdf';
import {
  chromiumProfileDir,
  electronNativeBinding,
  parseShellArgs,
  preloadFile,
  rendererIndexFile,
  type ShellArgs,
} from './electron-launch';
import {
  checkIpcSender,
  isDownloadAllowed,
  isNavigationAllowed,
  isPermissionGranted,
  webPreferences,
  withContentSecurityPolicy,
  type IpcSenderFacts,
} from './electron-policy';

const log = createLogger('electron');

/** An operator closing the app must not be left with a process that holds the instance lock. */
const SHUTDOWN_LIMIT_MS = 15_000;

function hardenSession(ses: Session, rendererUrl: string): void {
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) });
  });
  ses.setPermissionRequestHandler((_contents, permission, callback) => {
    log.warn(`denied a permission request: ${permission}`);
    callback(isPermissionGranted(permission));
  });
  ses.setPermissionCheckHandler((_contents, permission) => isPermissionGranted(permission));
  ses.setDevicePermissionHandler(() => false);
  ses.on('will-download', (event, item) => {
    if (isDownloadAllowed(item.getURL(), rendererUrl)) {
      // Our page's own export: the person chooses where it is saved.
      item.setSaveDialogOptions({ title: 'Save export', defaultPath: join(app.getPath('downloads'), item.getFilename()) });
      return;
    }
    log.warn(`blocked a download: ${item.getURL()}`);
    event.preventDefault();
  });
}

/** Applied to every webContents the app ever creates (our window, DevTools, anything else). */
function guardWebContents(rendererUrl: string): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      log.warn(`blocked a new window: ${url}`);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event) => {
      if (isNavigationAllowed(event.url, rendererUrl)) return;
      event.preventDefault();
      log.warn(`blocked a navigation to ${event.url}`);
    });
    contents.on('will-frame-navigate', (event) => {
      if (event.isMainFrame || isNavigationAllowed(event.url, rendererUrl)) return;
      event.preventDefault();
      log.warn(`blocked a subframe navigation to ${event.url}`);
    });
    contents.on('will-redirect', (event) => {
      if (isNavigationAllowed(event.url, rendererUrl)) return;
      event.preventDefault();
      log.warn(`blocked a redirect to ${event.url}`);
    });
    contents.on('will-attach-webview', (event) => {
      event.preventDefault();
      log.warn('blocked a <webview>');
    });
  });
}

function forbidden(method: MethodName, reason: string): ApiReply<never> {
  return {
    ok: false,
    error: { code: 'forbidden', message: `${method}: refused an IPC call from an untrusted sender`, context: { method, reason } },
  };
}

function unavailable(method: MethodName, err: unknown): ApiReply<never> {
  return {
    ok: false,
    error: { code: 'unavailable', message: `${method}: the runtime is not running (${(err as Error).message})`, context: { method } },
  };
}

function senderFacts(event: IpcMainInvokeEvent, window: BrowserWindow | null): IpcSenderFacts {
  const frame = event.senderFrame;
  return {
    senderWebContentsId: event.sender.id,
    windowWebContentsId: window !== null && !window.isDestroyed() ? window.webContents.id : null,
    hasFrame: frame !== null,
    isMainFrame: frame !== null && frame.parent === null,
    senderFrameUrl: frame?.url ?? '',
  };
}

function main(): void {
  let args: ShellArgs;
  try {
    args = parseShellArgs(process.argv.slice(1));
  } catch (err) {
    process.stderr.write(`lineside: ${(err as Error).message}\n`);
    app.exit(2);
    return;
  }

  // Before `ready`: every renderer sandboxed, whatever its own webPreferences say.
  app.enableSandbox();
  app.setName('Lineside');
  const dataDirArg = args.dataDir === undefined ? undefined : resolve(args.dataDir);
  if (dataDirArg !== undefined) app.setPath('userData', chromiumProfileDir(dataDirArg));
  if (!app.requestSingleInstanceLock()) {
    log.info('Lineside is already running: bringing its window forward');
    app.quit();
    return;
  }

  const root = appRoot();
  const rendererFile = rendererIndexFile(root);
  const rendererUrl = pathToFileURL(rendererFile).href;
  const dataDir = dataDirArg ?? join(app.getPath('userData'), 'data');
  mkdirSync(dataDir, { recursive: true });
  const nativeBinding = electronNativeBinding(root, app.isPackaged);
  if (!app.isPackaged && nativeBinding === undefined) {
    log.warn(
      'build/native/electron/better_sqlite3.node is missing: better-sqlite3 will try its Node build, ' +
        'which Electron cannot load (npm start builds the Electron one)',
    );
  }

  // Starts while Chromium initialises; IPC calls wait for it.
  const hostReady: Promise<RuntimeHost> = startRuntime({
    projectFile: args.projectFile === undefined ? undefined : resolve(args.projectFile),
    dataDir,
    shell: 'electron',
    nativeBinding,
  });
  let host: RuntimeHost | null = null;
  let window: BrowserWindow | null = null;
  let stopEvents: (() => void) | null = null;
  // The window's session: who is signed in at this desktop. A reload of the window keeps it.
  const windowConnection: Promise<RuntimeConnection> = hostReady.then((h) =>
    h.connect({
      sessionId: 'window',
      station: `desktop ${hostname()}`,
      push: (event) => {
        if (window !== null && !window.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, event);
      },
    }),
  );
  windowConnection.catch(() => undefined); // the failure is reported where hostReady is

  const forwardEvents = () => {
    if (host === null || window === null || stopEvents !== null) return;
    const target = window;
    stopEvents = host.subscribe((event) => {
      if (!target.isDestroyed()) target.webContents.send(IPC_EVENT_CHANNEL, event);
    });
  };

  hostReady.then(
    (started) => {
      host = started;
      log.info(`runtime started: project ${started.info.projectName}, data in ${dataDir}`);
      forwardEvents();
    },
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      log.error(`the runtime did not start: ${err instanceof Error ? (err.stack ?? message) : message}`);
      if (app.isPackaged) dialog.showErrorBox('Lineside could not start', message);
      app.exit(1);
    },
  );

  // One channel per method; nothing generic. The sender is checked before the runtime sees the
  // call; the runtime validates params (RuntimeHost.handle never throws).
  for (const method of methodNames) {
    ipcMain.handle(ipcChannelFor(method), async (event, params: unknown, options?: unknown): Promise<ApiReply<unknown>> => {
      const verdict = checkIpcSender(senderFacts(event, window), rendererUrl);
      if (!verdict.trusted) {
        log.warn(`refused IPC ${method}: ${verdict.reason}`);
        return forbidden(method, verdict.reason);
      }
      let connection: RuntimeConnection;
      try {
        connection = await windowConnection;
      } catch (err) {
        return unavailable(method, err);
      }
      const signature = options !== null && typeof options === 'object' ? (options as { signature?: unknown }).signature : undefined;
      return connection.handle(method, params, signature);
    });
  }

  // The run record as a PDF: Chromium prints the page, the user picks where it goes.
  ipcMain.handle(IPC_PRINT_PDF_CHANNEL, async (event, fileName: unknown): Promise<PdfSaveResult> => {
    const verdict = checkIpcSender(senderFacts(event, window), rendererUrl);
    if (!verdict.trusted) {
      log.warn(`refused IPC printToPdf: ${verdict.reason}`);
      return { saved: false, reason: verdict.reason };
    }
    const owner = window;
    const result = await savePageAsPdf(fileName, {
      print: () => event.sender.printToPDF({ printBackground: true, pageSize: 'A4' }),
      choosePath: async (suggested) => {
        const options = { defaultPath: join(app.getPath('documents'), suggested), filters: [{ name: 'PDF', extensions: ['pdf'] }] };
        const r = owner !== null ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options);
        return r.canceled || r.filePath === undefined ? null : r.filePath;
      },
      writeFile: (path, data) => writeFile(path, data),
    });
    if (result.saved) log.info(`saved a PDF: ${result.path}`);
    return result;
  });

  const createWindow = () => {
    const win = new BrowserWindow({
      title: 'Lineside',
      width: 1280,
      height: 800,
      minWidth: 800,
      minHeight: 600,
      show: false,
      webPreferences: webPreferences(preloadFile(root), { devTools: !app.isPackaged }),
    });
    window = win;
    win.once('ready-to-show', () => win.show());
    win.on('closed', () => {
      stopEvents?.();
      stopEvents = null;
      window = null;
    });
    win.loadFile(rendererFile).catch((err: unknown) => log.error(`could not load the renderer: ${String(err)}`));
    forwardEvents();
  };

  guardWebContents(rendererUrl);

  app.on('second-instance', () => {
    if (window === null) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  // Closing the window quits, on every platform: a line-side station has one window.
  app.on('window-all-closed', () => app.quit());

  // Stop acquisition and close the database once, before Electron exits.
  let shutdown: Promise<void> | null = null;
  let shutdownDone = false;
  app.on('before-quit', (event) => {
    if (shutdownDone) return;
    event.preventDefault();
    if (shutdown !== null) return;
    const limit = setTimeout(() => {
      log.error(`shutdown took longer than ${SHUTDOWN_LIMIT_MS} ms: exiting anyway`);
      app.exit(1);
    }, SHUTDOWN_LIMIT_MS);
    limit.unref();
    shutdown = hostReady
      .then(
        (runtime) => runtime.close(),
        () => undefined, // never started: nothing to close
      )
      .catch((err: unknown) => log.error(`closing the runtime failed: ${String(err)}`))
      .finally(() => {
        clearTimeout(limit);
        shutdownDone = true;
        app.quit();
      });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  app
    .whenReady()
    .then(() => {
      hardenSession(session.defaultSession, rendererUrl);
      createWindow();
    })
    .catch((err: unknown) => {
      log.error(`the window could not be created: ${String(err)}`);
      app.exit(1);
    });
}

main();
