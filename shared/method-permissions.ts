/**
 * The one table that names the permission of every API method. The runtime checks it before
 * any handler runs (main/security/access-guard.ts); a method without an entry does not compile,
 * and test/unit/permission-matrix.test.ts walks every method × every role through the real API.
 *
 * `view` is everyone's (a viewer sees everything and changes nothing). Sign-in and the session's
 * own methods are `view` too: they act on the caller's own session only.
 */
import type { MethodName } from './api-channels';
import type { PermissionName } from './security';

export const METHOD_PERMISSIONS: Record<MethodName, PermissionName> = {
  'app.info': 'view',
  'tags.list': 'view',
  'values.snapshot': 'view',
  'history.query': 'view',
  'history.buckets': 'view',
  'history.status': 'view',
  'history.trend': 'view',
  'trendViews.list': 'view',
  'trendViews.save': 'trends.views',
  'trendViews.delete': 'trends.views',
  'devices.list': 'view',
  'simulator.status': 'view',
  'simulator.setScenario': 'simulator.control',
  'simulator.dropout': 'simulator.control',
  // narrowed per tag by its writeArea (tags.write:<area>) in the runtime
  'tags.write': 'tags.write',
  'audit.recent': 'view',
  'opcua.browse': 'view',
  'opcua.certificates': 'view',
  'opcua.trustCertificate': 'opcua.trustCertificate',
  'alarms.definitions': 'view',
  'alarms.list': 'view',
  'alarms.acknowledge': 'alarms.acknowledge',
  'alarms.shelve': 'alarms.shelve',
  'alarms.unshelve': 'alarms.shelve',
  'alarms.reset': 'alarms.reset',
  'alarms.comment': 'alarms.comment',
  'alarms.removeFromService': 'alarms.outOfService',
  'alarms.returnToService': 'alarms.outOfService',
  'alarms.journal': 'view',
  'alarms.journalCsv': 'view',
  'alarms.kpis': 'view',
  'sync.status': 'view',
  'sync.quarantine': 'view',
  'sync.retryQuarantined': 'sync.quarantine',
  'sync.deleteQuarantined': 'sync.quarantine',
  'session.status': 'view',
  'session.signIn': 'view',
  'session.signInBadge': 'view',
  'session.signOut': 'view',
  'session.activity': 'view',
  'session.lock': 'view',
  'session.unlock': 'view',
  'session.changePassword': 'view',
  'session.createFirstAdmin': 'view',
  'users.list': 'users.manage',
  'users.create': 'users.manage',
  'users.update': 'users.manage',
  'users.resetPassword': 'users.manage',
  'users.setBadge': 'users.manage',
  'users.unlock': 'users.manage',
  'audit.query': 'audit.view',
  'audit.csv': 'audit.export',
  'audit.verify': 'audit.view',
  'signatures.forTarget': 'view',
  'instructions.list': 'view',
  'instructions.version': 'view',
  'instructions.media': 'view',
  'instructions.reload': 'instructions.review',
  'instructions.submit': 'instructions.review',
  'instructions.reject': 'instructions.review',
  'instructions.approve': 'instructions.approve',
  'instructions.release': 'instructions.release',
  'instructions.retire': 'instructions.release',
  'runs.start': 'instructions.run',
  'runs.get': 'view',
  'runs.complete': 'instructions.run',
  'runs.abort': 'instructions.run',
  'runs.list': 'view',
  // signed instruction packages and their keys
  'instructions.exportPackage': 'instructions.release',
  'instructions.importPackage': 'instructions.release',
  'packageKeys.list': 'view',
  'packageKeys.own': 'view',
  'packageKeys.trust': 'instructions.trustKeys',
  'packageKeys.remove': 'instructions.trustKeys',
};

/**
 * Methods a locked screen still allows beyond `view`: unlocking, or another person signing in
 * (shift change at a locked panel).
 */
export const ALLOWED_WHEN_LOCKED: ReadonlySet<MethodName> = new Set<MethodName>(['session.unlock', 'session.signIn', 'session.signInBadge', 'session.signOut']);
