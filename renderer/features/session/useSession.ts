import { useCallback, useEffect, useRef, useState } from 'react';
import type { SessionState } from '../../../shared/security';
import { useServices } from '../../state/services';
import { idleCountdown } from './idle-countdown';

/** How often touches and keys tell the runtime someone is at the screen (idle sign-out). */
const ACTIVITY_EVERY_MS = 20_000;
/** How often the screen looks at its own idle time. */
const IDLE_CHECK_MS = 1000;

export interface SessionView {
  session: SessionState | null;
  setSession: (s: SessionState) => void;
  /** ms left before the idle sign-out, when it is near (the screen warns); null otherwise */
  idleWarningMs: number | null;
}

/**
 * The session of this screen: fetched on each connection, then kept by the runtime's `session`
 * pushes. While someone is signed in, touches and keys are activity: reported to the runtime
 * (throttled), whose idle timer is the guard, and counted here too, so the screen warns a minute
 * before and signs out on time by its own clock, whatever the connection does.
 */
export function useSession(generation: number): SessionView {
  const { client, messages } = useServices();
  const [session, setSession] = useState<SessionState | null>(null);
  const [idleWarningMs, setIdleWarningMs] = useState<number | null>(null);
  const lastSent = useRef(0);
  const lastActivity = useRef(Date.now());

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

  // Why the session changed on its own (idle sign-out) goes on the message line.
  const notice = session?.notice ?? null;
  useEffect(() => {
    if (notice !== null) messages.report(`Session: ${notice}`);
  }, [notice, messages]);

  const signedIn = session?.user != null;
  const idleTimeoutMs = signedIn ? (session?.idleTimeoutMs ?? null) : null;
  const onActivity = useCallback(() => {
    const now = Date.now();
    lastActivity.current = now;
    setIdleWarningMs(null);
    if (now - lastSent.current < ACTIVITY_EVERY_MS) return;
    lastSent.current = now;
    client.call('session.activity', {}).catch(() => undefined);
  }, [client]);
  useEffect(() => {
    if (!signedIn) return;
    lastActivity.current = Date.now();
    window.addEventListener('pointerdown', onActivity, { passive: true });
    window.addEventListener('keydown', onActivity);
    return () => {
      window.removeEventListener('pointerdown', onActivity);
      window.removeEventListener('keydown', onActivity);
    };
  }, [signedIn, session?.user?.id, onActivity]);

  useEffect(() => {
    setIdleWarningMs(null);
    if (idleTimeoutMs === null) return;
    let signingOut = false;
    const timer = setInterval(() => {
      const c = idleCountdown(Date.now(), lastActivity.current, idleTimeoutMs);
      if (c === null) return;
      setIdleWarningMs(c.warn && c.leftMs > 0 ? c.leftMs : null);
      if (c.leftMs > 0 || signingOut) return;
      signingOut = true;
      client.call('session.signOut', { idle: true }).then(setSession, () => {
        signingOut = false;
      });
    }, IDLE_CHECK_MS);
    return () => clearInterval(timer);
  }, [client, idleTimeoutMs, session?.user?.id]);

  return { session, setSession, idleWarningMs };
}
