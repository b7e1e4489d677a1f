/**
 * The Electron shell's security decisions as plain functions and data, with no Electron import,
 * so that they are unit-tested in plain Node (test/unit/electron-policy.test.ts) and
 * electron-main.ts only wires them to Electron's events.
 *
 * Threat model: the renderer shows data from PLCs and project files; if anything ever gets script
 * into it, that script must find no Node, no generic IPC, no way to navigate the window to other
 * content, no new windows, no permissions, and only our allow-listed API methods (which validate
 * their params in the runtime).
 */

/**
 * Served with every response (webRequest.onHeadersReceived). The renderer is one bundled script
 * and one stylesheet from our own folder; uPlot sets styles through the CSSOM, which style-src
 * does not restrict, so no 'unsafe-inline' is needed. No eval, no remote anything.
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  // blob: the pictures and videos of work instructions, fetched through the API
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The subset of Electron's WebPreferences we set; every hardening switch is explicit. */
export interface HardenedWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  webviewTag: false;
  experimentalFeatures: false;
  navigateOnDragDrop: false;
  safeDialogs: true;
  spellcheck: false;
  devTools: boolean;
}

/**
 * Window preferences. Defaults in current Electron already match most of these; they are spelt
 * out so that a default changing, or someone "just enabling" one, shows up in review and tests.
 * DevTools stay available in development, not in installed builds.
 */
export function webPreferences(preloadPath: string, options: { devTools: boolean }): HardenedWebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: options.devTools,
  };
}

/**
 * Adds the CSP to a response's headers, replacing any CSP the response carried (whatever its
 * header-name casing), so no looser policy can ride along.
 */
export function withContentSecurityPolicy(
  headers: Record<string, string[]> | undefined,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') out[name] = value;
  }
  out['Content-Security-Policy'] = [contentSecurityPolicy];
  return out;
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function decodedPath(u: URL): string | null {
  try {
    return decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
}

/**
 * True when `url` is our renderer page: a file: URL of exactly `rendererIndexUrl`'s file.
 * The hash is ignored (the renderer may route with it); the path is compared decoded, because
 * Node's pathToFileURL and Chromium do not percent-encode the same characters (spaces, quotes) in
 * an install path such as "C:\Program Files\Lineside".
 */
export function isRendererUrl(url: string, rendererIndexUrl: string): boolean {
  const actual = parseUrl(url);
  const expected = parseUrl(rendererIndexUrl);
  if (actual === null || expected === null) return false;
  if (actual.protocol !== 'file:' || expected.protocol !== 'file:') return false;
  if (actual.host !== expected.host || actual.search !== expected.search) return false;
  const a = decodedPath(actual);
  return a !== null && a === decodedPath(expected);
}

/** An IPC message is answered only when it comes from our renderer page. */
export function isAllowedSenderUrl(url: string, rendererIndexUrl: string): boolean {
  return isRendererUrl(url, rendererIndexUrl);
}

/** What electron-main.ts knows about the sender of an IPC call. */
export interface IpcSenderFacts {
  /** webContents id of the sender, and of our one window (null while no window exists) */
  senderWebContentsId: number;
  windowWebContentsId: number | null;
  /** false when `event.senderFrame` is null (the frame navigated away or was destroyed) */
  hasFrame: boolean;
  /** the sending frame is a top-level frame (no parent): not an iframe */
  isMainFrame: boolean;
  senderFrameUrl: string;
}

export type SenderVerdict = { trusted: true } | { trusted: false; reason: string };

/**
 * Electron's checklist item 17 ("validate the sender of all IPC messages"): the call must come
 * from the main frame of our window, showing our renderer page. Anything else (an iframe, another
 * webContents, a page the window was somehow navigated to) is refused.
 */
export function checkIpcSender(facts: IpcSenderFacts, rendererIndexUrl: string): SenderVerdict {
  if (facts.windowWebContentsId === null || facts.senderWebContentsId !== facts.windowWebContentsId) {
    return { trusted: false, reason: 'sender is not the Lineside window' };
  }
  if (!facts.hasFrame) return { trusted: false, reason: 'sender frame is gone' };
  if (!facts.isMainFrame) return { trusted: false, reason: 'sender is a subframe' };
  if (!isAllowedSenderUrl(facts.senderFrameUrl, rendererIndexUrl)) {
    return { trusted: false, reason: `sender page is not the renderer (${facts.senderFrameUrl})` };
  }
  return { trusted: true };
}

/**
 * The window only ever shows the renderer page: a navigation elsewhere (a link, `location = …`,
 * a drag-and-drop, a redirect) is cancelled. Reloading the page itself stays possible.
 */
export function isNavigationAllowed(url: string, rendererIndexUrl: string): boolean {
  return isRendererUrl(url, rendererIndexUrl);
}

/** Permissions (camera, notifications, serial, HID, …) requested by web content: none granted. */
export function isPermissionGranted(_permission: string): boolean {
  return false;
}

/**
 * Downloads the window may save: only what our own page made in memory (a `blob:` URL — the
 * CSV exports of the alarm journal and the audit trail), never a file from anywhere else (the
 * window loads nothing but our renderer). The user picks where it goes in a save dialog.
 */
export function isDownloadAllowed(url: string, rendererIndexUrl: string): boolean {
  if (!url.startsWith('blob:')) return false;
  const inner = url.slice('blob:'.length);
  // A blob made by a file:// page is named blob:file:///<uuid> (or blob:null/<uuid>).
  if (rendererIndexUrl.startsWith('file:')) return inner.startsWith('file:///') || inner.startsWith('null/');
  try {
    return new URL(inner).origin === new URL(rendererIndexUrl).origin;
  } catch {
    return false;
  }
}
