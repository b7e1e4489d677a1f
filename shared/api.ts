/**
 * The one API contract between the runtime and the renderer. Both shells (Electron IPC and the
 * headless WebSocket) carry exactly these methods and events; the renderer talks to one
 * `LinesideClient` and does not know which shell it runs in.
 *
 * Every method's params are validated by its schema on the runtime side before it runs,
 * whatever the transport. Results are plain JSON data.
 */
import { z } from 'zod';
import type { AuditEntry, DeviceStatus, EpochMs, ScanConfirmation, TagInfo, TagScalar, TagValue } from './types';
import type { OpcUaBrowseResult, OpcUaCertificates, OpcUaTrustResult } from './opcua';
import { alarmApiParams, type AlarmApiEvents, type AlarmApiResults } from './alarm-api';
import { syncApiParams, type SyncApiResults } from './sync-api';
import { trendApiParams, type TrendApiResults } from './trend-api';
import { securityApiParams, type SecurityApiEvents, type SecurityApiResults } from './security-api';
import { instructionApiParams, type InstructionApiEvents, type InstructionApiResults } from './instructions-api';
import { instructionPackageApiParams, type InstructionPackageApiResults } from './instruction-packages-api';
import { productionApiParams, type ProductionApiEvents, type ProductionApiResults } from './production-api';
import type { SignatureInput } from './security';
import { eventNames as eventNameList, methodNames as methodNameList, type MethodName as ChannelMethodName, type PdfSaveResult } from './api-channels';

export { IPC_EVENT_CHANNEL, IPC_PRINT_PDF_CHANNEL, ipcChannelFor, safePdfFileName, type PdfSaveResult } from './api-channels';

const tagId = z.string().min(1).max(200);
const epochMs = z.number().int().nonnegative();

export const scenarioNames = ['bearingWear', 'stuckSensor', 'jam'] as const;
export type ScenarioName = (typeof scenarioNames)[number];

/** Where bucketed history comes from: raw samples, 1-minute or 1-hour rollups ('auto' picks). */
export const historyResolutions = ['auto', 'raw', '1m', '1h'] as const;
export type HistoryResolution = Exclude<(typeof historyResolutions)[number], 'auto'>;

export const apiParams = {
  ...alarmApiParams,
  ...syncApiParams,
  ...trendApiParams,
  ...securityApiParams,
  ...instructionApiParams,
  ...instructionPackageApiParams,
  ...productionApiParams,
  'app.info': z.object({}).strict(),
  'tags.list': z.object({}).strict(),
  'values.snapshot': z.object({ tagIds: z.array(tagId).max(100_000).optional() }).strict(),
  'history.query': z
    .object({
      tagId,
      from: epochMs,
      to: epochMs,
      maxPoints: z.number().int().min(2).max(20_000),
    })
    .strict()
    .refine((p) => p.to > p.from, { message: '`to` must be after `from`', path: ['to'] }),
  'history.buckets': z
    .object({
      tagIds: z.array(tagId).min(1).max(64),
      from: epochMs,
      to: epochMs,
      buckets: z.number().int().min(1).max(20_000),
      resolution: z.enum(historyResolutions).optional(),
    })
    .strict()
    .refine((p) => p.to > p.from, { message: '`to` must be after `from`', path: ['to'] }),
  'history.status': z.object({}).strict(),
  'devices.list': z.object({}).strict(),
  'simulator.status': z.object({}).strict(),
  'simulator.setScenario': z
    .object({ scenario: z.enum(scenarioNames), on: z.boolean() })
    .strict(),
  'simulator.dropout': z.object({ seconds: z.number().positive().max(3600) }).strict(),
  'tags.write': z.object({ tagId, value: z.union([z.number().finite(), z.boolean(), z.string().max(1000)]) }).strict(),
  'audit.recent': z.object({ limit: z.number().int().min(1).max(1000).default(100), target: z.string().max(200).optional() }).strict(),
  /** OPC UA: the children of a node (default the Objects folder), for picking tags */
  'opcua.browse': z.object({ deviceId: tagId, nodeId: z.string().min(1).max(500).optional() }).strict(),
  /** OPC UA: our client certificate and the server certificates trusted and rejected */
  'opcua.certificates': z.object({ deviceId: tagId }).strict(),
  /** OPC UA: trust a rejected server certificate (engineer action; on record in the audit trail) */
  'opcua.trustCertificate': z
    .object({ deviceId: tagId, thumbprint: z.string().regex(/^[0-9A-Fa-f:\s]{40,59}$/, 'must be a SHA-1 thumbprint (40 hex digits)') })
    .strict(),
} as const;

/**
 * Raw samples as CSV, streamed by the shell (HTTP download in the headless shell); not an API
 * call, since the answer can be larger than any message. Validated like one.
 */
export const exportSamplesParams = z
  .object({
    tagIds: z.array(tagId).min(1).max(100),
    from: epochMs,
    to: epochMs,
  })
  .strict()
  .refine((p) => p.to > p.from, { message: '`to` must be after `from`', path: ['to'] });
export type ExportSamplesParams = z.output<typeof exportSamplesParams>;

export type MethodName = keyof typeof apiParams;
export const methodNames: readonly MethodName[] = methodNameList;
// Both directions: every schema has a name in api-channels.ts and every name a schema.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const namesMatch: Same<MethodName, ChannelMethodName> = true;
void namesMatch;
export type ParamsOf<M extends MethodName> = z.input<(typeof apiParams)[M]>;
/** Params after validation, defaults applied: what the runtime's handlers receive. */
export type ParsedParamsOf<M extends MethodName> = z.output<(typeof apiParams)[M]>;

export interface AppInfo {
  product: 'Lineside';
  version: string;
  shell: 'electron' | 'headless';
  projectName: string;
  projectFile: string;
  simulator: boolean;
  startedAt: EpochMs;
  /** the largest rate at which the runtime pushes value frames */
  frameIntervalMs: number;
  /** local times ("HH:MM") at which shifts start, from the project (default 06:00, 14:00, 22:00) */
  shiftStarts: string[];
  /** the project's `display:` section */
  display: DisplaySettings;
}

/** How screens write dates and times, and the Overview's machine graphic (docs/screens.md). */
export interface DisplaySettings {
  /** iso: 2026-12-04 14:05:09; locale: the locale's own order and separators */
  dateFormat: 'iso' | 'locale';
  /** BCP 47; null: the station's */
  locale: string | null;
  hour12: boolean;
  /** the line's units left to right */
  graphic: GraphicUnit[];
}

export interface GraphicUnit {
  id: string;
  label: string;
  /** a tag whose value, in its state words, is the unit's state */
  state: string | null;
  /** label null: the tag's name */
  values: { tag: string; label: string | null }[];
}

/** Values over time for one tag. `v[i]` is null where the value was not good: a gap. */
export interface HistorySeries {
  tagId: string;
  from: EpochMs;
  to: EpochMs;
  t: EpochMs[];
  v: (number | null)[];
  /** true when the points were reduced (min/max per bucket) to fit maxPoints */
  decimated: boolean;
}

/** One tag's statistics per bucket; null where no good value was in force (a gap). */
export interface HistoryBucketSeries {
  tagId: string;
  min: (number | null)[];
  max: (number | null)[];
  first: (number | null)[];
  last: (number | null)[];
  /** time-weighted average of the value in force (step-hold between samples) */
  avg: (number | null)[];
}

/** Several tags over one time range, in buckets that start at `t[i]` and last `bucketMs`. */
export interface HistoryBuckets {
  from: EpochMs;
  to: EpochMs;
  resolution: HistoryResolution;
  bucketMs: number;
  t: EpochMs[];
  series: HistoryBucketSeries[];
}

/** The historian's health: whether it writes, what waits, what was lost, how far back data goes. */
export interface HistorianStatus {
  state: 'ok' | 'error';
  /** why it cannot write (e.g. `disk_full`), since when; samples wait in memory meanwhile */
  error: { code: string; message: string; since: EpochMs } | null;
  writer: 'worker' | 'inline';
  pendingSamples: number;
  /** samples dropped (oldest first) because more than the bound waited for a commit */
  droppedSamples: number;
  storedSamples: number;
  usedBytes: number;
  quotaBytes: number | null;
  /** per tag, the oldest time still available as raw samples and as rollups */
  oldest: { tagId: string; raw: EpochMs | null; rollup1m: EpochMs | null; rollup1h: EpochMs | null }[];
}

export interface SimulatorStatus {
  scenarios: Record<ScenarioName, boolean>;
  dropoutUntil: EpochMs | null;
  endpoints: { modbusTcp: string; opcua: string };
}

/** The outcome of an operator write: written, and read back from the device. */
export interface TagWriteResult {
  tagId: string;
  requested: TagScalar;
  /** what the device holds after the write; null when it could not be read back */
  readBack: TagScalar | null;
  /** the read-back matches the request (within what the device's data type can hold) */
  verified: boolean;
  ts: EpochMs;
}

export interface ApiResults extends AlarmApiResults, SyncApiResults, TrendApiResults, SecurityApiResults, InstructionApiResults, InstructionPackageApiResults, ProductionApiResults {
  'app.info': AppInfo;
  'tags.list': TagInfo[];
  'values.snapshot': TagValue[];
  'history.query': HistorySeries;
  'history.buckets': HistoryBuckets;
  'history.status': HistorianStatus;
  'devices.list': DeviceStatus[];
  'simulator.status': SimulatorStatus | null;
  'simulator.setScenario': SimulatorStatus;
  'simulator.dropout': SimulatorStatus;
  'tags.write': TagWriteResult;
  'audit.recent': AuditEntry[];
  'opcua.browse': OpcUaBrowseResult;
  'opcua.certificates': OpcUaCertificates;
  'opcua.trustCertificate': OpcUaTrustResult;
}
export type ResultOf<M extends MethodName> = ApiResults[M];

/** What the runtime pushes. Values come as coalesced frames, never one message per value. */
export interface ApiEvents extends AlarmApiEvents, SecurityApiEvents, InstructionApiEvents, ProductionApiEvents {
  values: { values: TagValue[] };
  devices: { devices: DeviceStatus[] };
  /** once a second: how fresh each scan group's readings are (values' age on screen) */
  confirmations: { groups: ScanConfirmation[] };
}
export type EventName = keyof ApiEvents;
export const eventNames: readonly EventName[] = eventNameList;
export type ApiEvent = { [E in EventName]: { event: E; data: ApiEvents[E] } }[EventName];

export type ApiErrorCode =
  | 'bad_request'
  | 'unknown_method'
  | 'not_found'
  | 'forbidden'
  /** the project asks for an electronic signature (or a second person's verification) first;
   *  context: kind, meaning, commentRequired, verifierRoles (comma-separated), rule */
  | 'signature_required'
  /** the credentials given (sign-in, signature, unlock) were not accepted */
  | 'unauthenticated'
  /** the request was understood and checked, and refused (limits, device state, quality) */
  | 'refused'
  /** the device did not carry out the request */
  | 'failed'
  | 'unavailable'
  | 'internal';

/** Errors cross the API as data, never as thrown strings. */
export interface ApiErrorData {
  code: ApiErrorCode;
  message: string;
  context?: Record<string, string | number | boolean | null>;
}

export type ApiReply<T> = { ok: true; result: T } | { ok: false; error: ApiErrorData };

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly context: ApiErrorData['context'];
  constructor(data: ApiErrorData) {
    super(data.message);
    this.name = 'ApiError';
    this.code = data.code;
    this.context = data.context;
  }
  toData(): ApiErrorData {
    return this.context === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, context: this.context };
  }
}

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(apiParams, name);
}

/**
 * Validates a method's params; the error names each offending field.
 * Used by the runtime for every call, whichever shell carried it.
 */
export function parseParams<M extends MethodName>(method: M, params: unknown): z.output<(typeof apiParams)[M]> {
  const result = apiParams[method].safeParse(params ?? {});
  if (!result.success) {
    const detail = result.error.issues
      .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(params)'}: ${i.message}`)
      .join('; ');
    throw new ApiError({ code: 'bad_request', message: `${method}: invalid params: ${detail}`, context: { method } });
  }
  return result.data as z.output<(typeof apiParams)[M]>;
}

/** The one interface the renderer uses, implemented over IPC (Electron) or WebSocket (headless). */
/** What may go with a call besides its params: an electronic signature. */
export interface CallOptions {
  signature?: SignatureInput;
}

export interface LinesideClient {
  call<M extends MethodName>(method: M, params: ParamsOf<M>, options?: CallOptions): Promise<ResultOf<M>>;
  on<E extends EventName>(event: E, listener: (data: ApiEvents[E]) => void): () => void;
  /** connection state of the transport itself (the WebSocket can drop; IPC cannot) */
  onConnection(listener: (connected: boolean) => void): () => void;
}

/** What the Electron preload exposes on `window.lineside`: one function per method, nothing else. */
export type PreloadBridge = {
  [M in MethodName]: (params: ParamsOf<M>, options?: CallOptions) => Promise<ApiReply<ResultOf<M>>>;
} & {
  onEvent(listener: (event: ApiEvent) => void): () => void;
  /** Electron only: the window's page as a PDF (Chromium's printToPDF), saved where the user picks. */
  printToPdf(fileName: string): Promise<PdfSaveResult>;
};
