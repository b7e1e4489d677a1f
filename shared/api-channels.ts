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
  'history.buckets',
  'history.status',
  'history.trend',
  'trendViews.list',
  'trendViews.save',
  'trendViews.delete',
  'devices.list',
  'simulator.status',
  'simulator.setScenario',
  'simulator.dropout',
  'tags.write',
  'audit.recent',
  'opcua.browse',
  'opcua.certificates',
  'opcua.trustCertificate',
  'alarms.definitions',
  'alarms.list',
  'alarms.acknowledge',
  'alarms.shelve',
  'alarms.unshelve',
  'alarms.reset',
  'alarms.comment',
  'alarms.removeFromService',
  'alarms.returnToService',
  'alarms.journal',
  'alarms.journalCsv',
  'alarms.kpis',
  'sync.status',
  'sync.quarantine',
  'sync.retryQuarantined',
  'sync.deleteQuarantined',
  'session.status',
  'session.signIn',
  'session.signInBadge',
  'session.signOut',
  'session.activity',
  'session.lock',
  'session.unlock',
  'session.changePassword',
  'session.createFirstAdmin',
  'users.list',
  'users.create',
  'users.update',
  'users.resetPassword',
  'users.setBadge',
  'users.unlock',
  'audit.query',
  'audit.csv',
  'audit.verify',
  'signatures.forTarget',
] as const;
export type MethodName = (typeof methodNames)[number];

export const eventNames = ['values', 'devices', 'alarms', 'session'] as const;

export const IPC_EVENT_CHANNEL = 'lineside:event';
export function ipcChannelFor(method: MethodName): string {
  return `lineside:call:${method}`;
}
