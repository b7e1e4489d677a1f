/**
 * node-opcua reports a refusal as an Error whose message names the StatusCode
 * ("BadUserAccessDenied (0x801f0000)", " serviceResult = BadTooManySessions (0x80560000)").
 * These helpers find that name and say, in a technician's words, what to do about it.
 */
import type { Clock } from '../../util/clock';
import { errorText } from '../connection-supervisor';
import { DriverError } from '../driver';

/** The OPC UA status name in an error, e.g. "BadTooManySessions", or null. */
export function statusNameIn(err: unknown): string | null {
  const m = /\b((?:Bad|Uncertain)[A-Z][A-Za-z0-9]*)\b/.exec(errorText(err));
  return m ? m[1] : null;
}

/** Refusals after which subscriptions are not tried again on this connection: poll instead. */
const NO_SUBSCRIPTIONS = new Set([
  'BadServiceUnsupported',
  'BadNotSupported',
  'BadNotImplemented',
  'BadTooManySubscriptions',
  'BadTooManyMonitoredItems',
  'BadTooManyOperations',
]);

export function refusesSubscriptions(err: unknown): string | null {
  const name = statusNameIn(err);
  return name !== null && NO_SUBSCRIPTIONS.has(name) ? name : null;
}

const ADVICE: Record<string, string> = {
  BadUserAccessDenied: 'the server refused the user name or password',
  BadIdentityTokenInvalid: 'the server refused the user identity',
  BadIdentityTokenRejected: 'the server refused the user identity (wrong user name or password, or that kind of login is not allowed)',
  BadTooManySessions: 'the server has no free session left (another client, or sessions of an earlier connection not yet timed out)',
  BadSecurityChecksFailed: 'the server refused our client certificate: trust the Lineside client certificate on the server',
  BadCertificateUntrusted: 'the certificate is not trusted',
  BadCertificateTimeInvalid: 'the certificate has expired or is not yet valid (check the clocks)',
  BadCertificateUriInvalid: 'the certificate does not match the application URI',
  BadSecurityPolicyRejected: 'the server refused the security policy',
  BadTcpEndpointUrlInvalid: 'the server does not know this endpoint URL',
};

/** "BadTooManySessions: the server has no free session left (…)" — or the error's own text. */
export function describeOpcUaError(err: unknown): string {
  const name = statusNameIn(err);
  if (name && ADVICE[name]) return `${name}: ${ADVICE[name]}`;
  return errorText(err).replace(/\s+/g, ' ').trim();
}

/** Rejects with a DriverError('timeout') when `p` takes longer than `ms` on the injected clock. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string, clock: Clock): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = clock.setTimeout(() => reject(new DriverError('timeout', `${what}: no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clock.clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clock.clearTimeout(t);
        reject(e);
      },
    );
  });
}
