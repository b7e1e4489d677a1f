import { useState, type ReactNode } from 'react';
import type { SessionState } from '../../../shared/security';
import { grantsAllow } from '../../../shared/security';
import { AuditPanel } from './AuditPanel';
import { UsersPanel } from './UsersPanel';
import './people.css';

type PeopleTab = 'users' | 'audit';

/**
 * People: the users of this line PC (admin: users.manage) and the audit trail
 * (supervisor/admin: audit.view). Shown in the navigation only to a session that may see one
 * of them; the runtime refuses the calls to anyone else. With both, one at a time (a 1280×800
 * panel has no room for two tables), chosen by the tabs at the top.
 */
export function PeopleScreen({ session }: { session: SessionState | null }) {
  const grants = session?.grants ?? [];
  const users = grantsAllow(grants, 'users.manage');
  const audit = grantsAllow(grants, 'audit.view');
  const [tab, setTab] = useState<PeopleTab>(users ? 'users' : 'audit');
  const shown: PeopleTab | null = tab === 'users' && users ? 'users' : audit ? 'audit' : users ? 'users' : null;
  // the tabs take the place of the panel's title: no row of their own (800 px go fast)
  const heading = (which: PeopleTab, title: string): ReactNode =>
    users && audit ? (
      <div className="people__tabs" role="tablist" aria-label="People">
        <button type="button" role="tab" aria-selected={which === 'users'} className={`toggle people__tab${which === 'users' ? ' toggle--on' : ''}`} onClick={() => setTab('users')} data-testid="people-tab-users">
          Users
        </button>
        <button type="button" role="tab" aria-selected={which === 'audit'} className={`toggle people__tab${which === 'audit' ? ' toggle--on' : ''}`} onClick={() => setTab('audit')} data-testid="people-tab-audit">
          Audit trail
        </button>
      </div>
    ) : (
      <h2 className="panel__title">{title}</h2>
    );
  return (
    <main className="people" data-testid="people-screen">
      {shown === 'users' && <UsersPanel selfId={session?.user?.id ?? null} heading={heading('users', 'Users')} />}
      {shown === 'audit' && <AuditPanel mayExport={grantsAllow(grants, 'audit.export')} heading={heading('audit', 'Audit trail')} />}
    </main>
  );
}

/** Whether the People screen has anything for this session. */
export function mayOpenPeople(session: SessionState | null): boolean {
  const grants = session?.grants ?? [];
  return grantsAllow(grants, 'users.manage') || grantsAllow(grants, 'audit.view');
}
