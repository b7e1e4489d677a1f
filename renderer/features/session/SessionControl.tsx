import { useState } from 'react';
import type { SessionState } from '../../../shared/security';
import { useServices } from '../../state/services';
import { SignInDialog } from './SignInDialog';
import { ChangePasswordDialog } from './ChangePasswordDialog';

/**
 * Who is signed in, always in the header; one tap to sign in, switch user (shift change) or
 * sign out. Nobody signed in is a viewer: sees everything, changes nothing.
 */
export function SessionControl({ session, onSession }: { session: SessionState | null; onSession: (s: SessionState) => void }) {
  const { client, messages } = useServices();
  const [open, setOpen] = useState(false);
  const user = session?.user ?? null;
  const signOut = () => {
    client.call('session.signOut', {}).then(onSession, (err: unknown) => messages.reportError('Sign out', err));
  };
  const lock = () => {
    client.call('session.lock', {}).then(onSession, (err: unknown) => messages.reportError('Lock', err));
  };
  return (
    <div className="session" data-testid="session" data-user={user?.id ?? ''} data-locked={session?.locked === true}>
      {/* one target: who is signed in is also where to sign in or switch user (shift change) */}
      <button
        type="button"
        className="toggle session__who"
        data-testid="session-sign-in"
        onClick={() => setOpen(true)}
        aria-label={user === null ? 'Sign in' : `Switch user (signed in: ${user.name})`}
        title={user === null ? 'Sign in' : 'Switch user'}
      >
        <span className="session__name" data-testid="session-name">
          {user === null ? 'Viewer' : user.name}
        </span>
        <span className="session__roles">
          {user === null ? 'Sign in' : user.roles.join(', ')}
          {user !== null && <span className="session__switch-hint"> · Switch user</span>}
        </span>
      </button>
      {user !== null && !session?.locked && (
        <button type="button" className="toggle session__button" data-testid="session-lock" onClick={lock} title="Lock the screen: alarms stay visible">
          Lock
        </button>
      )}
      {user !== null && (
        <button type="button" className="toggle session__button" data-testid="session-sign-out" onClick={signOut}>
          Sign out
        </button>
      )}
      {session !== null && session.user !== null && session.mustChangePassword && !session.locked && <ChangePasswordDialog session={session} onSession={onSession} />}
      {open && session !== null && (
        <SignInDialog
          setupRequired={session.setupRequired}
          onClose={() => setOpen(false)}
          onSignedIn={(s) => {
            onSession(s);
            setOpen(false);
          }}
        />
      )}
    </div>
  );
}
