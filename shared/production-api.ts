/**
 * The production part of the API contract (shared/api.ts spreads these in): the line live
 * (state, shift progress, A/P/Q/OEE, pending reasons, the shift's timeline and Pareto), KPIs
 * over any range by hour, shift, day or order, downtime reasons, the product, and maintenance
 * requests. docs/production.md.
 */
import { z } from 'zod';
import type { DowntimeEvent, KpiFigures, MaintenanceRequest, MaintenanceState, ParetoEntry, ProductInfo, ReasonNode, RecordedState, StateClass, StateInterval } from './production';
import { maintenanceStates } from './production';
import type { EpochMs } from './types';

const epochMs = z.number().int().nonnegative();
const line = z.string().min(1).max(40).optional();
const id = z.number().int().positive();
const text = z.string().trim().max(2000);
const range = { from: epochMs, to: epochMs };
const ordered = (p: { from: number; to: number }) => p.to > p.from;


/** What a `production` event says changed; `count`: a counter reading counted units (the screen throttles its reloads). */
export type ProductionChange = 'state' | 'downtime' | 'product' | 'maintenance' | 'count';
export const kpiBuckets = ['none', 'hour', 'shift', 'day', 'order'] as const;
export type KpiBucket = (typeof kpiBuckets)[number];

export const productionApiParams = {
  /** lines, products and the reason tree (for pickers) */
  'production.config': z.object({}).strict(),
  /** one line now: the production screen's content (default: the first line) */
  'production.live': z.object({ line }).strict(),
  /** KPIs per bucket over [from, to), and over the whole range */
  'production.kpis': z
    .object({ line, ...range, bucket: z.enum(kpiBuckets).default('shift') })
    .strict()
    .refine(ordered, { message: '`to` must be after `from`', path: ['to'] })
    .refine((p) => p.to - p.from <= 400 * 86_400_000, { message: 'at most 400 days', path: ['to'] }),
  /** the state intervals over [from, to) (a timeline) */
  'production.timeline': z
    .object({ line, ...range })
    .strict()
    .refine(ordered, { message: '`to` must be after `from`', path: ['to'] })
    .refine((p) => p.to - p.from <= 31 * 86_400_000, { message: 'at most 31 days', path: ['to'] }),
  'production.downtime.list': z
    .object({
      line,
      from: epochMs.optional(),
      to: epochMs.optional(),
      /** pending: needs a reason (closed or open past the minor-stop threshold) */
      status: z.enum(['open', 'minor', 'pending', 'done']).optional(),
      limit: z.number().int().min(1).max(2000).default(200),
    })
    .strict(),
  /** a leaf of the reason tree; a second call is a correction (on record) */
  'production.downtime.setReason': z.object({ id, reasonCode: z.string().min(1).max(40), comment: text.optional() }).strict(),
  /** split at `at` (inside the event): two events, each with the reason it had */
  'production.downtime.split': z.object({ id, at: epochMs }).strict(),
  'production.downtime.comment': z.object({ id, text: text.pipe(z.string().min(1, 'give the comment')) }).strict(),
  /** the product (and order) made from now on */
  'production.product.set': z.object({ line, product: z.string().min(1).max(40), order: z.string().trim().max(60).optional() }).strict(),
  /** by hand, from an alarm (carries the alarm and a trend range) or from a breakdown stop */
  'maintenance.create': z
    .object({
      line,
      source: z.enum(['manual', 'alarm', 'downtime']).default('manual'),
      alarmId: z.string().min(1).max(200).optional(),
      downtimeId: id.optional(),
      title: z.string().trim().min(3, 'give a title (at least 3 characters)').max(200).optional(),
      description: text.default(''),
      priority: z.number().int().min(1).max(4).default(3),
    })
    .strict()
    .refine((p) => p.source !== 'alarm' || p.alarmId !== undefined, { message: 'a request from an alarm names the alarm', path: ['alarmId'] })
    .refine((p) => p.source !== 'downtime' || p.downtimeId !== undefined, { message: 'a request from a stop names the downtime event', path: ['downtimeId'] })
    .refine((p) => p.source !== 'manual' || p.title !== undefined, { message: 'give a title', path: ['title'] }),
  'maintenance.list': z
    .object({ line, state: z.enum(maintenanceStates).optional(), open: z.boolean().optional(), limit: z.number().int().min(1).max(1000).default(100), beforeId: id.optional() })
    .strict(),
  'maintenance.get': z.object({ id }).strict(),
  /** open → acknowledged → inProgress → done; cancelled from any but done */
  'maintenance.transition': z
    .object({ id, to: z.enum(maintenanceStates).exclude(['open']), comment: text.default(''), runId: id.optional() })
    .strict(),
} as const;

export interface ProductionLineInfo {
  id: string;
  name: string;
  stateTag: string;
  /** the product comes from a tag (operators may still set it) */
  productFromTag: boolean;
}

export interface ProductionConfig {
  lines: ProductionLineInfo[];
  products: ProductInfo[];
  reasons: ReasonNode[];
  minorStopMs: number;
  shiftStarts: string[];
}

export interface ProductionLive {
  line: string;
  now: EpochMs;
  state: RecordedState;
  stateClass: StateClass;
  /** since when in this state, and for how long */
  since: EpochMs;
  durationMs: number;
  faultCode: number | null;
  product: string | null;
  productName: string | null;
  order: string | null;
  /** ideal rate of the product, units per minute */
  idealRatePerMin: number | null;
  shift: { from: EpochMs; to: EpochMs; label: string };
  /** this shift so far */
  kpis: KpiFigures;
  /** units the shift would make at the ideal rate over its planned busy time so far, and by its end */
  target: { now: number; atShiftEnd: number };
  /** stops waiting for a reason (oldest first), and the open one */
  pending: DowntimeEvent[];
  openStop: DowntimeEvent | null;
  timeline: StateInterval[];
  pareto: ParetoEntry[];
  openMaintenance: number;
}

export interface ProductionKpis {
  line: string;
  bucket: KpiBucket;
  buckets: KpiFigures[];
  total: KpiFigures;
  pareto: ParetoEntry[];
  /** ms the computation took */
  tookMs: number;
}

export interface ProductionApiResults {
  'production.config': ProductionConfig;
  'production.live': ProductionLive;
  'production.kpis': ProductionKpis;
  'production.timeline': { line: string; intervals: StateInterval[] };
  'production.downtime.list': DowntimeEvent[];
  'production.downtime.setReason': DowntimeEvent;
  'production.downtime.split': DowntimeEvent[];
  'production.downtime.comment': DowntimeEvent;
  'production.product.set': ProductionLive;
  'maintenance.create': MaintenanceRequest;
  'maintenance.list': MaintenanceRequest[];
  'maintenance.get': MaintenanceRequest;
  'maintenance.transition': MaintenanceRequest;
}

export interface ProductionApiEvents {
  /** the line's state, a stop or a maintenance request changed: fetch production.live again */
  production: { line: string; what: ProductionChange; state: RecordedState };
}

export type { MaintenanceState };
