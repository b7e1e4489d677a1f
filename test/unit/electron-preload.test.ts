/**
 * The preload's bridge (preload/bridge.ts) with a fake ipcRenderer: exactly the allow-listed
 * functions, each on its own channel, and events delivered without the IpcRendererEvent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBridge, type BridgeIpc } from '../../preload/bridge';
import { IPC_EVENT_CHANNEL, IPC_PRINT_PDF_CHANNEL, ipcChannelFor, methodNames, type ApiEvent } from '../../shared/api';

type Handler = (event: unknown, ...args: unknown[]) => void;

function fakeIpc() {
  const invoked: { channel: string; args: unknown[] }[] = [];
  const listeners = new Map<string, Set<Handler>>();
  const ipc = {
    invoke: async (channel: string, ...args: unknown[]) => {
      invoked.push({ channel, args });
      return { ok: true, result: channel };
    },
    on(channel: string, handler: Handler) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)?.add(handler);
      return ipc;
    },
    removeListener(channel: string, handler: Handler) {
      listeners.get(channel)?.delete(handler);
      return ipc;
    },
  };
  const emit = (channel: string, payload: unknown) => {
    for (const h of listeners.get(channel) ?? []) h({ sender: 'the ipcRenderer itself' }, payload);
  };
  return { ipc: ipc as unknown as BridgeIpc, invoked, listeners, emit };
}

test('1. exactly one function per API method, plus onEvent and printToPdf; nothing else', () => {
  const bridge = createBridge(fakeIpc().ipc);
  assert.deepEqual(Object.keys(bridge).sort(), [...methodNames, 'onEvent', 'printToPdf'].sort());
  for (const [name, value] of Object.entries(bridge)) assert.equal(typeof value, 'function', name);
  assert.ok(Object.isFrozen(bridge));
});

test('2. each method invokes its own channel with the params, and returns the reply', async () => {
  const { ipc, invoked } = fakeIpc();
  const bridge = createBridge(ipc);
  const params = { tagId: 'L1.Speed', from: 0, to: 1000, maxPoints: 100 };
  assert.deepEqual(await bridge['history.query'](params), { ok: true, result: ipcChannelFor('history.query') });
  await bridge['app.info']({});
  assert.deepEqual(invoked, [
    { channel: ipcChannelFor('history.query'), args: [params] },
    { channel: ipcChannelFor('app.info'), args: [{}] },
  ]);
});

test('3. onEvent passes only the payload, and its return value unsubscribes', () => {
  const { ipc, emit, listeners } = fakeIpc();
  const bridge = createBridge(ipc);
  const got: unknown[][] = [];
  const off = bridge.onEvent((...args: unknown[]) => got.push(args));
  const event: ApiEvent = { event: 'devices', data: { devices: [] } };
  emit(IPC_EVENT_CHANNEL, event);
  assert.deepEqual(got, [[event]], 'one argument: the payload, never the IpcRendererEvent');
  off();
  assert.equal(listeners.get(IPC_EVENT_CHANNEL)?.size, 0);
  emit(IPC_EVENT_CHANNEL, event);
  assert.equal(got.length, 1);
});

test('4. onEvent refuses a non-function', () => {
  const bridge = createBridge(fakeIpc().ipc);
  assert.throws(() => bridge.onEvent('x' as unknown as (e: ApiEvent) => void), TypeError);
});

test('5. printToPdf sends a plain file name on its own channel, and refuses anything else before sending', async () => {
  const { ipc, invoked } = fakeIpc();
  const bridge = createBridge(ipc);
  await bridge.printToPdf('WI-OPS-001 run 3.pdf');
  assert.deepEqual(invoked, [{ channel: IPC_PRINT_PDF_CHANNEL, args: ['WI-OPS-001 run 3.pdf'] }]);
  assert.throws(() => bridge.printToPdf('../../outside.pdf'), TypeError);
  assert.throws(() => bridge.printToPdf('run.html'), TypeError);
  assert.equal(invoked.length, 1);
});
