/**
 * The one place where the runtime decides whether a call may run: the method's permission from
 * shared/method-permissions.ts against the session's grants (tag writes narrowed by the tag's
 * write area), the locked screen, a password that must be changed first, and the electronic
 * signature the project asks for. Refusals go on record. Handlers run only after `admit`, with
 * the Caller it returns.
 */
import { ApiError } from '../../shared/api';
import type { MethodName } from '../../shared/api-channels';
import { ALLOWED_WHEN_LOCKED, METHOD_PERMISSIONS } from '../../shared/method-permissions';
import { grantsAllow, permissionLabels, type Grant, type SignatureInput, type SignatureRequirement } from '../../shared/security';
import type { Clock } from '../util/clock';
import type { AuditRecord } from './audit-trail';
import type { Authenticator } from './authenticator';
import { VIEWER, type Caller } from './caller';
import { contentHash } from './record-hash';
import type { Session, SessionManager } from './session-manager';
import type { SignaturePolicy } from './signature-policy';
import type { SignatureStore } from './signature-store';
import type { UserStore } from './user-store';

export interface AccessGuardDeps {
  sessions: SessionManager;
  users: UserStore;
  authenticator: Authenticator;
  signatures: SignatureStore;
  policy: SignaturePolicy;
  /** the write area of a writable tag (null: none; undefined: no such tag) */
  tagWriteArea: (tagId: string) => string | null | undefined;
  /** the grants of a set of roles */
  grantsOf: (roles: readonly string[]) => readonly Grant[];
  record: (r: AuditRecord) => void;
  clock: Clock;
}

export class AccessGuard {
  constructor(private readonly d: AccessGuardDeps) {}

  async admit(session: Session, method: MethodName, params: unknown, signature: SignatureInput | undefined): Promise<Caller> {
    const state = this.d.sessions.state(session);
    const permission = METHOD_PERMISSIONS[method];
    const caller: Caller = {
      userId: state.user?.id ?? null,
      name: state.user?.name ?? 'nobody signed in',
      roles: state.user?.roles ?? [],
      grants: state.grants,
      station: session.station,
      sessionId: session.id,
      signatureId: null,
      actor: { user: state.user?.id ?? VIEWER, station: session.station, signatureId: null },
    };
    if (permission === 'view') return caller;

    const target = targetOf(method, params);
    const refuse = (message: string, code: 'forbidden' | 'unauthenticated' = 'forbidden'): never => {
      this.d.record({ ts: this.d.clock.now(), user: caller.actor.user, station: session.station, action: method, target, oldValue: null, newValue: null, outcome: 'refused', detail: message });
      throw new ApiError({ code, message, context: { method, permission } });
    };
    if (state.locked && !ALLOWED_WHEN_LOCKED.has(method)) refuse('the screen is locked: unlock it (or sign in) first');
    if (state.mustChangePassword) refuse('your password has expired: change it before anything else');
    const area = method === 'tags.write' ? this.d.tagWriteArea(String((params as { tagId?: unknown }).tagId)) : undefined;
    if (!grantsAllow(state.grants, permission, area)) {
      const what = permissionLabels[permission] + (area ? ` in area ${area}` : '');
      const u = state.user;
      if (u === null) return refuse(`nobody is signed in: sign in to ${what}`);
      refuse(`${u.name} (${u.roles.join(', ')}) may not ${what}: it needs the ${area ? `tags.write:${area} or ` : ''}${permission} permission`);
    }

    const requirement = this.d.policy.requirementFor(method, params);
    if (requirement === null) return caller;
    if (signature === undefined) {
      throw new ApiError({
        code: 'signature_required',
        message: `${requirement.rule} needs ${requirement.kind === 'verification' ? 'a signature and a second person’s verification' : 'an electronic signature'}`,
        context: { kind: requirement.kind, meaning: requirement.meaning, commentRequired: requirement.commentRequired, verifierRoles: requirement.verifierRoles.join(','), rule: requirement.rule, method },
      });
    }
    const signatureId = await this.sign(session, caller, method, params, target, requirement, signature, refuse);
    return { ...caller, signatureId, actor: { ...caller.actor, signatureId } };
  }

  private async sign(
    session: Session,
    caller: Caller,
    method: MethodName,
    params: unknown,
    target: string,
    req: SignatureRequirement,
    input: SignatureInput,
    refuse: (message: string, code?: 'forbidden' | 'unauthenticated') => never,
  ): Promise<number> {
    const signer = this.d.users.get(caller.userId!);
    if (!signer) return refuse('the signed-in user no longer exists');
    if (req.commentRequired && !(input.comment ?? '').trim()) refuse('this signature needs a comment', 'unauthenticated');
    const own = await this.d.authenticator.reauthenticate(signer, input.secret, session.station);
    if (!own.ok) refuse('signature refused: the password or PIN is wrong (or the account is locked)', 'unauthenticated');

    let verifier = null;
    if (req.kind === 'verification') {
      const v = input.verifier;
      if (v === undefined) refuse('a second person must verify this action', 'unauthenticated');
      if (v.userId.toLowerCase() === signer.id.toLowerCase()) refuse('the verifier must be a different person from the one acting', 'unauthenticated');
      const checked = await this.d.authenticator.password(v.userId, v.secret, session.station);
      if (!checked.ok) refuse('verification refused: the verifier’s user id or password is wrong, or the account is locked or disabled', 'unauthenticated');
      const vu = checked.user;
      const allowed =
        req.verifierRoles.length > 0 ? vu.roles.some((r) => req.verifierRoles.includes(r)) : grantsAllow(this.d.grantsOf(vu.roles), METHOD_PERMISSIONS[method]);
      if (!allowed) refuse(`${vu.name} may not verify this: it needs ${req.verifierRoles.length > 0 ? `one of the roles ${req.verifierRoles.join(', ')}` : `the ${METHOD_PERMISSIONS[method]} permission`}`, 'unauthenticated');
      verifier = { user: vu, comment: v.comment ?? '' };
    }

    const ts = this.d.clock.now();
    // What is signed: the action as asked for, by whom, when and meaning what (canonical, UTC ms).
    const signed = { method, target, params, userId: signer.id, ts, meaning: input.meaning };
    const hash = contentHash(signed);
    const id = this.d.signatures.add({ ts, userId: signer.id, printedName: signer.name, meaning: input.meaning, comment: input.comment ?? '', action: method, target, contentHash: hash });
    if (verifier !== null) {
      this.d.signatures.add({ ts, userId: verifier.user.id, printedName: verifier.user.name, meaning: 'verified', comment: verifier.comment, action: method, target, contentHash: hash, verifies: id });
    }
    return id;
  }
}

/** The target a record of this call names: the tag, the alarm, the device, the user … */
export function targetOf(method: MethodName, params: unknown): string {
  const p = (params ?? {}) as Record<string, unknown>;
  for (const k of ['tagId', 'alarmId', 'deviceId', 'userId', 'name', 'scenario', 'instructionId']) if (typeof p[k] === 'string') return p[k];
  if (typeof p.runId === 'number') return `run ${p.runId}`;
  if (typeof p.hash === 'string') return `version ${p.hash.slice(0, 12)}`;
  if (Array.isArray(p.alarmIds)) return p.alarmIds.length === 1 ? String(p.alarmIds[0]) : `${p.alarmIds.length} alarms`;
  return method.split('.')[0];
}
