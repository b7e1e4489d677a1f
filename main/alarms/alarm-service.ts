/**
 * The alarm module as the runtime sees it: the engine, its SQLite tables, the coalesced
 * `alarms` events for the UI and the operator actions with their records.
 *
 * Process changes are written and pushed together at most every `frameIntervalMs` (25 ms by
 * default: a flood of a thousand alarms in a second is at most forty messages, while a single
 * alarm reaches the screen within a frame). An operator action is written (journal and audit
 * trail, one transaction) before it returns, after whatever the process did before it.
 */
import type Database from 'better-sqlite3';
import {
  ALARM_PRIORITY_NAMES,
  type AlarmActionResult,
  type AlarmCsvExport,
  type AlarmDefinition,
  type AlarmDefinitionInfo,
  type AlarmJournalEntry,
  type AlarmJournalPage,
  type AlarmKpis,
  type AlarmSettings,
  type AlarmStatus,
  type ShelveMode,
} from '../../shared/alarms';
import type { AuditOutcome, TagValue } from '../../shared/types';
import type { Clock, TimerHandle } from '../util/clock';
import type { Actor } from '../../shared/types';
import { AlarmEngine, formatDuration, type ActionOutcome, type EngineAlarm, type JournalRecord } from './alarm-engine';
import { computeKpis } from './alarm-kpis';
import { AlarmStore, type JournalFilter, type JournalLine } from './alarm-store';

/** The audit trail's record, as main/security/audit-trail.ts takes it. */
export interface AlarmAuditRecord {
  ts: number;
  user: string;
  action: string;
  target: string;
  oldValue: unknown;
  newValue: unknown;
  outcome: AuditOutcome;
  detail: string;
  station?: string;
  signatureId?: number | null;
}

export interface AlarmServiceOptions {
  db: Database.Database;
  clock: Clock;
  alarms: readonly EngineAlarm[];
  settings: AlarmSettings;
  /** engineering units per tag, for the condition texts */
  units: ReadonlyMap<string, string>;
  emit: (statuses: AlarmStatus[]) => void;
  audit: (r: AlarmAuditRecord) => void;
  log?: { error(msg: string): void; warn(msg: string): void };
  frameIntervalMs?: number;
  baselineSaveMs?: number;
}

export const CSV_MAX_ROWS = 100_000;
const KPI_MAX_ROWS = 1_000_000;
/** journal lines kept in memory while the disk refuses them */
const MAX_UNWRITTEN = 200_000;

export class AlarmRefused extends Error {
  constructor(
    readonly alarmId: string,
    readonly reason: string,
    readonly notFound = false,
  ) {
    super(`${alarmId}: ${reason}`);
    this.name = 'AlarmRefused';
  }
}

export class AlarmService {
  readonly engine: AlarmEngine;
  private readonly store: AlarmStore;
  private readonly clock: Clock;
  private readonly frameIntervalMs: number;
  private timer: TimerHandle | null = null;
  private lastFlush = -Infinity;
  private baselineTimer: TimerHandle | null = null;
  private unwritten: JournalLine[] = [];
  private readonly infos: AlarmDefinitionInfo[];
  private closed = false;

  constructor(private readonly o: AlarmServiceOptions) {
    this.clock = o.clock;
    this.frameIntervalMs = o.frameIntervalMs ?? 25;
    this.store = new AlarmStore(o.db);
    this.engine = new AlarmEngine(o.alarms, o.settings, o.clock, () => this.schedule());
    for (const [alarmId, learned] of this.store.loadBaselines()) this.engine.restoreBaselines(alarmId, learned);
    this.engine.restore(this.store.loadStates());
    this.infos = o.alarms.map((a) => definitionInfo(a, o.settings, o.units));
    this.commit();
    const saveMs = o.baselineSaveMs ?? 60_000;
    const saveLater = () => {
      this.baselineTimer = this.clock.setTimeout(() => {
        this.saveBaselines();
        saveLater();
      }, saveMs);
    };
    if (this.engine.baselines().length > 0) saveLater();
  }

  ingest(batch: readonly TagValue[]): void {
    this.engine.ingest(batch);
  }

  setDeviceCommunicating(deviceId: string, communicating: boolean): void {
    this.engine.setDeviceCommunicating(deviceId, communicating);
  }

  definitions(): AlarmDefinitionInfo[] {
    return this.infos;
  }

  settings(): AlarmSettings {
    return this.o.settings;
  }

  list(): AlarmStatus[] {
    return this.engine.abnormal();
  }

  // ── operator actions ────────────────────────────────────────────────────────────────────

  /** Acknowledges each alarm that has something to acknowledge; the others are listed with why not. */
  acknowledge(alarmIds: readonly string[], actor: Actor, comment = ''): AlarmActionResult {
    const user = actor.user;
    const by = { station: actor.station, signatureId: actor.signatureId };
    this.commit();
    const done: string[] = [];
    const refused: AlarmActionResult['refused'] = [];
    const audits: AlarmAuditRecord[] = [];
    const now = this.clock.now();
    for (const id of new Set(alarmIds)) {
      const before = this.engine.status(id)?.state.type ?? null;
      const r = this.engine.acknowledge(id, user, comment);
      if (r.ok) {
        done.push(id);
        audits.push({ ts: now, user, action: 'alarm.acknowledge', target: id, oldValue: before, newValue: r.status.state.type, outcome: 'done', detail: comment, ...by });
      } else {
        refused.push({ alarmId: id, reason: r.reason });
        // one alarm asked for by name: the refusal is on record; "acknowledge all" skips quietly
        if (alarmIds.length === 1) audits.push({ ts: now, user, action: 'alarm.acknowledge', target: id, oldValue: before, newValue: before, outcome: 'refused', detail: r.reason, ...by });
      }
    }
    this.commit(audits);
    return { done, refused };
  }

  shelve(alarmId: string, actor: Actor, mode: ShelveMode, durationS: number | undefined, reason: string): AlarmStatus {
    return this.single('alarm.shelve', alarmId, actor, reason, () => this.engine.shelve(alarmId, actor.user, mode, durationS === undefined ? undefined : durationS * 1000, reason), (s) =>
      s.state.type === 'shelved' ? `${reason} (${s.state.mode === 'oneShot' ? 'one-shot' : 'timed'}, until ${new Date(s.state.until).toISOString()})` : reason,
    );
  }

  unshelve(alarmId: string, actor: Actor, reason = ''): AlarmStatus {
    return this.single('alarm.unshelve', alarmId, actor, reason, () => this.engine.unshelve(alarmId, actor.user, reason));
  }

  reset(alarmId: string, actor: Actor, comment = ''): AlarmStatus {
    return this.single('alarm.reset', alarmId, actor, comment, () => this.engine.reset(alarmId, actor.user, comment));
  }

  comment(alarmId: string, actor: Actor, text: string): AlarmStatus {
    return this.single('alarm.comment', alarmId, actor, text, () => this.engine.comment(alarmId, actor.user, text));
  }

  removeFromService(alarmId: string, actor: Actor, reason: string): AlarmStatus {
    return this.single('alarm.removeFromService', alarmId, actor, reason, () => this.engine.removeFromService(alarmId, actor.user, reason));
  }

  returnToService(alarmId: string, actor: Actor, reason = ''): AlarmStatus {
    return this.single('alarm.returnToService', alarmId, actor, reason, () => this.engine.returnToService(alarmId, actor.user, reason));
  }

  /** An action refused before it reached the engine (the role check), on record all the same. */
  recordRefusal(action: string, alarmId: string, actor: Actor, reason: string): void {
    const user = actor.user;
    const state = this.engine.status(alarmId)?.state.type ?? null;
    this.commit([{ ts: this.clock.now(), user, action: `alarm.${action}`, target: alarmId, oldValue: state, newValue: state, outcome: 'refused', detail: reason, station: actor.station }]);
  }

  private single(action: string, alarmId: string, actor: Actor, why: string, run: () => ActionOutcome, detail?: (s: AlarmStatus) => string): AlarmStatus {
    const user = actor.user;
    const by = { station: actor.station, signatureId: actor.signatureId };
    this.commit();
    const before = this.engine.status(alarmId)?.state.type ?? null;
    const r = run();
    const ts = this.clock.now();
    if (!r.ok) {
      if (!r.notFound) this.commit([{ ts, user, action, target: alarmId, oldValue: before, newValue: before, outcome: 'refused', detail: r.reason, ...by }]);
      throw new AlarmRefused(alarmId, r.reason, r.notFound === true);
    }
    this.commit([{ ts, user, action, target: alarmId, oldValue: before, newValue: r.status.state.type, outcome: 'done', detail: detail ? detail(r.status) : why, ...by }]);
    return r.status;
  }

  // ── journal and KPIs ────────────────────────────────────────────────────────────────────

  journal(filter: JournalFilter, limit: number, beforeId?: number): AlarmJournalPage {
    this.commit();
    return this.store.journal(filter, limit, beforeId);
  }

  journalCsv(filter: JournalFilter): AlarmCsvExport {
    this.commit();
    const { entries, truncated } = this.store.journalRange(filter, CSV_MAX_ROWS);
    return { csv: toCsv(entries), rows: entries.length, truncated };
  }

  kpis(from: number, to: number): AlarmKpis {
    this.commit();
    const { activations, truncated } = this.store.activations(from, to, KPI_MAX_ROWS);
    const activity = this.store.activity(from, to, KPI_MAX_ROWS);
    return computeKpis(from, to, activations, activity, truncated);
  }

  // ── writing and pushing ─────────────────────────────────────────────────────────────────

  private schedule(): void {
    if (this.timer !== null || this.closed) return;
    const wait = Math.max(0, this.lastFlush + this.frameIntervalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.commit();
    }, wait);
  }

  /** Writes what the engine has pending (and `audits`, in the same transaction), then pushes it. */
  commit(audits: readonly AlarmAuditRecord[] = []): void {
    if (this.timer !== null) {
      this.clock.clearTimeout(this.timer);
      this.timer = null;
    }
    const lines = this.engine.takeJournal().map((r) => this.lineOf(r));
    const { statuses, persisted } = this.engine.takeDirty();
    const pending = this.unwritten.length > 0 ? [...this.unwritten, ...lines] : lines;
    try {
      this.store.write(pending, persisted, audits.length > 0 ? () => audits.forEach((a) => this.o.audit(a)) : undefined);
      this.unwritten = [];
    } catch (err) {
      // The screen must still show the alarms when the disk refuses: push them, keep the lines.
      this.unwritten = pending.slice(-MAX_UNWRITTEN);
      this.o.log?.error(`alarm journal: cannot write ${pending.length} line(s): ${(err as Error).message}`);
      if (audits.length > 0) {
        this.push(statuses);
        throw err;
      }
    }
    this.push(statuses);
  }

  private push(statuses: AlarmStatus[]): void {
    if (statuses.length === 0) return;
    // the interval limits pushes: the next one waits a frame after this one
    this.lastFlush = this.clock.now();
    this.o.emit(statuses);
  }

  private lineOf(r: JournalRecord): JournalLine {
    const a = this.engine.alarm(r.alarm);
    const d = a.def;
    return {
      ts: r.ts,
      alarmId: d.id,
      event: r.event,
      from: r.from,
      to: r.to,
      priority: d.priority,
      tag: d.type === 'commLoss' ? null : d.tag,
      area: a.area,
      device: a.device,
      message: d.message,
      value: r.value,
      user: r.user,
      text: r.text,
    };
  }

  private saveBaselines(): void {
    try {
      this.store.saveBaselines(this.clock.now(), this.engine.baselines());
    } catch (err) {
      this.o.log?.warn(`alarm baselines: cannot save: ${(err as Error).message}`);
    }
  }

  close(): void {
    if (this.closed) return;
    this.commit();
    this.saveBaselines();
    this.closed = true;
    if (this.baselineTimer) this.clock.clearTimeout(this.baselineTimer);
    this.engine.stop();
  }
}

// ── definitions for the UI ──────────────────────────────────────────────────────────────────

export function definitionInfo(a: EngineAlarm, settings: AlarmSettings, units: ReadonlyMap<string, string>): AlarmDefinitionInfo {
  const d = a.def;
  return {
    id: d.id,
    type: d.type,
    priority: d.priority,
    message: d.message,
    response: d.response ?? null,
    procedure: d.procedure ?? null,
    latched: d.latched,
    tag: d.type === 'commLoss' ? null : d.tag,
    device: a.device,
    area: a.area,
    condition: conditionText(d, d.type === 'commLoss' ? '' : (units.get(d.tag) ?? '')),
    limit: d.type === 'high' || d.type === 'highHigh' || d.type === 'low' || d.type === 'lowLow' ? d.limit : null,
    maxShelveS: Math.min(d.maxShelveS ?? Infinity, settings.maxShelveS),
  };
}

export function conditionText(d: AlarmDefinition, units: string): string {
  const u = units === '' ? '' : ` ${units}`;
  const delay = d.onDelayS > 0 ? ` for ${formatDuration(d.onDelayS * 1000)}` : '';
  const side = (dir: 'above' | 'below' | 'both') => (dir === 'above' ? '+' : dir === 'below' ? '−' : '±');
  switch (d.type) {
    case 'high':
    case 'highHigh':
      return `≥ ${d.limit}${u}${delay}`;
    case 'low':
    case 'lowLow':
      return `≤ ${d.limit}${u}${delay}`;
    case 'deviation':
      return `${side(d.direction)}${d.limit}${u} from ${d.setpointTag}${delay}`;
    case 'rateOfChange':
      return `${d.direction === 'above' ? 'rising' : d.direction === 'below' ? 'falling' : 'changing'} faster than ${d.limitPerS}${u}/s${delay}`;
    case 'discrete':
      return d.bit !== undefined ? `bit ${d.bit} set${delay}` : d.equals !== undefined ? `= ${String(d.equals)}${delay}` : `≠ ${String(d.notEquals)}${delay}`;
    case 'badQuality':
      return `${d.includeUncertain ? 'value not good' : 'value bad'}${delay}`;
    case 'commLoss':
      return `no communication${delay}`;
    case 'stuck':
      return `moved less than ${d.band}${u} in ${formatDuration(d.forS * 1000)}${d.runningWhen ? ' while running' : ''}`;
    case 'baseline':
      return `${side(d.direction)}${d.percent} % from its usual for the machine state${delay}`;
  }
}

// ── CSV ─────────────────────────────────────────────────────────────────────────────────────

const CSV_HEADER = ['time_utc', 'alarm', 'event', 'from_state', 'to_state', 'priority', 'priority_name', 'tag', 'area', 'device', 'value', 'user', 'text', 'message'];

/** RFC 4180, with text cells that a spreadsheet would run as a formula defused. */
export function toCsv(entries: readonly AlarmJournalEntry[]): string {
  const lines = [CSV_HEADER.join(',')];
  for (const e of entries) {
    lines.push(
      [
        new Date(e.ts).toISOString(),
        text(e.alarmId),
        e.event,
        e.fromState,
        e.toState,
        String(e.priority),
        ALARM_PRIORITY_NAMES[e.priority],
        text(e.tag ?? ''),
        text(e.area),
        text(e.device ?? ''),
        typeof e.value === 'number' ? String(e.value) : text(e.value === null ? '' : String(e.value)),
        text(e.user ?? ''),
        text(e.text),
        text(e.message),
      ].join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

function text(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
