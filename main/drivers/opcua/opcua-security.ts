/**
 * Security settings by name, as the project file writes them, and the choice of the server
 * endpoint that matches them. A server that does not offer the configured mode and policy is a
 * configuration error worth a clear message listing what it does offer, not a generic
 * "connection rejected".
 */
import { MessageSecurityMode, SecurityPolicy } from 'node-opcua';
import type { OpcUaSecurityMode, OpcUaSecurityPolicy } from '../../../shared/opcua';

export interface SecuritySettings {
  mode: OpcUaSecurityMode;
  policy: OpcUaSecurityPolicy;
}

/** None without a mode; Basic256Sha256 (the widest supported secure policy) when only a mode is given. */
export function resolveSecurity(mode: OpcUaSecurityMode = 'None', policy?: OpcUaSecurityPolicy): SecuritySettings {
  if (mode === 'None') return { mode, policy: 'None' };
  return { mode, policy: policy === undefined || policy === 'None' ? 'Basic256Sha256' : policy };
}

export function messageSecurityMode(mode: OpcUaSecurityMode): MessageSecurityMode {
  return MessageSecurityMode[mode];
}

export function securityPolicyUri(policy: OpcUaSecurityPolicy): SecurityPolicy {
  return SecurityPolicy[policy];
}

/** What an endpoint description offers, as far as the choice is concerned. */
export interface EndpointOffer {
  securityMode: MessageSecurityMode;
  securityPolicyUri: string | null;
  serverCertificate: Buffer | null;
}

export function describeOffer(e: Pick<EndpointOffer, 'securityMode' | 'securityPolicyUri'>): string {
  const policy = (e.securityPolicyUri ?? '').split('#')[1] ?? e.securityPolicyUri ?? '?';
  return `${MessageSecurityMode[e.securityMode] ?? String(e.securityMode)}/${policy}`;
}

/** The endpoint for these settings, or an error text naming what the server offers instead. */
export function selectEndpoint<E extends EndpointOffer>(endpoints: readonly E[], s: SecuritySettings): E | string {
  const mode = messageSecurityMode(s.mode);
  const uri = securityPolicyUri(s.policy);
  const match = endpoints.find((e) => e.securityMode === mode && e.securityPolicyUri === uri);
  if (match) return match;
  const offered = [...new Set(endpoints.map(describeOffer))].join(', ') || 'nothing';
  return `the server offers no ${s.mode}/${s.policy} endpoint (it offers ${offered})`;
}
