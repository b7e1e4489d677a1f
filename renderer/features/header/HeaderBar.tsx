import type { AppInfo } from '../../../shared/api';
import type { ConnectionView } from '../../state/useConnection';
import { Clock } from './Clock';
import { LineState } from './LineState';
import { SyncIndicator } from '../sync/SyncIndicator';
import type { SessionState } from '../../../shared/security';
import { SessionControl } from '../session/SessionControl';
import { mayOpenPeople } from '../people/PeopleScreen';

const CONNECTION_TEXT: Record<ConnectionView, string> = {
  connecting: 'Connecting…',
  connected: 'Runtime connected',
  disconnected: 'DISCONNECTED',
};

export type ScreenName = 'operate' | 'trends' | 'alarms' | 'production' | 'instructions' | 'diagnostics' | 'upstream' | 'people';
const SCREENS: { name: ScreenName; label: string }[] = [
  { name: 'operate', label: 'Overview' },
  { name: 'trends', label: 'Trends' },
  { name: 'alarms', label: 'Alarms' },
  { name: 'production', label: 'Production' },
  { name: 'instructions', label: 'Instructions' },
  { name: 'diagnostics', label: 'Diagnostics' },
  { name: 'upstream', label: 'Upstream' },
  { name: 'people', label: 'People' },
];

interface HeaderBarProps {
  info: AppInfo | null;
  connection: ConnectionView;
  screen: ScreenName;
  onScreen: (screen: ScreenName) => void;
  session: SessionState | null;
  onSession: (s: SessionState) => void;
  /** counts connections: the line state is fetched again on each */
  generation: number;
  /** a count on a screen's tab: stops waiting for a reason on Production */
  badges?: Partial<Record<ScreenName, { count: number; title: string }>>;
}

export function HeaderBar({ info, connection, screen, onScreen, session, onSession, generation, badges = {} }: HeaderBarProps) {
  return (
    <header className="header">
      <div className="header__product">Lineside</div>
      <div className="header__project" data-testid="project-name">
        {info?.projectName ?? ''}
      </div>
      <LineState generation={generation} projectName={info?.projectName ?? ''} />
      <nav className="nav" aria-label="Screens">
        {SCREENS.filter((s) => s.name !== 'people' || mayOpenPeople(session)).map((s) => (
          <button
            key={s.name}
            type="button"
            className={`nav__tab${s.name === screen ? ' nav__tab--current' : ''}`}
            aria-current={s.name === screen ? 'page' : undefined}
            data-testid={`nav-${s.name}`}
            onClick={() => onScreen(s.name)}
          >
            {s.label}
            {(badges[s.name]?.count ?? 0) > 0 && (
              <span className="nav__badge" title={badges[s.name]!.title} data-testid={`nav-badge-${s.name}`}>
                {badges[s.name]!.count}
              </span>
            )}
          </button>
        ))}
      </nav>
      <div className="header__spacer" />
      <SessionControl session={session} onSession={onSession} />
      <SyncIndicator onOpen={() => onScreen('upstream')} />
      <div
        className={`connection connection--${connection}`}
        data-testid="connection"
        data-connection={connection}
        title={CONNECTION_TEXT[connection]}
        role="status"
      >
        <span className="connection__dot" aria-hidden="true" />
        <span className="connection__text">{CONNECTION_TEXT[connection]}</span>
      </div>
      <Clock />
    </header>
  );
}
