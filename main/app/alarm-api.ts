/**
 * Alarms in the runtime: builds the alarm service from the project, and the alarm methods of
 * the API. Every action's permission is checked by the access guard (main/security) before it
 * runs, and refusals are on record like the actions.
 */
import type Database from 'better-sqlite3';
import { ApiError, type ParsedParamsOf, type ResultOf } from '../../shared/api';
import type { AlarmApiResults } from '../../shared/alarm-api';
import { alarmActions, type AlarmAction, type AlarmPermissions, type AlarmStatus } from '../../shared/alarms';
import { METHOD_PERMISSIONS } from '../../shared/method-permissions';
import { grantsAllow, type PermissionName } from '../../shared/security';
import type { Caller } from '../security/caller';
import type { DeviceState } from '../../shared/types';
import { AlarmRefused, AlarmService, type AlarmAuditRecord } from '../alarms/alarm-service';
import type { EngineAlarm } from '../alarms/alarm-engine';
import { alarmSettingsOf } from '../config/alarm-schema';
import type { Project } from '../config/project-schema';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';

type AlarmMethod = keyof AlarmApiResults;
export type AlarmHandlers = { [M in AlarmMethod]: (p: ParsedParamsOf<M>, c: Caller) => ResultOf<M> | Promise<ResultOf<M>> };

export interface AlarmWiring {
  project: Project;
  db: Database.Database;
  clock: Clock;
  emit: (statuses: AlarmStatus[]) => void;
  audit: (r: AlarmAuditRecord) => void;
  log: Logger;
  frameIntervalMs?: number;
}

export function createAlarmService(w: AlarmWiring): AlarmService {
  const tagDevice = new Map(w.project.tags.map((t) => [t.id, t.device]));
  const alarms: EngineAlarm[] = w.project.alarms.definitions.map((def) => ({
    def,
    device: def.type === 'commLoss' ? def.device : (tagDevice.get(def.tag) ?? null),
    area: def.area ?? w.project.line,
  }));
  return new AlarmService({
    db: w.db,
    clock: w.clock,
    alarms,
    settings: alarmSettingsOf(w.project.alarms),
    units: new Map(w.project.tags.map((t) => [t.id, t.units])),
    emit: w.emit,
    audit: w.audit,
    log: w.log,
    frameIntervalMs: w.frameIntervalMs,
  });
}

/**
 * A device communicates when it answers (online, or degraded: answering with some errors); it
 * has lost communication when it backs off after a failure, or reconnects after having been
 * online. The first connection at start-up is not a loss yet (a secure OPC UA session takes a
 * few seconds): if it fails, the driver backs off, and that is one. null: nothing to say.
 */
export function deviceCommunication(): (deviceId: string, state: DeviceState) => boolean | null {
  const seenOnline = new Set<string>();
  return (deviceId, state) => {
    if (state === 'online' || state === 'degraded') {
      seenOnline.add(deviceId);
      return true;
    }
    if (state === 'backoff') return false;
    if (state === 'connecting') return seenOnline.has(deviceId) ? false : null;
    return null;
  };
}

export function alarmHandlers(alarms: AlarmService): AlarmHandlers {
  const run = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof AlarmRefused) {
        throw new ApiError({ code: err.notFound ? 'not_found' : 'refused', message: err.message, context: { alarmId: err.alarmId } });
      }
      throw err;
    }
  };
  // The permission of each action was checked by the access guard before these run.
  return {
    'alarms.definitions': (_p, c) => ({ definitions: alarms.definitions(), settings: alarms.settings(), permissions: alarmPermissionsOf(c) }),
    'alarms.list': () => alarms.list(),
    'alarms.acknowledge': (p, c) => alarms.acknowledge(p.alarmIds, c.actor, p.comment ?? ''),
    'alarms.shelve': (p, c) => run(() => alarms.shelve(p.alarmId, c.actor, p.mode, p.durationS, p.reason)),
    'alarms.unshelve': (p, c) => run(() => alarms.unshelve(p.alarmId, c.actor, p.reason ?? '')),
    'alarms.reset': (p, c) => run(() => alarms.reset(p.alarmId, c.actor, p.comment ?? '')),
    'alarms.comment': (p, c) => run(() => alarms.comment(p.alarmId, c.actor, p.text)),
    'alarms.removeFromService': (p, c) => run(() => alarms.removeFromService(p.alarmId, c.actor, p.reason)),
    'alarms.returnToService': (p, c) => run(() => alarms.returnToService(p.alarmId, c.actor, p.reason ?? '')),
    'alarms.journal': (p) => alarms.journal(p, p.limit, p.beforeId),
    'alarms.journalCsv': (p) => alarms.journalCsv(p),
    'alarms.kpis': (p) => alarms.kpis(p.from, p.to),
  };
}

/** What the caller may do with alarms, for the screen (the runtime checks again on every call). */
export function alarmPermissionsOf(c: Caller): AlarmPermissions {
  const allowed = Object.fromEntries(alarmActions.map((a) => [a, grantsAllow(c.grants, ALARM_ACTION_PERMISSION[a])])) as Record<AlarmAction, boolean>;
  return { user: c.actor.user, role: c.roles.length > 0 ? c.roles.join(', ') : 'viewer', allowed };
}

const ALARM_ACTION_PERMISSION: Record<AlarmAction, PermissionName> = {
  acknowledge: METHOD_PERMISSIONS['alarms.acknowledge'],
  shelve: METHOD_PERMISSIONS['alarms.shelve'],
  unshelve: METHOD_PERMISSIONS['alarms.unshelve'],
  reset: METHOD_PERMISSIONS['alarms.reset'],
  comment: METHOD_PERMISSIONS['alarms.comment'],
  removeFromService: METHOD_PERMISSIONS['alarms.removeFromService'],
  returnToService: METHOD_PERMISSIONS['alarms.returnToService'],
};
