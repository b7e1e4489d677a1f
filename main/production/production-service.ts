/**
 * Production at the line: follows the live values of each line's state, fault code, product
 * and counter tags (the tag bus, after the live cache), keeps the state timeline, the counts and
 * the downtime events in the ProductionStore, and answers the KPIs from what is stored, so
 * that a restart changes no figure.
 *
 * Restart: the app writes `last_seen` every few seconds. Started again within `resumeGapS`,
 * the open interval and stop go on as if nothing happened. Later, both end at `last_seen`, the
 * time the app was not running is recorded as `unknown` (outside the KPIs), and the counters
 * start from a new baseline (what was counted meanwhile is not attributed to any time).
 */
import { ApiError } from '../../shared/api';
import type { KpiBucket, ProductionChange, ProductionConfig, ProductionKpis, ProductionLive } from '../../shared/production-api';
import { defaultStateClasses, type DowntimeEvent, type KpiFigures, type MaintenanceRequest, type MaintenanceState, type ReasonNode, type RecordedState, type StateClass, type StateInterval } from '../../shared/production';
import { shiftStart } from '../../shared/shifts';
import type { Actor, TagValue } from '../../shared/types';
import { counterModulusOf, reasonTree, type ProductionLineConfig, type ProductionSection } from '../config/production-schema';
import type { Clock, TimerHandle } from '../util/clock';
import { digestOf } from '../util/digest';
import { dayBuckets, dayStart, hourBuckets, hourStart, localLabel, shiftBoundaries, shiftBuckets, type Bucket } from './calendar';
import { CounterTracker } from './counter-tracker';
import { DowntimeTracker, downtimeStatus, isMinorStop } from './downtime-tracker';
import { addSums, computeKpis, figuresOf, kpiSums, pareto, type KpiEvent, type KpiInput, type KpiSums } from './kpi-calculator';
import { combinePareto, paretoParts, type KpiSummary } from './kpi-summary';
import type { DowntimeRow, ProductionStore } from './production-store';
import { classifyState, stateTags } from './state-classifier';

const MINUTE = 60_000;

type SummaryKind = 'shift' | 'hour' | 'day';
const HEARTBEAT_MS = 5_000;

export interface AlarmFacts {
  id: string;
  message: string;
  priority: number | null;
  value: string | number | boolean | null;
  activeSince: number | null;
  tagIds: string[];
}

export interface ProductionServiceOptions {
  section: ProductionSection;
  shiftStarts: readonly string[];
  store: ProductionStore;
  clock: Clock;
  /** the latest value of a tag (the live cache) */
  read: (tagId: string) => TagValue | undefined;
  tagTypes: ReadonlyMap<string, string>;
  audit: (r: { ts: number; actor: Actor; action: string; target: string; oldValue: unknown; newValue: unknown; detail: string }) => void;
  changed: (line: string, what: ProductionChange, state: RecordedState) => void;
  alarm: (alarmId: string) => AlarmFacts | null;
  runExists: (runId: number) => boolean;
}

interface Reason {
  code: string;
  name: string;
  category: 'planned' | 'unplanned';
  lossClass: ReasonNode['lossClass'];
  requestsMaintenance: boolean;
}

type CounterName = 'total' | 'good' | 'reject';

interface LineRuntime {
  cfg: ProductionLineConfig;
  tags: Set<string>;
  classes: Record<RecordedState, StateClass>;
  interval: { id: number; start: number; state: RecordedState; faultCode: number | null };
  downtime: DowntimeTracker;
  counters: Map<CounterName, { tag: string; tracker: CounterTracker }>;
  product: string | null;
  order: string | null;
}

const transitions: Record<MaintenanceState, readonly MaintenanceState[]> = {
  open: ['acknowledged', 'cancelled'],
  acknowledged: ['inProgress', 'cancelled'],
  inProgress: ['done', 'cancelled'],
  done: [],
  cancelled: [],
};

export class ProductionService {
  private readonly lines = new Map<string, LineRuntime>();
  private readonly reasons = new Map<string, Reason>();
  private readonly tree: ReasonNode[];
  private readonly idealCycleMs = new Map<string, number>();
  private heartbeat: TimerHandle | null = null;
  private closed = false;
  /** the production section and shifts, hashed: the key of the KPI summaries made under them */
  private readonly configKey: string;
  private shiftSeen: number | null = null;

  constructor(private readonly o: ProductionServiceOptions) {
    this.tree = reasonTree(o.section);
    this.configKey = digestOf(JSON.stringify({ section: o.section, shifts: o.shiftStarts }));
    o.store.dropSummariesExcept(this.configKey);
    const walk = (nodes: ReasonNode[]) =>
      nodes.forEach((n) => {
        if (n.children.length === 0) this.reasons.set(n.code, { code: n.code, name: n.name, category: n.category, lossClass: n.lossClass, requestsMaintenance: n.requestsMaintenance });
        walk(n.children);
      });
    walk(this.tree);
    for (const p of o.section.products) this.idealCycleMs.set(p.code, p.idealCycleS !== undefined ? p.idealCycleS * 1000 : 60_000 / p.idealRatePerMin!);
    const now = o.clock.now();
    o.store.transaction(() => {
      for (const cfg of o.section.lines) this.lines.set(cfg.id, this.resume(cfg, now));
    });
    this.beat();
  }

  /** Picks up where the last run stopped (see the file comment). */
  private resume(cfg: ProductionLineConfig, now: number): LineRuntime {
    const s = this.o.store;
    const classes = { ...defaultStateClasses, ...cfg.groups, unknown: 'unknown' } as Record<RecordedState, StateClass>;
    const row = s.lineRow(cfg.id);
    const open = s.openInterval(cfg.id);
    const openEvent = s.openEvent(cfg.id);
    const lastSeen = row?.last_seen ?? now;
    const resumes = row !== undefined && now - lastSeen <= this.o.section.resumeGapS * 1000;
    let interval: LineRuntime['interval'];
    let resumedEvent: { start: number; reason: string | null } | null = null;
    if (open && resumes) {
      interval = { id: open.id, start: open.start, state: open.state, faultCode: open.fault_code };
      if (openEvent) resumedEvent = { start: openEvent.start, reason: openEvent.reason_code };
    } else {
      const gapStart = open ? Math.max(open.start, Math.min(lastSeen, now)) : now;
      if (open) s.closeInterval(open.id, gapStart);
      if (openEvent) this.closeEvent(openEvent, Math.max(openEvent.start, Math.min(lastSeen, now)));
      interval = { id: s.insertInterval(cfg.id, gapStart, null, 'unknown', 'unknown', null), start: gapStart, state: 'unknown', faultCode: null };
      if (!resumes) s.clearCounters(cfg.id);
    }
    s.seen(cfg.id, now);
    const stored = s.counters(cfg.id);
    const counters = new Map<CounterName, { tag: string; tracker: CounterTracker }>();
    for (const k of ['total', 'good', 'reject'] as const) {
      const tag = cfg.counters[k];
      if (tag === undefined) continue;
      const modulus = cfg.counters.modulus ?? counterModulusOf(this.o.tagTypes.get(tag) ?? 'uint32');
      counters.set(k, { tag, tracker: new CounterTracker(modulus, stored.get(k) ?? null) });
    }
    const auto = { faultCodes: cfg.faultCode?.reasons ?? {}, states: cfg.stateReasons };
    const tags = new Set([...stateTags({ tag: cfg.state.tag, rules: cfg.state.rules, default: cfg.state.default }), ...[...counters.values()].map((c) => c.tag)]);
    if (cfg.faultCode) tags.add(cfg.faultCode.tag);
    if (cfg.product.tag) tags.add(cfg.product.tag);
    if (cfg.product.orderTag) tags.add(cfg.product.orderTag);
    let product = row?.product ?? null;
    if (product === null && cfg.product.default !== undefined) {
      product = cfg.product.default;
      s.setProduct(cfg.id, now, product, null, 'default', 'system');
    }
    return { cfg, tags, classes, interval, downtime: new DowntimeTracker(auto, resumedEvent), counters, product, order: row?.order_no ?? null };
  }

  private beat(): void {
    if (this.closed) return;
    const now = this.o.clock.now();
    this.o.store.transaction(() => {
      for (const id of this.lines.keys()) this.o.store.seen(id, now);
    });
    this.summariseClosedShift(now);
    this.heartbeat = this.o.clock.setTimeout(() => this.beat(), HEARTBEAT_MS);
  }

  close(): void {
    this.closed = true;
    if (this.heartbeat) this.o.clock.clearTimeout(this.heartbeat);
    if (this.lines.size > 0) {
      const now = this.o.clock.now();
      this.o.store.transaction(() => {
        for (const id of this.lines.keys()) this.o.store.seen(id, now);
      });
    }
  }

  /** A batch from the tag bus (the live cache has it already). */
  onValues(batch: readonly TagValue[]): void {
    if (this.closed) return;
    for (const l of this.lines.values()) {
      if (!batch.some((v) => l.tags.has(v.tagId))) continue;
      const now = this.o.clock.now();
      const what = this.o.store.transaction(() => this.follow(l, batch, now));
      if (what !== null) this.o.changed(l.cfg.id, what, l.interval.state);
    }
  }

  private follow(l: LineRuntime, batch: readonly TagValue[], now: number): ProductionChange | null {
    const s = this.o.store;
    let what: ProductionChange | null = null;
    const id = l.cfg.id;
    // the product first: what is counted now is counted for it
    const pTag = l.cfg.product.tag;
    const oTag = l.cfg.product.orderTag;
    if ((pTag !== undefined && batch.some((v) => v.tagId === pTag)) || (oTag !== undefined && batch.some((v) => v.tagId === oTag))) {
      const pv = pTag !== undefined ? this.o.read(pTag) : undefined;
      const ov = oTag !== undefined ? this.o.read(oTag) : undefined;
      const product = pv?.quality.level === 'good' && pv.value !== null && String(pv.value) !== '' ? String(pv.value) : l.product;
      const order = ov?.quality.level === 'good' && ov.value !== null && String(ov.value) !== '' ? String(ov.value) : l.order;
      if (product !== null && (product !== l.product || order !== l.order)) {
        s.setProduct(id, now, product, order, 'tag', 'system');
        l.product = product;
        l.order = order;
        what = 'product';
      }
    }
    // counters: increments per minute and product
    const deltas: Record<CounterName, number> = { total: 0, good: 0, reject: 0 };
    let counted = false;
    for (const [name, c] of l.counters) {
      for (const v of batch) {
        if (v.tagId !== c.tag) continue;
        const step = c.tracker.update(v.value, v.quality.level === 'good');
        if (step.kind === 'ignored') continue;
        s.setCounter(id, name, c.tracker.lastValue!);
        if ('delta' in step) {
          deltas[name] += step.delta;
          counted = true;
        }
      }
    }
    if (counted) {
      const total = l.counters.has('total') ? deltas.total : deltas.good + deltas.reject;
      const good = l.counters.has('good') ? deltas.good : Math.max(0, deltas.total - deltas.reject);
      const reject = l.counters.has('reject') ? deltas.reject : Math.max(0, deltas.total - deltas.good);
      if (total + good + reject > 0) {
        s.addCount(id, Math.floor(now / MINUTE) * MINUTE, l.product ?? '', total, good, reject);
        what ??= 'count';
      }
    }
    // the state
    const state = classifyState({ tag: l.cfg.state.tag, rules: l.cfg.state.rules, default: l.cfg.state.default }, this.o.read);
    const fc = l.cfg.faultCode ? this.o.read(l.cfg.faultCode.tag) : undefined;
    const faultCode = fc?.quality.level === 'good' && typeof fc.value === 'number' ? fc.value : null;
    const cls = l.classes[state];
    if (state !== l.interval.state) {
      s.closeInterval(l.interval.id, now);
      l.interval = { id: s.insertInterval(id, now, null, state, cls, faultCode), start: now, state, faultCode };
      what = 'state';
    }
    for (const step of l.downtime.onState(now, state, cls, faultCode)) {
      what ??= 'downtime';
      if (step.kind === 'open') {
        const eid = s.insertEvent({ line: id, start: step.start, end: null, state: step.state, fault_code: step.faultCode, minor: 0, reason_code: step.reason, reason_by: step.reason ? 'auto' : null, reason_at: step.reason ? now : null, comment: '', split_from: null });
        s.downtimeRecord(now, 'open', id, eid, 'system', { start: step.start, state: step.state, faultCode: step.faultCode, reasonCode: step.reason });
      } else if (step.kind === 'close') {
        const open = s.openEvent(id);
        if (open) this.closeEvent(open, step.end);
      } else {
        const open = s.openEvent(id);
        if (open && open.reason_code === null) {
          s.updateEvent(open.id, { reason_code: step.reason, reason_by: 'auto', reason_at: now, fault_code: step.faultCode });
          s.downtimeRecord(now, 'reason', id, open.id, 'auto', { reasonCode: step.reason, faultCode: step.faultCode });
        }
      }
    }
    return what;
  }

  private closeEvent(e: DowntimeRow, end: number): void {
    const reason = e.reason_code !== null ? this.reasons.get(e.reason_code) : undefined;
    const planned = reason?.category === 'planned' || this.lineClass(e.line, e.state) === 'planned';
    const minor = isMinorStop(end - e.start, this.o.section.minorStopS * 1000, planned);
    this.o.store.updateEvent(e.id, { end, minor: minor ? 1 : 0 });
    this.o.store.downtimeRecord(end, 'close', e.line, e.id, 'system', { start: e.start, end, minor, reasonCode: e.reason_code });
  }

  private lineClass(line: string, state: RecordedState): StateClass {
    return this.lines.get(line)?.classes[state] ?? (state === 'unknown' ? 'unknown' : defaultStateClasses[state]);
  }

  private line(id: string | undefined): LineRuntime {
    if (this.lines.size === 0) throw new ApiError({ code: 'unavailable', message: 'the project has no production section (docs/production.md)' });
    const l = id === undefined ? this.lines.values().next().value! : this.lines.get(id);
    if (!l) throw new ApiError({ code: 'not_found', message: `unknown line "${id}" (lines: ${[...this.lines.keys()].join(', ')})`, context: { line: id ?? null } });
    return l;
  }

  // ---- reading ----

  config(): ProductionConfig {
    return {
      lines: [...this.lines.values()].map((l) => ({ id: l.cfg.id, name: l.cfg.name ?? l.cfg.id, stateTag: l.cfg.state.tag, productFromTag: l.cfg.product.tag !== undefined })),
      products: this.o.section.products.map((p) => ({ code: p.code, name: p.name ?? p.code, idealCycleS: this.idealCycleMs.get(p.code)! / 1000 })),
      reasons: this.tree,
      minorStopMs: this.o.section.minorStopS * 1000,
      shiftStarts: [...this.o.shiftStarts],
    };
  }

  private toEvent(r: DowntimeRow, now: number): DowntimeEvent {
    const reason = r.reason_code !== null ? this.reasons.get(r.reason_code) : undefined;
    return {
      id: r.id,
      line: r.line,
      start: r.start,
      end: r.end,
      durationMs: (r.end ?? now) - r.start,
      state: r.state,
      faultCode: r.fault_code,
      status: downtimeStatus({ end: r.end, minor: r.minor === 1, reasonCode: r.reason_code }),
      minor: r.minor === 1,
      reasonCode: r.reason_code,
      reasonName: reason?.name ?? null,
      category: reason?.category ?? null,
      lossClass: reason?.lossClass ?? null,
      reasonBy: r.reason_by,
      reasonAt: r.reason_at,
      comment: r.comment,
      splitFrom: r.split_from,
      history: this.o.store.changes(r.id).map((c) => ({ ts: c.ts, user: c.user_id, kind: c.kind, from: c.from_value, to: c.to_value })),
    };
  }

  private needsReason(e: DowntimeEvent): boolean {
    return e.reasonCode === null && !e.minor && this.lineClass(e.line, e.state) !== 'planned' && (e.end !== null || e.durationMs >= this.o.section.minorStopS * 1000);
  }

  /** Everything the KPIs need over [from, to), open records clipped to now. */
  private input(l: LineRuntime, from: number, to: number, now: number): KpiInput & { kpiEvents: KpiEvent[] } {
    const s = this.o.store;
    const intervals = s.intervals(l.cfg.id, from, to).map((i) => ({ start: i.start, end: i.end ?? Math.max(i.start, now), state: i.state, cls: i.cls }));
    const kpiEvents = s.events(l.cfg.id, from, to).map((e): KpiEvent => {
      const reason = e.reason_code !== null ? this.reasons.get(e.reason_code) : undefined;
      return { start: e.start, end: e.end ?? Math.max(e.start, now), minor: e.minor === 1, category: reason?.category ?? null, lossClass: reason?.lossClass ?? null, reasonCode: e.reason_code, reasonName: reason?.name ?? null };
    });
    const counts = s.counts(l.cfg.id, from, to).map((c) => ({ t: c.t, product: c.product === '' ? null : c.product, total: c.total, good: c.good, reject: c.reject }));
    return { intervals, events: kpiEvents, kpiEvents, counts, idealCycleMs: (p) => (p === null ? null : (this.idealCycleMs.get(p) ?? null)), startupRejectMs: this.o.section.startupRejectS * 1000, targetProduct: l.product };
  }

  kpis(lineId: string | undefined, from: number, to: number, bucket: KpiBucket): ProductionKpis {
    const t0 = performance.now();
    const l = this.line(lineId);
    const now = this.o.clock.now();
    const ict = (sums: KpiSums) => {
      const p = l.product ?? sums.lastProduct;
      return p === null ? null : (this.idealCycleMs.get(p) ?? null);
    };
    const figures = (s: { bucket: Bucket; summary: KpiSummary }) => figuresOf(s.summary.sums, s.bucket.from, s.bucket.to, s.bucket.label, ict(s.summary.sums));
    // The range's total from its shifts (closed ones kept as summaries): the same figures as
    // computed over the whole range at once, without reading a year of history.
    const shifts = this.summarised(l, 'shift', shiftBuckets(from, to, this.o.shiftStarts), now);
    const totalSums = addSums(shifts.map((x) => x.summary.sums));
    let buckets: KpiFigures[];
    if (bucket === 'shift') buckets = shifts.map(figures);
    else if (bucket === 'hour' || bucket === 'day') buckets = this.summarised(l, bucket, bucket === 'hour' ? hourBuckets(from, to) : dayBuckets(from, to), now).map(figures);
    else if (bucket === 'order') {
      const input = this.input(l, from, to, now);
      buckets = this.buckets(l, from, to, bucket).map((b) => computeKpis(input, b.from, b.to, b.label));
    } else buckets = [];
    return {
      line: l.cfg.id,
      bucket,
      buckets,
      total: figuresOf(totalSums, from, to, `${localLabel(from)} – ${localLabel(to)}`, ict(totalSums)),
      pareto: combinePareto(shifts.map((x) => x.summary.pareto)),
      tookMs: performance.now() - t0,
    };
  }

  /**
   * The sums of each bucket: a closed, whole bucket from its summary row when there is one,
   * otherwise computed from the history (each run of missing buckets read at once, with the
   * stops that ended just before it for the startup rejects) and, when closed and whole, kept.
   */
  private summarised(l: LineRuntime, kind: SummaryKind, buckets: readonly Bucket[], now: number): { bucket: Bucket; summary: KpiSummary }[] {
    if (buckets.length === 0) return [];
    const store = this.o.store;
    const kept = new Map(store.summaries(l.cfg.id, kind, this.configKey, buckets[0].from, buckets[buckets.length - 1].to).map((r) => [r.from, r]));
    const out: { bucket: Bucket; summary: KpiSummary }[] = [];
    let run: Bucket[] = [];
    const computeRun = () => {
      if (run.length === 0) return;
      const input = this.input(l, run[0].from - this.o.section.startupRejectS * 1000, run[run.length - 1].to, now);
      for (const b of run) {
        const summary: KpiSummary = { sums: kpiSums(input, b.from, b.to), pareto: paretoParts(input.kpiEvents, b.from, b.to) };
        if (b.to <= now && this.whole(kind, b)) store.putSummary(l.cfg.id, kind, b.from, b.to, this.configKey, JSON.stringify(summary));
        out.push({ bucket: b, summary });
      }
      run = [];
    };
    for (const b of buckets) {
      const row = kept.get(b.from);
      if (row && row.to === b.to && b.to <= now) {
        computeRun();
        out.push({ bucket: b, summary: JSON.parse(row.data) as KpiSummary });
      } else run.push(b);
    }
    computeRun();
    return out;
  }

  /** Whether a bucket is a whole shift (hour, day), not a piece clipped by a query's range. */
  private whole(kind: SummaryKind, b: Bucket): boolean {
    const start = kind === 'shift' ? (t: number) => shiftStart(t, this.o.shiftStarts) : kind === 'hour' ? hourStart : dayStart;
    return start(b.from) === b.from && start(b.to) === b.to;
  }

  /** As a shift ends, its summary is made (so that history queries find it kept). */
  private summariseClosedShift(now: number): void {
    const current = shiftStart(now, this.o.shiftStarts);
    if (this.shiftSeen === null || current === this.shiftSeen) {
      this.shiftSeen = current;
      return;
    }
    const from = this.shiftSeen;
    this.shiftSeen = current;
    for (const l of this.lines.values()) this.summarised(l, 'shift', shiftBuckets(from, current, this.o.shiftStarts), now);
  }

  private buckets(l: LineRuntime, from: number, to: number, bucket: KpiBucket): Bucket[] {
    switch (bucket) {
      case 'none':
        return [];
      case 'hour':
        return hourBuckets(from, to);
      case 'shift':
        return shiftBuckets(from, to, this.o.shiftStarts);
      case 'day':
        return dayBuckets(from, to);
      case 'order': {
        const changes = this.o.store.products(l.cfg.id, from, to);
        const out: Bucket[] = [];
        changes.forEach((c, i) => {
          const a = Math.max(from, c.ts);
          const b = i + 1 < changes.length ? Math.min(to, changes[i + 1].ts) : to;
          const label = c.order_no ? `${c.order_no} (${c.product})` : c.product;
          if (b > a) {
            const last = out[out.length - 1];
            if (last && last.label === label && last.to === a) last.to = b;
            else out.push({ from: a, to: b, label });
          }
        });
        return out;
      }
    }
  }

  timeline(lineId: string | undefined, from: number, to: number): { line: string; intervals: StateInterval[] } {
    const l = this.line(lineId);
    return { line: l.cfg.id, intervals: this.o.store.intervals(l.cfg.id, from, to).map((i) => ({ start: Math.max(i.start, from), end: i.end === null ? null : Math.min(i.end, to), state: i.state, cls: i.cls })) };
  }

  live(lineId?: string): ProductionLive {
    const l = this.line(lineId);
    const now = this.o.clock.now();
    const from = shiftStart(now, this.o.shiftStarts);
    const to = shiftBoundaries(now, now + 2 * 86_400_000, this.o.shiftStarts)[1] ?? from + 8 * 3_600_000;
    const input = this.input(l, from, now + 1, now);
    const k = computeKpis(input, from, Math.max(from + 1, now), localLabel(from));
    const ict = l.product !== null ? (this.idealCycleMs.get(l.product) ?? null) : null;
    const events = this.o.store.events(l.cfg.id, now - 7 * 86_400_000, now + 1).map((e) => this.toEvent(e, now));
    const product = this.o.section.products.find((p) => p.code === l.product);
    return {
      line: l.cfg.id,
      now,
      state: l.interval.state,
      stateClass: l.classes[l.interval.state],
      since: l.interval.start,
      durationMs: now - l.interval.start,
      faultCode: l.interval.faultCode,
      product: l.product,
      productName: product?.name ?? l.product,
      order: l.order,
      idealRatePerMin: ict ? 60_000 / ict : null,
      shift: { from, to, label: localLabel(from) },
      kpis: k,
      target: { now: ict ? Math.floor(k.plannedBusyMs / ict) : 0, atShiftEnd: ict ? Math.floor((k.plannedBusyMs + (to - now)) / ict) : 0 },
      pending: events.filter((e) => this.needsReason(e)),
      openStop: events.find((e) => e.end === null) ?? null,
      timeline: this.timeline(l.cfg.id, from, to).intervals,
      pareto: pareto(input.kpiEvents, from, now + 1),
      openMaintenance: this.o.store.requests({ open: true, line: l.cfg.id, limit: 1000 }).length,
    };
  }

  downtimeList(p: { line?: string; from?: number; to?: number; status?: DowntimeEvent['status'] | 'pending'; limit: number }): DowntimeEvent[] {
    const l = this.line(p.line);
    const now = this.o.clock.now();
    const rows = this.o.store.events(l.cfg.id, p.from ?? now - 7 * 86_400_000, p.to ?? now + 1).map((e) => this.toEvent(e, now));
    const kept = p.status === undefined ? rows : p.status === 'pending' ? rows.filter((e) => this.needsReason(e)) : rows.filter((e) => e.status === p.status);
    return kept.reverse().slice(0, p.limit);
  }

  // ---- operator actions ----

  private event(id: number): DowntimeRow {
    const e = this.o.store.event(id);
    if (!e) throw new ApiError({ code: 'not_found', message: `no downtime event ${id}`, context: { id } });
    return e;
  }

  setReason(id: number, code: string, actor: Actor, comment?: string): DowntimeEvent {
    const reason = this.reasons.get(code);
    if (!reason) throw new ApiError({ code: 'not_found', message: `unknown reason "${code}" (a leaf of the reason tree: production.config)`, context: { reasonCode: code } });
    const now = this.o.clock.now();
    let requestMaintenance = false;
    const e = this.o.store.transaction(() => {
      const e = this.event(id);
      const kind = e.reason_code === null ? 'reason' : 'correction';
      if (e.reason_code === code && comment === undefined) return e;
      this.o.store.updateEvent(id, { reason_code: code, reason_by: actor.user, reason_at: now, ...(comment !== undefined ? { comment } : {}) });
      if (e.reason_code !== code) this.o.store.change({ downtime_id: id, ts: now, user_id: actor.user, kind, from_value: e.reason_code, to_value: code });
      this.o.store.downtimeRecord(now, kind, e.line, id, actor.user, { reasonCode: code, previous: e.reason_code, comment: comment ?? e.comment });
      if (e.end === null) this.lines.get(e.line)?.downtime.reasonGiven(code);
      // a stopped line whose stop is re-classified as planned (or not) after the fact: minor is re-decided
      if (e.end !== null) {
        const planned = reason.category === 'planned' || this.lineClass(e.line, e.state) === 'planned';
        const minor = isMinorStop(e.end - e.start, this.o.section.minorStopS * 1000, planned);
        if (minor !== (e.minor === 1)) this.o.store.updateEvent(id, { minor: minor ? 1 : 0 });
      }
      if (reason.requestsMaintenance && reason.lossClass === 'breakdown' && this.o.store.requestForDowntime(id) === null) {
        // a stop during maintenance work already under way is that work's: linked, not raised again
        const working = this.o.store.requestWorkingDuring(e.line, e.start, e.end ?? now);
        if (working === null) requestMaintenance = true;
        else if (working.downtimeId === null) {
          this.o.store.linkDowntime(working.id, id);
          this.o.store.maintenanceRecord(now, 'linked', working.id, actor.user, { downtimeId: id });
        }
      }
      this.o.audit({ ts: now, actor, action: kind === 'reason' ? 'downtime.reason' : 'downtime.correct', target: `${e.line}/downtime/${id}`, oldValue: e.reason_code, newValue: code, detail: comment ?? '' });
      return e;
    });
    if (requestMaintenance) this.createRequest({ line: e.line, source: 'downtime', downtimeId: id, description: comment ?? '', priority: 2 }, actor);
    this.o.changed(e.line, 'downtime', this.lines.get(e.line)?.interval.state ?? 'unknown');
    return this.toEvent(this.event(id), now);
  }

  split(id: number, at: number, actor: Actor): DowntimeEvent[] {
    const now = this.o.clock.now();
    const ids = this.o.store.transaction(() => {
      const e = this.event(id);
      const end = e.end ?? now;
      if (!(at > e.start && at < end)) throw new ApiError({ code: 'refused', message: `split at ${new Date(at).toISOString()}: not inside the event (${new Date(e.start).toISOString()} – ${e.end === null ? 'now' : new Date(e.end).toISOString()})`, context: { id, at } });
      const threshold = this.o.section.minorStopS * 1000;
      const planned = (code: string | null) => (code !== null && this.reasons.get(code)?.category === 'planned') || this.lineClass(e.line, e.state) === 'planned';
      const second = this.o.store.insertEvent({ ...e, start: at, minor: e.end !== null && isMinorStop(e.end - at, threshold, planned(e.reason_code)) ? 1 : 0, split_from: id });
      this.o.store.updateEvent(id, { end: at, minor: isMinorStop(at - e.start, threshold, planned(e.reason_code)) ? 1 : 0 });
      for (const x of [id, second]) this.o.store.change({ downtime_id: x, ts: now, user_id: actor.user, kind: 'split', from_value: String(id), to_value: `${id}+${second}@${at}` });
      this.o.store.downtimeRecord(now, 'split', e.line, id, actor.user, { at, into: [id, second] });
      if (e.end === null) this.lines.get(e.line)?.downtime.splitAt(at, e.reason_code);
      this.o.audit({ ts: now, actor, action: 'downtime.split', target: `${e.line}/downtime/${id}`, oldValue: { start: e.start, end: e.end }, newValue: { at, into: [id, second] }, detail: '' });
      return [id, second];
    });
    const first = this.event(ids[0]);
    this.o.changed(first.line, 'downtime', this.lines.get(first.line)?.interval.state ?? 'unknown');
    return ids.map((x) => this.toEvent(this.event(x), now));
  }

  comment(id: number, text: string, actor: Actor): DowntimeEvent {
    const now = this.o.clock.now();
    this.o.store.transaction(() => {
      const e = this.event(id);
      this.o.store.updateEvent(id, { comment: text });
      this.o.store.change({ downtime_id: id, ts: now, user_id: actor.user, kind: 'comment', from_value: e.comment, to_value: text });
      this.o.store.downtimeRecord(now, 'comment', e.line, id, actor.user, { comment: text });
      this.o.audit({ ts: now, actor, action: 'downtime.comment', target: `${e.line}/downtime/${id}`, oldValue: e.comment, newValue: text, detail: '' });
    });
    return this.toEvent(this.event(id), now);
  }

  setProduct(lineId: string | undefined, product: string, order: string | undefined, actor: Actor): ProductionLive {
    const l = this.line(lineId);
    if (!this.idealCycleMs.has(product)) throw new ApiError({ code: 'not_found', message: `unknown product "${product}" (products: ${[...this.idealCycleMs.keys()].join(', ')})`, context: { product } });
    const now = this.o.clock.now();
    this.o.store.transaction(() => {
      this.o.store.setProduct(l.cfg.id, now, product, order ?? null, 'operator', actor.user);
      this.o.audit({ ts: now, actor, action: 'production.product', target: l.cfg.id, oldValue: { product: l.product, order: l.order }, newValue: { product, order: order ?? null }, detail: '' });
    });
    l.product = product;
    l.order = order ?? null;
    this.o.changed(l.cfg.id, 'product', l.interval.state);
    return this.live(l.cfg.id);
  }

  // ---- maintenance requests ----

  createRequest(p: { line?: string; source: MaintenanceRequest['source']; alarmId?: string; downtimeId?: number; title?: string; description: string; priority: number }, actor: Actor): MaintenanceRequest {
    const l = this.line(p.line);
    const now = this.o.clock.now();
    let alarm: MaintenanceRequest['alarm'] = null;
    let trend: MaintenanceRequest['trend'] = null;
    let title = p.title;
    if (p.source === 'alarm') {
      const a = this.o.alarm(p.alarmId!);
      if (!a) throw new ApiError({ code: 'not_found', message: `unknown alarm "${p.alarmId}"`, context: { alarmId: p.alarmId ?? null } });
      alarm = { id: a.id, message: a.message, priority: a.priority, value: a.value, activeSince: a.activeSince };
      const since = a.activeSince ?? now;
      trend = { tagIds: a.tagIds, from: since - 10 * MINUTE, to: now };
      title ??= `${a.id}: ${a.message}`;
    } else if (p.source === 'downtime') {
      const e = this.event(p.downtimeId!);
      const reason = e.reason_code !== null ? this.reasons.get(e.reason_code) : undefined;
      if (reason?.lossClass !== 'breakdown') {
        throw new ApiError({ code: 'refused', message: `downtime event ${e.id} is not a breakdown (its reason is ${reason ? `${reason.code}, ${reason.lossClass ?? reason.category}` : 'not given yet'}): a request from a stop needs a reason of the breakdown class`, context: { downtimeId: e.id } });
      }
      const tags = [l.cfg.state.tag, ...(l.cfg.faultCode ? [l.cfg.faultCode.tag] : [])];
      trend = { tagIds: tags, from: e.start - 10 * MINUTE, to: e.end ?? now };
      title ??= `${reason.name} (stop ${e.id}, ${localLabel(e.start)})`;
    }
    const id = this.o.store.transaction(() => {
      const rid = this.o.store.insertRequest({ line: l.cfg.id, title: title!, description: p.description, priority: p.priority, source: p.source, alarm, trend, downtimeId: p.downtimeId ?? null, state: 'open', createdAt: now, createdBy: actor.user, updatedAt: now, assignee: null, runId: null, closedAt: null });
      this.o.store.requestChange(rid, now, actor.user, null, 'open', p.description);
      this.o.store.maintenanceRecord(now, 'created', rid, actor.user, this.o.store.request(rid));
      this.o.audit({ ts: now, actor, action: 'maintenance.create', target: `maintenance/${rid}`, oldValue: null, newValue: { title, source: p.source, priority: p.priority }, detail: p.description });
      return rid;
    });
    this.o.changed(l.cfg.id, 'maintenance', l.interval.state);
    return this.o.store.request(id)!;
  }

  requests(f: { line?: string; state?: MaintenanceState; open?: boolean; limit: number; beforeId?: number }): MaintenanceRequest[] {
    return this.o.store.requests(f);
  }

  request(id: number): MaintenanceRequest {
    const r = this.o.store.request(id);
    if (!r) throw new ApiError({ code: 'not_found', message: `no maintenance request ${id}`, context: { id } });
    return r;
  }

  transition(id: number, to: MaintenanceState, actor: Actor, comment: string, runId?: number): MaintenanceRequest {
    const now = this.o.clock.now();
    if (runId !== undefined && !this.o.runExists(runId)) throw new ApiError({ code: 'not_found', message: `no instruction run ${runId}`, context: { runId } });
    const r = this.o.store.transaction(() => {
      const r = this.request(id);
      if (!transitions[r.state].includes(to)) {
        throw new ApiError({ code: 'refused', message: `request ${id} is ${r.state}: it can go to ${transitions[r.state].join(' or ') || 'nothing (closed)'}, not ${to}`, context: { id, state: r.state, to } });
      }
      const assignee = to === 'acknowledged' || to === 'inProgress' ? actor.user : r.assignee;
      const closedAt = to === 'done' || to === 'cancelled' ? now : null;
      this.o.store.updateRequest(id, { state: to, updated_at: now, assignee, run_id: runId ?? r.runId, closed_at: closedAt });
      this.o.store.requestChange(id, now, actor.user, r.state, to, comment);
      this.o.store.maintenanceRecord(now, to, id, actor.user, { from: r.state, to, comment, runId: runId ?? r.runId, assignee });
      this.o.audit({ ts: now, actor, action: `maintenance.${to}`, target: `maintenance/${id}`, oldValue: r.state, newValue: to, detail: comment });
      return r;
    });
    this.o.changed(r.line, 'maintenance', this.lines.get(r.line)?.interval.state ?? 'unknown');
    return this.request(id);
  }
}

export type { KpiFigures };
