import type { TagInfo, TagValue } from '../../../shared/types';
import { useServices } from '../../state/services';
import { useNow } from '../../state/useNow';
import { formatAge, formatClock, NO_VALUE } from './format';

/**
 * How fresh the reading is: time since the device last confirmed the value (a poll answered or
 * a live subscription), not since it last changed. Ticks once a second on the shared clock;
 * while the runtime is out of reach nothing confirms, so the age grows.
 */
export function AgeCell({ tag, value }: { tag: TagInfo; value: TagValue | undefined }) {
  const now = useNow();
  const { values } = useServices();
  if (value === undefined) return <td className="cell-age">{NO_VALUE}</td>;
  const confirmed = values.confirmedAt(value, tag.deviceId, tag.scanMs);
  const title = `confirmed by the device ${formatClock(confirmed)} · changed ${formatClock(value.sourceTs)}`;
  return (
    <td className="cell-age" data-testid="age" data-confirmed={confirmed} title={title}>
      {formatAge(now - confirmed)}
    </td>
  );
}
