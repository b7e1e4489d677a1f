import type { SessionState } from '../../../shared/security';
import { grantsAllow } from '../../../shared/security';

/**
 * People: the users of this line PC (admin: users.manage) and the audit trail
 * (supervisor/admin: audit.view). Shown in the navigation only to a session that may see one
 * of them; the runtime refuses the calls to anyone else.
 */
export function PeopleScreen({ session }: { session: SessionState | null }) {
  const grants = session?.grants ?? [];
  return (
    <main className="people" data-testid="people-screen">
      {grantsAllow(grants, 'users.manage') && <section data-testid="people-users">Users</section>}
      {grantsAllow(grants, 'audit.view') && <section data-testid="people-audit">Audit trail</section>}
    </main>
  );
}

/** Whether the People screen has anything for this session. */
export function mayOpenPeople(session: SessionState | null): boolean {
  const grants = session?.grants ?? [];
  return grantsAllow(grants, 'users.manage') || grantsAllow(grants, 'audit.view');
}
