/**
 * Policy of the headless shell, kept apart from the server so it can be tested on its own.
 */
import { timingSafeEqual } from 'node:crypto';
import { contentSecurityPolicy } from './electron-policy';

/** The same policy in both shells: the renderer must not behave differently in a browser. */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy;

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Whether a WebSocket upgrade may proceed. The Host header must name this server (a DNS
 * rebinding page gets its own name there) and the Origin, when a browser sends one, must be
 * this server's own origin: any page the operator's browser opens elsewhere cannot talk to the
 * runtime.
 */
export function checkUpgrade(
  headers: { host?: string; origin?: string },
  /** null when bound to a wildcard address: then the token is what protects */
  allowedHosts: ReadonlySet<string> | null,
): { ok: true } | { ok: false; reason: string } {
  const host = headers.host?.toLowerCase();
  if (!host || (allowedHosts !== null && !allowedHosts.has(host))) return { ok: false, reason: `host ${JSON.stringify(headers.host ?? null)} is not this server` };
  if (headers.origin !== undefined) {
    const origin = headers.origin.toLowerCase();
    if (origin !== `http://${host}` && origin !== `https://${host}`) {
      return { ok: false, reason: `origin ${JSON.stringify(headers.origin)} is not this server's` };
    }
  }
  return { ok: true };
}

export function tokenMatches(expected: string, given: string | null): boolean {
  if (given === null) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function hostsFor(bindHost: string, port: number): Set<string> {
  const hosts = new Set([`${bindHost.toLowerCase()}:${port}`]);
  if (isLoopbackHost(bindHost)) {
    hosts.add(`localhost:${port}`);
    hosts.add(`127.0.0.1:${port}`);
    hosts.add(`[::1]:${port}`);
  }
  return hosts;
}
