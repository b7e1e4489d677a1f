import { useNow } from '../../state/useNow';
import { indicatorOf } from './sync-display';
import { useSyncStatus } from './useSyncStatus';

/**
 * The header's upstream indicator: grey while records go out (or wait briefly), dashed while a
 * sink reconnects, the abnormal colour only when a sink has been offline, or its oldest unsent
 * record waiting, longer than the project's alert limits. Nothing when no sink is configured.
 * A touch opens the upstream screen.
 */
export function SyncIndicator({ onOpen }: { onOpen: () => void }) {
  const { status } = useSyncStatus(5000);
  const now = useNow();
  const shown = indicatorOf(status, now);
  if (shown === null) return null;
  return (
    <button type="button" className={`sync-indicator sync-indicator--${shown.tone}`} data-testid="sync-indicator" data-tone={shown.tone} onClick={onOpen}>
      <span className="sync-indicator__mark" aria-hidden="true" />
      {shown.text}
    </button>
  );
}
