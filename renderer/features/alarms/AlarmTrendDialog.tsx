import { useEffect, useMemo, useRef, useState } from 'react';
import type { TagInfo } from '../../../shared/types';
import { useServices } from '../../state/services';
import { formatClock } from '../overview/format';
import { TrendChart } from '../trends/TrendChart';
import { TrendBuffer, type ChartSeries } from '../trends/trend-buffer';
import { useEscapeKey } from '../../ui/useEscapeKey';
import { useFocusTrap } from '../../ui/useFocusTrap';

const BEFORE_MS = 10 * 60_000;
const AFTER_MS = 5 * 60_000;

interface AlarmTrendDialogProps {
  tagId: string;
  title: string;
  /** when the alarm was raised */
  at: number;
  onClose: () => void;
  onOpenLive: () => void;
  /** the same range on the Trends screen, to zoom, add pens, read values */
  onOpenTrends: (from: number, to: number) => void;
}

/** The alarm's tag from 10 minutes before it was raised to 5 minutes after (or now). */
export function AlarmTrendDialog({ tagId, title, at, onClose, onOpenLive, onOpenTrends }: AlarmTrendDialogProps) {
  const { client, messages } = useServices();
  const [tag, setTag] = useState<TagInfo | null>(null);
  const [series, setSeries] = useState<ChartSeries | null>(null);
  const body = useRef<HTMLDivElement>(null);
  const window = useMemo(() => {
    const to = Math.min(Date.now(), at + AFTER_MS);
    return { from: Math.min(at - BEFORE_MS, to - BEFORE_MS), to };
  }, [at]);

  useEffect(() => {
    let current = true;
    Promise.all([client.call('tags.list', {}), client.call('history.query', { tagId, from: window.from, to: window.to, maxPoints: 1200 })]).then(
      ([tags, h]) => {
        if (!current) return;
        setTag(tags.find((t) => t.id === tagId) ?? null);
        const b = new TrendBuffer(window.to - window.from);
        b.reset(h.t, h.v);
        setSeries(b.toChartSeries(window.to, null));
      },
      (err: unknown) => {
        if (current) messages.reportError('Loading the alarm trend', err);
      },
    );
    return () => {
      current = false;
    };
  }, [client, messages, tagId, window]);

  useEscapeKey(onClose);
  const dialogRef = useRef<HTMLDivElement>(null);
  useFocusTrap(dialogRef);

  return (
    <div className="modal-backdrop" role="presentation" onClick={(e) => e.stopPropagation()}>
      <div ref={dialogRef} className="modal alarm-trend" role="dialog" aria-modal="true" aria-labelledby="alarm-trend-title" data-testid="alarm-trend" data-tag-id={tagId}>
        <h2 id="alarm-trend-title" className="modal__title">
          {title}
        </h2>
        <p className="modal__line">
          {tag?.name ?? tagId} from {formatClock(window.from)} to {formatClock(window.to)}; the alarm was raised at <strong>{formatClock(at)}</strong>.
        </p>
        <div className="alarm-trend__body" ref={body}>
          {tag !== null && series !== null ? <TrendChart tag={tag} windowMs={window.to - window.from} series={series} now={window.to} /> : <p className="panel__empty">Loading history…</p>}
        </div>
        <div className="modal__actions alarm-dialog__actions">
          <button type="button" className="toggle modal__big" onClick={onOpenLive} data-testid="alarm-trend-live">
            Live trend on Overview
          </button>
          <button type="button" className="toggle modal__big" onClick={() => onOpenTrends(window.from, window.to)} data-testid="alarm-trend-open-trends">
            Open in Trends
          </button>
          <button type="button" className="toggle toggle--on modal__big" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
