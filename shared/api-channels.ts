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
  'instructions.list',
  'instructions.version',
  'instructions.media',
  'instructions.reload',
  'instructions.submit',
  'instructions.reject',
  'instructions.approve',
  'instructions.release',
  'instructions.retire',
  'runs.start',
  'runs.get',
  'runs.complete',
  'runs.abort',
  'runs.list',
  // signed instruction packages and their keys (shared/instruction-packages-api.ts)
  'instructions.exportPackage',
  'instructions.importPackage',
  'packageKeys.list',
  'packageKeys.own',
  'packageKeys.trust',
  'packageKeys.remove',
  // production at the line and maintenance requests (shared/production-api.ts)
  'production.config',
  'production.live',
  'production.kpis',
  'production.timeline',
  'production.downtime.list',
  'production.downtime.setReason',
  'production.downtime.split',
  'production.downtime.comment',
  'production.product.set',
  'maintenance.create',
  'maintenance.list',
  'maintenance.get',
  'maintenance.transition',
] as const;
export type MethodName = (typeof methodNames)[number];

export const eventNames = ['values', 'devices', 'confirmations', 'alarms', 'session', 'run', 'production'] as const;

export const IPC_EVENT_CHANNEL = 'lineside:event';
/** The one shell action besides the API: the window's page saved as a PDF (a run record). */
export const IPC_PRINT_PDF_CHANNEL = 'lineside:shell:printToPdf';

/** What saving the page as a PDF came to. */
export type PdfSaveResult = { saved: true; path: string } | { saved: false; reason: string };

/**
 * The file name a PDF is offered under: letters, digits, dot, dash, underscore and spaces, ending
 * in .pdf, at most 100 characters; null for anything else (no folder, no other extension).
 */
export function safePdfFileName(name: unknown): string | null {
  if (typeof name !== 'string') return null;
  return /^[\w][\w .-]{0,95}\.pdf$/.test(name) && !name.includes('..') ? name : null;
}
export function ipcChannelFor(method: MethodName): string {
  return `lineside:call:${method}`;
}
