/**
 * The repair probe (main/drivers/opcua/repair-probe.ts) against real sockets on loopback: a server
 * that answers Hello, one that accepts and stays silent (a process still starting), and none.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { endpointAddress, helloMessage, RepairProbe } from '../../main/drivers/opcua/repair-probe';
import { systemClock } from '../../main/util/clock';
import { waitFor } from '../helpers/temp';

async function listen(onData: (socket: net.Socket, data: Buffer) => void): Promise<{ port: number; hellos: Buffer[]; close: () => Promise<void> }> {
  const hellos: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('data', (d: Buffer) => {
      hellos.push(d);
      onData(s, d);
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    hellos,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

const ack = Buffer.from('ACKF\x1c\x00\x00\x00' + '\x00'.repeat(20), 'latin1');

function pollUntil(probe: RepairProbe, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  return new Promise((resolve) => {
    const tick = () => {
      if (probe.poll(Date.now())) return resolve(true);
      if (Date.now() > until) return resolve(false);
      setTimeout(tick, 20);
    };
    tick();
  });
}

test('endpoint addresses: host, port, 4840 by default, IPv6 in brackets; anything else refused', () => {
  assert.deepEqual(endpointAddress('opc.tcp://127.0.0.1:4841/UA/Line'), { host: '127.0.0.1', port: 4841 });
  assert.deepEqual(endpointAddress('opc.tcp://plc-1'), { host: 'plc-1', port: 4840 });
  assert.deepEqual(endpointAddress('opc.tcp://[::1]:4842'), { host: '::1', port: 4842 });
  assert.throws(() => endpointAddress('http://plc-1:4840'), /not an opc.tcp endpoint/);
});

test('the Hello is what OPC UA Part 6 says: HELF, its length, version 0, the endpoint URL', () => {
  const url = 'opc.tcp://127.0.0.1:4840';
  const m = helloMessage(url);
  assert.equal(m.subarray(0, 4).toString('latin1'), 'HELF');
  assert.equal(m.readUInt32LE(4), m.length);
  assert.equal(m.readUInt32LE(8), 0);
  assert.equal(m.readInt32LE(28), url.length);
  assert.equal(m.subarray(32).toString('utf8'), url);
});

test('a server that answers Hello: the repair is abandoned once it has answered for the grace period, not before', async (t) => {
  const srv = await listen((s) => s.write(ack));
  t.after(() => srv.close());
  const endpoint = `opc.tcp://127.0.0.1:${srv.port}`;
  const probe = new RepairProbe(endpoint, systemClock, 500, 50, 300);
  t.after(() => probe.stop());
  const start = Date.now();
  assert.equal(await pollUntil(probe, 3000), true, 'abandoned');
  const took = Date.now() - start;
  assert.ok(took >= 300, `not before the grace period (${took} ms)`);
  assert.ok(took < 2000, `soon after it (${took} ms)`);
  assert.equal(srv.hellos[0].subarray(0, 4).toString('latin1'), 'HELF');
  assert.ok(probe.answeringForMs(Date.now())! >= 300);
});

test('a server that accepts and stays silent (still starting), or nothing listening: the repair goes on', async (t) => {
  const silent = await listen(() => undefined);
  t.after(() => silent.close());
  const p1 = new RepairProbe(`opc.tcp://127.0.0.1:${silent.port}`, systemClock, 100, 50, 200);
  t.after(() => p1.stop());
  assert.equal(await pollUntil(p1, 1200), false);
  await waitFor('asked more than once', () => silent.hellos.length >= 2, 2000);
  assert.equal(p1.answeringForMs(Date.now()), null);

  const gone = await listen(() => undefined);
  const port = gone.port;
  await gone.close();
  const p2 = new RepairProbe(`opc.tcp://127.0.0.1:${port}`, systemClock, 100, 50, 200);
  t.after(() => p2.stop());
  assert.equal(await pollUntil(p2, 800), false);
});

test('stopped: no more questions, never abandons', async (t) => {
  const srv = await listen((s) => s.write(ack));
  t.after(() => srv.close());
  const probe = new RepairProbe(`opc.tcp://127.0.0.1:${srv.port}`, systemClock, 500, 20, 100);
  probe.stop();
  assert.equal(await pollUntil(probe, 500), false);
  assert.equal(srv.hellos.length, 0);
});
