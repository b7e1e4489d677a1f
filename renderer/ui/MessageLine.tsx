import { useServices } from '../state/services';
import { useCurrentMessage } from '../state/useMessages';
import { formatClock } from '../features/overview/format';
import { TextSizeToggle } from './TextSizeToggle';

/** The latest error from a call (never blocks the screen); the station's text size at its end. */
export function MessageLine() {
  const { messages } = useServices();
  const message = useCurrentMessage();
  return (
    <footer className={`message-line${message === null ? '' : ' message-line--error'}`} role="status" aria-live="polite">
      {message === null ? (
        <span className="message-line__idle">No messages</span>
      ) : (
        <>
          <span className="message-line__time">{formatClock(message.at)}</span>
          <span className="message-line__text" data-testid="message-line">
            {message.text}
          </span>
          <button type="button" className="message-line__dismiss" onClick={() => messages.dismiss(message.id)}>
            Dismiss
          </button>
        </>
      )}
      <TextSizeToggle />
    </footer>
  );
}
