import { useRef, useState } from 'react';
import type { RoleInfo, UserInfo } from '../../../shared/security';
import { useServices } from '../../state/services';
import { Field, PeopleDialog, useDialogCall } from './PeopleDialog';
import { badgeProblem, orderedRoles, passwordProblem, printedNameProblem, selfChangeProblem, userIdProblem } from './people-format';

export interface UserDialogContext {
  roles: RoleInfo[];
  minLength: number;
  /** the signed-in user's id */
  selfId: string | null;
  /** the roles that grant users.manage (taking all of them from yourself locks you out) */
  manageRoles: string[];
  onDone: (u: UserInfo) => void;
  onClose: () => void;
}

/**
 * A new user (id, printed name, roles, initial password typed twice), or the name, roles and
 * enabled state of an existing one. Checks what the screen can before sending; shows the
 * runtime's refusal in the dialog.
 */
export function UserDialog({ user, ctx }: { user: UserInfo | null; ctx: UserDialogContext }) {
  const { client } = useServices();
  const creating = user === null;
  const [id, setId] = useState(user?.id ?? '');
  const [name, setName] = useState(user?.name ?? '');
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set(user?.roles ?? []));
  const [enabled, setEnabled] = useState(user?.enabled ?? true);
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [touched, setTouched] = useState(false);
  const { busy, error, setError, run, edit } = useDialogCall();
  const roleNames = ctx.roles.map((r) => r.name);
  const roles = orderedRoles(chosen, [...roleNames, ...(user?.roles.filter((r) => !roleNames.includes(r)) ?? [])]);

  const self = user === null ? null : selfChangeProblem(ctx.selfId, user, { enabled, roles }, ctx.manageRoles);
  const problem =
    (creating ? userIdProblem(id) : null) ??
    printedNameProblem(name) ??
    (roles.length === 0 ? 'choose at least one role' : null) ??
    (creating ? passwordProblem(password, repeat, ctx.minLength, id) : null);

  const toggleRole = (r: string) => {
    setError(null);
    setChosen((s) => {
      const next = new Set(s);
      if (next.has(r)) next.delete(r);
      else next.add(r);
      return next;
    });
  };

  const submit = async () => {
    setTouched(true);
    if (problem !== null) return setError(problem);
    if (self !== null) return setError(self);
    const done = await run(() =>
      creating
        ? client.call('users.create', { userId: id.trim(), name: name.trim(), roles, password })
        : client.call('users.update', { userId: user.id, name: name.trim(), roles, enabled }),
    );
    if (done !== null) ctx.onDone(done);
  };

  return (
    <PeopleDialog
      title={creating ? 'New user' : `Edit ${user.id}`}
      testId="user-dialog"
      onClose={ctx.onClose}
      onSubmit={() => void submit()}
      error={error ?? (touched ? problem : null)}
      warning={self}
      submitLabel={creating ? 'Create user' : 'Save'}
      submitDisabled={busy || self !== null}
      wide
    >
      <div className="people-dialog__grid">
        {creating ? (
          <Field label="User id" value={id} onChange={edit(setId)} testId="user-id" autoFocus hint="letters, digits, _ . @ -" />
        ) : (
          <div className="people-field">
            <span className="people-field__label">User id</span>
            <span className="people-field__fixed">{user.id}</span>
          </div>
        )}
        <Field label="Printed name (as on signatures)" value={name} onChange={edit(setName)} testId="user-name" autoFocus={!creating} />
      </div>
      <fieldset className="people-roles" data-testid="user-roles">
        <legend className="people-field__label">Roles</legend>
        <div className="people-roles__choices">
          {roleNames.map((r) => (
            <button
              key={r}
              type="button"
              className={`toggle people-roles__role${chosen.has(r) ? ' toggle--on' : ''}`}
              aria-pressed={chosen.has(r)}
              onClick={() => toggleRole(r)}
              data-testid={`user-role-${r}`}
            >
              {r}
            </button>
          ))}
        </div>
      </fieldset>
      {creating ? (
        <div className="people-dialog__grid">
          <Field label="Initial password" type="password" value={password} onChange={edit(setPassword)} testId="user-password" autoComplete="new-password" hint={`at least ${ctx.minLength} characters, not containing the user id`} />
          <Field label="Password again" type="password" value={repeat} onChange={edit(setRepeat)} testId="user-repeat" autoComplete="new-password" />
        </div>
      ) : (
        <div className="people-field">
          <span className="people-field__label">Account</span>
          <div className="people-roles__choices">
            <button type="button" className={`toggle${enabled ? ' toggle--on' : ''}`} aria-pressed={enabled} onClick={() => setEnabled(true)} data-testid="user-enabled-on">
              Enabled
            </button>
            <button type="button" className={`toggle${!enabled ? ' toggle--on' : ''}`} aria-pressed={!enabled} onClick={() => setEnabled(false)} data-testid="user-enabled-off">
              Disabled
            </button>
          </div>
          {!enabled && user.enabled && <span className="people-field__hint">A disabled user cannot sign in; a session of theirs is signed out.</span>}
        </div>
      )}
    </PeopleDialog>
  );
}

/**
 * A new password set by an administrator: typed twice. Set for someone else, it must be changed
 * at that user's next sign-in (the runtime marks it aged).
 */
export function PasswordDialog({ user, ctx }: { user: UserInfo; ctx: UserDialogContext }) {
  const { client } = useServices();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const { busy, error, setError, run, edit } = useDialogCall();
  const self = ctx.selfId !== null && ctx.selfId.toLowerCase() === user.id.toLowerCase();
  const submit = async () => {
    const problem = passwordProblem(password, repeat, ctx.minLength, user.id);
    if (problem !== null) return setError(problem);
    const done = await run(() => client.call('users.resetPassword', { userId: user.id, password }));
    if (done !== null) ctx.onDone(done);
  };
  return (
    <PeopleDialog
      title={`New password for ${user.id}`}
      testId="password-dialog"
      onClose={ctx.onClose}
      onSubmit={() => void submit()}
      error={error}
      submitLabel="Set password"
      submitDisabled={busy || password === ''}
    >
      <p className="people-dialog__text">{self ? 'Your own password changes now.' : `${user.name} must choose a new password at the next sign-in.`}</p>
      <div className="people-dialog__grid">
        <Field label="New password" type="password" value={password} onChange={edit(setPassword)} testId="password-new" autoFocus autoComplete="new-password" hint={`at least ${ctx.minLength} characters, not containing the user id`} />
        <Field label="Password again" type="password" value={repeat} onChange={edit(setRepeat)} testId="password-repeat" autoComplete="new-password" />
      </div>
    </PeopleDialog>
  );
}

/** A badge code (scanned or typed) and its PIN, the second factor; or the badge taken away. */
export function BadgeDialog({ user, ctx }: { user: UserInfo; ctx: UserDialogContext }) {
  const { client } = useServices();
  const [badge, setBadge] = useState('');
  const pinRef = useRef<HTMLInputElement>(null);
  const [pin, setPin] = useState('');
  const [repeat, setRepeat] = useState('');
  const { busy, error, setError, run, edit } = useDialogCall();
  const submit = async () => {
    const problem = badgeProblem(badge, pin, repeat);
    if (problem !== null) return setError(problem);
    const done = await run(() => client.call('users.setBadge', { userId: user.id, badge: badge.trim(), pin }));
    if (done !== null) ctx.onDone(done);
  };
  const clear = async () => {
    const done = await run(() => client.call('users.setBadge', { userId: user.id, badge: null }));
    if (done !== null) ctx.onDone(done);
  };
  return (
    <PeopleDialog
      title={`Badge for ${user.id}`}
      testId="badge-dialog"
      onClose={ctx.onClose}
      onSubmit={() => void submit()}
      error={error}
      submitLabel={user.hasBadge ? 'Replace badge' : 'Set badge'}
      submitDisabled={busy || badge.trim() === ''}
      extra={
        user.hasBadge ? (
          <button type="button" className="toggle modal__big" disabled={busy} onClick={() => void clear()} data-testid="badge-clear">
            Remove badge
          </button>
        ) : undefined
      }
    >
      <p className="people-dialog__text">
        {user.hasBadge ? `${user.name} has a badge. A new one replaces it.` : `${user.name} has no badge yet.`} The badge alone never signs anyone in: the PIN is asked too.
      </p>
      <Field label="Badge (scan it or type the code)" type="password" value={badge} onChange={edit(setBadge)} testId="badge-code" autoFocus onEnter={() => pinRef.current?.focus()} hint="at least 4 characters: letters, digits, : _ -" />
      <div className="people-dialog__grid">
        <Field label="PIN" type="password" inputMode="numeric" value={pin} onChange={edit(setPin)} testId="badge-pin" inputRef={pinRef} hint="4 to 12 digits" />
        <Field label="PIN again" type="password" inputMode="numeric" value={repeat} onChange={edit(setRepeat)} testId="badge-pin-repeat" />
      </div>
    </PeopleDialog>
  );
}

/** A one-step change (enable, disable, unlock) confirmed, with the runtime's refusal shown. */
export function ConfirmDialog({
  title,
  text,
  confirm,
  warning,
  onConfirm,
  onClose,
}: {
  title: string;
  text: string;
  confirm: string;
  warning?: string | null;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}) {
  const { busy, error, run } = useDialogCall();
  const submit = async () => {
    const done = await run(onConfirm);
    if (done !== null) onClose();
  };
  return (
    <PeopleDialog title={title} testId="confirm-dialog" onClose={onClose} onSubmit={() => void submit()} error={error} warning={warning} submitLabel={confirm} submitDisabled={busy || !!warning} focusSubmit>
      <p className="people-dialog__text">{text}</p>
    </PeopleDialog>
  );
}

