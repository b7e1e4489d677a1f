/**
 * Production at the line in the runtime (docs/production.md): the ProductionService built from
 * the project's `production:` section, fed by the tag bus, and its API handlers. The
 * permissions are checked before a handler runs (shared/method-permissions.ts).
 */
import type Database from 'better-sqlite3';
import type { MethodName, ParsedParamsOf, ResultOf } from '../../shared/api';
import type { AlarmDefinitionInfo, AlarmStatus } from '../../shared/alarms';
import type { Actor, TagValue } from '../../shared/types';
import type { RecordedState } from '../../shared/production';
import type { ProductionChange } from '../../shared/production-api';
import type { Project } from '../config/project-schema';
import { productionSectionSchema } from '../config/production-schema';
import { ProductionService } from '../production/production-service';
import { ProductionStore } from '../production/production-store';
import type { Caller } from '../security/caller';
import type { Clock } from '../util/clock';

type ProductionMethod = Extract<MethodName, `production.${string}` | `maintenance.${string}`>;
type Handlers = { [M in ProductionMethod]: (p: ParsedParamsOf<M>, c: Caller) => ResultOf<M> | Promise<ResultOf<M>> };

export interface ProductionWiring {
  project: Project;
  db: Database.Database;
  clock: Clock;
  read: (tagId: string) => TagValue | undefined;
  audit: (r: { ts: number; actor: Actor; action: string; target: string; oldValue: unknown; newValue: unknown; detail: string }) => void;
  emit: (line: string, what: ProductionChange, state: RecordedState) => void;
  alarms: { list(): AlarmStatus[]; definitions(): AlarmDefinitionInfo[] };
  runExists: (runId: number) => boolean;
}

/** A project without a production section has no lines (the calls say so), but its tables exist. */
const noLines = productionSectionSchema.parse({ lines: [{ id: 'none', state: { tag: 'none', rules: [{ equals: 1, state: 'running' }] }, counters: { good: 'none', reject: 'none' } }] });

export function createProduction(w: ProductionWiring): ProductionService {
  const section = w.project.production ?? { ...noLines, lines: [] };
  return new ProductionService({
    section,
    shiftStarts: w.project.shifts,
    store: new ProductionStore(w.db),
    clock: w.clock,
    read: w.read,
    tagTypes: new Map(w.project.tags.map((t) => [t.id, t.dataType])),
    audit: w.audit,
    changed: (line, what, state) => w.emit(line, what, state),
    alarm: (alarmId) => {
      const def = w.alarms.definitions().find((d) => d.id === alarmId);
      if (!def) return null;
      const st = w.alarms.list().find((s) => s.id === alarmId);
      const value = st?.value ?? null;
      return { id: def.id, message: def.message, priority: def.priority, value: typeof value === 'object' ? null : value, activeSince: st?.active ? st.changedAt : null, tagIds: def.tag === null ? [] : [def.tag] };
    },
    runExists: w.runExists,
  });
}

export function productionHandlers(p: ProductionService): Handlers {
  return {
    'production.config': () => p.config(),
    'production.live': (q) => p.live(q.line),
    'production.kpis': (q) => p.kpis(q.line, q.from, q.to, q.bucket),
    'production.timeline': (q) => p.timeline(q.line, q.from, q.to),
    'production.downtime.list': (q) => p.downtimeList(q),
    'production.downtime.setReason': (q, c) => p.setReason(q.id, q.reasonCode, c.actor, q.comment),
    'production.downtime.split': (q, c) => p.split(q.id, q.at, c.actor),
    'production.downtime.comment': (q, c) => p.comment(q.id, q.text, c.actor),
    'production.product.set': (q, c) => p.setProduct(q.line, q.product, q.order, c.actor),
    'maintenance.create': (q, c) => p.createRequest(q, c.actor),
    'maintenance.list': (q) => p.requests(q),
    'maintenance.get': (q) => p.request(q.id),
    'maintenance.transition': (q, c) => p.transition(q.id, q.to, c.actor, q.comment, q.runId),
  };
}
