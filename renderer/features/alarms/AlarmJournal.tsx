import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { alarmPriorities, type AlarmJournalEntry, type AlarmJournalEvent, type AlarmPriority } from '../../../shared/alarms';
import { useServices } from '../../state/services';
import { formatClock, formatDate } from '../overview/format';
import { priorityName, STATE_LABELS } from './alarm-display';
import { useAlarmContext, useAlarmView } from './AlarmProvider';
import { PriorityBadge } from './PriorityBadge';

export const EVENT_WORDS: Record<AlarmJournalEvent, string> = {
  activated: 'Alarm',
  cleared: 'Cleared',
  acknowledged: 'Acknowledged',
  reset: 'Reset',
  shelved: 'Shelved',
  unshelved: 'Unshelved',
  shelveExpired: 'Shelve expired',
  suppressed: 'Suppressed',
  unsuppressed: 'Suppression ended',
  removedFromService: 'Out of service',
  returnedToService: 'Back in service',
  commented: 'Comment',
  restored: 'Restored',
};

export const RANGES = [
  { key: '1h', label: 'Last hour', ms: 3_600_000 },
  { key: '8h', label: 'Last 8 h', ms: 8 * 3_600_000 },
  { key: '24h', label: 'Last 24 h', ms: 24 * 3_600_000 },
  { key: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
] as const;
type RangeKey = (typeof RANGES)[number]['key'] | 'custom';

/** `datetime-local` wants local time without a zone */
function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

interface Query {
  from: number;
  to: number;
  text?: string;
  tag?: string;
  priorities?: AlarmPriority[];
}

/**
 * Every transition and action, newest first: search by time, tag, priority and text; download
 * the same search as CSV. A relative range follows new entries as they come.
 */
export function AlarmJournal() {
  const { client, messages } = useServices();
  const { model } = useAlarmContext();
  const { version } = useAlarmView();
  const [range, setRange] = useState<RangeKey>('1h');
  const [custom, setCustom] = useState(() => ({ from: toLocalInput(Date.now() - 3_600_000), to: toLocalInput(Date.now()) }));
  const [text, setText] = useState('');
  const [tag, setTag] = useState('');
  const [priorities, setPriorities] = useState<ReadonlySet<AlarmPriority>>(new Set(alarmPriorities));
  const [entries, setEntries] = useState<AlarmJournalEntry[] | null>(null);
  const [more, setMore] = useState(false);
  const [loading, setLoading] = useState(false);
  const [exportNote, setExportNote] = useState<string | null>(null);
  const seq = useRef(0);

  const defs = model.definitions();
  const tags = useMemo(() => [...new Set(defs.map((d) => d.tag).filter((t): t is string => t !== null))].sort(), [defs]);

  const query = useCallback((): Query => {
    const now = Date.now();
    const r = RANGES.find((x) => x.key === range);
    const from = r ? now - r.ms : new Date(custom.from).getTime();
    const to = r ? now + 1000 : new Date(custom.to).getTime();
    const q: Query = { from: Math.max(0, from), to: Math.max(from + 1, to) };
    if (text.trim() !== '') q.text = text.trim();
    if (tag !== '') q.tag = tag;
    if (priorities.size < alarmPriorities.length) q.priorities = [...priorities].sort();
    return q;
  }, [range, custom, text, tag, priorities]);

  const search = useCallback(
    async (beforeId?: number) => {
      const q = query();
      if (!Number.isFinite(q.from) || !Number.isFinite(q.to)) return;
      const mine = ++seq.current;
      setLoading(true);
      try {
        const page = await client.call('alarms.journal', { ...q, limit: 200, beforeId });
        if (mine !== seq.current) return;
        setEntries((prev) => (beforeId === undefined || prev === null ? page.entries : [...prev, ...page.entries]));
        setMore(page.more);
      } catch (err) {
        if (mine === seq.current) messages.reportError('Searching the alarm journal', err);
      } finally {
        if (mine === seq.current) setLoading(false);
      }
    },
    [client, messages, query],
  );

  // search on every change of the filters (the text after a pause), and follow new entries
  useEffect(() => {
    const t = setTimeout(() => void search(), text === '' ? 0 : 300);
    return () => clearTimeout(t);
  }, [search, text]);
  useEffect(() => {
    if (range === 'custom') return;
    const t = setTimeout(() => void search(), 1000);
    return () => clearTimeout(t);
  }, [version, range, search]);

  const download = async () => {
    const q = query();
    try {
      const r = await client.call('alarms.journalCsv', q);
      const blob = new Blob([r.csv], { type: 'text/csv;charset=utf-8' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `alarm-journal_${formatDate(q.from)}_${formatClock(q.from).replace(/:/g, '')}-${formatDate(q.to)}_${formatClock(q.to).replace(/:/g, '')}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setExportNote(r.truncated ? `${r.rows} rows exported: the range holds more, narrow it` : `${r.rows} rows exported`);
    } catch (err) {
      messages.reportError('Exporting the alarm journal', err);
    }
  };

  const togglePriority = (p: AlarmPriority) =>
    setPriorities((s) => {
      const next = new Set(s);
      if (next.has(p)) next.delete(p);
      else next.add(p);
      return next;
    });

  return (
    <section className="panel alarm-journal" aria-label="Alarm journal" data-testid="alarm-journal">
      <div className="alarm-filters">
        <div className="alarm-filters__group" role="group" aria-label="Time range">
          {RANGES.map((r) => (
            <button key={r.key} type="button" className={`toggle${range === r.key ? ' toggle--on' : ''}`} aria-pressed={range === r.key} onClick={() => setRange(r.key)} data-testid={`journal-range-${r.key}`}>
              {r.label}
            </button>
          ))}
          <button type="button" className={`toggle${range === 'custom' ? ' toggle--on' : ''}`} aria-pressed={range === 'custom'} onClick={() => setRange('custom')} data-testid="journal-range-custom">
            From … to
          </button>
        </div>
        {range === 'custom' && (
          <div className="alarm-filters__group">
            <input type="datetime-local" className="alarm-input" value={custom.from} onChange={(e) => setCustom((c) => ({ ...c, from: e.target.value }))} aria-label="From" data-testid="journal-from" />
            <input type="datetime-local" className="alarm-input" value={custom.to} onChange={(e) => setCustom((c) => ({ ...c, to: e.target.value }))} aria-label="To" data-testid="journal-to" />
          </div>
        )}
        <input type="search" className="alarm-input alarm-input--search" placeholder="Search text, alarm, user…" value={text} onChange={(e) => setText(e.target.value)} aria-label="Search" data-testid="journal-text" />
        <label className="alarm-select">
          <span className="alarm-select__label">Tag</span>
          <select value={tag} onChange={(e) => setTag(e.target.value)} data-testid="journal-tag">
            <option value="">All tags</option>
            {tags.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <div className="alarm-filters__group" role="group" aria-label="Priorities">
          {alarmPriorities.map((p) => (
            <button key={p} type="button" className={`toggle toggle--compact${priorities.has(p) ? ' toggle--on' : ''}`} aria-pressed={priorities.has(p)} title={priorityName(p)} onClick={() => togglePriority(p)} data-testid={`journal-priority-${p}`}>
              P{p}
            </button>
          ))}
        </div>
        <div className="alarm-filters__spacer" />
        <button type="button" className="toggle" onClick={() => void download()} data-testid="journal-csv">
          Download CSV
        </button>
      </div>
      {exportNote !== null && <p className="alarm-journal__note" data-testid="journal-export-note">{exportNote}</p>}
      <div className="alarm-journal__scroll">
        {entries === null ? (
          <p className="panel__empty">Loading…</p>
        ) : entries.length === 0 ? (
          <p className="panel__empty">Nothing in the journal for this search.</p>
        ) : (
          <table className="diag-table journal-table" data-testid="journal-table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Prio</th>
                <th scope="col">Alarm</th>
                <th scope="col">Event</th>
                <th scope="col">State</th>
                <th scope="col" className="num">
                  Value
                </th>
                <th scope="col">User</th>
                <th scope="col">Reason / comment</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id} data-journal-id={e.id} data-alarm-id={e.alarmId} data-event={e.event} data-user={e.user ?? ''}>
                  <td className="journal-table__time">
                    {formatClock(e.ts)}
                    <span className="journal-table__date">{formatDate(e.ts)}</span>
                  </td>
                  <td>
                    <PriorityBadge priority={e.priority} muted size={28} />
                  </td>
                  <td>
                    <div className="journal-table__message">{e.message}</div>
                    <div className="tag-id">
                      {e.alarmId}
                      {e.tag !== null && e.tag !== e.alarmId ? ` · ${e.tag}` : ''}
                    </div>
                  </td>
                  <td className="journal-table__event">{EVENT_WORDS[e.event]}</td>
                  <td className="journal-table__state">
                    {e.fromState === e.toState ? STATE_LABELS[e.toState] : `${STATE_LABELS[e.fromState]} → ${STATE_LABELS[e.toState]}`}
                  </td>
                  <td className="num">{e.value === null ? '' : typeof e.value === 'number' ? Number(e.value.toFixed(3)).toString() : String(e.value)}</td>
                  <td>{e.user ?? '—'}</td>
                  <td className="journal-table__text">{e.text}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {more && entries !== null && entries.length > 0 && (
          <div className="alarm-journal__more">
            <button type="button" className="toggle" disabled={loading} onClick={() => void search(entries[entries.length - 1].id)} data-testid="journal-older">
              Older entries
            </button>
          </div>
        )}
      </div>
    </section>
  );
}
