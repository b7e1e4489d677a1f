import type { KpiFigures, ParetoEntry } from '../../../shared/production';
import { formatDuration, formatMinutes, LOSS_TEXT } from './production-format';

const SIX = ['breakdown', 'setup', 'minorStop', 'reducedSpeed', 'startupReject', 'processDefect', 'unassigned'] as const;

/** Where the shift's time went: the top downtime reasons (Pareto), the six big losses, MTBF / MTTR. */
export function LossPanel({ kpis, pareto }: { kpis: KpiFigures; pareto: ParetoEntry[] }) {
  const top = pareto.slice(0, 6);
  const longest = Math.max(1, ...top.map((p) => p.durationMs));
  const losses = SIX.map((c) => [c, kpis.losses[c]] as const).filter(([c, ms]) => ms > 0 || c !== 'unassigned');
  const longestLoss = Math.max(1, ...losses.map(([, ms]) => ms));
  return (
    <section className="panel prod-losses" aria-label="Losses this shift">
      <div className="panel__header">
        <h2 className="panel__title">Top downtime reasons</h2>
      </div>
      <div className="prod-scroll">
        {top.length === 0 ? (
          <p className="panel__empty">No stops this shift.</p>
        ) : (
          <ul className="prod-bars" data-testid="pareto">
            {top.map((p) => (
              <li key={p.reasonCode ?? 'none'} className="prod-bars__row" data-testid="pareto-entry" data-reason-code={p.reasonCode ?? ''} data-count={p.count}>
                <span className="prod-bars__name">{p.reasonCode === null ? 'No reason yet' : p.name}</span>
                <span className="prod-bars__track">
                  <span className={`prod-bars__fill${p.reasonCode === null ? ' prod-bars__fill--pending' : ''}`} style={{ width: `${(p.durationMs / longest) * 100}%` }} />
                </span>
                <span className="prod-bars__figure">
                  {formatMinutes(p.durationMs)} · {p.count}×
                </span>
              </li>
            ))}
          </ul>
        )}
        <h3 className="prod-subtitle">Six big losses</h3>
        <ul className="prod-bars" data-testid="six-losses">
          {losses.map(([c, ms]) => (
            <li key={c} className="prod-bars__row" data-loss={c}>
              <span className="prod-bars__name">{LOSS_TEXT[c]}</span>
              <span className="prod-bars__track">
                <span className="prod-bars__fill" style={{ width: `${(ms / longestLoss) * 100}%` }} />
              </span>
              <span className="prod-bars__figure">{formatMinutes(ms)}</span>
            </li>
          ))}
        </ul>
        <dl className="prod-facts" data-testid="prod-reliability">
          <div>
            <dt>MTBF</dt>
            <dd>{formatDuration(kpis.mtbfMs)}</dd>
          </div>
          <div>
            <dt>MTTR</dt>
            <dd>{formatDuration(kpis.mttrMs)}</dd>
          </div>
          <div>
            <dt>Failures</dt>
            <dd>{kpis.failures}</dd>
          </div>
          <div>
            <dt>Stops</dt>
            <dd>{kpis.stops}</dd>
          </div>
        </dl>
      </div>
    </section>
  );
}
