/**
 * The reference receiver's HTTP side: `POST /v1/ingest` takes a batch (JSON) and answers with
 * the ack once it is committed; `GET /v1/ingest` (or `/v1/status`) tells a sender it is there
 * and shows per node and stream what is held. Loopback by default; bound to anything else it
 * requires a bearer token. The `Idempotency-Key` header is logged with refusals; duplicates are
 * dropped per record by key whatever the header says.
 */
import http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../util/log';
import { parseBatch, WireError } from '../sync/wire';
import type { BatchStore } from './batch-store';

export interface HttpReceiverOptions {
  host: string;
  port: number;
  token: string | null;
  maxBodyBytes?: number;
}

export interface HttpReceiver {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

function tokenOk(expected: string | null, header: string | undefined): boolean {
  if (expected === null) return true;
  const given = /^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '';
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startHttpReceiver(store: BatchStore, o: HttpReceiverOptions, log: Logger): Promise<HttpReceiver> {
  if (!isLoopback(o.host) && o.token === null) throw new Error(`binding ${o.host} (not loopback) needs a token (--token or LINESIDE_RECEIVER_TOKEN)`);
  const maxBody = o.maxBodyBytes ?? 32 * 1024 * 1024;
  const server = http.createServer((req, res) => {
    const json = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
      res.end(text);
    };
    const path = (req.url ?? '/').split('?')[0];
    if (!tokenOk(o.token, req.headers.authorization)) {
      req.resume();
      json(401, { error: 'missing or wrong token' });
      return;
    }
    if (req.method === 'GET' && (path === '/v1/ingest' || path === '/v1/status' || path === '/')) {
      void Promise.resolve(store.positions()).then(
        (positions) => json(200, { receiver: 'lineside-reference', positions }),
        (err: unknown) => json(503, { error: `cannot read the store: ${(err as Error).message}` }),
      );
      return;
    }
    if (req.method !== 'POST' || path !== '/v1/ingest') {
      req.resume();
      json(404, { error: 'POST /v1/ingest takes batches; GET /v1/status shows what is held' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBody) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', async () => {
      if (tooLarge) {
        json(413, { error: `a batch is at most ${maxBody} bytes` });
        return;
      }
      try {
        const ack = await store.process(parseBatch(Buffer.concat(chunks).toString('utf8')));
        if (ack.error !== undefined) {
          log.warn(`refused a batch (${String(req.headers['idempotency-key'] ?? '')}): ${ack.error}`);
          json(400, { error: ack.error });
          return;
        }
        json(200, ack);
      } catch (err) {
        if (err instanceof WireError) {
          log.warn(`refused a batch (${String(req.headers['idempotency-key'] ?? '')}): ${err.message}`);
          json(400, { error: err.message });
          return;
        }
        log.error(`cannot store a batch: ${(err as Error).message}`);
        json(503, { error: `cannot store: ${(err as Error).message}` });
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: o.host, port: o.port }, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = o.host.includes(':') && !o.host.startsWith('[') ? `[${o.host}]` : o.host;
  return {
    url: `http://${host}:${port}/v1/ingest`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
