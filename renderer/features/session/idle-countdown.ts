/** How long before the idle sign-out the screen warns (touch anywhere to stay signed in). */
export const IDLE_WARNING_MS = 60_000;

/**
 * Where the idle sign-out stands: `null` when none applies (nobody signed in, or a role that is
 * never signed out), otherwise the ms left (≤ 0: due now) and whether to warn.
 */
export function idleCountdown(now: number, lastActivity: number, idleTimeoutMs: number | null): { leftMs: number; warn: boolean } | null {
  if (idleTimeoutMs === null) return null;
  const leftMs = lastActivity + idleTimeoutMs - now;
  return { leftMs, warn: leftMs <= IDLE_WARNING_MS };
}
