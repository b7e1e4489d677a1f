/**
 * The headless shell: serves the built renderer over HTTP and carries the API contract over a
 * WebSocket at /api. Binds 127.0.0.1 unless told otherwise; bound anywhere else it requires a
 * token (printed in the URL's fragment, sent by the renderer as ?token=).
 *
 * Wire format (JSON text frames):
 *   client → server  {"id": 1, "method": "tags.list", "params": {}}
 *   server → client  {"id": 1, "reply": {"ok": true, "result": …}}   (or ok:false + error)
 *   server → client  {"event": "values", "data": {"values": […]}}
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiEvent, ApiEvents } from '../../shared/api';
import type { RuntimeConnection, RuntimeHost } from '../app/runtime-host';
import { createLogger } from '../util/log';
import { checkExportRequest, checkUpgrade, hostsFor, isLoopbackHost, SECURITY_HEADERS, sessionCookie, sessionIdFrom, tokenMatches, tokenWeakness } from './web-security';

const log = createLogger('web');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

/** A client whose socket has this much unsent data gets no value frames until it drains. */
const MAX_BUFFERED_BYTES = 2 * 1024 * 1024;
const MAX_MESSAGE_BYTES = 256 * 1024;

export interface WebShellOptions {
  host: string;
  port: number;
  rendererDir: string;
  /** required when host is not loopback; generated when not given */
  token?: string;
}

export interface WebShell {
  /** the URL to open, with the token fragment when one is required */
  readonly url: string;
  readonly port: number;
  attach(runtime: RuntimeHost): void;
  close(): Promise<void>;
}

export class ListenError extends Error {
  /** exit status of the CLIs when the port is taken, so a caller can retry elsewhere */
  static readonly BUSY_EXIT = 3;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ListenError';
  }
}

export async function listenWeb(opts: WebShellOptions): Promise<WebShell> {
  const loopback = isLoopbackHost(opts.host);
  const weakness = loopback || opts.token === undefined ? null : tokenWeakness(opts.token);
  if (weakness !== null) throw new ListenError('weak_token', `refusing to listen on ${opts.host}:${opts.port} with a weak token: ${weakness} (leave it unset to have one generated)`);
  const token = loopback ? (opts.token ?? null) : (opts.token ?? randomBytes(24).toString('base64url'));
  let runtime: RuntimeHost | null = null;
  let unsubscribe: (() => void) | null = null;

  const server = createServer((req, res) => {
    if (req.url?.startsWith('/export/')) void serveExport(req, res);
    else serveStatic(opts.rendererDir, req, res);
  });

  /**
   * GET /export/samples.csv?tags=A,B&from=<ms>&to=<ms>[&token=…]: raw samples streamed as a
   * download. Same guards as the WebSocket (Host header, token); a top-level download needs no
   * Origin check, and the response cannot be read cross-origin.
   */
  async function serveExport(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const fail = (status: number, message: string) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
    };
    if (req.method !== 'GET') return fail(405, 'GET only');
    if (url.pathname !== '/export/samples.csv') return fail(404, 'not found');
    const check = checkUpgrade({ host: req.headers.host }, allowedHosts);
    if (!check.ok) return fail(403, check.reason);
    if (token !== null && !tokenMatches(token, url.searchParams.get('token'))) return fail(401, 'missing or wrong token');
    const fetchCheck = checkExportRequest({ origin: req.headers.origin, host: req.headers.host, fetchSite: req.headers['sec-fetch-site'] });
    if (!fetchCheck.ok) return fail(403, fetchCheck.reason);
    const sessionId = sessionIdFrom(req.headers.cookie);
    if (sessionId === null) return fail(401, 'no session: open the app first (the export needs its session cookie)');
    if (!runtime) return fail(503, 'runtime not ready');
    const params = {
      tagIds: (url.searchParams.get('tags') ?? '').split(',').filter((t) => t !== ''),
      from: Number(url.searchParams.get('from')),
      to: Number(url.searchParams.get('to')),
    };
    // A Date shows at most ±8.64e15 ms; beyond it toISOString throws (the params are checked later).
    const name = `lineside-${new Date(Math.abs(params.from) <= 8.64e15 ? params.from : 0).toISOString().slice(0, 19).replace(/[:T]/g, '-')}.csv`;
    // Headers are only set here: they go out with the first block, after the params were accepted.
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
    res.setHeader('Cache-Control', 'no-store');
    try {
      await runtime.exportSamplesCsv(params, res, sessionId);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.removeHeader('Content-Disposition');
      const e = err as { code?: string; message?: string };
      fail(e.code === 'bad_request' ? 400 : e.code === 'not_found' ? 404 : e.code === 'forbidden' ? 403 : e.code === 'refused' ? 429 : 500, e.message ?? String(err));
    }
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const clients = new Set<{ ws: WebSocket; resync: boolean; conn: RuntimeConnection }>();

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = `${opts.host}:${opts.port}`;
      if (err.code === 'EADDRINUSE') reject(new ListenError(err.code, `cannot listen on ${where}: the port is already in use`));
      else if (err.code === 'EADDRNOTAVAIL') reject(new ListenError(err.code, `cannot listen on ${where}: no such address on this machine`));
      else if (err.code === 'EACCES') reject(new ListenError(err.code, `cannot listen on ${where}: permission denied`));
      else reject(new ListenError(err.code ?? 'listen', `cannot listen on ${where}: ${err.message}`));
    });
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const wildcard = opts.host === '0.0.0.0' || opts.host === '::';
  const allowedHosts = wildcard ? null : hostsFor(opts.host, port);

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const refuse = (status: number, why: string) => {
      log.warn(`refused WebSocket from ${req.socket.remoteAddress}: ${why}`);
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nConnection: close\r\n\r\n`);
    };
    if (url.pathname !== '/api') return refuse(403, `path ${url.pathname}`);
    const check = checkUpgrade({ host: req.headers.host, origin: req.headers.origin }, allowedHosts);
    if (!check.ok) return refuse(403, check.reason);
    if (token !== null && !tokenMatches(token, url.searchParams.get('token'))) return refuse(401, 'missing or wrong token');
    if (!runtime) return refuse(403, 'runtime not ready');
    // The browser's session cookie (set with the page) names the session, so that a reload
    // keeps who is signed in; a client without one gets a session of its own connection.
    const sessionId = sessionIdFrom(req.headers.cookie) ?? `conn-${randomBytes(18).toString('base64url')}`;
    const station = `browser ${req.socket.remoteAddress ?? '?'}`;
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, sessionId, station));
  });

  function onConnection(ws: WebSocket, sessionId: string, station: string): void {
    const conn = runtime!.connect({ sessionId, station, push: (e) => send(ws, e) });
    const client = { ws, resync: false, conn };
    clients.add(client);
    const gone = () => {
      if (clients.delete(client)) conn.close();
    };
    ws.on('close', gone);
    ws.on('error', gone);
    ws.on('message', (data, isBinary) => {
      void handleMessage(ws, conn, isBinary ? null : data.toString());
    });
  }

  async function handleMessage(ws: WebSocket, conn: RuntimeConnection, text: string | null): Promise<void> {
    let msg: unknown;
    try {
      msg = text === null ? null : JSON.parse(text);
    } catch {
      msg = null;
    }
    const m = msg as { id?: unknown; method?: unknown; params?: unknown; signature?: unknown } | null;
    if (!m || typeof m !== 'object' || typeof m.id !== 'number' || typeof m.method !== 'string') {
      send(ws, { id: typeof m?.id === 'number' ? m.id : null, reply: { ok: false, error: { code: 'bad_request', message: 'a request is a JSON object {id: number, method: string, params: object}' } } });
      return;
    }
    const reply = await conn.handle(m.method, m.params, m.signature);
    send(ws, { id: m.id, reply });
  }

  function send(ws: WebSocket, payload: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
  }

  function broadcast(event: ApiEvent): void {
    const text = JSON.stringify(event);
    for (const c of clients) {
      if (c.ws.readyState !== c.ws.OPEN) continue;
      if (event.event === 'values') {
        if (c.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
          // A slow client skips frames rather than growing our memory; it gets a full
          // snapshot once it has drained, so it never keeps a stale value as current.
          c.resync = true;
          continue;
        }
        if (c.resync) {
          c.resync = false;
          void c.conn.handle('values.snapshot', {}).then((r) => {
            if (r.ok) send(c.ws, { event: 'values', data: { values: r.result as ApiEvents['values']['values'] } });
          });
          continue;
        }
      }
      c.ws.send(text);
    }
  }

  const shownHost = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const url = `http://${shownHost}:${port}/${token !== null ? `#token=${token}` : ''}`;
  return {
    url,
    port,
    attach(rt) {
      runtime = rt;
      unsubscribe = rt.subscribe(broadcast);
    },
    async close() {
      unsubscribe?.();
      for (const c of clients) {
        c.conn.close();
        c.ws.terminate();
      }
      clients.clear();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    res.writeHead(400).end('bad request');
    return;
  }
  if (pathname === '/') pathname = '/index.html';
  // The page sets the session cookie: HttpOnly (no script reads it), SameSite=Strict (no other
  // site's page sends it), no Expires (it lives in the browser's memory, never on disk).
  if (pathname === '/index.html' && sessionIdFrom(req.headers.cookie) === null) res.setHeader('Set-Cookie', sessionCookie());
  const file = normalize(join(root, pathname));
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep) || pathname.includes('\0')) {
    res.writeHead(404).end('not found');
    return;
  }
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, {
    'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
    'Content-Length': size,
    'Cache-Control': extname(file) === '.html' ? 'no-store' : 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}
