/**
 * Alarms in the runtime: builds the alarm service from the project, and the alarm methods of
 * the API. Every action is checked against the caller's role here, in the runtime, before it
 * runs (main/alarms/alarm-permissions.ts), and refusals are on record like the actions.
 */
import type Database from 'better-sqlite3';
import { ApiError, type ParsedParamsOf, type ResultOf } from '../../shared/api';
import type { AlarmApiResults } from '../../shared/alarm-api';
import type { AlarmAction, AlarmStatus } from '../../shared/alarms';
import type { DeviceState } from '../../shared/types';
import { AlarmRefused, AlarmService, type AlarmAuditRecord } from '../alarms/alarm-service';
import { canPerform, permissionsOf, requiredRole } from '../alarms/alarm-permissions';
import type { EngineAlarm } from '../alarms/alarm-engine';
import { alarmSettingsOf } from '../config/alarm-schema';
import type { Project } from '../config/project-schema';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';

type AlarmMethod = keyof AlarmApiResults;
export type AlarmHandlers = { [M in AlarmMethod]: (p: ParsedParamsOf<M>) => ResultOf<M> | Promise<ResultOf<M>> };

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

export function alarmHandlers(alarms: AlarmService, user: string): AlarmHandlers {
  const check = (action: AlarmAction, alarmId: string) => {
    if (canPerform(user, action)) return;
    const reason = `${action === 'removeFromService' ? 'taking an alarm out of service' : action === 'returnToService' ? 'returning an alarm to service' : action} needs the ${requiredRole(action)} role; ${user} is ${permissionsOf(user).role}`;
    alarms.recordRefusal(action, alarmId, user, reason);
    throw new ApiError({ code: 'forbidden', message: reason, context: { alarmId, action } });
  };
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
  return {
    'alarms.definitions': () => ({ definitions: alarms.definitions(), settings: alarms.settings(), permissions: permissionsOf(user) }),
    'alarms.list': () => alarms.list(),
    'alarms.acknowledge': (p) => {
      if (!canPerform(user, 'acknowledge')) check('acknowledge', p.alarmIds[0]);
      return alarms.acknowledge(p.alarmIds, user, p.comment ?? '');
    },
    'alarms.shelve': (p) => {
      check('shelve', p.alarmId);
      return run(() => alarms.shelve(p.alarmId, user, p.mode, p.durationS, p.reason));
    },
    'alarms.unshelve': (p) => {
      check('unshelve', p.alarmId);
      return run(() => alarms.unshelve(p.alarmId, user, p.reason ?? ''));
    },
    'alarms.reset': (p) => {
      check('reset', p.alarmId);
      return run(() => alarms.reset(p.alarmId, user, p.comment ?? ''));
    },
    'alarms.comment': (p) => {
      check('comment', p.alarmId);
      return run(() => alarms.comment(p.alarmId, user, p.text));
    },
    'alarms.removeFromService': (p) => {
      check('removeFromService', p.alarmId);
      return run(() => alarms.removeFromService(p.alarmId, user, p.reason));
    },
    'alarms.returnToService': (p) => {
      check('returnToService', p.alarmId);
      return run(() => alarms.returnToService(p.alarmId, user, p.reason ?? ''));
    },
    'alarms.journal': (p) => alarms.journal(p, p.limit, p.beforeId),
    'alarms.journalCsv': (p) => alarms.journalCsv(p),
    'alarms.kpis': (p) => alarms.kpis(p.from, p.to),
  };
}
