import type { TagInfo, TagValue } from '../../../shared/types';
import { formatValue } from './format';
import type { QualityDisplay } from './quality-display';

export function QualityCell({ tag, value, quality }: { tag: TagInfo; value: TagValue | undefined; quality: QualityDisplay }) {
  if (quality.level === 'good') {
    return <td className="cell-quality quality--good">Good</td>;
  }
  if (quality.level === 'uncertain') {
    return (
      <td className="cell-quality">
        <span className="badge badge--uncertain" data-testid="quality-badge">
          {quality.badge}
        </span>
      </td>
    );
  }
  const held = value?.value;
  return (
    <td className="cell-quality">
      <span className="badge badge--bad" data-testid="quality-badge">
        BAD
      </span>
      {held !== null && held !== undefined && (
        <span className="held-value" title="Last value before the quality went bad; not valid">
          last <s>{formatValue(held, tag)}</s>
        </span>
      )}
    </td>
  );
}
