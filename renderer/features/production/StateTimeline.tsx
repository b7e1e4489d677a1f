import { useState } from 'react';
import type { DowntimeEvent, StateInterval } from '../../../shared/production';
import { formatDuration, formatTime, STATE_TEXT } from './production-format';

/**
 * The shift's states as one horizontal bar: running mid grey, stops darker, planned and off
 * lighter, unknown hatched; a stop still waiting for a reason outlined. Hours along it.
 */
export function StateTimeline({ from: shiftFrom, to: shiftTo, now, intervals, pending }: { from: number; to: number; now: number; intervals: StateInterval[]; pending: DowntimeEvent[] }) {
  // the whole shift, or the last hour (short stops are a pixel wide at the shift's scale)
  const [lastHour, setLastHour] = useState(false);
  const from = lastHour ? Math.max(shiftFrom, now - 3_600_000) : shiftFrom;
  const to = lastHour ? Math.min(shiftTo, from + 3_600_000) : shiftTo;
  const span = Math.max(1, to - from);
  const x = (t: number) => Math.max(0, Math.min(100, ((t - from) / span) * 100));
  const ticks: number[] = [];
  const hour = lastHour ? 600_000 : 3_600_000;
  for (let t = Math.ceil(from / hour) * hour; t < to; t += hour) if (t - from > span * 0.07 && to - t > span * 0.07) ticks.push(t);
  return (
    <section className="panel prod-timeline" aria-label="States this shift" data-testid="prod-timeline">
      <div className="prod-timeline__bar">
        {/* time with no record (before the app ran, or while it was off) is unknown: hatched */}
        <div className="prod-seg prod-seg--unknown" style={{ left: 0, width: `${x(now)}%` }} />
        {intervals.map((i) => {
          const end = i.end ?? now;
          if (end <= from || i.start >= to) return null;
          const left = x(i.start);
          const width = Math.max(0.15, x(end) - left);
          return (
            <div
              key={i.start}
              className={`prod-seg prod-seg--${i.cls}`}
              style={{ left: `${left}%`, width: `${width}%` }}
              title={`${STATE_TEXT[i.state]} ${formatTime(i.start, true)}–${i.end === null ? 'now' : formatTime(i.end, true)} (${formatDuration(end - i.start)})`}
              data-state={i.state}
            />
          );
        })}
        {pending.map((e) => {
          if ((e.end ?? now) <= from || e.start >= to) return null;
          const left = x(e.start);
          const width = Math.max(0.4, x(e.end ?? now) - left);
          return <div key={e.id} className="prod-seg prod-seg--pending" style={{ left: `${left}%`, width: `${width}%` }} data-testid="timeline-pending" />;
        })}
        <div className="prod-timeline__now" style={{ left: `${x(now)}%` }} aria-hidden="true" />
      </div>
      <div className="prod-timeline__ticks" aria-hidden="true">
        <span className="prod-timeline__tick prod-timeline__tick--start">{formatTime(from)}</span>
        <span className="prod-timeline__tick prod-timeline__tick--end">{formatTime(to)}</span>
        {ticks.map((t) => (
          <span key={t} className="prod-timeline__tick" style={{ left: `${x(t)}%` }}>
            {formatTime(t)}
          </span>
        ))}
      </div>
      <div className="prod-timeline__foot">
        <div className="prod-legend" aria-label="Legend">
          <span className="prod-legend__item"><i className="prod-swatch prod-seg--run" />Running</span>
          <span className="prod-legend__item"><i className="prod-swatch prod-seg--down" />Stopped</span>
          <span className="prod-legend__item"><i className="prod-swatch prod-seg--planned" />Planned</span>
          <span className="prod-legend__item"><i className="prod-swatch prod-seg--unknown" />Unknown</span>
          <span className="prod-legend__item"><i className="prod-swatch prod-seg--pending" />Needs a reason</span>
        </div>
        <div className="prod-timeline__zoom" role="group" aria-label="Time range">
          <button type="button" className={`toggle toggle--compact${lastHour ? '' : ' toggle--on'}`} aria-pressed={!lastHour} onClick={() => setLastHour(false)} data-testid="timeline-shift">
            Shift
          </button>
          <button type="button" className={`toggle toggle--compact${lastHour ? ' toggle--on' : ''}`} aria-pressed={lastHour} onClick={() => setLastHour(true)} data-testid="timeline-hour">
            Last hour
          </button>
        </div>
      </div>
    </section>
  );
}
