import { useEffect, useState } from 'react';
import type { ProductionLive } from '../../../shared/production-api';
import type { RecordedState } from '../../../shared/production';
import { useServices } from '../../state/services';
import { useNow } from '../../state/useNow';
import { formatAge, formatClock } from '../overview/format';

const STATE_TEXT: Record<RecordedState, string> = {
  running: 'Running',
  idle: 'Idle',
  starved: 'STARVED',
  blocked: 'BLOCKED',
  fault: 'FAULT',
  plannedStop: 'Planned stop',
  changeover: 'Changeover',
  off: 'Off',
  unknown: 'STATE UNKNOWN',
};

const SLOW_REFRESH_MS = 30_000;

/** normal: plain · stopped as planned: muted · abnormal (needs someone): bold, framed · unknown: hatched */
function tone(s: RecordedState): 'normal' | 'muted' | 'abnormal' | 'unknown' {
  if (s === 'running') return 'normal';
  if (s === 'unknown') return 'unknown';
  if (s === 'fault' || s === 'blocked' || s === 'starved') return 'abnormal';
  return 'muted';
}

/**
 * On every screen, in the header: what the line is doing and for how long (from the production
 * model's state, which counts bad quality as unknown), and how many stops still want a reason.
 * Nothing when the project has no production section or the runtime refuses the read.
 */
export function LineState({ generation, projectName }: { generation: number; projectName: string }) {
  const { client } = useServices();
  const now = useNow();
  const [live, setLive] = useState<ProductionLive | null>(null);
  // Fetched on each connection and whenever the runtime says production changed (a state, a stop,
  // a reason); the duration ticks here from `since`. A slow refresh catches what only time changes
  // (an open stop long enough to want a reason).
  useEffect(() => {
    if (generation === 0) return;
    let current = true;
    const load = () => {
      client.call('production.live', {}).then(
        (l) => {
          if (current) setLive(l);
        },
        () => {
          if (current) setLive(null);
        },
      );
    };
    load();
    // counts do not change the line's state: only the other changes reload it
    const off = client.on('production', (e) => e.what !== 'count' && load());
    const slow = setInterval(load, SLOW_REFRESH_MS);
    return () => {
      current = false;
      off();
      clearInterval(slow);
    };
  }, [client, generation]);
  if (live === null) return null;
  const since = Math.min(live.since, now);
  return (
    <div className={`line-state line-state--${tone(live.state)}`} data-testid="line-state" data-state={live.state} role="status" title={`${projectName} · ${live.line}: ${STATE_TEXT[live.state]} since ${formatClock(live.since)}`}>
      <span className="line-state__state">{STATE_TEXT[live.state]}</span>
      <span className="line-state__for">
        {formatAge(now - since)}
        {live.pending.length > 0 && (
          <span className="line-state__pending" data-testid="line-state-pending" data-count={live.pending.length}>
            {' '}
            · {live.pending.length} {live.pending.length === 1 ? 'reason' : 'reasons'}
            <span className="line-state__pending-words"> to give</span>
          </span>
        )}
      </span>
    </div>
  );
}
