/**
 * The saved trend view methods of the API: the store's refusals as typed errors, and every
 * save and delete on record in the audit trail (target: the view's name).
 */
import { ApiError, type ParsedParamsOf, type ResultOf } from '../../shared/api';
import type { AuditRecord } from '../security/audit-trail';
import { TrendViewRefused, type TrendViewStore } from '../trends/trend-view-store';
import type { Clock } from '../util/clock';
import type { Caller } from '../security/caller';

type TrendViewMethod = 'trendViews.list' | 'trendViews.save' | 'trendViews.delete';
export type TrendViewHandlers = { [M in TrendViewMethod]: (p: ParsedParamsOf<M>, c: Caller) => ResultOf<M> };

export interface TrendViewWiring {
  store: TrendViewStore;
  clock: Clock;
  record: (r: AuditRecord) => void;
}

export function trendViewHandlers(w: TrendViewWiring): TrendViewHandlers {
  return {
    'trendViews.list': () => w.store.list(),
    'trendViews.save': (p, c) => {
      let saved;
      try {
        saved = w.store.save(p, c.actor.user);
      } catch (err) {
        if (err instanceof TrendViewRefused) throw new ApiError({ code: err.code, message: err.message, context: err.context });
        throw err;
      }
      const { view, replaced } = saved;
      w.record({
        ts: view.savedAt,
        user: c.actor.user,
        station: c.station,
        action: 'trendView.save',
        target: view.name,
        oldValue: replaced === null ? null : { pens: replaced.pens, range: replaced.range },
        newValue: { pens: view.pens, range: view.range },
        outcome: 'done',
        detail: replaced === null ? `new view #${view.id}` : `replaced view #${view.id}`,
      });
      return view;
    },
    'trendViews.delete': (p, c) => {
      const before = w.store.get(p.id);
      const name = w.store.delete(p.id);
      if (name === null) return { deleted: false };
      w.record({
        ts: w.clock.now(),
        user: c.actor.user,
        station: c.station,
        action: 'trendView.delete',
        target: name,
        oldValue: before === null ? null : { pens: before.pens, range: before.range },
        newValue: null,
        outcome: 'done',
        detail: `view #${p.id}`,
      });
      return { deleted: true };
    },
  };
}
