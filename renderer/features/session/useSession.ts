import { useCallback, useEffect, useRef, useState } from 'react';
import type { SessionState } from '../../../shared/security';
import { useServices } from '../../state/services';

/** How often touches and keys tell the runtime someone is at the screen (idle sign-out). */
const ACTIVITY_EVERY_MS = 20_000;

/**
 * The session of this screen: fetched on each connection, then kept by the runtime's `session`
 * pushes. While someone is signed in, touches and keys are reported as activity (throttled),
 * so the runtime's idle sign-out counts from the last time a person was here.
 */
export function useSession(generation: number): { session: SessionState | null; setSession: (s: SessionState) => void } {
  const { client } = useServices();
  const [session, setSession] = useState<SessionState | null>(null);
  const lastSent = useRef(0);

  useEffect(() => client.on('session', (s) => setSession(s)), [client]);
  useEffect(() => {
    if (generation === 0) return;
    let current = true;
    client.call('session.status', {}).then(
      (s) => current && setSession(s),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [client, generation]);

  const signedIn = session?.user != null;
  const onActivity = useCallback(() => {
    const now = Date.now();
    if (now - lastSent.current < ACTIVITY_EVERY_MS) return;
    lastSent.current = now;
    client.call('session.activity', {}).catch(() => undefined);
  }, [client]);
  useEffect(() => {
    if (!signedIn) return;
    window.addEventListener('pointerdown', onActivity, { passive: true });
    window.addEventListener('keydown', onActivity);
    return () => {
      window.removeEventListener('pointerdown', onActivity);
      window.removeEventListener('keydown', onActivity);
    };
  }, [signedIn, onActivity]);

  return { session, setSession };
}
