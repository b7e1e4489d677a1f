import { useEffect, useRef, useState } from 'react';
import type { TagInfo } from '../../../shared/types';
import { useServices } from '../../state/services';
import { TrendBuffer } from './trend-buffer';
import { chartValueOf, maxPointsForWidth } from './trend-values';

export interface TrendSeries {
  buffer: TrendBuffer | null;
  /** bumps whenever the buffer changed, so the chart knows to redraw */
  revision: number;
  loading: boolean;
}

/**
 * History for the window, then live points from `values` frames. Live points that arrive while
 * the history query runs are kept and appended after it, so nothing falls between the two.
 * Reloads on tag, window or connection change; a stale answer for a previous tag is dropped.
 */
export function useTrendSeries(
  tag: TagInfo | null,
  windowMs: number,
  generation: number,
  widthPx: () => number,
): TrendSeries {
  const { client, values, messages } = useServices();
  const [state, setState] = useState<TrendSeries>({ buffer: null, revision: 0, loading: false });
  const widthRef = useRef(widthPx);
  widthRef.current = widthPx;
  const tagId = tag?.id ?? null;

  useEffect(() => {
    if (tagId === null || generation === 0) {
      setState({ buffer: null, revision: 0, loading: false });
      return;
    }
    let current = true;
    let seeded = false;
    const buffer = new TrendBuffer(windowMs);
    const early: Array<[number, number | null]> = [];
    const bump = (loading: boolean) => setState((s) => ({ buffer, revision: s.revision + 1, loading }));

    const unsubscribe = values.subscribeTag(tagId, () => {
      const v = values.get(tagId);
      if (v === undefined) return;
      const point: [number, number | null] = [v.ts, chartValueOf(v)];
      if (!seeded) {
        early.push(point);
        return;
      }
      buffer.append(point[0], point[1]);
      buffer.prune(Date.now());
      bump(false);
    });

    const seed = () => {
      seeded = true;
      for (const [t, v] of early) buffer.append(t, v);
      early.length = 0;
      buffer.prune(Date.now());
      bump(false);
    };

    setState({ buffer, revision: 0, loading: true });
    const to = Date.now();
    client
      .call('history.query', { tagId, from: to - windowMs, to, maxPoints: maxPointsForWidth(widthRef.current()) })
      .then(
        (series) => {
          if (!current) return;
          buffer.reset(series.t, series.v);
          seed();
        },
        (err: unknown) => {
          if (!current) return;
          messages.reportError('Loading trend history', err);
          seed();
        },
      );

    return () => {
      current = false;
      unsubscribe();
    };
  }, [client, values, messages, tagId, windowMs, generation]);

  return state;
}
