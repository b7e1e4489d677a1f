export const RECONNECT_MIN_MS = 500;
export const RECONNECT_MAX_MS = 5_000;

/** Exponential backoff: 0.5 s, 1 s, 2 s, 4 s, then 5 s for every later attempt. */
export function reconnectDelayMs(failedAttempts: number): number {
  const exponent = Math.max(0, Math.min(failedAttempts, 16));
  return Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** exponent);
}
