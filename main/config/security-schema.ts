/**
 * The project file's `security` section: roles and what each may do, idle sign-out per role,
 * lockout after failed sign-ins, password rules, and the actions that need an electronic
 * signature or a second person's verification (docs/security.md).
 *
 *   security:
 *     roles:
 *       operator: { idleTimeoutMin: 30 }                 # keeps the default grants
 *       quality: { grants: [view, audit.view], idleTimeoutMin: 15 }
 *     lockout: { attempts: 5, minutes: 15 }
 *     password: { minLength: 10, maxAgeDays: 180 }
 *     signatures:
 *       - { action: alarms.shelve, priorities: [1, 2] }
 *       - { action: tags.write, tags: [L1.SpeedSetpoint], kind: verification, verifierRoles: [supervisor] }
 */
import { z } from 'zod';
import { defaultRoles, isGrant, signatureMeanings, type Grant } from '../../shared/security';

const roleName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'a role name is a word (letters, digits, _ -)');
const grant = z.string().refine(isGrant, { message: 'not a permission (see docs/security.md: view, tags.write, tags.write:<area>, alarms.acknowledge, …)' });
const minutes = z.number().positive().max(7 * 24 * 60);

/** Idle sign-out defaults per shipped role, in minutes (null: never; a viewer has nothing to lose). */
export const defaultIdleTimeoutMin: Record<string, number | null> = {
  viewer: null,
  operator: 60,
  maintenance: 30,
  engineer: 15,
  supervisor: 15,
  admin: 10,
};

export const signatureActions = ['tags.write', 'alarms.shelve', 'alarms.removeFromService', 'opcua.trustCertificate', 'sync.deleteQuarantined'] as const;

const signatureRuleSchema = z
  .object({
    action: z.enum(signatureActions),
    /** tags.write: only writes to these tags (default: every writable tag) */
    tags: z.array(z.string().min(1).max(200)).min(1).optional(),
    /** alarms.shelve / removeFromService: only alarms of these priorities (default: all) */
    priorities: z.array(z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)])).min(1).optional(),
    /** signature: the person acting signs; verification: and a second, different person verifies */
    kind: z.enum(['signature', 'verification']).default('signature'),
    meaning: z.enum(signatureMeanings).default('performed'),
    /** the signer must give a comment */
    comment: z.boolean().default(false),
    /** verification: roles one of which the verifier must hold (default: anyone allowed the action) */
    verifierRoles: z.array(roleName).default([]),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.tags !== undefined && r.action !== 'tags.write') ctx.addIssue({ code: 'custom', path: ['tags'], message: 'tags applies to action tags.write only' });
    if (r.priorities !== undefined && r.action !== 'alarms.shelve' && r.action !== 'alarms.removeFromService') {
      ctx.addIssue({ code: 'custom', path: ['priorities'], message: 'priorities applies to alarm actions only' });
    }
    if (r.verifierRoles.length > 0 && r.kind !== 'verification') ctx.addIssue({ code: 'custom', path: ['verifierRoles'], message: 'verifierRoles needs kind: verification' });
  });

export const securitySectionSchema = z
  .object({
    /** roles by name: the shipped ones can be changed, others added */
    roles: z
      .record(
        roleName,
        z
          .object({
            /** what the role may do; a shipped role keeps its defaults when omitted */
            grants: z.array(grant).optional(),
            /** sign-out after this long without activity; null: never */
            idleTimeoutMin: minutes.nullable().optional(),
          })
          .strict(),
      )
      .default({}),
    lockout: z
      .object({
        /** failed sign-ins in a row that lock a user */
        attempts: z.number().int().min(2).max(20).default(5),
        /** how long the user stays locked */
        minutes: minutes.default(15),
        /** failed sign-ins on unknown user ids within 10 minutes (per station) that raise the alarm */
        unknownIdFailures: z.number().int().min(2).max(100).default(5),
      })
      .strict()
      .prefault({}),
    password: z
      .object({
        minLength: z.number().int().min(6).max(128).default(8),
        /** a password older than this must be changed at the next sign-in; null: no aging */
        maxAgeDays: z.number().int().min(1).max(3650).nullable().default(null),
      })
      .strict()
      .prefault({}),
    signatures: z.array(signatureRuleSchema).default([]),
  })
  .strict();

export type SecuritySection = z.output<typeof securitySectionSchema>;
export type SignatureRule = z.output<typeof signatureRuleSchema>;

/** A role as the runtime uses it (main/security/security-settings.ts has the same shape). */
export interface RoleDefinition {
  name: string;
  grants: Grant[];
  idleTimeoutMs: number | null;
}

/** The shipped roles with the project's changes and additions applied. */
export function rolesOf(section: SecuritySection): Map<string, RoleDefinition> {
  const roles = new Map<string, RoleDefinition>();
  const add = (name: string, grants: Grant[] | undefined, idle: number | null | undefined) => {
    const shipped = (defaultRoles as Record<string, Grant[]>)[name];
    const g = grants ?? shipped ?? ['view'];
    const idleMin = idle !== undefined ? idle : (defaultIdleTimeoutMin[name] ?? 30);
    // Everyone sees: a role without `view` would make a blank screen, not a safer one.
    roles.set(name, { name, grants: g.includes('view') ? g : ['view', ...g], idleTimeoutMs: idleMin === null ? null : Math.round(idleMin * 60_000) });
  };
  for (const name of Object.keys(defaultRoles)) {
    const override = section.roles[name];
    add(name, override?.grants as Grant[] | undefined, override?.idleTimeoutMin);
  }
  for (const [name, r] of Object.entries(section.roles)) if (!(name in defaultRoles)) add(name, r.grants as Grant[] | undefined, r.idleTimeoutMin);
  return roles;
}
