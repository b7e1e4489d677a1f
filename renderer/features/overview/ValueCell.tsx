import type { TagInfo, TagValue } from '../../../shared/types';
import { formatValue } from './format';
import type { QualityDisplay } from './quality-display';

/** The value column. A bad value is replaced by its reason, never shown as a number. */
export function ValueCell({ tag, value, quality }: { tag: TagInfo; value: TagValue | undefined; quality: QualityDisplay }) {
  const text = quality.level === 'bad' ? quality.badge : formatValue(value?.value, tag);
  return (
    <td
      className={`cell-value value--${quality.level}`}
      data-testid="value"
      data-quality={quality.level}
      title={quality.description}
    >
      <span className="value-text">{text}</span>
    </td>
  );
}
