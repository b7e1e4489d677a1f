/**
 * OPC UA vocabulary shared by the project file, the driver, the API and the renderer:
 * connection settings by name (the project file says `securityPolicy: Basic256Sha256`, not a URI)
 * and the shapes the browse and certificate API methods answer with.
 */
import type { EpochMs, TagDataType } from './types';

/** subscription (default): the server reports changes; polling: a Read of every tag each scan */
export const opcuaAcquisitionModes = ['subscription', 'polling'] as const;
export type OpcUaAcquisitionMode = (typeof opcuaAcquisitionModes)[number];

export const opcuaSecurityModes = ['None', 'Sign', 'SignAndEncrypt'] as const;
export type OpcUaSecurityMode = (typeof opcuaSecurityModes)[number];

/** the policies Lineside offers; older ones (Basic128Rsa15, Basic256) are deprecated by the OPC Foundation */
export const opcuaSecurityPolicies = ['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'] as const;
export type OpcUaSecurityPolicy = (typeof opcuaSecurityPolicies)[number];

/**
 * A DataChangeFilter deadband: the server reports a change only when the value moved more than
 * `value` (absolute, in the node's units) or `value` percent of the node's EURange (percent).
 */
export interface OpcUaDeadband {
  type: 'absolute' | 'percent';
  value: number;
}

/** A certificate as a technician identifies it: SHA-1 thumbprint (hex, lower case) and subject. */
export interface CertificateSummary {
  thumbprint: string;
  subject: string;
  validFrom: EpochMs;
  validTo: EpochMs;
}

/** The server certificate a device presented, and whether our PKI trusts it. */
export interface ServerCertificateStatus extends CertificateSummary {
  trusted: boolean;
}

export const opcuaNodeClasses = ['Object', 'Variable', 'Method', 'ObjectType', 'VariableType', 'ReferenceType', 'DataType', 'View', 'Unspecified'] as const;
export type OpcUaNodeClass = (typeof opcuaNodeClasses)[number];

export interface OpcUaBrowseNode {
  /** as written in a tag's `address`, e.g. `ns=1;s=Line1.LineSpeed` */
  nodeId: string;
  /** `1:LineSpeed` (namespace index : name) */
  browseName: string;
  displayName: string;
  nodeClass: OpcUaNodeClass;
  /** Variables: the server's data type by name (`Double`, `Int32`, …) */
  dataType?: string;
  /** Variables: the project `dataType` that reads this node, when there is one */
  tagDataType?: TagDataType;
  /** Variables: false when the node cannot be written with the session's user */
  writable?: boolean;
}

export interface OpcUaBrowseResult {
  deviceId: string;
  /** the node whose children these are */
  nodeId: string;
  children: OpcUaBrowseNode[];
  /** more children than MAX_CHILDREN (5000): the rest was left out */
  truncated: boolean;
}

export interface OpcUaTrustResult {
  deviceId: string;
  certificate: CertificateSummary;
  trusted: true;
}

export interface OpcUaCertificates {
  deviceId: string;
  /** the PKI folder on this PC, for the maintenance procedure */
  pkiFolder: string;
  /** Lineside's own client certificate: the PLC's administrator trusts this one */
  own: CertificateSummary | null;
  trusted: CertificateSummary[];
  rejected: CertificateSummary[];
}
