/**
 * The people methods of the API (shared/security-api.ts): sessions and sign-in act on the
 * caller's own session; user management, the audit trail and signatures need their
 * permissions, which the access guard checked before these run.
 */
import type { ParsedParamsOf, ResultOf } from '../../shared/api';
import type { SecurityApiResults } from '../../shared/security-api';
import { ApiError } from '../../shared/api';
import type { AuditTrail } from '../security/audit-trail';
import type { Caller } from '../security/caller';
import type { SecurityService } from '../security/security-service';
import type { SignatureStore } from '../security/signature-store';
import { auditCsv } from '../security/audit-csv';

type SecurityMethod = keyof SecurityApiResults;
export type SecurityHandlers = { [M in SecurityMethod]: (p: ParsedParamsOf<M>, c: Caller) => ResultOf<M> | Promise<ResultOf<M>> };

export interface SecurityApiDeps {
  security: SecurityService;
  audit: AuditTrail;
  signatures: SignatureStore;
}

export function securityHandlers({ security, audit, signatures }: SecurityApiDeps): SecurityHandlers {
  const session = (c: Caller) => {
    const s = security.sessions.get(c.sessionId);
    if (!s) throw new ApiError({ code: 'unavailable', message: 'this connection has no session (reconnect)' });
    return s;
  };
  return {
    'session.status': (_p, c) => security.state(session(c)),
    'session.signIn': (p, c) => security.signIn(session(c), p.userId, p.password),
    'session.signInBadge': (p, c) => security.signInBadge(session(c), p.badge, p.pin),
    'session.signOut': (p, c) => security.signOut(session(c), p.idle === true),
    'session.activity': (_p, c) => {
      const s = session(c);
      security.activity(s);
      return { lastActivity: security.state(s).lastActivity };
    },
    'session.lock': (_p, c) => security.lock(session(c)),
    'session.unlock': (p, c) => security.unlock(session(c), p.secret),
    'session.changePassword': (p, c) => security.changePassword(session(c), p.current, p.next),
    'session.createFirstAdmin': (p, c) => security.createFirstAdmin(session(c), p.userId, p.name, p.password),
    'users.list': () => ({ users: security.listUsers(), roles: security.roleInfos(), password: security.passwordPolicy() }),
    'users.create': (p, c) => security.createUser(c, p),
    'users.update': (p, c) => security.updateUser(c, p),
    'users.resetPassword': (p, c) => security.resetPassword(c, p.userId, p.password),
    'users.setBadge': (p, c) => security.setBadge(c, p.userId, p.badge, p.pin),
    'users.unlock': (p, c) => security.unlockUser(c, p.userId),
    'audit.query': (p) => audit.query(p, p.limit, p.beforeId),
    'audit.csv': (p) => auditCsv(audit, p),
    'audit.verify': () => audit.verify(),
    'signatures.forTarget': (p) => signatures.forTarget(p.target, p.limit),
  };
}
