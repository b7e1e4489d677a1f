/**
 * A hand-written Modbus TCP server whose answers the test scripts: correct, or wrong in one
 * precise way (transaction id, unit id, function code, length, garbage, silence, delay). It
 * answers FC3/FC4 from one register array, FC6/FC16 into it, and counts what it sees.
 */
import net from 'node:net';

export type Misbehaviour =
  /** a transaction id no request used */
  | 'wrong-transaction'
  /** the previous request's transaction id (a stale duplicate) */
  | 'stale-transaction'
  | 'wrong-unit'
  /** FC4 for an FC3 request */
  | 'wrong-function'
  /** fewer registers than asked, with consistent MBAP length and byte count */
  | 'short'
  /** the right frame size, but a byte count that says fewer registers than it carries */
  | 'lying-byte-count'
  /** the MBAP header promises more bytes than ever arrive */
  | 'truncated'
  /** bytes that are not Modbus at all */
  | 'garbage'
  /** no answer */
  | 'silent';

export interface ScriptedServerStats {
  requests: number;
  connections: number;
  /** requests received on one connection while an earlier one there was unanswered */
  maxInFlightPerConnection: number;
}

export interface ScriptedServer {
  readonly port: number;
  /** holding = input registers, 0..999 */
  readonly registers: Uint16Array;
  /** applied to every read answer while set */
  misbehave: Misbehaviour | null;
  /** delay before every answer */
  delayMs: number;
  /** the value put in every register of a misbehaving answer, to see whether it is applied */
  readonly poison: number;
  readonly stats: ScriptedServerStats;
  openSockets(): number;
  /** resolves once every delayed answer has been sent (or dropped with its connection) */
  delayedAnswersSent(): Promise<void>;
  /** resets every client connection (a PLC reboot seen from the client) */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startScriptedServer(port = 0): Promise<ScriptedServer> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const onTimersDone: (() => void)[] = [];
  const stats: ScriptedServerStats = { requests: 0, connections: 0, maxInFlightPerConnection: 0 };
  const state = {
    port: 0,
    registers: new Uint16Array(1000),
    misbehave: null as Misbehaviour | null,
    delayMs: 0,
    poison: 0xdead,
    stats,
  };

  const server = net.createServer((sock) => {
    stats.connections++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let unanswered = 0;
    let lastTid = 0;
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 7 && buf.length >= 6 + buf.readUInt16BE(4)) {
        const frame = buf.subarray(0, 6 + buf.readUInt16BE(4));
        buf = buf.subarray(frame.length);
        stats.requests++;
        unanswered++;
        stats.maxInFlightPerConnection = Math.max(stats.maxInFlightPerConnection, unanswered);
        const previousTid = lastTid;
        lastTid = frame.readUInt16BE(0);
        const reply = answer(frame, state.misbehave, previousTid);
        const send = () => {
          unanswered--;
          if (reply && !sock.destroyed) sock.write(reply);
        };
        if (state.delayMs > 0) {
          const t = setTimeout(() => {
            timers.delete(t);
            send();
            if (timers.size === 0) for (const f of onTimersDone.splice(0)) f();
          }, state.delayMs);
          timers.add(t);
        } else send();
      }
    });
  });

  function answer(req: Buffer, misbehave: Misbehaviour | null, previousTid: number): Buffer | null {
    const tid = req.readUInt16BE(0);
    const unit = req[6];
    const fc = req[7];
    const addr = req.readUInt16BE(8);
    const count = req.readUInt16BE(10);
    let pdu: Buffer;
    if (fc === 3 || fc === 4) {
      if (addr + count > state.registers.length) pdu = Buffer.from([fc | 0x80, 2]);
      else {
        const poisoned = misbehave !== null;
        const n = misbehave === 'short' ? count - 1 : count;
        pdu = Buffer.alloc(2 + 2 * n);
        pdu[0] = misbehave === 'wrong-function' ? (fc === 3 ? 4 : 3) : fc;
        pdu[1] = misbehave === 'lying-byte-count' ? 2 * (n - 1) : 2 * n;
        for (let i = 0; i < n; i++) pdu.writeUInt16BE(poisoned ? state.poison : state.registers[addr + i], 2 + 2 * i);
      }
    } else if (fc === 6) {
      state.registers[addr] = count; // FC6 carries the value where FC3 carries the count
      pdu = req.subarray(7, 12);
    } else if (fc === 16) {
      for (let i = 0; i < count; i++) state.registers[addr + i] = req.readUInt16BE(13 + 2 * i);
      pdu = req.subarray(7, 12);
    } else {
      pdu = Buffer.from([fc | 0x80, 1]);
    }
    if (misbehave === 'silent') return null;
    if (misbehave === 'garbage') return Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n');
    const out = Buffer.alloc(7 + pdu.length);
    const tidOut = misbehave === 'wrong-transaction' ? (tid + 100) & 0xffff : misbehave === 'stale-transaction' ? previousTid : tid;
    out.writeUInt16BE(tidOut, 0);
    out.writeUInt16BE(0, 2);
    out.writeUInt16BE(1 + pdu.length, 4);
    out[6] = misbehave === 'wrong-unit' ? (unit + 1) & 0xff : unit;
    pdu.copy(out, 7);
    return misbehave === 'truncated' ? out.subarray(0, out.length - 3) : out;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => resolve());
  });
  state.port = (server.address() as net.AddressInfo).port;

  return Object.assign(state, {
    openSockets: () => sockets.size,
    delayedAnswersSent: () => (timers.size === 0 ? Promise.resolve() : new Promise<void>((r) => onTimersDone.push(r))),
    dropConnections() {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        for (const f of onTimersDone.splice(0)) f();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
}
