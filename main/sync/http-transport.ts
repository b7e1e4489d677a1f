/**
 * The HTTP(S) sink's link: one POST per batch (JSON), with an `Idempotency-Key` header
 * (node:stream:first-last) and a bearer token; the receiver answers with an ack (the highest
 * contiguous sequence it committed, refusals). TLS with a CA and/or a client certificate.
 *
 * connect() asks the receiver once (GET on the same URL): reachable and the token accepted.
 */
import http from 'node:http';
import https from 'node:https';
import { SinkError, safeTarget, type OutgoingBatch, type SendOutcome, type SinkTransport } from './transport';
import { idempotencyKey, parseAck, WireError } from './wire';

export interface HttpTransportOptions {
  url: string;
  token?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  timeoutMs: number;
}

const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export class HttpTransport implements SinkTransport {
  readonly kind = 'http';
  readonly ackMode = 'receiver';
  readonly target: string;
  private readonly url: URL;
  private agent: http.Agent;
  private readonly pending = new Set<http.ClientRequest>();

  constructor(private readonly o: HttpTransportOptions) {
    this.url = new URL(o.url);
    this.target = safeTarget(o.url);
    this.agent = this.newAgent();
  }

  private newAgent(): http.Agent {
    return this.url.protocol === 'https:'
      ? new https.Agent({ keepAlive: true, maxSockets: 8, ca: this.o.ca, cert: this.o.cert, key: this.o.key, rejectUnauthorized: this.o.rejectUnauthorized })
      : new http.Agent({ keepAlive: true, maxSockets: 8 });
  }

  setListeners(): void {
    // every answer comes with its request
  }

  async connect(): Promise<void> {
    const { status, body } = await this.request('GET', null, {});
    if (status === 401 || status === 403) throw new SinkError(`the receiver refused the token (HTTP ${status})`, 'auth');
    if (status >= 500) throw new SinkError(`the receiver answers HTTP ${status}: ${body.slice(0, 200)}`, 'network');
  }

  async send(batch: OutgoingBatch): Promise<SendOutcome> {
    const { status, body } = await this.request('POST', batch.text, {
      'content-type': 'application/json',
      'idempotency-key': idempotencyKey(batch.env, batch.seqs),
    });
    if (status === 200) {
      try {
        return { kind: 'ack', ack: parseAck(body) };
      } catch (err) {
        throw new SinkError(`the receiver's answer is not an ack: ${(err as WireError).message}`, 'refused');
      }
    }
    if (status === 401 || status === 403) throw new SinkError(`the receiver refused the token (HTTP ${status})`, 'auth');
    if (status === 413) throw new SinkError('the receiver refused the batch as too large (HTTP 413)', 'too_large');
    if (status === 400) {
      let reason = body.slice(0, 300);
      try {
        const j = JSON.parse(body) as { error?: unknown };
        if (typeof j.error === 'string') reason = j.error;
      } catch {
        // the body as text
      }
      throw new SinkError(`the receiver refused the batch (HTTP 400): ${reason}`, 'refused');
    }
    throw new SinkError(`the receiver answers HTTP ${status}: ${body.slice(0, 200)}`, 'network');
  }

  async disconnect(): Promise<void> {
    for (const r of this.pending) r.destroy(new Error('disconnected'));
    this.pending.clear();
    this.agent.destroy();
    this.agent = this.newAgent();
  }

  private request(method: 'GET' | 'POST', body: string | null, headers: Record<string, string>): Promise<{ status: number; body: string }> {
    const lib = this.url.protocol === 'https:' ? https : http;
    const h: Record<string, string | number> = { ...headers, accept: 'application/json' };
    if (this.o.token) h.authorization = `Bearer ${this.o.token}`;
    if (body !== null) h['content-length'] = Buffer.byteLength(body);
    return new Promise((resolve, reject) => {
      const req = lib.request(this.url, { method, headers: h, agent: this.agent, timeout: this.o.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(c);
        });
        res.on('end', () => {
          this.pending.delete(req);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (err) => {
          this.pending.delete(req);
          reject(new SinkError(`${this.target}: ${err.message}`, 'network'));
        });
      });
      this.pending.add(req);
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.o.timeoutMs} ms`)));
      req.on('error', (err: Error & { code?: string }) => {
        this.pending.delete(req);
        const tls = /certificate|self.signed|unable to verify|ERR_TLS|SSL/i.test(`${err.message} ${err.code ?? ''}`);
        reject(new SinkError(`${this.target}: ${err.message}`, tls ? 'config' : 'network'));
      });
      req.end(body ?? undefined);
    });
  }
}
