/**
 * The alarm engine: every definition's evaluator, its on/off delays and its ISA-18.2 state, fed
 * by value batches from the tag bus and by operator actions. In memory and synchronous; the
 * service around it (alarm-service.ts) writes the journal and states to SQLite and pushes the
 * changes to the UI, both coalesced.
 *
 * Per value: a map lookup for the alarms reading that tag, then each one's evaluator (a few
 * comparisons for a limit). Nothing is allocated unless a condition changes. Time-based work
 * (delays, shelve expiry, stuck and baseline re-checks) sits in one DeadlineQueue.
 */
import {
  AlarmStateType,
  type AlarmDefinition,
  type AlarmJournalEvent,
  type AlarmSettings,
  type AlarmState,
  type AlarmStatus,
  type ShelveMode,
} from '../../shared/alarms';
import { GOOD } from '../../shared/quality';
import type { TagScalar, TagValue } from '../../shared/types';
import type { Clock } from '../util/clock';
import { describeState, resolveState, transition, NORMAL, type AlarmEvent } from './alarm-state';
import { DeadlineQueue } from './deadline-queue';
import { BaselineEvaluator, createEvaluator, deviceInputKey, testCondition, type Evaluator, type LearnedBaseline } from './evaluators';

export interface EngineAlarm {
  def: AlarmDefinition;
  /** the device of the alarm's tag (or the device itself, for communication loss) */
  device: string | null;
  area: string;
}

/** One line for the journal, before the service adds the definition's details. */
export interface JournalRecord {
  ts: number;
  alarm: number;
  event: AlarmJournalEvent;
  from: AlarmStateType;
  to: AlarmStateType;
  value: TagScalar | null;
  user: string | null;
  text: string;
}

/** What is kept across a restart. */
export interface PersistedAlarm {
  alarmId: string;
  /** JSON of the AlarmState; parsed defensively */
  state: string;
  active: boolean;
  suppressed: boolean;
  value: TagScalar | null;
  changedAt: number;
  lastComment: AlarmStatus['lastComment'];
}

export type ActionOutcome = { ok: true; status: AlarmStatus } | { ok: false; reason: string; notFound?: boolean };

interface AlarmRecord {
  readonly index: number;
  readonly alarm: EngineAlarm;
  readonly evaluator: Evaluator;
  readonly onDelayMs: number;
  readonly offDelayMs: number;
  readonly maxShelveMs: number;
  state: AlarmState;
  /** the process condition after on/off delays */
  active: boolean;
  /** the inputs are not good: state held */
  held: boolean;
  suppressed: boolean;
  /** a delayed condition change waiting for its deadline (null: none) */
  pendingTo: boolean | null;
  pendingValue: TagScalar | null;
  value: TagScalar | null;
  changedAt: number;
  seq: number;
  lastComment: AlarmStatus['lastComment'];
}

const EVENT_NAMES: Record<AlarmEvent['type'], AlarmJournalEvent> = {
  activate: 'activated',
  clear: 'cleared',
  acknowledge: 'acknowledged',
  reset: 'reset',
  shelve: 'shelved',
  unshelve: 'unshelved',
  shelveExpired: 'shelveExpired',
  suppress: 'suppressed',
  unsuppress: 'unsuppressed',
  removeFromService: 'removedFromService',
  returnToService: 'returnedToService',
};

export class AlarmEngine {
  private readonly records: AlarmRecord[];
  private readonly byId = new Map<string, AlarmRecord>();
  /** input key → indices of the alarms that read it */
  private readonly byInput = new Map<string, number[]>();
  private readonly values = new Map<string, TagValue>();
  private readonly deadlines: DeadlineQueue;
  private readonly stamp: Uint32Array;
  private batchNo = 0;
  private readonly touched: number[] = [];
  private readonly dirtyFlag: Uint8Array;
  private dirty: number[] = [];
  private journal: JournalRecord[] = [];
  private seq: number;

  constructor(
    alarms: readonly EngineAlarm[],
    private readonly settings: AlarmSettings,
    private readonly clock: Clock,
    /** called when there are changes to take (dirty statuses or journal lines) */
    private readonly onChange: () => void = () => {},
  ) {
    // Sequence numbers keep growing across restarts, so a UI never prefers an old status.
    this.seq = clock.now() * 1000;
    this.records = alarms.map((alarm, index) => {
      const d = alarm.def;
      const rec: AlarmRecord = {
        index,
        alarm,
        evaluator: createEvaluator(d),
        onDelayMs: d.onDelayS * 1000,
        offDelayMs: d.offDelayS * 1000,
        maxShelveMs: Math.min(d.maxShelveS ?? Infinity, settings.maxShelveS) * 1000,
        state: NORMAL,
        active: false,
        held: false,
        suppressed: false,
        pendingTo: null,
        pendingValue: null,
        value: null,
        changedAt: clock.now(),
        seq: this.seq,
        lastComment: null,
      };
      if (this.byId.has(d.id)) throw new Error(`duplicate alarm id "${d.id}"`);
      this.byId.set(d.id, rec);
      const inputs = new Set(rec.evaluator.inputs);
      if (d.suppressWhen) inputs.add(d.suppressWhen.tag);
      for (const key of inputs) {
        const list = this.byInput.get(key);
        if (list) list.push(index);
        else this.byInput.set(key, [index]);
      }
      return rec;
    });
    this.stamp = new Uint32Array(this.records.length);
    this.dirtyFlag = new Uint8Array(this.records.length);
    this.deadlines = new DeadlineQueue(clock, (key, at) => this.onDeadline(key, at));
  }

  get size(): number {
    return this.records.length;
  }

  // ── process side ────────────────────────────────────────────────────────────────────────

  ingest(batch: readonly TagValue[]): void {
    const stampNo = ++this.batchNo;
    const touched = this.touched;
    for (let k = 0; k < batch.length; k++) {
      const v = batch[k];
      const deps = this.byInput.get(v.tagId);
      if (deps === undefined) continue;
      this.values.set(v.tagId, v);
      for (let j = 0; j < deps.length; j++) {
        const i = deps[j];
        if (this.stamp[i] !== stampNo) {
          this.stamp[i] = stampNo;
          touched.push(i);
        }
      }
    }
    if (touched.length === 0) return;
    const now = this.clock.now();
    for (let k = 0; k < touched.length; k++) this.evaluate(this.records[touched[k]], now);
    touched.length = 0;
  }

  /** A device's connection as its driver reports it: the communication-loss alarms' input. */
  setDeviceCommunicating(deviceId: string, communicating: boolean): void {
    const now = this.clock.now();
    this.ingest([{ tagId: deviceInputKey(deviceId), value: communicating, quality: GOOD, sourceTs: now, ts: now }]);
  }

  private evaluate(rec: AlarmRecord, now: number): void {
    const d = rec.alarm.def;
    if (d.suppressWhen !== undefined) {
      const s = testCondition(d.suppressWhen, this.values);
      // unknown (the condition's tag is not good): keep what was known
      if (s !== null && s !== rec.suppressed) {
        rec.suppressed = s;
        this.apply(rec, { type: s ? 'suppress' : 'unsuppress' }, now, rec.value, null, '');
        this.markDirty(rec, now);
      }
    }
    const ev = rec.evaluator.evaluate(this.values, rec.active, now);
    if (ev.recheckAt !== undefined && ev.recheckAt > now) this.deadlines.set(`${rec.index}:r`, ev.recheckAt);
    if (ev.raw === null) {
      if (rec.pendingTo !== null) this.cancelPending(rec);
      if (!rec.held) {
        rec.held = true;
        if (rec.state.type !== AlarmStateType.Normal) this.markDirty(rec, now);
      }
      return;
    }
    if (rec.held) {
      rec.held = false;
      if (rec.state.type !== AlarmStateType.Normal) this.markDirty(rec, now);
    }
    if (ev.raw === rec.active) {
      if (rec.pendingTo !== null) this.cancelPending(rec);
      return;
    }
    const delayMs = ev.raw ? rec.onDelayMs : rec.offDelayMs;
    if (delayMs <= 0) {
      this.setCondition(rec, ev.raw, ev.value, now);
    } else if (rec.pendingTo !== ev.raw) {
      rec.pendingTo = ev.raw;
      rec.pendingValue = ev.value;
      this.deadlines.set(`${rec.index}:d`, now + delayMs);
    }
  }

  private cancelPending(rec: AlarmRecord): void {
    rec.pendingTo = null;
    rec.pendingValue = null;
    this.deadlines.cancel(`${rec.index}:d`);
  }

  private setCondition(rec: AlarmRecord, active: boolean, value: TagScalar | null, now: number): void {
    rec.active = active;
    rec.value = value;
    const before = rec.state;
    this.apply(rec, { type: active ? 'activate' : 'clear' }, now, value, null, '', true);
    if (before === rec.state) this.markDirty(rec, now); // noted while shelved / suppressed / out of service
  }

  private onDeadline(key: string, at: number): void {
    const sep = key.indexOf(':');
    const rec = this.records[Number(key.slice(0, sep))];
    const kind = key.slice(sep + 1);
    if (kind === 'd') {
      if (rec.pendingTo === null) return;
      const to = rec.pendingTo;
      const value = rec.pendingValue;
      rec.pendingTo = null;
      rec.pendingValue = null;
      this.setCondition(rec, to, value, at);
    } else if (kind === 'r') {
      this.evaluate(rec, this.clock.now());
    } else if (kind === 's') {
      if (rec.state.type === AlarmStateType.Shelved && rec.state.until <= this.clock.now()) {
        this.apply(rec, { type: 'shelveExpired' }, this.clock.now(), rec.value, null, `shelve by ${rec.state.by} expired`);
      }
    }
  }

  /**
   * Runs one event through the state machine; journals it when the state moved (and always for
   * condition changes, which belong in the record even when nobody is told).
   */
  private apply(
    rec: AlarmRecord,
    event: AlarmEvent,
    now: number,
    value: TagScalar | null,
    user: string | null,
    text: string,
    journalAlways = false,
  ): { ok: true } | { ok: false; reason: string } {
    const from = rec.state;
    const result = transition(from, event, { now, latched: rec.alarm.def.latched, condition: rec.active, suppressed: rec.suppressed });
    if (result.kind === 'refused') return { ok: false, reason: result.reason };
    if (result.kind === 'moved') {
      rec.state = result.state;
      this.markDirty(rec, now);
      if (from.type === AlarmStateType.Shelved && result.state.type !== AlarmStateType.Shelved) this.deadlines.cancel(`${rec.index}:s`);
      if (result.state.type === AlarmStateType.Shelved) this.deadlines.set(`${rec.index}:s`, result.state.until);
    }
    if (result.kind === 'moved' || journalAlways) {
      let note = text;
      if (event.type === 'clear' && from.type === AlarmStateType.Shelved && rec.state.type !== AlarmStateType.Shelved) note = 'one-shot shelve ended: the alarm cleared';
      this.journal.push({ ts: now, alarm: rec.index, event: EVENT_NAMES[event.type], from: from.type, to: rec.state.type, value, user, text: note });
      this.onChange();
    }
    return { ok: true };
  }

  private markDirty(rec: AlarmRecord, now: number): void {
    rec.seq = ++this.seq;
    rec.changedAt = now;
    if (this.dirtyFlag[rec.index] === 0) {
      this.dirtyFlag[rec.index] = 1;
      this.dirty.push(rec.index);
      this.onChange();
    }
  }

  // ── operator side ───────────────────────────────────────────────────────────────────────

  acknowledge(alarmId: string, user: string, comment = ''): ActionOutcome {
    return this.act(alarmId, (rec, now) => this.apply(rec, { type: 'acknowledge', user }, now, rec.value, user, comment));
  }

  /** `durationMs` for a timed shelve; a one-shot shelve lasts until the alarm clears, at most the maximum. */
  shelve(alarmId: string, user: string, mode: ShelveMode, durationMs: number | undefined, reason: string): ActionOutcome {
    return this.act(alarmId, (rec, now) => {
      const minMs = this.settings.minShelveS * 1000;
      const ms = mode === 'oneShot' ? rec.maxShelveMs : (durationMs ?? 0);
      if (mode === 'timed' && ms < minMs) return { ok: false, reason: `the shortest shelve is ${formatDuration(minMs)}` };
      if (ms > rec.maxShelveMs) return { ok: false, reason: `the longest shelve for this alarm is ${formatDuration(rec.maxShelveMs)}` };
      const text = mode === 'oneShot' ? `${reason} (one-shot, until it clears; at most ${formatDuration(ms)})` : `${reason} (for ${formatDuration(ms)})`;
      return this.apply(rec, { type: 'shelve', user, mode, until: now + ms, reason }, now, rec.value, user, text);
    });
  }

  unshelve(alarmId: string, user: string, reason = ''): ActionOutcome {
    return this.act(alarmId, (rec, now) => this.apply(rec, { type: 'unshelve', user }, now, rec.value, user, reason));
  }

  reset(alarmId: string, user: string, comment = ''): ActionOutcome {
    return this.act(alarmId, (rec, now) => {
      const wasUnacked = rec.state.type === AlarmStateType.Latched && rec.state.ackedAt === null;
      return this.apply(rec, { type: 'reset', user }, now, rec.value, user, wasUnacked ? joinText('reset (acknowledges it)', comment) : comment);
    });
  }

  comment(alarmId: string, user: string, text: string): ActionOutcome {
    return this.act(alarmId, (rec, now) => {
      rec.lastComment = { text, user, ts: now };
      this.markDirty(rec, now);
      this.journal.push({ ts: now, alarm: rec.index, event: 'commented', from: rec.state.type, to: rec.state.type, value: rec.value, user, text });
      this.onChange();
      return { ok: true };
    });
  }

  removeFromService(alarmId: string, user: string, reason: string): ActionOutcome {
    return this.act(alarmId, (rec, now) => this.apply(rec, { type: 'removeFromService', user, reason }, now, rec.value, user, reason));
  }

  returnToService(alarmId: string, user: string, reason = ''): ActionOutcome {
    return this.act(alarmId, (rec, now) => this.apply(rec, { type: 'returnToService', user }, now, rec.value, user, reason));
  }

  private act(alarmId: string, fn: (rec: AlarmRecord, now: number) => { ok: true } | { ok: false; reason: string }): ActionOutcome {
    const rec = this.byId.get(alarmId);
    if (rec === undefined) return { ok: false, reason: `unknown alarm "${alarmId}"`, notFound: true };
    const r = fn(rec, this.clock.now());
    return r.ok ? { ok: true, status: this.statusOf(rec) } : r;
  }

  // ── reading out ─────────────────────────────────────────────────────────────────────────

  has(alarmId: string): boolean {
    return this.byId.has(alarmId);
  }

  alarm(index: number): EngineAlarm {
    return this.records[index].alarm;
  }

  status(alarmId: string): AlarmStatus | undefined {
    const rec = this.byId.get(alarmId);
    return rec && this.statusOf(rec);
  }

  /** Every alarm not in the normal state. */
  abnormal(): AlarmStatus[] {
    const out: AlarmStatus[] = [];
    for (const rec of this.records) if (rec.state.type !== AlarmStateType.Normal) out.push(this.statusOf(rec));
    return out;
  }

  /** The alarms changed since the last call, once each. */
  takeDirty(): { statuses: AlarmStatus[]; persisted: PersistedAlarm[] } {
    const statuses: AlarmStatus[] = [];
    const persisted: PersistedAlarm[] = [];
    for (const i of this.dirty) {
      this.dirtyFlag[i] = 0;
      const rec = this.records[i];
      statuses.push(this.statusOf(rec));
      persisted.push(this.persistedOf(rec));
    }
    this.dirty = [];
    return { statuses, persisted };
  }

  takeJournal(): JournalRecord[] {
    const j = this.journal;
    this.journal = [];
    return j;
  }

  hasPending(): boolean {
    return this.dirty.length > 0 || this.journal.length > 0;
  }

  private statusOf(rec: AlarmRecord): AlarmStatus {
    return {
      id: rec.alarm.def.id,
      seq: rec.seq,
      state: rec.state,
      active: rec.active,
      held: rec.held,
      suppressedByDesign: rec.suppressed,
      value: rec.value,
      changedAt: rec.changedAt,
      lastComment: rec.lastComment,
    };
  }

  private persistedOf(rec: AlarmRecord): PersistedAlarm {
    return {
      alarmId: rec.alarm.def.id,
      state: JSON.stringify(rec.state),
      active: rec.active,
      suppressed: rec.suppressed,
      value: rec.value,
      changedAt: rec.changedAt,
      lastComment: rec.lastComment,
    };
  }

  // ── restart ─────────────────────────────────────────────────────────────────────────────

  /**
   * Takes back the states kept before a restart. The process condition is restored as the last
   * belief, held until good values confirm or change it. A shelve that cannot be read back ends
   * as unshelved; one that expired meanwhile ends as expired; both on record.
   */
  restore(rows: readonly PersistedAlarm[]): void {
    const now = this.clock.now();
    for (const row of rows) {
      const rec = this.byId.get(row.alarmId);
      if (rec === undefined) continue; // the definition is gone from the project
      rec.active = row.active;
      rec.suppressed = row.suppressed;
      rec.value = row.value;
      rec.lastComment = row.lastComment;
      rec.held = true;
      const state = parseState(row.state);
      if (state === null) {
        rec.state = resolveState({ now, latched: rec.alarm.def.latched, condition: rec.active, suppressed: rec.suppressed });
        const wasShelved = row.state.includes('"shelved"');
        this.journal.push({
          ts: now,
          alarm: rec.index,
          event: wasShelved ? 'unshelved' : 'restored',
          from: wasShelved ? AlarmStateType.Shelved : rec.state.type,
          to: rec.state.type,
          value: rec.value,
          user: null,
          text: wasShelved ? 'the shelve could not be recovered after a restart: unshelved' : 'the saved state could not be read after a restart',
        });
        this.markDirty(rec, now);
        continue;
      }
      rec.state = state;
      rec.changedAt = row.changedAt;
      if (state.type === AlarmStateType.Shelved) {
        const until = Math.min(state.until, state.at + rec.maxShelveMs);
        if (until <= now) {
          this.apply(rec, { type: 'shelveExpired' }, now, rec.value, null, `shelve by ${state.by} expired while Lineside was not running`);
          continue;
        }
        if (until !== state.until) rec.state = { ...state, until };
        this.deadlines.set(`${rec.index}:s`, until);
      }
      if (state.type !== AlarmStateType.Normal) this.markDirty(rec, now);
    }
  }

  baselines(): { alarmId: string; learned: LearnedBaseline[] }[] {
    return this.records
      .filter((r) => r.evaluator instanceof BaselineEvaluator)
      .map((r) => ({ alarmId: r.alarm.def.id, learned: (r.evaluator as BaselineEvaluator).learned() }));
  }

  restoreBaselines(alarmId: string, learned: readonly LearnedBaseline[]): void {
    const ev = this.byId.get(alarmId)?.evaluator;
    if (ev instanceof BaselineEvaluator) ev.restore(learned);
  }

  /** for tests and diagnostics */
  evaluatorOf(alarmId: string): Evaluator | undefined {
    return this.byId.get(alarmId)?.evaluator;
  }

  /** Fires deadlines that are due (the clock's timer does this too). */
  runDue(): void {
    this.deadlines.runDue();
  }

  stop(): void {
    this.deadlines.stop();
  }
}

function joinText(a: string, b: string): string {
  return b === '' ? a : `${a}: ${b}`;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 2 * 3600) return `${Math.round(s / 60)} min`;
  const h = s / 3600;
  return `${Number.isInteger(h) ? h : h.toFixed(1)} h`;
}

/** An AlarmState read back from storage, checked field by field; null when it does not hold up. */
export function parseState(json: string): AlarmState | null {
  let x: unknown;
  try {
    x = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof x !== 'object' || x === null) return null;
  const o = x as Record<string, unknown>;
  const num = (k: string) => typeof o[k] === 'number' && Number.isFinite(o[k]);
  const str = (k: string) => typeof o[k] === 'string';
  switch (o.type) {
    case AlarmStateType.Normal:
      return NORMAL;
    case AlarmStateType.Unacknowledged:
      return num('since') ? { type: o.type, since: o.since as number } : null;
    case AlarmStateType.Acknowledged:
      return num('since') && num('ackedAt') && str('ackedBy') ? { type: o.type, since: o.since as number, ackedAt: o.ackedAt as number, ackedBy: o.ackedBy as string } : null;
    case AlarmStateType.ReturnedUnacknowledged:
      return num('since') && num('clearedAt') ? { type: o.type, since: o.since as number, clearedAt: o.clearedAt as number } : null;
    case AlarmStateType.Latched: {
      const acked = o.ackedAt === null ? o.ackedBy === null : num('ackedAt') && str('ackedBy');
      return num('since') && num('clearedAt') && acked
        ? { type: o.type, since: o.since as number, clearedAt: o.clearedAt as number, ackedAt: o.ackedAt as number | null, ackedBy: o.ackedBy as string | null }
        : null;
    }
    case AlarmStateType.Shelved:
      return (o.mode === 'timed' || o.mode === 'oneShot') && num('at') && num('until') && str('by') && str('reason') && (o.until as number) > (o.at as number)
        ? { type: o.type, mode: o.mode, at: o.at as number, until: o.until as number, by: o.by as string, reason: o.reason as string }
        : null;
    case AlarmStateType.Suppressed:
      return num('since') ? { type: o.type, since: o.since as number } : null;
    case AlarmStateType.OutOfService:
      return num('since') && str('by') && str('reason') ? { type: o.type, since: o.since as number, by: o.by as string, reason: o.reason as string } : null;
    default:
      return null;
  }
}

export { describeState };
