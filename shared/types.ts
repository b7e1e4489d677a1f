import type { Quality } from './quality';
import type { OpcUaAcquisitionMode, OpcUaSecurityMode, OpcUaSecurityPolicy, ServerCertificateStatus } from './opcua';

/** Epoch milliseconds, UTC. */
export type EpochMs = number;

export type TagScalar = number | boolean | string;

/** Every value carries its truth: quality, the device's timestamp and ours. */
export interface TagValue {
  tagId: string;
  /** null only before the first read; afterwards the last value is held and its quality says why */
  value: TagScalar | null;
  quality: Quality;
  /** when the device says the value was sampled (OPC UA SourceTimestamp), or when we read it */
  sourceTs: EpochMs;
  /** when the runtime received or last re-qualified it */
  ts: EpochMs;
}

export type TagDataType =
  | 'bool'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64'
  | 'string';

export interface TagInfo {
  id: string;
  name: string;
  description: string;
  deviceId: string;
  dataType: TagDataType;
  units: string;
  scanMs: number;
  /** engineering range, for scales and trend axes */
  min?: number;
  max?: number;
  /** the normal operating band (ISA-101), drawn behind the tag's trend pen */
  normalLow?: number;
  normalHigh?: number;
  decimals: number;
  /** value → text for a state or code tag ("2" → "Running") */
  states?: Record<string, string>;
  /** a boolean's words instead of ON / OFF */
  labels?: { on: string; off: string };
  writable: boolean;
  /** writes need `tags.write` or `tags.write:<writeArea>` (shared/security.ts) */
  writeArea?: string;
  /** the protocol address as written in the project, for diagnostics */
  address: string;
}

/**
 * How fresh the readings of one device's scan rate are: when a read (a poll answered, or a
 * subscription answering from a live connection) last confirmed them. A good value's age is
 * counted from here, not from its last change.
 */
export interface ScanConfirmation {
  deviceId: string;
  scanMs: number;
  confirmedAt: EpochMs | null;
}

export type DeviceState = 'connecting' | 'online' | 'degraded' | 'backoff' | 'stopped';

export interface DeviceStatus {
  deviceId: string;
  name: string;
  protocol: 'modbus-tcp' | 'modbus-rtu' | 'opcua';
  endpoint: string;
  state: DeviceState;
  lastError: string | null;
  lastErrorTs: EpochMs | null;
  requests: number;
  errors: number;
  /** requests that got no answer in time */
  timeouts: number;
  reconnects: number;
  /** response times over the last (up to 1000) answered requests */
  responseMs: { p50: number; p95: number; p99: number; max: number; samples: number } | null;
  /** when the device last answered a request */
  lastOkTs: EpochMs | null;
  /** OPC UA (secure modes): the server's certificate as last presented, and whether it is trusted */
  certificate?: ServerCertificateStatus;
  /** OPC UA: how values arrive on the current connection */
  acquisition?: DeviceAcquisition;
}

/** OPC UA: subscription (the server reports changes) or polling (a Read per scan). */
export interface DeviceAcquisition {
  mode: OpcUaAcquisitionMode;
  /** nodes served by monitored items / by Reads (refused monitored items are read instead) */
  monitoredItems: number;
  polledItems: number;
  /** why polling replaces what was configured, e.g. "CreateSubscription refused: BadTooManySubscriptions" */
  fallback: string | null;
  securityMode: OpcUaSecurityMode;
  securityPolicy: OpcUaSecurityPolicy;
}

/** Who acts, from where, under which signature: what every record of an action carries. */
export interface Actor {
  /** the user id, or "(viewer)" when nobody is signed in */
  user: string;
  station: string;
  signatureId: number | null;
}

export type AuditOutcome = 'done' | 'refused' | 'failed' | 'unverified';

/** One action on record: who did what to which target, when, and how it ended. */
export interface AuditEntry {
  id: number;
  ts: EpochMs;
  user: string;
  action: string;
  target: string;
  oldValue: TagScalar | null;
  newValue: TagScalar | null;
  outcome: AuditOutcome;
  detail: string;
  /** where the action was taken: the desktop window, or the browser's address */
  station: string;
  /** the reason or comment the person gave */
  reason: string;
  /** the signature that went with the action: printed name, time, meaning */
  signature: { id: number; userId: string; printedName: string; meaning: string; ts: EpochMs; verifiedBy: string | null } | null;
  /** SHA-256 (hex) over the record's canonical content and the previous record's hash */
  hash: string;
}
