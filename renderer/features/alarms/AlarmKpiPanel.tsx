import { useEffect, useState } from 'react';
import type { AlarmKpis } from '../../../shared/alarms';
import { useServices } from '../../state/services';
import { formatClock, formatDate } from '../overview/format';
import { priorityName } from './alarm-display';
import { PriorityBadge } from './PriorityBadge';

const RANGES = [
  { key: '1h', label: 'Last hour', ms: 3_600_000 },
  { key: '8h', label: 'Last 8 h', ms: 8 * 3_600_000 },
  { key: '24h', label: 'Last 24 h', ms: 24 * 3_600_000 },
  { key: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { key: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
] as const;

/** ISA-18.2 guidance for the average rate per operator position (table 5). */
function rateVerdict(per10Min: number): string {
  if (per10Min <= 1) return 'very likely acceptable (≤ 1 per 10 min)';
  if (per10Min <= 2) return 'maximum manageable (≤ 2 per 10 min)';
  return 'above what an operator can handle (> 2 per 10 min)';
}

/** Alarm system performance (ISA-18.2 / EEMUA 191) for a range, computed from the journal. */
export function AlarmKpiPanel() {
  const { client, messages } = useServices();
  const [rangeKey, setRangeKey] = useState<(typeof RANGES)[number]['key']>('24h');
  const [kpis, setKpis] = useState<AlarmKpis | null>(null);

  useEffect(() => {
    let current = true;
    const load = () => {
      const r = RANGES.find((x) => x.key === rangeKey)!;
      const to = Date.now();
      client.call('alarms.kpis', { from: to - r.ms, to }).then(
        (k) => {
          if (current) setKpis(k);
        },
        (err: unknown) => {
          if (current) messages.reportError('Computing alarm KPIs', err);
        },
      );
    };
    load();
    const t = setInterval(load, 30_000);
    return () => {
      current = false;
      clearInterval(t);
    };
  }, [client, messages, rangeKey]);

  return (
    <section className="panel alarm-kpis" aria-label="Alarm performance" data-testid="alarm-kpis">
      <div className="alarm-filters">
        <div className="alarm-filters__group" role="group" aria-label="Time range">
          {RANGES.map((r) => (
            <button key={r.key} type="button" className={`toggle${rangeKey === r.key ? ' toggle--on' : ''}`} aria-pressed={rangeKey === r.key} onClick={() => setRangeKey(r.key)} data-testid={`kpi-range-${r.key}`}>
              {r.label}
            </button>
          ))}
        </div>
        {kpis !== null && (
          <span className="alarm-kpis__range">
            {formatDate(kpis.from)} {formatClock(kpis.from)} – {formatDate(kpis.to)} {formatClock(kpis.to)}
            {kpis.truncated && ' (more alarms than one computation reads: figures are partial)'}
          </span>
        )}
      </div>
      {kpis === null ? (
        <p className="panel__empty">Computing…</p>
      ) : (
        <div className="alarm-kpis__body">
          <div className="kpi-tiles">
            <Tile label="Alarms" value={String(kpis.total)} note="annunciated in the range" testid="kpi-total" />
            <Tile label="Per hour" value={kpis.perHour.toFixed(1)} note="average" testid="kpi-per-hour" />
            <Tile label="Per 10 min" value={kpis.per10Min.toFixed(1)} note={rateVerdict(kpis.per10Min)} testid="kpi-per-10min" />
            <Tile
              label="Busiest 10 min"
              value={String(kpis.peak10MinCount)}
              note={kpis.peak10MinStart === null ? 'no alarms' : `from ${formatClock(kpis.peak10MinStart)} · target ≤ 10`}
              testid="kpi-peak"
            />
            <Tile label="Time in flood" value={`${kpis.floodPercent.toFixed(1)} %`} note={`${kpis.floodPeriods} of ${kpis.periods} ten-minute periods with > 10 · target < 1 %`} testid="kpi-flood" />
            <Tile label="Chattering" value={String(kpis.chattering.length)} note="≥ 3 activations in a minute · target 0" testid="kpi-chattering" />
            <Tile label="Stale" value={String(kpis.stale.length)} note="active over 24 h · target 0" testid="kpi-stale" />
          </div>
          <div className="kpi-columns">
            <div className="kpi-block">
              <h3 className="kpi-block__title">Priority distribution</h3>
              <p className="kpi-block__note">ISA-18.2 guidance: about 5 % high, 15 % medium, 80 % low.</p>
              {kpis.priorityDistribution.map((p) => (
                <div key={p.priority} className="kpi-bar" data-priority={p.priority}>
                  <PriorityBadge priority={p.priority} muted size={28} />
                  <span className="kpi-bar__label">{priorityName(p.priority)}</span>
                  <span className="kpi-bar__track">
                    <span className="kpi-bar__fill" style={{ width: `${p.percent}%` }} />
                  </span>
                  <span className="kpi-bar__value">
                    {p.count} · {p.percent.toFixed(0)} %
                  </span>
                </div>
              ))}
            </div>
            <div className="kpi-block kpi-block--wide">
              <h3 className="kpi-block__title">Most frequent</h3>
              {kpis.top.length === 0 ? (
                <p className="panel__empty">No alarms in this range.</p>
              ) : (
                <table className="diag-table" data-testid="kpi-top">
                  <thead>
                    <tr>
                      <th scope="col">Alarm</th>
                      <th scope="col" className="num">
                        Count
                      </th>
                      <th scope="col" className="num">
                        Share
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {kpis.top.map((t) => (
                      <tr key={t.alarmId}>
                        <td>
                          <div className="journal-table__message">{t.message}</div>
                          <div className="tag-id">{t.alarmId}</div>
                        </td>
                        <td className="num">{t.count}</td>
                        <td className="num">{t.percent.toFixed(1)} %</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </div>
            <div className="kpi-block">
              <h3 className="kpi-block__title">Chattering</h3>
              {kpis.chattering.length === 0 ? (
                <p className="panel__empty">None.</p>
              ) : (
                <ul className="kpi-list">
                  {kpis.chattering.map((c) => (
                    <li key={c.alarmId}>
                      {c.message} <span className="tag-id">{c.maxPerMinute} in a minute</span>
                    </li>
                  ))}
                </ul>
              )}
              <h3 className="kpi-block__title">Stale</h3>
              {kpis.stale.length === 0 ? (
                <p className="panel__empty">None.</p>
              ) : (
                <ul className="kpi-list">
                  {kpis.stale.map((s) => (
                    <li key={s.alarmId}>
                      {s.message} <span className="tag-id">{s.hours} h active</span>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          </div>
        </div>
      )}
    </section>
  );
}

function Tile({ label, value, note, testid }: { label: string; value: string; note: string; testid: string }) {
  return (
    <div className="kpi-tile" data-testid={testid}>
      <div className="kpi-tile__label">{label}</div>
      <div className="kpi-tile__value">{value}</div>
      <div className="kpi-tile__note">{note}</div>
    </div>
  );
}
