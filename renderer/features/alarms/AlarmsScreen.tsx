import { useState } from 'react';
import { AlarmJournal } from './AlarmJournal';
import { AlarmKpiPanel } from './AlarmKpiPanel';
import { AlarmSummary } from './AlarmSummary';

const VIEWS = [
  { key: 'summary', label: 'Summary' },
  { key: 'journal', label: 'Journal' },
  { key: 'kpis', label: 'Performance' },
] as const;
type AlarmView = (typeof VIEWS)[number]['key'];

/** The Alarms screen: the summary of current alarms, the journal, the alarm system's performance. */
export function AlarmsScreen() {
  const [view, setView] = useState<AlarmView>('summary');
  return (
    <main className="alarms-screen" data-testid="alarms-screen" data-view={view}>
      <nav className="alarms-screen__tabs" aria-label="Alarm views">
        {VIEWS.map((v) => (
          <button
            key={v.key}
            type="button"
            className={`nav__tab${v.key === view ? ' nav__tab--current' : ''}`}
            aria-current={v.key === view ? 'page' : undefined}
            data-testid={`alarms-view-${v.key}`}
            onClick={() => setView(v.key)}
          >
            {v.label}
          </button>
        ))}
      </nav>
      {view === 'summary' ? <AlarmSummary /> : view === 'journal' ? <AlarmJournal /> : <AlarmKpiPanel />}
    </main>
  );
}
