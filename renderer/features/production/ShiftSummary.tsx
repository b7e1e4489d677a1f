import type { ProductionLive } from '../../../shared/production-api';
import { GuardedButton } from '../../ui/GuardedButton';
import { formatDuration, formatPercent, formatTime, STATE_TEXT } from './production-format';

/**
 * The top of the screen: A / P / Q / OEE of the shift, the line's state and for how long, the
 * product and order, and the shift's progress (good count against the target, rate against the
 * ideal rate).
 */
export function ShiftSummary({ live, lineName, onChangeProduct }: { live: ProductionLive; lineName: string | null; onChangeProduct: () => void }) {
  const k = live.kpis;
  const runMin = k.runMs / 60_000;
  const rate = runMin > 0 ? k.total / runMin : null;
  const abnormal = live.stateClass === 'down' || live.stateClass === 'unknown';
  return (
    <section className="prod-summary" aria-label="This shift">
      <div className="prod-kpis" data-testid="prod-kpis">
        {(
          [
            ['availability', 'Availability', k.availability],
            ['performance', 'Performance', k.performance],
            ['quality', 'Quality', k.quality],
            ['oee', 'OEE', k.oee],
          ] as const
        ).map(([id, label, v]) => (
          <div key={id} className={`prod-kpi${id === 'oee' ? ' prod-kpi--oee' : ''}`} data-testid={`kpi-${id}`}>
            <div className="prod-label">{label}</div>
            <div className="prod-value">{formatPercent(v)}</div>
          </div>
        ))}
      </div>
      <div className={`prod-tile prod-state prod-state--${live.stateClass}${abnormal ? ' prod-state--abnormal' : ''}`} data-testid="prod-state" data-state={live.state}>
        <div className="prod-label">{lineName ?? `Line ${live.line}`}</div>
        <div className="prod-value">{STATE_TEXT[live.state]}</div>
        <div className="prod-sub">
          for {formatDuration(live.durationMs)} · since {formatTime(live.since, true)}
          {live.faultCode !== null && live.faultCode !== 0 ? ` · fault ${live.faultCode}` : ''}
        </div>
      </div>
      <div className="prod-tile prod-product" data-testid="prod-product">
        <div className="prod-label">Product · order</div>
        <div className="prod-value prod-value--text">{live.productName ?? live.product ?? '—'}</div>
        <div className="prod-product__row">
          <span className="prod-sub">
            {live.product ?? ''}
            {live.order !== null ? ` · order ${live.order}` : ''}
          </span>
          <GuardedButton permission="production.product" type="button" className="toggle toggle--compact" onClick={onChangeProduct} data-testid="product-change">
            Change…
          </GuardedButton>
        </div>
      </div>
      <div className="prod-tile prod-progress" data-testid="prod-progress">
        <div className="prod-label">
          Shift {formatTime(live.shift.from)}–{formatTime(live.shift.to)}
        </div>
        <div className="prod-progress__row">
          <span className="prod-value" data-testid="prod-good">
            {k.good.toLocaleString()}
          </span>
          <span className="prod-sub">
            good of <strong>{Math.round(live.target.now).toLocaleString()}</strong> now · <strong>{Math.round(live.target.atShiftEnd).toLocaleString()}</strong> by {formatTime(live.shift.to)}
          </span>
        </div>
        <ProgressBar good={k.good} now={live.target.now} end={live.target.atShiftEnd} />
        <div className="prod-sub">
          {rate === null ? '—' : rate.toFixed(0)}/min · ideal {live.idealRatePerMin === null ? '—' : live.idealRatePerMin.toFixed(0)}/min · {k.reject.toLocaleString()} rejects
        </div>
      </div>
    </section>
  );
}

/** Good count and the target now as marks on the shift's target at its end. */
function ProgressBar({ good, now, end }: { good: number; now: number; end: number }) {
  const pct = (n: number) => `${end > 0 ? Math.min(100, (n / end) * 100) : 0}%`;
  return (
    <div className="prod-bar" role="img" aria-label={`${good} good of ${Math.round(now)} targeted so far`}>
      <div className="prod-bar__fill" style={{ width: pct(good) }} />
      <div className="prod-bar__mark" style={{ left: pct(now) }} title="target now" />
    </div>
  );
}
