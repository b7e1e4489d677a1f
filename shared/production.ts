/**
 * Production at the line, as the runtime and the renderer both see it: machine states and the
 * classes they count in, loss classes (the six big losses), downtime events, KPIs and
 * maintenance requests. docs/production.md has the definitions and formulas.
 */
import type { EpochMs } from './types';

/** What a line is doing, from its state tag (project `production.lines[].state`). */
export const machineStates = ['running', 'idle', 'starved', 'blocked', 'fault', 'plannedStop', 'changeover', 'off'] as const;
export type MachineStateName = (typeof machineStates)[number];
/** A state as recorded: `unknown` while the state tag is not good or the app was not running. */
export type RecordedState = MachineStateName | 'unknown';

/**
 * How a state's time counts (ISO 22400):
 * - run: production time (availability's numerator)
 * - down: unplanned downtime, inside planned busy time
 * - planned: planned downtime, taken out of planned busy time
 * - off: not planned to produce (outside planned time)
 * - unknown: the state is not known (bad quality, app not running): outside the KPIs, reported apart
 */
export const stateClasses = ['run', 'down', 'planned', 'off', 'unknown'] as const;
export type StateClass = (typeof stateClasses)[number];

export const defaultStateClasses: Record<MachineStateName, Exclude<StateClass, 'unknown'>> = {
  running: 'run',
  idle: 'down',
  starved: 'down',
  blocked: 'down',
  fault: 'down',
  plannedStop: 'planned',
  changeover: 'down',
  off: 'off',
};

/** The six big losses. */
export const lossClasses = ['breakdown', 'setup', 'minorStop', 'reducedSpeed', 'startupReject', 'processDefect'] as const;
export type LossClass = (typeof lossClasses)[number];

/** One node of the reason tree as the picker shows it (leaves are selectable). */
export interface ReasonNode {
  code: string;
  name: string;
  category: 'planned' | 'unplanned';
  /** on leaves */
  lossClass: LossClass | null;
  /** choosing it opens a maintenance request */
  requestsMaintenance: boolean;
  children: ReasonNode[];
}

export interface ProductInfo {
  code: string;
  name: string;
  /** seconds per unit at the ideal rate */
  idealCycleS: number;
}

/**
 * A downtime event's status:
 * - open: the line has not run again yet (a reason can be given already)
 * - minor: shorter than the minor-stop threshold: a performance loss, no reason needed
 * - pending: longer, no reason yet (the operator must give one)
 * - done: has a reason
 */
export type DowntimeStatus = 'open' | 'minor' | 'pending' | 'done';

export interface DowntimeEvent {
  id: number;
  line: string;
  start: EpochMs;
  /** null while open */
  end: EpochMs | null;
  durationMs: number;
  /** the state the line left running for */
  state: RecordedState;
  faultCode: number | null;
  status: DowntimeStatus;
  minor: boolean;
  reasonCode: string | null;
  reasonName: string | null;
  category: 'planned' | 'unplanned' | null;
  lossClass: LossClass | null;
  /** who set the reason: a user id, or `auto` (fault code or state mapping) */
  reasonBy: string | null;
  reasonAt: EpochMs | null;
  comment: string;
  /** the event this one was split off */
  splitFrom: number | null;
  /** corrections and splits on record, oldest first */
  history: { ts: EpochMs; user: string; kind: 'reason' | 'correction' | 'split' | 'comment'; from: string | null; to: string | null }[];
}

/** Figures over one time range (a bucket). Times in ms; ratios 0..1 (null when undefined). */
export interface KpiFigures {
  from: EpochMs;
  to: EpochMs;
  /** a bucket's label: "2026-03-29 06:00" (shift), "14:00" (hour), the order/product */
  label: string;
  /** planned time = all minus off and unknown */
  plannedMs: number;
  plannedDowntimeMs: number;
  /** planned busy time (PBT) = planned time − planned downtime */
  plannedBusyMs: number;
  /** production time (APT): running plus minor stops */
  runMs: number;
  /** unplanned downtime, minor stops excluded */
  downMs: number;
  minorStopMs: number;
  offMs: number;
  unknownMs: number;
  total: number;
  good: number;
  reject: number;
  /** units at the ideal rate in the run time: runMs / ideal cycle time */
  idealCount: number;
  /** units at the ideal rate over planned busy time (the target) */
  targetCount: number;
  availability: number | null;
  performance: number | null;
  quality: number | null;
  oee: number | null;
  /** ms of each loss; quality losses as the time their units took at the ideal rate */
  losses: Record<LossClass, number> & { unassigned: number };
  stops: number;
  failures: number;
  /** mean time between failures (run time / failures), mean time to repair; null without failures */
  mtbfMs: number | null;
  mttrMs: number | null;
}

export interface ParetoEntry {
  /** null: no reason yet; `minor`: the minor stops together */
  reasonCode: string | null;
  name: string;
  lossClass: LossClass | null;
  count: number;
  durationMs: number;
  /** cumulative share of the downtime, 0..1 */
  cumulative: number;
}

export interface StateInterval {
  start: EpochMs;
  end: EpochMs | null;
  state: RecordedState;
  cls: StateClass;
}

export const maintenanceStates = ['open', 'acknowledged', 'inProgress', 'done', 'cancelled'] as const;
export type MaintenanceState = (typeof maintenanceStates)[number];

export interface MaintenanceRequest {
  id: number;
  line: string;
  title: string;
  description: string;
  /** 1 urgent … 4 low */
  priority: number;
  source: 'alarm' | 'downtime' | 'manual';
  alarm: { id: string; message: string; priority: number | null; value: string | number | boolean | null; activeSince: EpochMs | null } | null;
  /** the trend to look at: the tags around the alarm or the stop, and the range */
  trend: { tagIds: string[]; from: EpochMs; to: EpochMs } | null;
  downtimeId: number | null;
  state: MaintenanceState;
  createdAt: EpochMs;
  createdBy: string;
  updatedAt: EpochMs;
  /** who acknowledged / works on it */
  assignee: string | null;
  /** the work-instruction run that did the work */
  runId: number | null;
  closedAt: EpochMs | null;
  history: { ts: EpochMs; user: string; from: MaintenanceState | null; to: MaintenanceState; comment: string }[];
}
