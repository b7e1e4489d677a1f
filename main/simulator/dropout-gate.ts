/**
 * A TCP relay in front of a simulated server, able to play a cut cable.
 *
 * Clients connect to the gate's public port; each connection is forwarded to the real server
 * on its internal loopback port. During a dropout the gate reads and discards everything in
 * both directions, on existing and new connections, and closes nothing: to the client the
 * device simply stops answering, which is what a broken cable or a switch reboot looks like
 * from a PLC driver (no RST, no FIN — only timeouts). The servers themselves cannot do this:
 * stopping them would refuse connections, a different failure.
 *
 * A close or error on one side during a dropout is held back until the dropout ends, since a
 * cut cable carries no FIN either. Bytes discarded mid-message are lost for good: Modbus TCP
 * clients resynchronise per request, OPC UA peers will usually see a broken chunk after the
 * dropout and reconnect — both are what the drivers must survive.
 *
 * Connection lifecycle (one relay per accepted client):
 *
 *   accepted ──► forwarding ──(dropout)──► blackholed ──(dropout ends)──► forwarding
 *      │                                      ▲
 *      └──(accepted during a dropout: no upstream connection until it ends)
 *
 *   either side closes ──► both closed (held back while blackholed)
 */
import net from 'node:net';
import type { ClockTimer, SimulatorClock } from './clock';

export interface DropoutGateOptions {
  host: string;
  /** public port; 0 picks a free one */
  port: number;
  clock: SimulatorClock;
  label: string;
  log: (message: string) => void;
}

interface Relay {
  client: net.Socket;
  upstream: net.Socket | null;
  /** a side closed while blackholed; finish the close when the dropout ends */
  closing: boolean;
}

export interface GateTarget {
  host: string;
  port: number;
}

export class DropoutGate {
  private readonly relays = new Set<Relay>();
  private target: GateTarget | null = null;
  private until: number | null = null;
  private endTimer: ClockTimer | null = null;
  private closed = false;

  private constructor(
    private readonly server: net.Server,
    private readonly options: DropoutGateOptions,
    readonly host: string,
    readonly port: number,
  ) {
    server.on('connection', (socket) => this.accept(socket));
    server.on('error', (err) => options.log(`${options.label} gate: ${err.message}`));
  }

  static listen(options: DropoutGateOptions): Promise<DropoutGate> {
    return new Promise((resolve, reject) => {
      const server = net.createServer();
      const onError = (err: Error): void => {
        reject(new Error(`${options.label}: cannot listen on ${options.host}:${options.port}: ${err.message}`));
      };
      server.once('error', onError);
      server.listen({ host: options.host, port: options.port }, () => {
        server.removeListener('error', onError);
        const address = server.address();
        if (address === null || typeof address === 'string') {
          server.close();
          reject(new Error(`${options.label}: listening socket has no TCP address`));
          return;
        }
        resolve(new DropoutGate(server, options, options.host, address.port));
      });
    });
  }

  /** Until set, connections are accepted and held (their bytes discarded), as in a dropout. */
  forwardTo(target: GateTarget): void {
    this.target = target;
    if (!this.blackholed) this.resume();
  }

  get blackholed(): boolean {
    return this.until !== null || this.target === null;
  }

  /** epoch ms when the current dropout ends, or null */
  get dropoutUntil(): number | null {
    return this.until;
  }

  get connectionCount(): number {
    return this.relays.size;
  }

  /** Overlapping dropouts extend to the later end, they do not add up. */
  dropout(ms: number): void {
    if (this.closed || !(ms > 0)) return;
    const { clock } = this.options;
    const end = clock.now() + ms;
    if (this.until !== null && end <= this.until) return;
    this.until = end;
    if (this.endTimer !== null) clock.clear(this.endTimer);
    this.endTimer = clock.setTimeout(() => {
      this.endTimer = null;
      this.until = null;
      this.resume();
    }, ms);
    for (const relay of this.relays) this.keepReading(relay);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    if (this.endTimer !== null) this.options.clock.clear(this.endTimer);
    this.endTimer = null;
    this.until = null;
    for (const relay of this.relays) this.destroy(relay);
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    if (this.closed) {
      client.destroy();
      return;
    }
    client.setNoDelay(true);
    const relay: Relay = { client, upstream: null, closing: false };
    this.relays.add(relay);
    client.on('data', (chunk: Buffer) => {
      if (!this.blackholed && relay.upstream !== null) this.forward(chunk, client, relay.upstream);
    });
    client.on('error', () => this.end(relay));
    client.on('close', () => this.end(relay));
    if (!this.blackholed) this.connectUpstream(relay);
  }

  private connectUpstream(relay: Relay): void {
    if (this.target === null) return;
    const upstream = net.connect({ host: this.target.host, port: this.target.port });
    upstream.setNoDelay(true);
    relay.upstream = upstream;
    upstream.on('data', (chunk: Buffer) => {
      if (!this.blackholed) this.forward(chunk, upstream, relay.client);
    });
    upstream.on('error', () => this.end(relay));
    upstream.on('close', () => this.end(relay));
  }

  private forward(chunk: Buffer, from: net.Socket, to: net.Socket): void {
    if (to.destroyed) return;
    if (!to.write(chunk)) {
      // Backpressure: stop reading the fast side until the slow side drains.
      from.pause();
      to.once('drain', () => from.resume());
    }
  }

  private end(relay: Relay): void {
    if (!this.relays.has(relay)) return;
    if (this.blackholed && !this.closed) {
      relay.closing = true;
      return;
    }
    this.destroy(relay);
  }

  private destroy(relay: Relay): void {
    this.relays.delete(relay);
    relay.client.destroy();
    relay.upstream?.destroy();
  }

  private resume(): void {
    for (const relay of [...this.relays]) {
      if (relay.closing) {
        this.destroy(relay);
        continue;
      }
      if (relay.upstream === null) this.connectUpstream(relay);
      this.keepReading(relay);
    }
  }

  /** A socket paused by backpressure must go on being read, or discarding would stall. */
  private keepReading(relay: Relay): void {
    relay.client.resume();
    relay.upstream?.resume();
  }
}
