import { createContext, useContext, type ReactNode } from 'react';
import type { PermissionName, SessionState } from '../../shared/security';
import { may, type May } from './permission';

const SessionContext = createContext<SessionState | null>(null);

/** The screen's session, for every feature that shows or hides an action by permission. */
export function SessionProvider({ session, children }: { session: SessionState | null; children: ReactNode }) {
  return <SessionContext value={session}>{children}</SessionContext>;
}

export function useSessionState(): SessionState | null {
  return useContext(SessionContext);
}

/** Whether the signed-in person may do this (and why not): for hiding and greying out only. */
export function useMay(permission: PermissionName, area?: string | null): May {
  return may(useContext(SessionContext), permission, area);
}
