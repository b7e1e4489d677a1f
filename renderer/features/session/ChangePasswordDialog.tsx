import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { SessionState } from '../../../shared/security';
import { useServices } from '../../state/services';
import { useFocusTrap } from '../../ui/useFocusTrap';

/**
 * The password has aged past the project's limit, or an administrator set it: it must be
 * changed before anything else (the runtime refuses every action until then). Signing out
 * instead is always possible.
 */
export function ChangePasswordDialog({ session, onSession }: { session: SessionState; onSession: (s: SessionState) => void }) {
  const { client } = useServices();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  const dialogRef = useRef<HTMLFormElement>(null);
  useFocusTrap(dialogRef);
  useEffect(() => first.current?.focus(), []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (next !== repeat) return setError('the two new passwords differ');
    setBusy(true);
    setError(null);
    client
      .call('session.changePassword', { current, next })
      .then(onSession, (err: unknown) => setError(err instanceof Error ? err.message : String(err)))
      .finally(() => setBusy(false));
  };
  const signOut = () => {
    client.call('session.signOut', {}).then(onSession, (err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  };
  return (
    <div className="modal-backdrop" role="presentation">
      <form ref={dialogRef} className="modal sign-in" role="dialog" aria-modal="true" aria-label="Change your password" data-testid="change-password-dialog" onSubmit={submit}>
        <h2 className="modal__title">Change your password</h2>
        <p className="sign-in__hint">
          {session.user?.name}: your password was set by an administrator or has expired. Choose a new one before you go on.
        </p>
        <label className="modal__label">
          Current password
          <input ref={first} type="password" className="sign-in__input" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} data-testid="change-current" />
        </label>
        <label className="modal__label">
          New password
          <input type="password" className="sign-in__input" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} data-testid="change-next" />
        </label>
        <label className="modal__label">
          New password again
          <input type="password" className="sign-in__input" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} data-testid="change-repeat" />
        </label>
        {error !== null && (
          <p className="sign-in__error" role="alert" data-testid="change-error">
            {error}
          </p>
        )}
        <div className="modal__actions">
          <button type="button" className="toggle modal__big" onClick={signOut}>
            Sign out
          </button>
          <button type="submit" className="toggle toggle--on modal__big" disabled={busy || current === '' || next === ''} data-testid="change-submit">
            Change password
          </button>
        </div>
      </form>
    </div>
  );
}
