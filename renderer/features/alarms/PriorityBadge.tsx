import type { AlarmPriority } from '../../../shared/alarms';
import { PRIORITY_SHAPES, priorityName } from './alarm-display';

const SHAPES: Record<(typeof PRIORITY_SHAPES)[AlarmPriority], string> = {
  triangle: 'M20 3 L38 36 L2 36 Z',
  diamond: 'M20 1 L39 20 L20 39 L1 20 Z',
  square: 'M4 4 H36 V36 H4 Z',
  circle: 'M20 2 A18 18 0 1 1 19.99 2 Z',
};

interface PriorityBadgeProps {
  priority: AlarmPriority;
  /** unacknowledged: blinks */
  blink?: boolean;
  /** not annunciated (shelved, suppressed, out of service): outline only, no alarm colour */
  muted?: boolean;
  size?: number;
}

/** The priority as shape + number + colour: readable without colour, and from two metres. */
export function PriorityBadge({ priority, blink = false, muted = false, size = 36 }: PriorityBadgeProps) {
  const cls = `prio prio--${priority}${blink ? ' prio--blink' : ''}${muted ? ' prio--muted' : ''}`;
  return (
    <svg className={cls} width={size} height={size} viewBox="0 0 40 40" role="img" aria-label={`Priority ${priority} ${priorityName(priority)}`} data-priority={priority}>
      <path className="prio__shape" d={SHAPES[PRIORITY_SHAPES[priority]]} />
      <text className="prio__text" x="20" y={priority === 1 ? 31 : 27} textAnchor="middle">
        {priority}
      </text>
    </svg>
  );
}
