/**
 * The API's method and event names and their IPC channels, without the param schemas, so the
 * Electron preload (bundled, sandboxed) carries no validation library: validation happens in
 * the runtime. shared/api.ts checks at compile time that its schemas cover exactly these names.
 */
export const methodNames = [
  'app.info',
  'tags.list',
  'values.snapshot',
  'history.query',
  'devices.list',
  'simulator.status',
  'simulator.setScenario',
  'simulator.dropout',
  'tags.write',
  'audit.recent',
] as const;
export type MethodName = (typeof methodNames)[number];

export const eventNames = ['values', 'devices'] as const;

export const IPC_EVENT_CHANNEL = 'lineside:event';
export function ipcChannelFor(method: MethodName): string {
  return `lineside:call:${method}`;
}
