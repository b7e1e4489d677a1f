import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../../shared/api';
import type { SessionState } from '../../../shared/security';
import { useServices } from '../../state/services';
import { useEscapeKey } from '../../ui/useEscapeKey';
import { useFocusTrap } from '../../ui/useFocusTrap';

interface SignInDialogProps {
  setupRequired: boolean;
  onClose: () => void;
  onSignedIn: (s: SessionState) => void;
}

/**
 * Sign in by badge + PIN or by user id + password; on a new data dir, create the first
 * administrator. The badge field has the focus when the dialog opens: a badge reader types its
 * code and Enter, which moves on to the PIN without a click.
 */
export function SignInDialog({ setupRequired, onClose, onSignedIn }: SignInDialogProps) {
  const { client } = useServices();
  const [badge, setBadge] = useState('');
  const [pin, setPin] = useState('');
  const [userId, setUserId] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  const pinRef = useRef<HTMLInputElement>(null);
  useEscapeKey(onClose);
  const dialogRef = useRef<HTMLDivElement>(null);
  useFocusTrap(dialogRef);
  useEffect(() => first.current?.focus(), []);

  const run = async (p: Promise<SessionState>) => {
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await p);
    } catch (err) {
      setError(err instanceof ApiError || err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const submitBadge = (e?: FormEvent) => {
    e?.preventDefault();
    if (badge.trim() !== '' && pin !== '') void run(client.call('session.signInBadge', { badge: badge.trim(), pin }));
  };
  const submitPassword = (e?: FormEvent) => {
    e?.preventDefault();
    if (userId.trim() !== '' && password !== '') void run(client.call('session.signIn', { userId: userId.trim(), password }));
  };
  const submitSetup = (e?: FormEvent) => {
    e?.preventDefault();
    if (password !== repeat) return setError('the two passwords differ');
    void run(client.call('session.createFirstAdmin', { userId: userId.trim(), name: name.trim(), password }));
  };

  return (
    <div className="modal-backdrop" role="presentation">
      <div ref={dialogRef} className="modal sign-in" role="dialog" aria-modal="true" aria-label={setupRequired ? 'Create the first administrator' : 'Sign in'} data-testid="sign-in-dialog">
        {setupRequired ? (
          <form onSubmit={submitSetup} data-testid="setup-form">
            <h2 className="modal__title">Create the first administrator</h2>
            <p className="sign-in__hint">This line PC has no users yet. The administrator then adds operators, technicians and engineers.</p>
            <label className="modal__label">
              User id
              <input ref={first} className="sign-in__input" autoComplete="off" value={userId} onChange={(e) => setUserId(e.target.value)} data-testid="setup-user" />
            </label>
            <label className="modal__label">
              Printed name
              <input className="sign-in__input" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} data-testid="setup-name" />
            </label>
            <label className="modal__label">
              Password
              <input type="password" className="sign-in__input" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="setup-password" />
            </label>
            <label className="modal__label">
              Password again
              <input type="password" className="sign-in__input" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} data-testid="setup-repeat" />
            </label>
            {error !== null && <p className="sign-in__error" role="alert" data-testid="sign-in-error">{error}</p>}
            <div className="modal__actions">
              <button type="button" className="toggle modal__big" onClick={onClose}>Cancel</button>
              <button type="submit" className="toggle toggle--on modal__big" disabled={busy} data-testid="setup-submit">Create and sign in</button>
            </div>
          </form>
        ) : (
          <>
            <h2 className="modal__title">Sign in</h2>
            <form onSubmit={submitBadge} className="sign-in__part">
              <label className="modal__label">
                Badge (scan it)
                <input
                  ref={first}
                  className="sign-in__input"
                  type="password"
                  autoComplete="off"
                  value={badge}
                  onChange={(e) => setBadge(e.target.value)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') {
                      e.preventDefault();
                      if (badge.trim() !== '') pinRef.current?.focus();
                    }
                  }}
                  data-testid="sign-in-badge"
                />
              </label>
              <label className="modal__label">
                PIN
                <input ref={pinRef} className="sign-in__input" type="password" inputMode="numeric" autoComplete="off" value={pin} onChange={(e) => setPin(e.target.value)} data-testid="sign-in-pin" />
              </label>
              <button type="submit" className="toggle toggle--on modal__big" disabled={busy} data-testid="sign-in-badge-submit">Sign in with badge</button>
            </form>
            <form onSubmit={submitPassword} className="sign-in__part">
              <label className="modal__label">
                User id
                <input className="sign-in__input" autoComplete="username" value={userId} onChange={(e) => setUserId(e.target.value)} data-testid="sign-in-user" />
              </label>
              <label className="modal__label">
                Password
                <input className="sign-in__input" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="sign-in-password" />
              </label>
              <button type="submit" className="toggle toggle--on modal__big" disabled={busy} data-testid="sign-in-submit">Sign in</button>
            </form>
            {error !== null && <p className="sign-in__error" role="alert" data-testid="sign-in-error">{error}</p>}
            <div className="modal__actions">
              <button type="button" className="toggle modal__big" onClick={onClose}>Cancel</button>
            </div>
          </>
        )}
      </div>
    </div>
  );
}
