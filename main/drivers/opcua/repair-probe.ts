/**
 * Is the server answering again while node-opcua is still repairing the link?
 *
 * node-opcua repairs a broken link from inside the client (new secure channel, reactivate or
 * recreate the session, republish or recreate the subscription). Against a server process that
 * was killed and started again that repair can stall although the server answers: a Hello sent
 * while the new process was listening but not yet serving is never answered (seen with
 * node-opcua's own server, which ignores connections accepted before it has started), the old
 * session is unknown to the new process (BadSessionIdInvalid), republishing fails. Waiting for
 * the repair's own timeouts kept values bad for up to a minute.
 *
 * So while a repair runs the driver asks the server itself, every `intervalMs`, with the first
 * message of OPC UA TCP (Hello → Acknowledge, no secure channel, no session). Once the server has
 * answered for `graceMs` and the repair still has not finished, the repair is abandoned for a new
 * connection. The grace leaves node-opcua time to reactivate the same session after a short cut
 * (a PLC with few sessions never sees a second one then).
 *
 *   waiting ──(interval)──▶ asking ──Acknowledge──▶ answered(since) ──graceMs──▶ abandon
 *      ▲                      │ no answer / refused
 *      └──────────────────────┘
 */
import net from 'node:net';
import type { Clock, TimerHandle } from '../../util/clock';
import { createLogger } from '../../util/log';

const log = createLogger('opcua');

export const PROBE_INTERVAL_MS = 500;
/** longer than node-opcua waits between its repair attempts (maxDelay 1 s) plus a reactivation */
export const PROBE_GRACE_MS = 1500;

type ProbeState = { kind: 'waiting'; since: number } | { kind: 'asking' } | { kind: 'answered'; since: number };

export class RepairProbe {
  private state: ProbeState;
  private stopped = false;
  private socket: net.Socket | null = null;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly endpoint: string,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly intervalMs = PROBE_INTERVAL_MS,
    private readonly graceMs = PROBE_GRACE_MS,
  ) {
    // the first question goes out one interval after the link broke: node-opcua tries at once too
    this.state = { kind: 'waiting', since: clock.now() };
  }

  /**
   * Called while the repair runs (each scan): asks when it is time; true once the server has
   * answered for the grace period, i.e. the repair should be abandoned.
   */
  poll(now: number): boolean {
    if (this.stopped) return false;
    switch (this.state.kind) {
      case 'waiting':
        if (now - this.state.since >= this.intervalMs) this.ask();
        return false;
      case 'asking':
        return false;
      case 'answered':
        return now - this.state.since >= this.graceMs;
    }
  }

  /** how long the server has answered while the repair did not finish (ms), or null */
  answeringForMs(now: number): number | null {
    return this.state.kind === 'answered' ? now - this.state.since : null;
  }

  stop(): void {
    this.stopped = true;
    this.finish();
  }

  private ask(): void {
    this.state = { kind: 'asking' };
    let target: { host: string; port: number };
    try {
      target = endpointAddress(this.endpoint);
    } catch {
      this.state = { kind: 'waiting', since: this.clock.now() };
      return;
    }
    const socket = net.connect(target);
    this.socket = socket;
    let received = Buffer.alloc(0);
    const settle = (answered: boolean) => {
      if (this.socket !== socket) return;
      log.debug(`${this.endpoint}: Hello ${answered ? "answered" : "not answered"} during the repair`);
      this.finish();
      if (this.stopped) return;
      this.state = answered ? { kind: 'answered', since: this.clock.now() } : { kind: 'waiting', since: this.clock.now() };
    };
    socket.on('connect', () => socket.write(helloMessage(this.endpoint)));
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d]);
      // ACK (or ERR: the server answers, if only to refuse) with the final chunk flag
      if (received.length >= 4) settle(received.subarray(0, 3).toString('latin1') === 'ACK');
    });
    socket.on('error', () => settle(false));
    socket.on('close', () => settle(false));
    this.timer = this.clock.setTimeout(() => settle(false), this.timeoutMs);
  }

  private finish(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.socket?.destroy();
    this.socket = null;
  }
}

/** host and port of an opc.tcp:// endpoint (4840 when it names none) */
export function endpointAddress(endpoint: string): { host: string; port: number } {
  const m = /^opc\.tcp:\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?/i.exec(endpoint);
  if (!m) throw new Error(`not an opc.tcp endpoint: ${endpoint}`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : 4840 };
}

/** OPC UA Part 6 §7.1.2.3 Hello: protocol version 0, 64 KiB buffers, no size limits, the endpoint URL */
export function helloMessage(endpoint: string): Buffer {
  const url = Buffer.from(endpoint, 'utf8');
  const msg = Buffer.alloc(32 + url.length);
  msg.write('HELF', 0, 'latin1');
  msg.writeUInt32LE(msg.length, 4);
  msg.writeUInt32LE(0, 8); // protocol version
  msg.writeUInt32LE(65_536, 12); // receive buffer size
  msg.writeUInt32LE(65_536, 16); // send buffer size
  msg.writeUInt32LE(0, 20); // max message size: no limit
  msg.writeUInt32LE(0, 24); // max chunk count: no limit
  msg.writeInt32LE(url.length, 28);
  url.copy(msg, 32);
  return msg;
}
