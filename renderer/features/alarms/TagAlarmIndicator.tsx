import { useCallback, useSyncExternalStore } from 'react';
import { blinks, stateText } from './alarm-display';
import type { AlarmRow } from './alarm-model';
import { useAlarmContext } from './AlarmProvider';
import { PriorityBadge } from './PriorityBadge';

/** The most important annunciated alarm on this tag, or null: the view is sorted most important first. */
function useTagAlarm(tagId: string): AlarmRow | null {
  const { model } = useAlarmContext();
  const get = useCallback(() => model.getView().annunciated.find((r) => r.def.tag === tagId) ?? null, [model, tagId]);
  return useSyncExternalStore(model.subscribe, get);
}

/**
 * Beside a value whose tag is in alarm: the alarm's priority as shape + number + colour
 * (ISA-101), blinking while unacknowledged; nothing at all while the tag is normal.
 */
export function TagAlarmIndicator({ tagId }: { tagId: string }) {
  const row = useTagAlarm(tagId);
  if (row === null) return null;
  return (
    <span
      className="value-alarm"
      data-testid="value-alarm"
      data-alarm-id={row.def.id}
      data-priority={row.def.priority}
      title={`${row.def.message} — ${stateText(row.status)}`}
    >
      <PriorityBadge priority={row.def.priority} blink={blinks(row.status)} size={30} />
    </span>
  );
}
