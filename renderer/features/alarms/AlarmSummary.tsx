import { useMemo, useState } from 'react';
import { alarmPriorities, isUnacknowledged, type AlarmPriority } from '../../../shared/alarms';
import { formatClock } from '../overview/format';
import { blinks, matchesStateFilter, priorityName, stateText, STATE_FILTER_LABELS, STATE_FILTERS, type StateFilter } from './alarm-display';
import { sinceOf, type AlarmRow } from './alarm-model';
import { AlarmDetail } from './AlarmDetail';
import { useAlarmContext, useAlarmView } from './AlarmProvider';
import { PriorityBadge } from './PriorityBadge';
import { VirtualRows } from './VirtualRows';

type SortKey = 'importance' | 'newest' | 'oldest' | 'area';
const SORTS: { key: SortKey; label: string }[] = [
  { key: 'importance', label: 'Most important first' },
  { key: 'newest', label: 'Newest first' },
  { key: 'oldest', label: 'Oldest first' },
  { key: 'area', label: 'By area' },
];

const ROW_HEIGHT = 68;

/**
 * Every alarm that is not normal: active, shelved, suppressed, out of service. Filter by
 * priority, state, area and device; sort; acknowledge one or all visible; the selected alarm's
 * details and actions on the right. Rows are virtual: a flood of a thousand stays smooth.
 */
export function AlarmSummary() {
  const view = useAlarmView();
  const { actions, model } = useAlarmContext();
  const [priorities, setPriorities] = useState<ReadonlySet<AlarmPriority>>(new Set(alarmPriorities));
  const [stateFilter, setStateFilter] = useState<StateFilter>('annunciated');
  const [area, setArea] = useState('');
  const [device, setDevice] = useState('');
  const [sort, setSort] = useState<SortKey>('importance');
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const defs = model.definitions();
  const areas = useMemo(() => [...new Set(defs.map((d) => d.area))].sort(), [defs]);
  const devices = useMemo(() => [...new Set(defs.map((d) => d.device).filter((d): d is string => d !== null))].sort(), [defs]);

  const rows = useMemo(() => {
    const out = view.all.filter(
      (r) => priorities.has(r.def.priority) && matchesStateFilter(r.status, stateFilter) && (area === '' || r.def.area === area) && (device === '' || r.def.device === device),
    );
    if (sort === 'newest') out.sort((a, b) => sinceOf(b.status) - sinceOf(a.status));
    else if (sort === 'oldest') out.sort((a, b) => sinceOf(a.status) - sinceOf(b.status));
    else if (sort === 'area') out.sort((a, b) => a.def.area.localeCompare(b.def.area) || a.def.priority - b.def.priority);
    return out;
  }, [view, priorities, stateFilter, area, device, sort]);

  const visibleUnacked = rows.filter((r) => isUnacknowledged(r.status.state)).map((r) => r.def.id);
  const selected = view.all.find((r) => r.def.id === selectedId) ?? null;

  const togglePriority = (p: AlarmPriority) =>
    setPriorities((s) => {
      const next = new Set(s);
      if (next.has(p)) next.delete(p);
      else next.add(p);
      return next;
    });

  return (
    <div className="alarm-summary" data-testid="alarm-summary">
      <section className="panel alarm-summary__list" aria-label="Alarm summary">
        <div className="alarm-filters">
          <div className="alarm-filters__group" role="group" aria-label="Priorities">
            {alarmPriorities.map((p) => (
              <button
                key={p}
                type="button"
                className={`toggle alarm-filter-prio${priorities.has(p) ? ' toggle--on' : ''}`}
                aria-pressed={priorities.has(p)}
                data-testid={`filter-priority-${p}`}
                title={`Priority ${p} ${priorityName(p)}`}
                onClick={() => togglePriority(p)}
              >
                <PriorityBadge priority={p} muted size={28} /> <span className="alarm-filter-prio__name">{priorityName(p)}</span>
              </button>
            ))}
          </div>
          <label className="alarm-select">
            <span className="alarm-select__label">State</span>
            <select value={stateFilter} onChange={(e) => setStateFilter(e.target.value as StateFilter)} data-testid="filter-state">
              {STATE_FILTERS.map((f) => (
                <option key={f} value={f}>
                  {STATE_FILTER_LABELS[f]}
                </option>
              ))}
            </select>
          </label>
          <label className="alarm-select">
            <span className="alarm-select__label">Area</span>
            <select value={area} onChange={(e) => setArea(e.target.value)} data-testid="filter-area">
              <option value="">All areas</option>
              {areas.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </label>
          <label className="alarm-select">
            <span className="alarm-select__label">Device</span>
            <select value={device} onChange={(e) => setDevice(e.target.value)} data-testid="filter-device">
              <option value="">All devices</option>
              {devices.map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </select>
          </label>
          <label className="alarm-select">
            <span className="alarm-select__label">Sort</span>
            <select value={sort} onChange={(e) => setSort(e.target.value as SortKey)} data-testid="sort">
              {SORTS.map((s) => (
                <option key={s.key} value={s.key}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
          <div className="alarm-filters__spacer" />
          <button
            type="button"
            className="toggle alarm-ack-all"
            data-testid="ack-visible"
            disabled={visibleUnacked.length === 0 || busy}
            onClick={() => {
              setBusy(true);
              void actions.acknowledge(visibleUnacked).finally(() => setBusy(false));
            }}
          >
            Acknowledge {visibleUnacked.length > 0 ? `${visibleUnacked.length} shown` : 'shown'}
          </button>
        </div>
        <div className="alarm-table" role="table" aria-label="Alarms" aria-rowcount={rows.length} data-testid="alarm-table" data-rows={rows.length}>
          <div className="alarm-table__head" role="row">
            <span role="columnheader">Prio</span>
            <span role="columnheader">Time</span>
            <span role="columnheader">Alarm</span>
            <span role="columnheader">Area · device</span>
            <span role="columnheader" className="num">
              Value
            </span>
            <span role="columnheader">State</span>
            <span role="columnheader" className="visually-hidden">
              Actions
            </span>
          </div>
          {rows.length === 0 ? (
            <p className="panel__empty">{view.all.length === 0 ? 'No alarms: the process is normal.' : 'No alarm matches these filters.'}</p>
          ) : (
            <VirtualRows count={rows.length} rowHeight={ROW_HEIGHT} className="alarm-table__body">
              {(i) => <SummaryRow key={rows[i].def.id} row={rows[i]} selected={rows[i].def.id === selectedId} onSelect={setSelectedId} />}
            </VirtualRows>
          )}
        </div>
        <div className="alarm-summary__foot" data-testid="alarm-summary-foot">
          {rows.length} of {view.all.length} shown · {view.unacknowledged} unacknowledged · {view.shelved} shelved · {view.suppressed} suppressed · {view.outOfService} out of service
        </div>
      </section>
      <AlarmDetail row={selected} onClose={() => setSelectedId(null)} />
    </div>
  );
}

function SummaryRow({ row, selected, onSelect }: { row: AlarmRow; selected: boolean; onSelect: (id: string) => void }) {
  const { actions, valueText } = useAlarmContext();
  const { def, status } = row;
  const t = status.state.type;
  const muted = t === 'shelved' || t === 'suppressed' || t === 'outOfService';
  const unacked = isUnacknowledged(status.state);
  return (
    <div
      role="row"
      tabIndex={0}
      className={`alarm-row${unacked ? ' alarm-row--unack' : ''}${muted ? ' alarm-row--muted' : ''}${selected ? ' is-selected' : ''}${status.held ? ' alarm-row--held' : ''}`}
      data-alarm-id={def.id}
      data-state={t}
      data-priority={def.priority}
      data-held={status.held}
      onClick={() => onSelect(def.id)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          onSelect(def.id);
        }
      }}
    >
      <span role="cell" className={`alarm-row__prio prio-stripe--${muted ? 'none' : def.priority}`}>
        <PriorityBadge priority={def.priority} blink={blinks(status)} muted={muted} />
      </span>
      <span role="cell" className="alarm-row__time">
        {formatClock(sinceOf(status))}
      </span>
      <span role="cell" className="alarm-row__alarm">
        <span className="alarm-row__message">{def.message}</span>
        <span className="alarm-row__sub">
          {def.tag ?? def.device} · {def.condition}
        </span>
      </span>
      <span role="cell" className="alarm-row__where">
        {def.area}
        {def.device !== null && <span className="alarm-row__sub">{def.device}</span>}
      </span>
      <span role="cell" className="alarm-row__value num">
        {valueText(def.tag, status.value)}
      </span>
      <span role="cell" className="alarm-row__state">
        {stateText(status)}
        {status.held && <span className="badge badge--uncertain alarm-held">HELD: input not good</span>}
      </span>
      <span role="cell" className="alarm-row__actions">
        {unacked && (
          <button
            type="button"
            className="toggle"
            data-testid="row-ack"
            onClick={(e) => {
              e.stopPropagation();
              void actions.acknowledge([def.id]);
            }}
          >
            Ack
          </button>
        )}
      </span>
    </div>
  );
}
