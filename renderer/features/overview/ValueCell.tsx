import type { TagInfo, TagValue } from '../../../shared/types';
import { TagAlarmIndicator } from '../alarms';
import { formatValue } from './format';
import type { QualityDisplay } from './quality-display';

/** Where a good numeric value stands against the tag's normal band. Pure. */
export function bandOf(tag: Pick<TagInfo, 'normalLow' | 'normalHigh'>, value: TagValue | undefined): 'low' | 'high' | null {
  if (value === undefined || value.quality.level !== 'good' || typeof value.value !== 'number') return null;
  if (tag.normalHigh !== undefined && value.value > tag.normalHigh) return 'high';
  if (tag.normalLow !== undefined && value.value < tag.normalLow) return 'low';
  return null;
}

/**
 * The value column. A bad value is replaced by its reason, never shown as a number. A tag in
 * alarm carries its priority indicator beside the value; a value outside its normal band an
 * outline and an arrow (not an alarm colour: leaving the band is not an alarm).
 */
export function ValueCell({ tag, value, quality }: { tag: TagInfo; value: TagValue | undefined; quality: QualityDisplay }) {
  const text = quality.level === 'bad' ? quality.badge : formatValue(value?.value, tag);
  const band = bandOf(tag, value);
  const bandText = band === 'high' ? `above its normal band (≤ ${tag.normalHigh})` : band === 'low' ? `below its normal band (≥ ${tag.normalLow})` : '';
  return (
    <td
      className={`cell-value value--${quality.level}${band === null ? '' : ' value--out-of-band'}${tag.states !== undefined ? ' value--state' : ''}`}
      data-testid="value"
      data-quality={quality.level}
      data-band={band ?? undefined}
      title={band === null ? quality.description : `${quality.description}; ${bandText}`}
    >
      <TagAlarmIndicator tagId={tag.id} />
      {band !== null && (
        <span className="value-band" aria-label={bandText}>
          {band === 'high' ? '▲' : '▼'}
        </span>
      )}
      <span className="value-text">{text}</span>
    </td>
  );
}
