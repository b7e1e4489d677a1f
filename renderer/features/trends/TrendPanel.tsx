import { useCallback, useMemo, useRef, useState } from 'react';
import type { TagInfo } from '../../../shared/types';
import { useNow } from '../../state/useNow';
import { useTagValue } from '../../state/useTagValue';
import { TrendChart } from './TrendChart';
import { chartValueOf, DEFAULT_TREND_WINDOW_MIN, isTrendable, TREND_WINDOWS_MIN, type TrendWindowMin } from './trend-values';
import { useTrendSeries } from './useTrendSeries';

function TrendBody({ tag, windowMs, generation }: { tag: TagInfo; windowMs: number; generation: number }) {
  const bodyRef = useRef<HTMLDivElement>(null);
  const width = useCallback(() => bodyRef.current?.clientWidth ?? 0, []);
  const { buffer, revision, loading } = useTrendSeries(tag, windowMs, generation, width);
  const now = useNow();
  const held = chartValueOf(useTagValue(tag.id));

  // `revision` stands for the buffer's contents, which change in place
  const series = useMemo(() => {
    if (buffer === null) return null;
    buffer.prune(now);
    return buffer.toChartSeries(Math.max(now, buffer.lastTime() ?? 0), held);
  }, [buffer, revision, now, held]);

  return (
    <div className="trend__body" ref={bodyRef} data-loading={loading}>
      {series !== null && <TrendChart tag={tag} windowMs={windowMs} series={series} now={now} />}
      {loading && <span className="trend__loading">Loading history…</span>}
    </div>
  );
}

export function TrendPanel({ tag, generation, onOpenTrends }: { tag: TagInfo | null; generation: number; onOpenTrends: (pens: string[], window: { mode: 'live'; spanMs: number }) => void }) {
  const [windowMin, setWindowMin] = useState<TrendWindowMin>(DEFAULT_TREND_WINDOW_MIN);
  const trendable = tag !== null && isTrendable(tag);
  return (
    <section className="panel trend" aria-label="Trend" data-testid="trend" data-trend-tag-id={tag?.id ?? ''}>
      <div className="panel__header">
        <h2 className="panel__title trend__title">
          <span className="trend__word">Trend</span>
          {tag !== null && <span className="trend__tag">{tag.name}</span>}
          {tag !== null && <span className="trend__tag-id">{tag.id}</span>}
        </h2>
        <div className="trend__windows" role="group" aria-label="Time window">
          {TREND_WINDOWS_MIN.map((m) => (
            <button
              key={m}
              type="button"
              className={`toggle toggle--compact${m === windowMin ? ' toggle--on' : ''}`}
              aria-pressed={m === windowMin}
              data-testid={`trend-window-${m}`}
              disabled={!trendable}
              onClick={() => setWindowMin(m)}
            >
              {m} min
            </button>
          ))}
          <button
            type="button"
            className="toggle toggle--compact"
            disabled={!trendable}
            onClick={() => tag !== null && onOpenTrends([tag.id], { mode: 'live', spanMs: windowMin * 60_000 })}
            data-testid="trend-open-full"
          >
            Trends ›
          </button>
        </div>
      </div>
      {tag === null ? (
        <p className="panel__empty">Tap a tag in the overview to trend it.</p>
      ) : !trendable ? (
        <p className="panel__empty">{tag.name} is a text tag and cannot be trended.</p>
      ) : (
        <TrendBody key={tag.id} tag={tag} windowMs={windowMin * 60_000} generation={generation} />
      )}
    </section>
  );
}
