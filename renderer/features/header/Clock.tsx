import { useNow } from '../../state/useNow';
import { formatClock, formatDate } from '../overview/format';

export function Clock() {
  const now = useNow();
  return (
    <div className="clock" data-testid="clock">
      <span className="clock__time">{formatClock(now)}</span>
      <span className="clock__date">{formatDate(now)}</span>
    </div>
  );
}
