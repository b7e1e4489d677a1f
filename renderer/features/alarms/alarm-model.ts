/**
 * The renderer's picture of the alarms: definitions (once per connection) and the status of
 * every alarm that is not normal, fed by the `alarms.list` snapshot and `alarms` events. A
 * status is taken only if its `seq` is newer than what we hold, so a snapshot answered while
 * events already arrived cannot roll an alarm back (normal ones are remembered by seq, too).
 *
 * Listeners are told at most every NOTIFY_MS: a flood of events becomes a few renders. Pure
 * TypeScript, no React, no DOM.
 */
import {
  AlarmStateType,
  alarmPriorities,
  isUnacknowledged,
  type AlarmDefinitionInfo,
  type AlarmPriority,
  type AlarmSettings,
  type AlarmStatus,
  type AlarmPermissions,
} from '../../../shared/alarms';

export interface AlarmRow {
  def: AlarmDefinitionInfo;
  status: AlarmStatus;
}

export interface PriorityCount {
  priority: AlarmPriority;
  unacknowledged: number;
  acknowledged: number;
}

export interface AlarmView {
  version: number;
  /** annunciated alarms (active, returned-unacknowledged, latched), most important first */
  annunciated: AlarmRow[];
  /** everything not normal, same order */
  all: AlarmRow[];
  counts: PriorityCount[];
  unacknowledged: number;
  shelved: number;
  suppressed: number;
  outOfService: number;
}

export const NOTIFY_MS = 50;

/** Most important first: unacknowledged before acknowledged, then by priority, then newest. */
export function compareRows(a: AlarmRow, b: AlarmRow): number {
  const ua = isUnacknowledged(a.status.state) ? 0 : 1;
  const ub = isUnacknowledged(b.status.state) ? 0 : 1;
  if (ua !== ub) return ua - ub;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (a.def.priority !== b.def.priority) return a.def.priority - b.def.priority;
  return sinceOf(b.status) - sinceOf(a.status) || a.def.id.localeCompare(b.def.id);
}

/** annunciated first, then shelved, suppressed, out of service */
function rank(r: AlarmRow): number {
  switch (r.status.state.type) {
    case AlarmStateType.Shelved:
      return 1;
    case AlarmStateType.Suppressed:
      return 2;
    case AlarmStateType.OutOfService:
      return 3;
    default:
      return 0;
  }
}

export function sinceOf(s: AlarmStatus): number {
  const st = s.state;
  switch (st.type) {
    case AlarmStateType.Unacknowledged:
    case AlarmStateType.Acknowledged:
    case AlarmStateType.ReturnedUnacknowledged:
    case AlarmStateType.Latched:
    case AlarmStateType.Suppressed:
    case AlarmStateType.OutOfService:
      return st.since;
    case AlarmStateType.Shelved:
      return st.at;
    default:
      return s.changedAt;
  }
}

export function isAnnunciatedState(s: AlarmStatus): boolean {
  const t = s.state.type;
  return t === AlarmStateType.Unacknowledged || t === AlarmStateType.Acknowledged || t === AlarmStateType.ReturnedUnacknowledged || t === AlarmStateType.Latched;
}

export class AlarmModel {
  private defs = new Map<string, AlarmDefinitionInfo>();
  private definitionList: AlarmDefinitionInfo[] = [];
  private statuses = new Map<string, AlarmStatus>();
  /** the newest seq seen per alarm, normal ones included */
  private seqs = new Map<string, number>();
  /** events received so far, and when (in that count) each alarm was last told about */
  private received = 0;
  private receivedAt = new Map<string, number>();
  private listeners = new Set<() => void>();
  private annunciationListeners = new Set<(rows: AlarmRow[]) => void>();
  private version = 0;
  private view: AlarmView | null = null;
  private notifyTimer: ReturnType<typeof setTimeout> | null = null;
  settings: AlarmSettings | null = null;
  permissions: AlarmPermissions | null = null;

  constructor(private readonly notifyMs = NOTIFY_MS) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  /** New unacknowledged occurrences as they arrive (not those of a snapshot): for the horn. */
  onAnnunciation(listener: (rows: AlarmRow[]) => void): () => void {
    this.annunciationListeners.add(listener);
    return () => {
      this.annunciationListeners.delete(listener);
    };
  }

  readonly getView = (): AlarmView => {
    this.view ??= this.buildView();
    return this.view;
  };

  definition(id: string): AlarmDefinitionInfo | undefined {
    return this.defs.get(id);
  }

  definitions(): readonly AlarmDefinitionInfo[] {
    return this.definitionList;
  }

  /** A new connection: definitions anew; statuses held stay until the snapshot replaces them. */
  setDefinitions(defs: readonly AlarmDefinitionInfo[], settings: AlarmSettings, permissions: AlarmPermissions): void {
    this.defs = new Map(defs.map((d) => [d.id, d]));
    this.definitionList = [...defs];
    this.settings = settings;
    this.permissions = permissions;
    this.changed(true);
  }

  /** Call before asking for a snapshot; hand the token to applySnapshot. */
  snapshotToken(): number {
    return this.received;
  }

  /**
   * The snapshot of every abnormal alarm: what it does not list is normal by then, unless an
   * event told us about it after the snapshot was asked for.
   */
  applySnapshot(list: readonly AlarmStatus[], token: number): void {
    const listed = new Set<string>();
    for (const s of list) {
      listed.add(s.id);
      this.take(s);
    }
    for (const id of [...this.statuses.keys()]) {
      if (!listed.has(id) && (this.receivedAt.get(id) ?? 0) <= token) this.statuses.delete(id);
    }
    this.changed(true);
  }

  /** Pushed changes. */
  apply(list: readonly AlarmStatus[]): void {
    const fresh: AlarmRow[] = [];
    this.received++;
    for (const s of list) {
      this.receivedAt.set(s.id, this.received);
      const prev = this.statuses.get(s.id);
      if (!this.take(s)) continue;
      if (s.state.type === AlarmStateType.Unacknowledged && (prev === undefined || prev.state.type !== AlarmStateType.Unacknowledged || prev.state.since !== s.state.since)) {
        const def = this.defs.get(s.id);
        if (def) fresh.push({ def, status: s });
      }
    }
    this.changed(false);
    if (fresh.length > 0) for (const l of [...this.annunciationListeners]) l(fresh);
  }

  private take(s: AlarmStatus): boolean {
    const held = this.seqs.get(s.id);
    if (held !== undefined && held >= s.seq) return false;
    this.seqs.set(s.id, s.seq);
    if (s.state.type === AlarmStateType.Normal) this.statuses.delete(s.id);
    else this.statuses.set(s.id, s);
    return true;
  }

  private changed(now: boolean): void {
    this.view = null;
    this.version++;
    if (now || this.notifyMs === 0) {
      this.notify();
      return;
    }
    this.notifyTimer ??= setTimeout(() => this.notify(), this.notifyMs);
  }

  private notify(): void {
    if (this.notifyTimer !== null) clearTimeout(this.notifyTimer);
    this.notifyTimer = null;
    for (const l of [...this.listeners]) l();
  }

  private buildView(): AlarmView {
    const all: AlarmRow[] = [];
    const counts = new Map<AlarmPriority, PriorityCount>(alarmPriorities.map((p) => [p, { priority: p, unacknowledged: 0, acknowledged: 0 }]));
    let shelved = 0;
    let suppressed = 0;
    let outOfService = 0;
    let unack = 0;
    for (const status of this.statuses.values()) {
      const def = this.defs.get(status.id);
      if (def === undefined) continue;
      all.push({ def, status });
      const t = status.state.type;
      if (t === AlarmStateType.Shelved) shelved++;
      else if (t === AlarmStateType.Suppressed) suppressed++;
      else if (t === AlarmStateType.OutOfService) outOfService++;
      else {
        const c = counts.get(def.priority)!;
        if (isUnacknowledged(status.state)) {
          c.unacknowledged++;
          unack++;
        } else c.acknowledged++;
      }
    }
    all.sort(compareRows);
    return {
      version: this.version,
      all,
      annunciated: all.filter((r) => isAnnunciatedState(r.status)),
      counts: [...counts.values()],
      unacknowledged: unack,
      shelved,
      suppressed,
      outOfService,
    };
  }
}
