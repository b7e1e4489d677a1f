/**
 * The dropout gate on real loopback sockets, with fake time deciding when a dropout ends.
 * The peer behind the gate is a plain TCP server that records what it receives and can push
 * data on demand, so each direction is checked on its own.
 *
 * "Nothing arrives" can only be shown by waiting; those waits are short (QUIET_MS) because
 * on loopback anything forwarded arrives in well under a millisecond.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { ClockTimer, SimulatorClock } from '../../main/simulator/clock';
import { DropoutGate } from '../../main/simulator/dropout-gate';

const QUIET_MS = 100;

class FakeClock implements SimulatorClock {
  private t = 1_700_000_000_000;
  private timers: { at: number; fn: () => void; every: number | null; timer: ClockTimer }[] = [];
  now = (): number => this.t;
  setTimeout = (fn: () => void, ms: number): ClockTimer => this.add(fn, ms, null);
  setInterval = (fn: () => void, ms: number): ClockTimer => this.add(fn, ms, ms);
  clear = (timer: ClockTimer): void => {
    this.timers = this.timers.filter((x) => x.timer !== timer);
  };
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.t = due.at;
      if (due.every === null) this.clear(due.timer);
      else due.at += due.every;
      due.fn();
    }
    this.t = end;
  }
  get pending(): number {
    return this.timers.length;
  }
  private add(fn: () => void, ms: number, every: number | null): ClockTimer {
    const timer: ClockTimer = { __clockTimer: true };
    this.timers.push({ at: this.t + ms, fn, every, timer });
    return timer;
  }
}

/** The device behind the gate. */
class Peer {
  readonly sockets: net.Socket[] = [];
  received = '';
  private constructor(readonly server: net.Server) {
    server.on('connection', (s) => {
      this.sockets.push(s);
      s.on('data', (d) => (this.received += d.toString()));
      s.on('error', () => undefined);
    });
  }
  static async start(): Promise<Peer> {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, r));
    return new Peer(server);
  }
  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a !== null ? a.port : 0;
  }
  get openSockets(): number {
    return this.sockets.filter((s) => !s.destroyed).length;
  }
  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

class Client {
  received = '';
  closed = false;
  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => (this.received += d.toString()));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }
  static async connect(port: number): Promise<Client> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((r, j) => socket.once('connect', r).once('error', j));
    return new Client(socket);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(what: string, predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const clock = new FakeClock();
let peer: Peer;
let gate: DropoutGate;
const clients: Client[] = [];
async function client(): Promise<Client> {
  const c = await Client.connect(gate.port);
  clients.push(c);
  return c;
}

before(async () => {
  peer = await Peer.start();
  gate = await DropoutGate.listen({ host: '127.0.0.1', port: 0, clock, label: 'test', log: () => undefined });
  gate.forwardTo({ host: '127.0.0.1', port: peer.port });
});

after(async () => {
  for (const c of clients) c.socket.destroy();
  await gate.close();
  await peer.close();
});

test('1. forwards both directions while no dropout is on', async () => {
  const c = await client();
  c.socket.write('ping');
  await until('peer to receive', () => peer.received === 'ping');
  await until('peer socket', () => peer.sockets.length === 1);
  peer.sockets[0].write('pong');
  await until('client to receive', () => c.received === 'pong');
  peer.received = '';
});

test('2. a dropout discards both directions, on old and new connections, and closes nothing', async () => {
  const old = clients[0];
  gate.dropout(1_500);
  assert.equal(gate.dropoutUntil, clock.now() + 1_500);
  gate.dropout(500);
  assert.equal(gate.dropoutUntil, clock.now() + 1_500, 'a shorter dropout does not cut a longer one short');

  old.socket.write('lost request');
  peer.sockets[0].write('lost answer');
  const fresh = await client();
  fresh.socket.write('lost hello');
  await sleep(QUIET_MS);
  assert.equal(peer.received, '');
  assert.equal(old.received, 'pong');
  assert.equal(peer.sockets.length, 1, 'no upstream connection for a client accepted during the dropout');
  assert.equal(old.closed, false);
  assert.equal(fresh.closed, false);

  // The device side closes during the dropout: held back, like the FIN a cut cable never carries.
  peer.sockets[0].end();
  await sleep(QUIET_MS);
  assert.equal(old.closed, false, 'the close is held back while blackholed');

  clock.advance(1_499);
  old.socket.write('still lost');
  await sleep(QUIET_MS);
  assert.equal(peer.received, '');

  clock.advance(1);
  assert.equal(gate.dropoutUntil, null);
  await until('the held-back close to reach the client', () => old.closed);
  await until('the late client to get its upstream connection', () => peer.sockets.length === 2);
  fresh.socket.write('hello again');
  await until('peer to receive after the dropout', () => peer.received === 'hello again');
  peer.sockets[1].write('welcome');
  await until('client to receive after the dropout', () => fresh.received === 'welcome');
  assert.equal(clock.pending, 0, 'no timer left behind');
});

test('3. close() ends every connection on both sides and stops listening', async () => {
  const c = await client();
  await until('upstream for the last client', () => peer.sockets.length === 3);
  gate.dropout(10_000);
  await gate.close();
  await until('client sockets closed', () => clients.every((x) => x.closed));
  await until('peer sockets closed', () => peer.openSockets === 0);
  assert.equal(gate.connectionCount, 0);
  assert.equal(clock.pending, 0, 'the dropout timer is cleared');
  assert.ok(c.closed);
  await assert.rejects(Client.connect(gate.port), /ECONNREFUSED/);
});
