/**
 * Policy of the headless shell, kept apart from the server so it can be tested on its own.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
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

/** The shortest token accepted for a non-loopback bind (the generated one has 32 characters). */
export const MIN_TOKEN_LENGTH = 24;
const MIN_DISTINCT_CHARACTERS = 8;

/**
 * Why `token` is too weak to guard a non-loopback bind, or null when it is strong enough: it
 * must have at least MIN_TOKEN_LENGTH characters and not be trivially guessable — at least 8
 * different characters, not a short piece repeated ("abcdabcd…"), not a run with a constant
 * step ("abcdefgh…", "1234…", "zyxw…"). The generated token (24 random bytes) always passes.
 */
export function tokenWeakness(token: string): string | null {
  const chars = [...token];
  const n = chars.length;
  if (n < MIN_TOKEN_LENGTH) return `the token has ${n} character${n === 1 ? '' : 's'}; at least ${MIN_TOKEN_LENGTH} are required`;
  const distinct = new Set(chars).size;
  if (distinct < MIN_DISTINCT_CHARACTERS) return `the token has only ${distinct} different characters; at least ${MIN_DISTINCT_CHARACTERS} are required`;
  for (let period = 1; period <= n / 2; period++) {
    if (chars.every((c, i) => i < period || c === chars[i - period])) return `the token repeats the same ${period} characters`;
  }
  const codes = chars.map((c) => c.codePointAt(0)!);
  const step = codes[1] - codes[0];
  if (codes.every((c, i) => i === 0 || c - codes[i - 1] === step)) return 'the token is a run of consecutive characters';
  return null;
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

export const SESSION_COOKIE = 'lineside_sid';
const SESSION_ID = /^[A-Za-z0-9_-]{32,64}$/;

/** A new session cookie (see serveStatic for why it is set as it is). */
export function sessionCookie(): string {
  return `${SESSION_COOKIE}=${randomBytes(32).toString('base64url')}; HttpOnly; SameSite=Strict; Path=/`;
}

/** The session id the browser's cookie names, or null (none, or not one of ours in form). */
export function sessionIdFrom(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === SESSION_COOKIE) {
      const id = v.join('=');
      return SESSION_ID.test(id) ? id : null;
    }
  }
  return null;
}

/**
 * The CSV export is a download the app's own page starts: a request another site's page makes
 * (a link, a form, a fetch) says so in Sec-Fetch-Site or Origin, and is refused.
 */
export function checkExportRequest(h: { origin?: string; host?: string; fetchSite?: string | string[] }): { ok: true } | { ok: false; reason: string } {
  const site = Array.isArray(h.fetchSite) ? h.fetchSite[0] : h.fetchSite;
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return { ok: false, reason: `a ${site} request may not export (open the export from the app)` };
  if (h.origin !== undefined && h.origin !== 'null') {
    const host = h.host?.toLowerCase();
    const origin = h.origin.toLowerCase();
    if (origin !== `http://${host}` && origin !== `https://${host}`) return { ok: false, reason: `origin ${JSON.stringify(h.origin)} is not this server's` };
  } else if (h.origin === 'null') return { ok: false, reason: 'an opaque origin may not export' };
  return { ok: true };
}
