import type { HistoryBucketSeries } from '../../../shared/api';
import type { TagInfo } from '../../../shared/types';
import { useTagValue } from '../../state/useTagValue';
import { qualityDisplay } from '../overview/quality-display';
import { formatPenValue, type PenStyle } from './trend-pens';
import { formatDateTime } from './trend-range';
import type { TrendSource } from './trend-source';

export interface CursorStats {
  from: number;
  to: number;
  /** per pen, in pen order; null while loading */
  series: (HistoryBucketSeries | null)[] | null;
}

interface PenTableProps {
  tags: readonly TagInfo[];
  styles: readonly PenStyle[];
  source: TrendSource;
  live: boolean;
  /** the time the readout is for (cursor), or null: the newest value */
  at: number | null;
  cursorA: number | null;
  cursorB: number | null;
  stats: CursorStats | null;
  highlighted: string | null;
  onHighlight: (tagId: string | null) => void;
  onRemove: (tagId: string) => void;
  /** the next colour of the palette for this pen */
  onRecolor: (tagId: string) => void;
}

function Swatch({ style }: { style: PenStyle }) {
  return (
    <svg className="pen-swatch" width="44" height="14" aria-hidden="true">
      <line x1="2" y1="7" x2="42" y2="7" stroke={style.color} strokeWidth="4" strokeDasharray={style.dash?.join(' ')} />
    </svg>
  );
}


function PenRow(props: PenTableProps & { tag: TagInfo; pen: number }) {
  const { tag, pen, styles, source, live, at, cursorA, cursorB, stats, highlighted } = props;
  const liveValue = useTagValue(tag.id);
  const cols = source.columns;
  const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '—' : formatPenValue(tag, v));

  let valueText: string;
  let qualityLevel: 'good' | 'bad' | 'uncertain' | 'none';
  let quality: string;
  let timeText: string;
  if (at === null && live) {
    // live, no cursor: the value now, with its quality (stale and bad say so)
    if (liveValue === undefined || liveValue.value === null) {
      valueText = '—';
      qualityLevel = 'none';
      quality = 'no value yet';
      timeText = '';
    } else {
      valueText = typeof liveValue.value === 'number' || typeof liveValue.value === 'boolean' ? fmt(Number(liveValue.value)) : String(liveValue.value);
      qualityLevel = liveValue.quality.level;
      quality = qualityDisplay(liveValue.quality).badge ?? 'good';
      timeText = formatDateTime(liveValue.ts);
    }
  } else {
    const t = at ?? (cols === null ? Date.now() : Number.POSITIVE_INFINITY);
    const r = cols?.readAt(pen, t) ?? null;
    if (r === null || r.t === null) {
      valueText = '—';
      qualityLevel = 'none';
      quality = 'no data';
      timeText = '';
    } else if (r.value === null) {
      valueText = '—';
      qualityLevel = 'bad';
      quality = 'NOT GOOD (gap)';
      timeText = formatDateTime(r.t);
    } else {
      valueText = r.decimated && r.min !== null && r.max !== null ? `${fmt(r.min)} … ${fmt(r.max)}` : fmt(r.value);
      qualityLevel = 'good';
      quality = r.decimated ? 'good (range in this pixel)' : 'good';
      timeText = formatDateTime(r.t);
    }
  }
  const readAt = (t: number | null) => {
    if (t === null || cols === null) return null;
    const r = cols.readAt(pen, t);
    return r.t === null ? null : r.value;
  };
  const s = stats?.series?.[pen] ?? null;
  const first = s?.first[0] ?? null;
  const last = s?.last[0] ?? null;
  const delta = first !== null && last !== null ? last - first : null;
  const showStats = cursorA !== null && cursorB !== null;

  return (
    <tr
      className={`pen-row${highlighted === tag.id ? ' pen-row--highlighted' : ''}`}
      data-testid="trend-pen"
      data-tag-id={tag.id}
      data-quality={qualityLevel}
      onClick={() => props.onHighlight(highlighted === tag.id ? null : tag.id)}
    >
      <td>
        <button
          type="button"
          className="pen-swatch-button"
          aria-label={`Change the colour of ${tag.name}`}
          onClick={(e) => {
            e.stopPropagation();
            props.onRecolor(tag.id);
          }}
          data-testid="trend-pen-color"
          data-color={styles[pen].color}
        >
          <Swatch style={styles[pen]} />
        </button>
      </td>
      <td className="pen-row__name">
        {tag.name}
        <span className="pen-row__id">{tag.id}</span>
      </td>
      <td className="pen-row__units">{tag.units}</td>
      <td className={`pen-row__value${qualityLevel === 'bad' ? ' pen-row__value--bad' : qualityLevel === 'uncertain' ? ' pen-row__value--uncertain' : ''}`} data-testid="trend-pen-value">
        {valueText}
      </td>
      <td className="pen-row__quality" data-testid="trend-pen-quality">
        {quality}
      </td>
      <td className="pen-row__time" data-testid="trend-pen-time">
        {timeText}
      </td>
      {showStats && (
        <>
          <td className="pen-row__num" data-testid="trend-pen-a">{fmt(first ?? readAt(cursorA))}</td>
          <td className="pen-row__num" data-testid="trend-pen-b">{fmt(last ?? readAt(cursorB))}</td>
          <td className="pen-row__num" data-testid="trend-pen-delta">{delta === null ? '—' : `${delta >= 0 ? '+' : ''}${fmt(delta)}`}</td>
          <td className="pen-row__num" data-testid="trend-pen-min">{stats?.series === null ? '…' : fmt(s?.min[0])}</td>
          <td className="pen-row__num" data-testid="trend-pen-max">{stats?.series === null ? '…' : fmt(s?.max[0])}</td>
          <td className="pen-row__num" data-testid="trend-pen-avg">{stats?.series === null ? '…' : s?.avg[0] == null ? '—' : formatPenValue({ ...tag, dataType: 'float64', decimals: tag.decimals + 1 }, s.avg[0])}</td>
        </>
      )}
      <td className="pen-row__actions">
        <button
          type="button"
          className="toggle toggle--compact"
          aria-label={`Remove ${tag.name} from the chart`}
          onClick={(e) => {
            e.stopPropagation();
            props.onRemove(tag.id);
          }}
          data-testid="trend-pen-remove"
        >
          Remove
        </button>
      </td>
    </tr>
  );
}

/** Every pen's value, quality and time at the cursor; with cursors A and B, the statistics between them. */
export function PenTable(props: PenTableProps) {
  const showStats = props.cursorA !== null && props.cursorB !== null;
  const label = props.at !== null ? `At ${formatDateTime(props.at)}` : props.live ? 'Now' : 'Newest in view';
  return (
    <table className="pen-table" data-testid="trend-pens" aria-label="Pens">
      <thead>
        <tr>
          <th />
          <th>Pen</th>
          <th>Unit</th>
          <th className="pen-row__value" data-testid="trend-readout-at">
            {label}
          </th>
          <th>Quality</th>
          <th>Time</th>
          {showStats && (
            <>
              <th className="pen-row__num">A</th>
              <th className="pen-row__num">B</th>
              <th className="pen-row__num">Δ B−A</th>
              <th className="pen-row__num">Min</th>
              <th className="pen-row__num">Max</th>
              <th className="pen-row__num">Avg</th>
            </>
          )}
          <th />
        </tr>
      </thead>
      <tbody>
        {props.tags.map((tag, pen) => (
          <PenRow key={tag.id} {...props} tag={tag} pen={pen} />
        ))}
      </tbody>
    </table>
  );
}
