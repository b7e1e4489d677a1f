import type { AppInfo } from '../../../shared/api';
import type { ConnectionView } from '../../state/useConnection';
import { Clock } from './Clock';

const CONNECTION_TEXT: Record<ConnectionView, string> = {
  connecting: 'Connecting…',
  connected: 'Runtime connected',
  disconnected: 'DISCONNECTED',
};

export function HeaderBar({ info, connection }: { info: AppInfo | null; connection: ConnectionView }) {
  return (
    <header className="header">
      <div className="header__product">Lineside</div>
      <div className="header__project" data-testid="project-name">
        {info?.projectName ?? ''}
      </div>
      <div className="header__spacer" />
      <div
        className={`connection connection--${connection}`}
        data-testid="connection"
        data-connection={connection}
        role="status"
      >
        <span className="connection__dot" aria-hidden="true" />
        {CONNECTION_TEXT[connection]}
      </div>
      <Clock />
    </header>
  );
}
