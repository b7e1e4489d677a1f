/**
 * Alarms on the wire and in the project file: definitions, the ISA-18.2 states (the state
 * machine itself is main/alarms/alarm-state.ts), journal entries and KPIs. No Node, no DOM.
 */
import type { EpochMs, TagScalar } from './types';

/** ISA-18.2 priorities: 1 is the most urgent. Each has a colour and a shape in the UI. */
export const alarmPriorities = [1, 2, 3, 4] as const;
export type AlarmPriority = (typeof alarmPriorities)[number];
export const ALARM_PRIORITY_NAMES: Record<AlarmPriority, string> = { 1: 'Urgent', 2: 'High', 3: 'Medium', 4: 'Low' };

// ── definitions (project file) ──────────────────────────────────────────────────────────────

/** A condition on one tag: "the machine runs" (State = 2), "the line is stopped", … */
export type AlarmTagCondition =
  | { tag: string; equals: TagScalar }
  | { tag: string; notEquals: TagScalar }
  | { tag: string; in: TagScalar[] }
  | { tag: string; above: number }
  | { tag: string; below: number };

export const alarmTypes = [
  'high',
  'highHigh',
  'low',
  'lowLow',
  'deviation',
  'rateOfChange',
  'discrete',
  'badQuality',
  'commLoss',
  'stuck',
  'baseline',
] as const;
export type AlarmType = (typeof alarmTypes)[number];
export type AlarmDirection = 'above' | 'below' | 'both';

interface AlarmCommon {
  id: string;
  priority: AlarmPriority;
  message: string;
  /** what the operator should do */
  response?: string;
  /** a response procedure: an id or URL (work instructions link here later) */
  procedure?: string;
  /** stays annunciated after returning to normal until an operator resets it */
  latched: boolean;
  onDelayS: number;
  offDelayS: number;
  /** plant area for filtering; default the project's line */
  area?: string;
  /** suppressed by design while this holds (e.g. the machine is stopped) */
  suppressWhen?: AlarmTagCondition;
  /** the longest an operator may shelve this alarm; default the project's maximum */
  maxShelveS?: number;
}

export type LimitAlarmDefinition = AlarmCommon & { type: 'high' | 'highHigh' | 'low' | 'lowLow'; tag: string; limit: number; deadband: number };
export type DeviationAlarmDefinition = AlarmCommon & {
  type: 'deviation';
  tag: string;
  setpointTag: string;
  /** |value − setpoint| (or one side of it) at or beyond this is abnormal */
  limit: number;
  deadband: number;
  direction: AlarmDirection;
};
export type RateAlarmDefinition = AlarmCommon & {
  type: 'rateOfChange';
  tag: string;
  /** engineering units per second */
  limitPerS: number;
  /** the rate is measured over this window, so single noisy samples do not count */
  windowS: number;
  deadband: number;
  direction: AlarmDirection;
};
export type DiscreteAlarmDefinition = AlarmCommon & {
  type: 'discrete';
  tag: string;
  /** active while the tag equals this */
  equals?: TagScalar;
  /** active while the tag differs from this */
  notEquals?: TagScalar;
  /** active while this bit (0 = least significant) of an integer tag is set */
  bit?: number;
};
export type BadQualityAlarmDefinition = AlarmCommon & { type: 'badQuality'; tag: string; includeUncertain: boolean };
export type CommLossAlarmDefinition = AlarmCommon & { type: 'commLoss'; device: string };
export type StuckAlarmDefinition = AlarmCommon & {
  type: 'stuck';
  tag: string;
  /** the sensor's noise band: a live sensor moves more than this (peak to peak) within forS */
  band: number;
  forS: number;
  /** only while the machine runs; without it, always */
  runningWhen?: AlarmTagCondition;
};
export type BaselineAlarmDefinition = AlarmCommon & {
  type: 'baseline';
  tag: string;
  /** the machine state the baseline is learned for (one baseline per value of this tag) */
  stateTag: string;
  /** only in these states; default every state */
  states?: TagScalar[];
  /** the operating point the value depends on (a speed setpoint): one baseline per state and per contextStep of it */
  contextTag?: string;
  contextStep?: number;
  /** deviation from the baseline, in percent of the baseline */
  percent: number;
  /** percentage points the deviation must fall below `percent` to clear */
  deadband: number;
  direction: AlarmDirection;
  /** time constant of the rolling baseline */
  tauS: number;
  /** time constant of the smoothing applied to the value before comparing */
  smoothS: number;
  /** time learned in a state before the baseline may alarm */
  learnS: number;
  /** ignored after each change of state (start-up transients) */
  settleS: number;
};

export type AlarmDefinition =
  | LimitAlarmDefinition
  | DeviationAlarmDefinition
  | RateAlarmDefinition
  | DiscreteAlarmDefinition
  | BadQualityAlarmDefinition
  | CommLossAlarmDefinition
  | StuckAlarmDefinition
  | BaselineAlarmDefinition;

export interface AlarmSettings {
  /** shortest and longest shelve an operator may ask for */
  minShelveS: number;
  maxShelveS: number;
  /** new unacknowledged alarms of this priority or more urgent sound (1 = only urgent, 0 = none) */
  audibleUpToPriority: number;
}

// ── states ──────────────────────────────────────────────────────────────────────────────────

/** The ISA-18.2 states (letters as in its state diagram). */
export const AlarmStateType = {
  /** A: process normal, nothing to acknowledge */
  Normal: 'normal',
  /** B: active, unacknowledged */
  Unacknowledged: 'unack',
  /** C: active, acknowledged */
  Acknowledged: 'acked',
  /** D: returned to normal, unacknowledged */
  ReturnedUnacknowledged: 'rtnUnack',
  /** E: returned to normal, held until reset */
  Latched: 'latched',
  /** F: shelved by an operator (timed, or one-shot until it clears) */
  Shelved: 'shelved',
  /** G: suppressed by design (a condition in the project holds) */
  Suppressed: 'suppressed',
  /** H: out of service */
  OutOfService: 'outOfService',
} as const;
export type AlarmStateType = (typeof AlarmStateType)[keyof typeof AlarmStateType];
export const alarmStateTypes = Object.values(AlarmStateType) as AlarmStateType[];

export type ShelveMode = 'timed' | 'oneShot';

export type AlarmState =
  | { type: typeof AlarmStateType.Normal }
  | { type: typeof AlarmStateType.Unacknowledged; since: EpochMs }
  | { type: typeof AlarmStateType.Acknowledged; since: EpochMs; ackedAt: EpochMs; ackedBy: string }
  | { type: typeof AlarmStateType.ReturnedUnacknowledged; since: EpochMs; clearedAt: EpochMs }
  | { type: typeof AlarmStateType.Latched; since: EpochMs; clearedAt: EpochMs; ackedAt: EpochMs | null; ackedBy: string | null }
  | { type: typeof AlarmStateType.Shelved; mode: ShelveMode; at: EpochMs; until: EpochMs; by: string; reason: string }
  | { type: typeof AlarmStateType.Suppressed; since: EpochMs }
  | { type: typeof AlarmStateType.OutOfService; since: EpochMs; by: string; reason: string };

/** States the operator is told about (banner, sound): active or returned, and not acknowledged, or latched. */
export function isAnnunciated(state: AlarmState): boolean {
  return (
    state.type === AlarmStateType.Unacknowledged ||
    state.type === AlarmStateType.Acknowledged ||
    state.type === AlarmStateType.ReturnedUnacknowledged ||
    state.type === AlarmStateType.Latched
  );
}

export function isUnacknowledged(state: AlarmState): boolean {
  return (
    state.type === AlarmStateType.Unacknowledged ||
    state.type === AlarmStateType.ReturnedUnacknowledged ||
    (state.type === AlarmStateType.Latched && state.ackedAt === null)
  );
}

// ── on the wire ─────────────────────────────────────────────────────────────────────────────

/** What does not change while the runtime runs: sent once per connection. */
export interface AlarmDefinitionInfo {
  id: string;
  type: AlarmType;
  priority: AlarmPriority;
  message: string;
  response: string | null;
  procedure: string | null;
  latched: boolean;
  /** the process tag (null for communication loss) */
  tag: string | null;
  device: string | null;
  area: string;
  /** the limit in words, e.g. "≥ 4.0 mm/s", "= 101", "no movement > 0.05 °C in 30 s" */
  condition: string;
  /** high/highHigh/low/lowLow: the limit in the tag's units, drawn on its trend; null for other types */
  limit: number | null;
  maxShelveS: number;
}

/** The changing part of one alarm; `seq` grows with every change (the newer one wins). */
export interface AlarmStatus {
  id: string;
  seq: number;
  state: AlarmState;
  /** the process condition as the alarm last knew it (after on/off delays) */
  active: boolean;
  /** the inputs are not good: the state is held, not confirmed by the process */
  held: boolean;
  /** the design suppression condition holds (the state may be shelved or out of service on top) */
  suppressedByDesign: boolean;
  /** the value that raised it (or the last one that moved the condition) */
  value: TagScalar | null;
  changedAt: EpochMs;
  lastComment: { text: string; user: string; ts: EpochMs } | null;
}

export const alarmActions = ['acknowledge', 'shelve', 'unshelve', 'reset', 'comment', 'removeFromService', 'returnToService'] as const;
export type AlarmAction = (typeof alarmActions)[number];

export interface AlarmPermissions {
  user: string;
  /** the caller's roles, in words ("operator", "viewer") */
  role: string;
  allowed: Record<AlarmAction, boolean>;
}

export interface AlarmConfigInfo {
  definitions: AlarmDefinitionInfo[];
  settings: AlarmSettings;
  permissions: AlarmPermissions;
}

export interface AlarmActionResult {
  done: string[];
  refused: { alarmId: string; reason: string }[];
}

export const alarmJournalEvents = [
  'activated',
  'cleared',
  'acknowledged',
  'reset',
  'shelved',
  'unshelved',
  'shelveExpired',
  'suppressed',
  'unsuppressed',
  'removedFromService',
  'returnedToService',
  'commented',
  'restored',
] as const;
export type AlarmJournalEvent = (typeof alarmJournalEvents)[number];

export interface AlarmJournalEntry {
  id: number;
  ts: EpochMs;
  alarmId: string;
  event: AlarmJournalEvent;
  fromState: AlarmStateType;
  toState: AlarmStateType;
  priority: AlarmPriority;
  tag: string | null;
  area: string;
  device: string | null;
  message: string;
  value: TagScalar | null;
  /** who, for operator actions; null for what the process did */
  user: string | null;
  /** why: the reason, the comment, or what happened */
  text: string;
}

export interface AlarmJournalPage {
  entries: AlarmJournalEntry[];
  /** more entries match, older than the last one here */
  more: boolean;
}

export interface AlarmCsvExport {
  csv: string;
  rows: number;
  /** the range held more rows than one export carries */
  truncated: boolean;
}

/** ISA-18.2 / EEMUA 191 performance figures for a time range, from the journal. */
export interface AlarmKpis {
  from: EpochMs;
  to: EpochMs;
  /** annunciated alarms (transitions into active-unacknowledged) */
  total: number;
  perHour: number;
  per10Min: number;
  /** busiest 10 minutes anywhere in the range (sliding window) */
  peak10MinCount: number;
  peak10MinStart: EpochMs | null;
  /** share of the range's 10-minute periods with more than 10 alarms */
  floodPercent: number;
  floodPeriods: number;
  periods: number;
  /** the most frequent alarms and their share of all alarms */
  top: { alarmId: string; message: string; priority: AlarmPriority; count: number; percent: number }[];
  /** alarms with 3 or more activations within one minute */
  chattering: { alarmId: string; message: string; maxPerMinute: number }[];
  /** alarms active for more than 24 hours in the range */
  stale: { alarmId: string; message: string; activeSince: EpochMs; hours: number }[];
  priorityDistribution: { priority: AlarmPriority; count: number; percent: number }[];
  /** the journal held more activations than one computation reads */
  truncated: boolean;
}
