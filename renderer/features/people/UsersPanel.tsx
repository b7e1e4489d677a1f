import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { SecurityApiResults } from '../../../shared/security-api';
import type { UserInfo } from '../../../shared/security';
import { useServices } from '../../state/services';
import { useNow } from '../../state/useNow';
import { errorText } from './PeopleDialog';
import { formatLocalDateTime, lockoutText, mayUnlock, selfChangeProblem } from './people-format';
import { BadgeDialog, ConfirmDialog, PasswordDialog, UserDialog, type UserDialogContext } from './UserDialog';

type Directory = SecurityApiResults['users.list'];
type Open =
  | { kind: 'create' }
  | { kind: 'edit' | 'password' | 'badge' | 'enable' | 'disable' | 'unlock'; user: UserInfo }
  | null;

/**
 * The users of this line PC (users.manage): who they are, their roles, whether they may sign
 * in, their badge, when their password was set and whether they are locked out; and the
 * changes an administrator makes to them, each on record in the audit trail.
 */
export function UsersPanel({ selfId, heading }: { selfId: string | null; heading: ReactNode }) {
  const { client } = useServices();
  const now = useNow();
  const [dir, setDir] = useState<Directory | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [open, setOpen] = useState<Open>(null);
  const [note, setNote] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setDir(await client.call('users.list', {}));
      setLoadError(null);
    } catch (err) {
      setLoadError(errorText(err));
    }
  }, [client]);
  useEffect(() => void load(), [load]);

  const close = useCallback(() => setOpen(null), []);
  const manageRoles = useMemo(() => (dir?.roles ?? []).filter((r) => r.grants.includes('users.manage')).map((r) => r.name), [dir]);
  const ctx = (what: string): UserDialogContext => ({
    roles: dir?.roles ?? [],
    minLength: dir?.password.minLength ?? 8,
    selfId,
    manageRoles,
    onClose: close,
    onDone: (u) => {
      setOpen(null);
      setNote(`${u.id}: ${what}`);
      void load();
    },
  });
  const change = (what: string, call: () => Promise<UserInfo>) => async () => {
    const u = await call();
    setNote(`${u.id}: ${what}`);
    void load();
    return u;
  };

  return (
    <section className="panel people-panel" aria-label="Users" data-testid="people-users">
      <div className="panel__header">
        {heading}
        {dir !== null && <span className="people-count" data-testid="users-count">{dir.users.length} {dir.users.length === 1 ? 'user' : 'users'}</span>}
        {note !== null && (
          <span className="people-note" role="status" data-testid="users-note">
            {note}
          </span>
        )}
        {loadError !== null && <span className="diagnostics__error" data-testid="users-error">{loadError}</span>}
        <button type="button" className="toggle toggle--on people-panel__main" disabled={dir === null} onClick={() => setOpen({ kind: 'create' })} data-testid="user-create">
          New user
        </button>
      </div>
      <div className="people-panel__scroll">
        {dir === null ? (
          <p className="panel__empty">{loadError === null ? 'Loading…' : 'The user list could not be read.'}</p>
        ) : (
          <table className="diag-table people-table users-table" data-testid="users-table">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Roles</th>
                <th scope="col">Sign-in</th>
                <th scope="col">Badge</th>
                <th scope="col">Password set</th>
                <th scope="col" className="people-table__actions-head">Actions</th>
              </tr>
            </thead>
            <tbody>
              {dir.users.map((u) => {
                const lock = mayUnlock(u, now) ? lockoutText(u, now) : null;
                const locked = u.lockedUntil !== null && u.lockedUntil > now;
                const self = selfId !== null && selfId.toLowerCase() === u.id.toLowerCase();
                return (
                  <tr
                    key={u.id}
                    className={locked ? 'people-row--locked' : !u.enabled ? 'people-row--disabled' : undefined}
                    data-testid={`user-row-${u.id}`}
                    data-user-id={u.id}
                    data-enabled={u.enabled}
                    data-badge={u.hasBadge}
                    data-locked={locked}
                  >
                    <td>
                      <div className="tag-name">
                        {u.name}
                        {self && <span className="people-you"> (you)</span>}
                      </div>
                      <div className="tag-id">{u.id}</div>
                    </td>
                    <td className="people-table__roles">{u.roles.join(', ')}</td>
                    <td>
                      <div className="people-state" data-testid="user-enabled">{u.enabled ? 'Enabled' : 'Disabled'}</div>
                      {lock !== null && (
                        <div className="people-lock-line">
                          <span className={locked ? 'people-lock' : 'tag-id'} data-testid="user-lock">
                            {lock}
                          </span>
                          <button type="button" className="toggle toggle--compact" onClick={() => setOpen({ kind: 'unlock', user: u })} data-testid="user-unlock">
                            Unlock
                          </button>
                        </div>
                      )}
                    </td>
                    <td data-testid="user-badge">{u.hasBadge ? 'Yes' : 'No'}</td>
                    <td className="people-table__time">{u.passwordChangedAt === 0 ? <span className="people-aged">set by an administrator: to change at sign-in</span> : (
                        <>
                          {formatLocalDateTime(u.passwordChangedAt).slice(0, 10)}
                          <div className="tag-id">{formatLocalDateTime(u.passwordChangedAt).slice(11)}</div>
                        </>
                      )}
                    </td>
                    <td className="people-table__actions">
                      <button type="button" className="toggle toggle--compact" onClick={() => setOpen({ kind: 'edit', user: u })} data-testid="user-edit">
                        Edit
                      </button>
                      <button type="button" className="toggle toggle--compact" onClick={() => setOpen({ kind: 'password', user: u })} data-testid="user-reset-password">
                        Password
                      </button>
                      <button type="button" className="toggle toggle--compact" onClick={() => setOpen({ kind: 'badge', user: u })} data-testid="user-badge-open">
                        Badge
                      </button>
                      <button
                        type="button"
                        className="toggle toggle--compact"
                        onClick={() => setOpen({ kind: u.enabled ? 'disable' : 'enable', user: u })}
                        data-testid="user-toggle-enabled"
                        title={self && u.enabled ? 'you cannot disable your own account' : undefined}
                      >
                        {u.enabled ? 'Disable' : 'Enable'}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </div>
      {open?.kind === 'create' && <UserDialog user={null} ctx={ctx('created')} />}
      {open?.kind === 'edit' && <UserDialog user={open.user} ctx={ctx('saved')} />}
      {open?.kind === 'password' && <PasswordDialog user={open.user} ctx={ctx('password set')} />}
      {open?.kind === 'badge' && <BadgeDialog user={open.user} ctx={ctx('badge changed')} />}
      {(open?.kind === 'enable' || open?.kind === 'disable') && (
        <ConfirmDialog
          title={`${open.kind === 'enable' ? 'Enable' : 'Disable'} ${open.user.id}`}
          text={
            open.kind === 'enable'
              ? `${open.user.name} can sign in again.`
              : `${open.user.name} can no longer sign in; a session of theirs is signed out. Their records stay on file.`
          }
          warning={open.kind === 'disable' ? selfChangeProblem(selfId, open.user, { enabled: false }, manageRoles) : null}
          confirm={open.kind === 'enable' ? 'Enable' : 'Disable'}
          onConfirm={change(open.kind === 'enable' ? 'enabled' : 'disabled', () => client.call('users.update', { userId: open.user.id, enabled: open.kind === 'enable' }))}
          onClose={close}
        />
      )}
      {open?.kind === 'unlock' && (
        <ConfirmDialog
          title={`Unlock ${open.user.id}`}
          text={`${lockoutText(open.user, now) ?? 'Not locked'}. Unlocking clears the failed attempts, so ${open.user.name} can sign in now.`}
          confirm="Unlock"
          onConfirm={change('unlocked', () => client.call('users.unlock', { userId: open.user.id }))}
          onClose={close}
        />
      )}
    </section>
  );
}
