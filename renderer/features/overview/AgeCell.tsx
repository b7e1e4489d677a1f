import type { TagValue } from '../../../shared/types';
import { useNow } from '../../state/useNow';
import { formatAge, NO_VALUE } from './format';

/** Seconds since the device sampled the value; ticks once a second on the shared clock. */
export function AgeCell({ value }: { value: TagValue | undefined }) {
  const now = useNow();
  if (value === undefined) return <td className="cell-age">{NO_VALUE}</td>;
  const title = `sampled ${new Date(value.sourceTs).toLocaleString()} · received ${new Date(value.ts).toLocaleString()}`;
  return (
    <td className="cell-age" data-testid="age" title={title}>
      {formatAge(now - value.sourceTs)}
    </td>
  );
}
