/**
 * The sync's API methods (shared/sync-api.ts): status, and the quarantine an engineer works
 * through. Deleting quarantined records is an action on record in the audit trail; the app
 * passes the recorder in (layering: the sync does not know the audit trail).
 */
import { ApiError, type ParsedParamsOf, type ResultOf } from '../../shared/api';
import type { SyncApiResults } from '../../shared/sync-api';
import type { SyncService } from './sync-service';
import type { Actor } from '../../shared/types';

type SyncMethod = keyof SyncApiResults;
/** Who acts: the runtime's caller (main/security/caller.ts) fits this. */
export interface SyncCaller {
  actor: Actor;
}
export type SyncHandlers = { [M in SyncMethod]: (p: ParsedParamsOf<M>, c: SyncCaller) => ResultOf<M> };

export interface SyncActionRecord {
  ts: number;
  user: string;
  station: string;
  signatureId: number | null;
  action: string;
  target: string;
  detail: string;
}

export function syncHandlers(sync: SyncService, now: () => number, record: (r: SyncActionRecord) => void): SyncHandlers {
  return {
    'sync.status': () => sync.status(),
    'sync.quarantine': (p) => sync.quarantine(p.limit, p.sink, p.stream),
    'sync.retryQuarantined': (p, c) => {
      const queued = sync.retryQuarantined(p.ids);
      if (queued === 0) throw new ApiError({ code: 'not_found', message: 'none of these records is in the quarantine of a configured sink' });
      record({ ts: now(), ...c.actor, action: 'sync.retryQuarantined', target: 'sync', detail: `${queued} record(s): ids ${p.ids.slice(0, 50).join(', ')}${p.ids.length > 50 ? ', …' : ''}` });
      return { queued };
    },
    'sync.deleteQuarantined': (p, c) => {
      const deleted = sync.deleteQuarantined(p.ids);
      if (deleted.length === 0) throw new ApiError({ code: 'not_found', message: 'none of these records is in the quarantine' });
      const keys = deleted.slice(0, 50).map((d) => `${d.sink}/${d.stream}#${d.seq}`);
      record({ ts: now(), ...c.actor, action: 'sync.deleteQuarantined', target: 'sync', detail: `${p.reason} — ${deleted.length} record(s): ${keys.join(', ')}${deleted.length > 50 ? ', …' : ''}` });
      return { deleted: deleted.length };
    },
  };
}
