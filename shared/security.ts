/**
 * People at the line: permissions, roles, sessions and electronic signatures, as the runtime and
 * the renderer both see them. The runtime is the guard (main/security); the renderer only hides
 * what the signed-in role may not do and says why.
 *
 * `METHOD_PERMISSIONS` (shared/method-permissions.ts) names the permission of every API method;
 * the runtime checks it in one place before any handler runs.
 */
import type { EpochMs } from './types';

/**
 * What a role may do, named per action. `view` is everyone's, the viewer's too: seeing every
 * screen, the history, the alarms; nobody signed in is a viewer.
 * Tag writes can be narrowed to an area: `tags.write:<area>` allows writes to the tags whose
 * `writeArea` is that area, `tags.write` to every writable tag.
 */
export const permissionNames = [
  'view',
  'tags.write',
  'alarms.acknowledge',
  'alarms.shelve',
  'alarms.comment',
  'alarms.reset',
  'alarms.outOfService',
  'opcua.trustCertificate',
  'sync.quarantine',
  'trends.views',
  'simulator.control',
  'users.manage',
  'audit.view',
  'audit.export',
  'instructions.run',
  'instructions.review',
  'instructions.approve',
  'instructions.release',
  'instructions.trustKeys',
  'production.reasons',
  'production.product',
  'maintenance.request',
  'maintenance.work',
] as const;
export type PermissionName = (typeof permissionNames)[number];
/** A permission as a role grants it: a name, or an area-scoped tag write. */
export type Grant = PermissionName | `tags.write:${string}`;

export const TAG_WRITE_AREA = /^tags\.write:[A-Za-z][A-Za-z0-9_.-]{0,99}$/;

export function isGrant(s: string): s is Grant {
  return (permissionNames as readonly string[]).includes(s) || TAG_WRITE_AREA.test(s);
}

/** What a permission is, in words, for "needs …" messages and the role table on screen. */
export const permissionLabels: Record<PermissionName, string> = {
  view: 'see every screen',
  'tags.write': 'write setpoints and commands',
  'alarms.acknowledge': 'acknowledge alarms',
  'alarms.shelve': 'shelve alarms',
  'alarms.comment': 'comment on alarms',
  'alarms.reset': 'reset latched alarms',
  'alarms.outOfService': 'take alarms out of service',
  'opcua.trustCertificate': 'trust OPC UA server certificates',
  'sync.quarantine': 'retry or delete quarantined upstream records',
  'trends.views': 'save and delete trend views',
  'simulator.control': 'drive the simulator',
  'users.manage': 'manage users',
  'audit.view': 'see the audit trail',
  'audit.export': 'export the audit trail',
  'instructions.run': 'run work instructions',
  'instructions.review': 'submit, reject and reload work instructions',
  'instructions.approve': 'approve work instruction versions',
  'instructions.release': 'release and retire work instruction versions',
  'instructions.trustKeys': 'trust and remove the keys of instruction packages',
  'production.reasons': 'give, correct and comment downtime reasons, split stops',
  'production.product': 'set the product and order being made',
  'maintenance.request': 'raise maintenance requests',
  'maintenance.work': 'acknowledge, work on and close maintenance requests',
};

export const defaultRoleNames = ['viewer', 'operator', 'maintenance', 'engineer', 'supervisor', 'admin'] as const;

const OPERATOR: Grant[] = ['view', 'tags.write', 'alarms.acknowledge', 'alarms.shelve', 'alarms.comment', 'alarms.reset', 'trends.views', 'instructions.run', 'production.reasons', 'production.product', 'maintenance.request'];

/** The roles shipped; a project can change what each may do and add its own. */
export const defaultRoles: Record<(typeof defaultRoleNames)[number], Grant[]> = {
  viewer: ['view'],
  operator: OPERATOR,
  maintenance: [...OPERATOR, 'sync.quarantine', 'simulator.control', 'maintenance.work'],
  engineer: [...OPERATOR, 'sync.quarantine', 'simulator.control', 'alarms.outOfService', 'opcua.trustCertificate', 'instructions.review', 'instructions.approve', 'instructions.release', 'instructions.trustKeys'],
  supervisor: [...OPERATOR, 'alarms.outOfService', 'audit.view', 'audit.export', 'instructions.approve'],
  admin: [...permissionNames],
};

/** Whether a set of grants allows a permission (for tag writes: in this area). */
export function grantsAllow(grants: readonly Grant[], permission: PermissionName, area?: string | null): boolean {
  if (grants.includes(permission)) return true;
  return permission === 'tags.write' && area !== undefined && area !== null && grants.includes(`tags.write:${area}`);
}

/** Part 11 §11.50: what a signature means. */
export const signatureMeanings = ['performed', 'verified', 'reviewed', 'approved'] as const;
export type SignatureMeaning = (typeof signatureMeanings)[number];

/** The person a session belongs to, as the renderer sees them (no secrets). */
export interface SessionUser {
  id: string;
  name: string;
  roles: string[];
}

/**
 * The state of the caller's session. Pushed as the `session` event to that session's
 * connections (never broadcast) whenever it changes.
 */
export interface SessionState {
  /** null: nobody is signed in (a viewer) */
  user: SessionUser | null;
  /** what this session may do now (a locked session: only `view`) */
  grants: Grant[];
  /** the screen is locked: alarms stay visible, actions need the user's password or PIN again */
  locked: boolean;
  signedInAt: EpochMs | null;
  /** sign-out after this long without activity (from the user's roles); null: never */
  idleTimeoutMs: number | null;
  lastActivity: EpochMs | null;
  /** the data dir has no user yet: the first administrator must be created */
  setupRequired: boolean;
  /** the password has aged past the project's limit: it must be changed before anything else */
  mustChangePassword: boolean;
  /** the station this session runs on (the desktop window, or the browser's address) */
  station: string;
  /** why the session last changed when the user did not do it (e.g. "signed out after 15 min without activity") */
  notice: string | null;
}

/** A user as user management shows them. */
export interface UserInfo {
  id: string;
  name: string;
  roles: string[];
  enabled: boolean;
  hasBadge: boolean;
  passwordChangedAt: EpochMs;
  /** locked after too many failed sign-ins, until then */
  lockedUntil: EpochMs | null;
  failedAttempts: number;
  createdAt: EpochMs;
}

/** One role as the project defines it, with its idle sign-out. */
export interface RoleInfo {
  name: string;
  grants: Grant[];
  idleTimeoutMs: number | null;
}

/**
 * A signature given with a call (the envelope's `signature`, beside the params): the meaning,
 * the signer's secret again (password or PIN of the signed-in user, Part 11 §11.200(a)(1)(i)),
 * and for a verification the second person's user id and password.
 */
export interface SignatureInput {
  meaning: SignatureMeaning;
  comment?: string;
  /** the signed-in user's password or PIN */
  secret: string;
  verifier?: { userId: string; secret: string; comment?: string };
}

/** What an action needs before it runs, when the project asks for a signature. */
export interface SignatureRequirement {
  /** signature: the signed-in user signs; verification: and a second, different person verifies */
  kind: 'signature' | 'verification';
  meaning: SignatureMeaning;
  commentRequired: boolean;
  /** roles one of which the verifier must hold (empty: any user allowed to do the action) */
  verifierRoles: string[];
  /** why: the project rule, in words ("writes to L1.SpeedSetpoint") */
  rule: string;
}

/** A stored signature (Part 11 §11.50): printed name, user id, time, meaning, and what it signs. */
export interface SignatureRecord {
  id: number;
  ts: EpochMs;
  userId: string;
  printedName: string;
  meaning: SignatureMeaning;
  comment: string;
  /** the action and target signed, e.g. alarms.shelve / L1.EStop */
  action: string;
  target: string;
  /** SHA-256 of the canonical content of the signed record: a signature cannot be moved */
  contentHash: string;
  /** the audit record of the action it signs (null while it is being carried out) */
  auditId: number | null;
}

/** The result of recomputing the audit chain. */
export interface AuditVerifyResult {
  ok: boolean;
  records: number;
  /** the first record whose hash or link does not match: edited, deleted or reordered before it */
  firstBad: { id: number; problem: string } | null;
  ms: number;
}
