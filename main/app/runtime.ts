/**
 * The composition root: builds the runtime from a project file and hands a RuntimeHost to a
 * shell. The only place that knows every module.
 */
import { dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { exportCsv } from '../historian/export-csv';
import {
  ApiError,
  exportSamplesParams,
  isMethodName,
  parseParams,
  type ApiEvent,
  type ApiReply,
  type AppInfo,
  type MethodName,
  type ParsedParamsOf,
  type ResultOf,
} from '../../shared/api';
import type { Actor, DeviceStatus, TagValue } from '../../shared/types';
import { AcquisitionService } from '../acquisition/acquisition-service';
import { loadProjectFile } from '../config/project-loader';
import type { Project } from '../config/project-schema';
import { createDriver } from './driver-factory';
import type { Driver } from '../drivers/driver';
import { openDatabase } from '../historian/database';
import { Historian, type RetentionOptions } from '../historian/historian';
import { startSimulator, type SimulatedLine, type SimulatorOptions } from '../simulator/simulator';
import { FrameCoalescer } from '../tags/frame-coalescer';
import { LiveValueCache } from '../tags/live-cache';
import { TagBus } from '../tags/tag-bus';
import { systemClock, type Clock } from '../util/clock';
import { createLogger } from '../util/log';
import { demoProjectFile } from './paths';
import { toAcquiredTag, toTagInfo, toWritableTag } from './project-tags';
import { AuditTrail } from '../security/audit-trail';
import { WriteRefused, WriteService } from '../acquisition/write-service';
import { StorageFilter, storagePolicy } from '../acquisition/storage-filter';
import { opcuaHandlers } from './opcua-api';
import { alarmHandlers, createAlarmService, deviceCommunication } from './alarm-api';
import { createSync, syncCarriesSamples } from './sync-wiring';
import { createSparkplug } from './sparkplug-wiring';
import { syncHandlers } from '../sync/sync-api';
import { TrendViewStore } from '../trends/trend-view-store';
import { trendViewHandlers } from './trend-api';
import type { RuntimeHost } from './runtime-host';
import { version } from './version';
import { SignatureStore } from '../security/signature-store';
import { SecurityService } from '../security/security-service';
import { AccessGuard } from '../security/access-guard';
import { SignaturePolicy } from '../security/signature-policy';
import type { Caller } from '../security/caller';
import type { AuditRecord } from '../security/audit-trail';
import { securityHandlers } from './security-api';
import { parseSignature, signInAlarmValue, withSignInAlarm } from './security-wiring';
import { METHOD_PERMISSIONS } from '../../shared/method-permissions';
import { rolesOf } from '../config/security-schema';
import { InstructionService } from '../instructions/instruction-service';
import { loadInstructionFolders } from '../config/instruction-files';
import { RunEngine } from '../instructions/run-engine';
import { RunStore } from '../instructions/run-store';
import { VersionStore } from '../instructions/version-store';
import { instructionHandlers, instructionSignatures } from './instructions-api';
import { instructionAlarmValue, withInstructionAlarm } from './instruction-wiring';
import { createPackageService, instructionPackageHandlers, packageKeySignature } from './instruction-packages-api';
import { createProduction, productionHandlers } from './production-api';
import { defaultExportLimits, defaultHeavyQueryLimits, EXPORT_CONNECTION_KEY, HeavyQueryGate, type HeavyQueryLimits } from './heavy-query-gate';

const log = createLogger('runtime');

export interface RuntimeOptions {
  /** the project file; when undefined, the demo project runs against the built-in simulator */
  projectFile?: string;
  dataDir: string;
  shell: 'electron' | 'headless';
  /** better_sqlite3.node built for Electron's ABI, when running under Electron */
  nativeBinding?: string;
  clock?: Clock;
  frameIntervalMs?: number;
  /** options for the built-in simulator (demo mode only) */
  simulator?: SimulatorOptions;
  /** instrumentation (benchmarks): sees every batch on the tag bus */
  onBatch?: (batch: readonly TagValue[]) => void;
  /** the heavy history gate's limits (benchmarks compare them); default defaultHeavyQueryLimits */
  heavyQueryLimits?: HeavyQueryLimits;
}

export async function startRuntime(options: RuntimeOptions): Promise<RuntimeHost> {
  const clock = options.clock ?? systemClock;
  const demo = options.projectFile === undefined;
  const projectFile = options.projectFile ?? demoProjectFile();
  let project = loadProjectFile(projectFile);

  let simulator: SimulatedLine | null = null;
  if (demo) {
    simulator = await startSimulator({ pkiDir: join(options.dataDir, 'simulator-pki'), ...options.simulator });
    project = bindToSimulator(project, simulator);
    log.info(`built-in simulator: Modbus TCP ${simulator.endpoints.modbusTcp.host}:${simulator.endpoints.modbusTcp.port}, OPC UA ${simulator.endpoints.opcua}`);
  }

  let db;
  let trendViews: TrendViewStore;
  const projectTagIds = new Set(project.tags.map((t) => t.id));
  try {
    db = openDatabase(join(options.dataDir, 'lineside.db'), { nativeBinding: options.nativeBinding });
  } catch (err) {
    await simulator?.stop();
    throw err;
  }
  try {
    trendViews = new TrendViewStore(db, clock, { isTag: (id) => projectTagIds.has(id), log: createLogger('trends') });
  } catch (err) {
    db.close();
    await simulator?.stop();
    throw err;
  }
  // The writer runs on a worker thread: commits, compaction and fsyncs stay off this event loop.
  const historian = new Historian(db, clock, { writer: 'worker', nativeBinding: options.nativeBinding, sampleOutbox: syncCarriesSamples(project) });
  historian.registerTags(project.tags.map((t) => ({ name: t.id, units: t.units })));
  historian.markStart(clock.now());
  historian.setRetention(retentionOf(project));

  const bus = new TagBus((err) => log.error(`tag bus consumer failed: ${(err as Error).stack ?? String(err)}`));
  const cache = new LiveValueCache();
  const listeners = new Set<(e: ApiEvent) => void>();
  const emit = (e: ApiEvent) => {
    for (const l of listeners) l(e);
  };
  const frameIntervalMs = options.frameIntervalMs ?? 100;
  const frames = new FrameCoalescer(frameIntervalMs, clock, (values) => emit({ event: 'values', data: { values } }));
  bus.subscribe((b) => cache.apply(b));
  if (options.onBatch) bus.subscribe(options.onBatch);
  const storage = new StorageFilter(new Map(project.tags.map((t) => [t.id, storagePolicy({ ...t.storage, min: t.min, max: t.max })])));
  bus.subscribe((b) => {
    const stored = storage.filter(b);
    if (stored.length > 0) historian.ingest(stored);
  });
  bus.subscribe((b) => frames.push(b));

  const drivers = new Map<string, Driver>();
  for (const d of project.devices.filter((x) => x.enabled)) drivers.set(d.id, createDriver(d, clock, join(options.dataDir, 'pki')));
  const enabled = new Set(drivers.keys());
  const acquisition = new AcquisitionService(
    drivers,
    project.tags.filter((t) => enabled.has(t.device)).map(toAcquiredTag),
    clock,
    (batch: TagValue[]) => bus.publish(batch),
  );
  acquisition.onDeviceStatus(() => emit({ event: 'devices', data: { devices: acquisition.deviceStatuses() } }));
  acquisition.start();
  // once a second, how fresh each scan group's readings are: the screens count a value's age from it
  const confirmations = setInterval(() => emit({ event: 'confirmations', data: { groups: acquisition.confirmations() } }), 1000);
  confirmations.unref();

  const audit = new AuditTrail(db);
  const signatures = new SignatureStore(db);
  // An action signed is linked both ways: the audit record names the signature, and the
  // signature the audit record it went with.
  const record = (r: AuditRecord): number => {
    const id = audit.record(r);
    if (r.signatureId !== undefined && r.signatureId !== null) signatures.linkToAudit(r.signatureId, id);
    return id;
  };
  const alarms = createAlarmService({
    project: withInstructionAlarm(withSignInAlarm(project)),
    db,
    clock,
    emit: (statuses) => emit({ event: 'alarms', data: { statuses } }),
    audit: (r) => record(r),
    log: createLogger('alarms'),
  });
  const sessionPushes = new Map<string, Set<(e: ApiEvent) => void>>();
  const security = new SecurityService({
    db,
    clock,
    section: { ...project.security, roles: rolesOf(project.security) },
    record,
    signInAlarm: (active) => alarms.ingest([signInAlarmValue(active, clock.now())]),
    onSessionChange: (sessionId, state) => sessionPushes.get(sessionId)?.forEach((push) => push({ event: 'session', data: state })),
  });
  alarms.ingest([signInAlarmValue(false, clock.now())]);
  const alarmPriority = new Map(project.alarms.definitions.map((d) => [d.id, d.priority]));
  const writes = new WriteService({
    tags: project.tags.filter((t) => enabled.has(t.device)).map(toWritableTag),
    drivers,
    current: (id) => cache.get(id),
    publish: (batch) => bus.publish(batch),
    record: (w) => record({ ts: w.ts, user: w.user, station: w.station, signatureId: w.signatureId, action: 'tag.write', target: w.tagId, oldValue: w.oldValue, newValue: w.newValue, outcome: w.outcome, detail: w.detail }),
    clock,
  });

  // Work instructions (docs/instructions.md): versions from the project's folders, runs gated on live values.
  const instructionAudit = (r: { ts: number; actor: Actor; action: string; target: string; newValue: unknown; detail: string }) =>
    record({ ts: r.ts, user: r.actor.user, station: r.actor.station, signatureId: r.actor.signatureId, action: r.action, target: r.target, oldValue: null, newValue: r.newValue, outcome: 'done', detail: r.detail });
  const versions = new VersionStore(db, project.instructions.approvals);
  const runStore = new RunStore(db);
  const instructions = new InstructionService({
    versions,
    clock,
    load: () =>
      loadInstructionFolders(resolve(dirname(projectFile), project.instructions.folder), {
        tags: new Map(project.tags.map((t) => [t.id, { writable: t.writable }])),
        alarms: new Set(project.alarms.definitions.map((d) => d.id)),
      }),
    audit: instructionAudit,
    log: createLogger('instructions'),
    shifts: project.shifts,
    startedSince: (id, t) => runStore.startedSince(id, t),
  });
  const runs = new RunEngine({
    versions,
    runs: runStore,
    clock,
    read: (id) => cache.get(id),
    write: (tagId, value, actor) => writes.write(tagId, value, actor),
    changed: (runId) => {
      const v = runs.view(runId);
      emit({ event: 'run', data: { runId, state: v.run.state, currentStepId: v.run.currentStepId } });
    },
    audit: instructionAudit,
    overdue: (active) => alarms.ingest([instructionAlarmValue(active, clock.now())]),
  });
  alarms.ingest([instructionAlarmValue(false, clock.now())]);
  bus.subscribe((b) => runs.onValues(b));
  // Production at the line (docs/production.md): states, counts, downtime, KPIs, maintenance requests (before the sync: its streams).
  const production = createProduction({
    project, db, clock, read: (id) => cache.get(id), alarms, runExists: (id) => runStore.get(id) !== null,
    audit: (r) => record({ ts: r.ts, user: r.actor.user, station: r.actor.station, signatureId: r.actor.signatureId, action: r.action, target: r.target, oldValue: r.oldValue, newValue: r.newValue, outcome: 'done', detail: r.detail }),
    emit: (line, what, state) => emit({ event: 'production', data: { line, what, state } }),
  });
  bus.subscribe((b) => production.onValues(b));
  // Signed instruction packages between line PCs, and the trust list of their keys.
  const packages = createPackageService({ db, dataDir: options.dataDir, project, projectFile, versions, clock, record });
  const runSignatures = instructionSignatures(runs);
  const writeAreas = new Map(project.tags.filter((t) => t.writable).map((t) => [t.id, t.writeArea ?? null]));
  const guard = new AccessGuard({
    sessions: security.sessions,
    users: security.users,
    authenticator: security.authenticator,
    signatures,
    policy: new SignaturePolicy(project.security.signatures, { alarmPriority: (id) => alarmPriority.get(id) ?? null, required: (m, p) => packageKeySignature(m) ?? runSignatures(m, p) }),
    tagWriteArea: (tagId) => writeAreas.get(tagId),
    grantsOf: (roles) => security.rolePolicy(roles).grants,
    record,
    clock,
  });
  bus.subscribe((b) => alarms.ingest(b));
  const communication = deviceCommunication();
  const deviceToAlarms = (s: { deviceId: string; state: DeviceStatus['state'] }) => {
    const communicating = communication(s.deviceId, s.state);
    if (communicating !== null) alarms.setDeviceCommunicating(s.deviceId, communicating);
  };
  acquisition.deviceStatuses().forEach(deviceToAlarms);
  // Store-and-forward upstream (docs/sync.md): after the alarm journal and audit tables exist.
  const sync = createSync({ project, db, historian, clock, log: createLogger('sync') });
  sync.start();
  // The live Sparkplug B view (docs/sparkplug.md), when the project turns it on: at most once.
  const sparkplug = createSparkplug({ project, db, clock, log: createLogger('sparkplug') });
  if (sparkplug) {
    bus.subscribe((b) => sparkplug.ingest(b));
    sparkplug.start();
  }
  acquisition.onDeviceStatus(deviceToAlarms);
  const info: AppInfo = {
    product: 'Lineside',
    version,
    shell: options.shell,
    projectName: project.name,
    projectFile,
    simulator: simulator !== null,
    startedAt: clock.now(),
    frameIntervalMs,
    shiftStarts: [...project.shifts],
    display: {
      dateFormat: project.display.dateFormat,
      locale: project.display.locale ?? null,
      hour12: project.display.hour12,
      graphic: project.display.graphic.map((u) => ({ id: u.id, label: u.label, state: u.state ?? null, values: u.values.map((v) => (typeof v === 'string' ? { tag: v, label: null } : { tag: v.tag, label: v.label })) })),
    },
  };
  const tagInfos = toTagInfo(project);
  const tagIds = new Set(tagInfos.map((t) => t.id));

  const requireSimulator = (): SimulatedLine => {
    if (!simulator) throw new ApiError({ code: 'unavailable', message: 'the built-in simulator is not running (a project file was given)' });
    return simulator;
  };

  const handlers: { [M in MethodName]: (p: ParsedParamsOf<M>, c: Caller) => ResultOf<M> | Promise<ResultOf<M>> } = {
    'app.info': () => info,
    'tags.list': () => tagInfos,
    'values.snapshot': (p) => cache.snapshot(p.tagIds),
    'history.query': (p) => {
      if (!tagIds.has(p.tagId)) throw new ApiError({ code: 'not_found', message: `unknown tag "${p.tagId}"`, context: { tagId: p.tagId } });
      return historian.query(p.tagId, p.from, p.to, p.maxPoints);
    },
    'history.buckets': (p) => {
      const unknown = p.tagIds.find((id) => !tagIds.has(id));
      if (unknown !== undefined) throw new ApiError({ code: 'not_found', message: `unknown tag "${unknown}"`, context: { tagId: unknown } });
      return historian.queryBuckets(p.tagIds, p.from, p.to, p.buckets, p.resolution ?? 'auto');
    },
    'history.trend': (p) => {
      const unknown = p.tagIds.find((id) => !tagIds.has(id));
      if (unknown !== undefined) throw new ApiError({ code: 'not_found', message: `unknown tag "${unknown}"`, context: { tagId: unknown } });
      return historian.queryTrend(p.tagIds, p.from, p.to, p.maxPoints);
    },
    'history.status': () => historian.status(),
    'devices.list': () => acquisition.deviceStatuses(),
    'simulator.status': () => simulator?.status() ?? null,
    'simulator.setScenario': (p) => {
      const sim = requireSimulator();
      sim.setScenario(p.scenario, p.on);
      return sim.status();
    },
    'tags.write': async (p, c) => {
      try {
        return await writes.write(p.tagId, p.value, c.actor);
      } catch (err) {
        if (err instanceof WriteRefused) {
          const code = err.reason === 'not_found' ? 'not_found' : err.reason === 'not_writable' ? 'forbidden' : err.outcome;
          throw new ApiError({ code, message: err.message, context: { tagId: p.tagId, reason: err.reason } });
        }
        throw err;
      }
    },
    'audit.recent': (p) => audit.recent(p.limit, p.target),
    ...opcuaHandlers({ drivers, record, clock }),
    ...alarmHandlers(alarms),
    ...trendViewHandlers({ store: trendViews, clock, record }),
    ...syncHandlers(sync, () => clock.now(), (r) => record({ ...r, oldValue: null, newValue: null, outcome: 'done' })),
    ...securityHandlers({ security, audit, signatures }),
    ...instructionHandlers(instructions, runs),
    ...instructionPackageHandlers(packages),
    ...productionHandlers(production),
    'simulator.dropout': (p) => {
      const sim = requireSimulator();
      sim.dropout(p.seconds * 1000);
      return sim.status();
    },
  };

  // Heavy history calls and exports: bounded, queued, one per turn of the event loop (heavy-query-gate.ts).
  const heavyQueries = new HeavyQueryGate(undefined, options.heavyQueryLimits ?? defaultHeavyQueryLimits);
  const exports = new HeavyQueryGate(new Set(), defaultExportLimits);
  let connections = 0;

  /**
   * One call on one session from one connection: validate, admit (permission, lock,
   * signature), run (heavy history calls through the gate, limited per connection), reply.
   */
  const call = async (sessionId: string, connectionKey: string, method: unknown, params: unknown, signature: unknown): Promise<ApiReply<unknown>> => {
    try {
      if (!isMethodName(method)) {
        throw new ApiError({ code: 'unknown_method', message: `unknown method ${JSON.stringify(String(method)).slice(0, 100)}` });
      }
      const parsed = parseParams(method, params);
      const sig = parseSignature(method, signature);
      const session = security.sessions.get(sessionId);
      if (!session) throw new ApiError({ code: 'unavailable', message: 'this connection has no session (reconnect)' });
      const caller = await guard.admit(session, method, parsed, sig);
      // An action (anything beyond looking) is activity: the idle sign-out starts again.
      if (METHOD_PERMISSIONS[method] !== 'view') security.activity(session);
      const handler = handlers[method] as (p: unknown, c: Caller) => unknown;
      const run = heavyQueries.gated(method, connectionKey, (p: unknown) => handler(p, caller));
      return { ok: true, result: await run(parsed) };
    } catch (err) {
      if (err instanceof ApiError) return { ok: false, error: err.toData() };
      log.error(`${String(method)} failed: ${(err as Error).stack ?? String(err)}`);
      return { ok: false, error: { code: 'internal', message: `${String(method)} failed: ${(err as Error).message}` } };
    }
  };

  let closing: Promise<void> | null = null;
  return {
    info,
    connect({ sessionId, station, push }) {
      const session = security.sessions.attach(sessionId, station);
      const connectionKey = `connection-${++connections}`;
      let pushes = sessionPushes.get(sessionId);
      if (!pushes) sessionPushes.set(sessionId, (pushes = new Set()));
      pushes.add(push);
      let open = true;
      return {
        handle: (method, params, signature) => call(session.id, connectionKey, method, params, signature),
        close() {
          if (!open) return;
          open = false;
          pushes.delete(push);
          if (pushes.size === 0) sessionPushes.delete(sessionId);
          security.sessions.detach(session);
        },
      };
    },
    async exportSamplesCsv(params: unknown, out: Writable, sessionId: string | null) {
      if (sessionId === null || security.sessions.get(sessionId) === undefined) {
        throw new ApiError({ code: 'forbidden', message: 'export: open the app first (the export needs its session)' });
      }
      const parsed = exportSamplesParams.safeParse(params);
      if (!parsed.success) {
        const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ');
        throw new ApiError({ code: 'bad_request', message: `export: invalid params: ${detail}` });
      }
      const unknown = parsed.data.tagIds.filter((t) => !tagIds.has(t));
      if (unknown.length > 0) throw new ApiError({ code: 'not_found', message: `export: unknown tag(s) ${unknown.join(', ')}` });
      return exports.run(EXPORT_CONNECTION_KEY, 'export', () => exportCsv(historian, parsed.data, out));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closing ??= (async () => {
        clearInterval(confirmations);
        frames.stop();
        await acquisition.stop();
        await sync.close();
        await sparkplug?.close();
        await historian.close();
        alarms.close();
        security.close();
        runs.close();
        production.close();
        db.close();
        await simulator?.stop();
        listeners.clear();
      })();
      return closing;
    },
  };
}

const DAY_MS = 86_400_000;

/** The project's retention settings in the historian's terms. */
export function retentionOf(project: Project): RetentionOptions {
  const h = project.historian;
  const perTag: Record<string, number | null> = {};
  for (const t of project.tags) {
    if (t.retention === undefined) continue;
    const days = h.retentionClasses[t.retention];
    perTag[t.id] = days === null || days === undefined ? null : days * DAY_MS;
  }
  return { maxAgeMs: h.keepDays === null ? null : h.keepDays * DAY_MS, perTag, quotaBytes: h.diskQuotaMb === null ? null : h.diskQuotaMb * 1024 * 1024 };
}

/** Points the demo project's devices at the simulator's actual (possibly ephemeral) ports. */
export function bindToSimulator(project: Project, sim: Pick<SimulatedLine, 'endpoints'>): Project {
  return {
    ...project,
    devices: project.devices.map((d) => {
      if (d.protocol === 'modbus-tcp') return { ...d, host: sim.endpoints.modbusTcp.host, port: sim.endpoints.modbusTcp.port };
      if (d.protocol === 'opcua') return { ...d, endpoint: sim.endpoints.opcua };
      return d;
    }),
  };
}
