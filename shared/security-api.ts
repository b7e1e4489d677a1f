/**
 * The people part of the API contract (shared/api.ts spreads these in): sessions and sign-in,
 * user management, the audit trail and signatures. docs/security.md.
 */
import { z } from 'zod';
import type { AuditEntry, EpochMs } from './types';
import type { AuditVerifyResult, RoleInfo, SessionState, SignatureRecord, UserInfo } from './security';

/** User ids: short, printable, no spaces (a badge reader or a keyboard types them). */
export const userIdSchema = z
  .string()
  .trim()
  .min(2, 'a user id has at least 2 characters')
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]*$/, 'use letters, digits and _ . @ - (starting with a letter or digit)');
const secret = z.string().min(1, 'empty').max(256);
const printedName = z.string().trim().min(2, 'give the full printed name').max(200);
const roleName = z.string().min(1).max(64).regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'a role name');
const epochMs = z.number().int().nonnegative();
/** A badge code as a reader types it: digits and letters. */
const badge = z.string().trim().min(4, 'a badge code has at least 4 characters').max(128).regex(/^[A-Za-z0-9:_-]+$/, 'a badge code');
const pin = z.string().regex(/^\d{4,12}$/, 'a PIN is 4 to 12 digits');

const auditFilter = {
  from: epochMs.optional(),
  to: epochMs.optional(),
  user: z.string().max(64).optional(),
  /** prefix match: "alarms." finds every alarm action */
  action: z.string().max(100).optional(),
  /** substring match */
  target: z.string().max(200).optional(),
};

export const securityApiParams = {
  'session.status': z.object({}).strict(),
  'session.signIn': z.object({ userId: z.string().trim().min(1).max(64), password: secret }).strict(),
  'session.signInBadge': z.object({ badge: z.string().trim().min(1).max(128), pin: z.string().max(64) }).strict(),
  /** idle: the screen saw nobody for the role's idle time (its own timer; the runtime has one too) */
  'session.signOut': z.object({ idle: z.boolean().optional() }).strict(),
  /** the renderer says a person is at the screen (touch, key); at most a few times a minute */
  'session.activity': z.object({}).strict(),
  'session.lock': z.object({}).strict(),
  'session.unlock': z.object({ secret }).strict(),
  'session.changePassword': z.object({ current: secret, next: secret }).strict(),
  /** first run only (no user exists yet): creates the first administrator and signs them in */
  'session.createFirstAdmin': z.object({ userId: userIdSchema, name: printedName, password: secret }).strict(),
  'users.list': z.object({}).strict(),
  'users.create': z.object({ userId: userIdSchema, name: printedName, roles: z.array(roleName).min(1).max(20), password: secret }).strict(),
  'users.update': z
    .object({ userId: userIdSchema, name: printedName.optional(), roles: z.array(roleName).min(1).max(20).optional(), enabled: z.boolean().optional() })
    .strict(),
  'users.resetPassword': z.object({ userId: userIdSchema, password: secret }).strict(),
  'users.setBadge': z.object({ userId: userIdSchema, badge: badge.nullable(), pin: pin.optional() }).strict(),
  'users.unlock': z.object({ userId: userIdSchema }).strict(),
  'audit.query': z
    .object({ ...auditFilter, limit: z.number().int().min(1).max(1000).default(200), beforeId: z.number().int().positive().optional() })
    .strict(),
  /** the audit trail as CSV text (at most 100,000 rows) */
  'audit.csv': z.object(auditFilter).strict(),
  /** recomputes the hash chain of the whole trail */
  'audit.verify': z.object({}).strict(),
  /** the signatures given on a target (an alarm id, a tag id …), newest first */
  'signatures.forTarget': z.object({ target: z.string().min(1).max(200), limit: z.number().int().min(1).max(200).default(50) }).strict(),
} as const;

export interface AuditPage {
  entries: AuditEntry[];
  /** pass as beforeId for the next (older) page; null at the end */
  nextBeforeId: number | null;
}

export interface AuditCsvExport {
  csv: string;
  rows: number;
  truncated: boolean;
}

export interface SecurityApiResults {
  'session.status': SessionState;
  'session.signIn': SessionState;
  'session.signInBadge': SessionState;
  'session.signOut': SessionState;
  'session.activity': { lastActivity: EpochMs | null };
  'session.lock': SessionState;
  'session.unlock': SessionState;
  'session.changePassword': SessionState;
  'session.createFirstAdmin': SessionState;
  'users.list': { users: UserInfo[]; roles: RoleInfo[]; password: { minLength: number; maxAgeDays: number | null } };
  'users.create': UserInfo;
  'users.update': UserInfo;
  'users.resetPassword': UserInfo;
  'users.setBadge': UserInfo;
  'users.unlock': UserInfo;
  'audit.query': AuditPage;
  'audit.csv': AuditCsvExport;
  'audit.verify': AuditVerifyResult;
  'signatures.forTarget': SignatureRecord[];
}

export interface SecurityApiEvents {
  /** this session's state (sent to its own connections only) */
  session: SessionState;
}

/** The signature that may go with any call (validated by the runtime like params). */
export const signatureInputSchema = z
  .object({
    meaning: z.enum(['performed', 'verified', 'reviewed', 'approved']),
    comment: z.string().trim().max(500).optional(),
    secret,
    verifier: z.object({ userId: z.string().trim().min(1).max(64), secret, comment: z.string().trim().max(500).optional() }).strict().optional(),
  })
  .strict();
