import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { SessionState } from '../../../shared/security';
import { useServices } from '../../state/services';
import { SignInDialog } from './SignInDialog';

/**
 * The locked screen: the alarm banner above stays live (and the horn can be silenced), every
 * action waits. The signed-in person unlocks with their password or PIN; someone else signs in
 * (which ends the locked session), or the session is signed out back to viewer.
 */
export function LockScreen({ session, onSession }: { session: SessionState; onSession: (s: SessionState) => void }) {
  const { client } = useServices();
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [other, setOther] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  const unlock = (e: FormEvent) => {
    e.preventDefault();
    if (secret === '') return;
    setBusy(true);
    setError(null);
    client
      .call('session.unlock', { secret })
      .then(onSession, (err: unknown) => {
        setError(err instanceof Error ? err.message : String(err));
        setSecret('');
      })
      .finally(() => setBusy(false));
  };
  const signOut = () => {
    client.call('session.signOut', {}).then(onSession, (err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  };

  return (
    <main className="lock-screen" data-testid="lock-screen">
      <form className="panel lock-screen__panel" onSubmit={unlock}>
        <h2 className="lock-screen__title">Screen locked</h2>
        <p className="lock-screen__who">
          {session.user?.name} ({session.user?.id}) · alarms stay live above; actions wait until the screen is unlocked
        </p>
        <label className="modal__label">
          Password or PIN
          <input ref={input} type="password" className="sign-in__input" autoComplete="off" value={secret} onChange={(e) => setSecret(e.target.value)} data-testid="unlock-secret" />
        </label>
        {error !== null && (
          <p className="sign-in__error" role="alert" data-testid="unlock-error">
            {error}
          </p>
        )}
        <div className="modal__actions">
          <button type="button" className="toggle modal__big" onClick={() => setOther(true)} data-testid="lock-other-user">
            Someone else
          </button>
          <button type="button" className="toggle modal__big" onClick={signOut} data-testid="lock-sign-out">
            Sign out
          </button>
          <button type="submit" className="toggle toggle--on modal__big" disabled={busy || secret === ''} data-testid="unlock-submit">
            Unlock
          </button>
        </div>
      </form>
      {other && (
        <SignInDialog
          setupRequired={false}
          onClose={() => setOther(false)}
          onSignedIn={(s) => {
            setOther(false);
            onSession(s);
          }}
        />
      )}
    </main>
  );
}

/** A minute before the idle sign-out: say so, big enough to see from the line. */
export function IdleWarning({ leftMs }: { leftMs: number }) {
  return (
    <div className="idle-warning" role="status" data-testid="idle-warning">
      Signing out in {Math.ceil(leftMs / 1000)} s without activity: touch the screen to stay signed in.
    </div>
  );
}
