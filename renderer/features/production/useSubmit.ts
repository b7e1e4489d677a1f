import { useCallback, useState } from 'react';
import { useServices } from '../../state/services';

/**
 * One action sent to the runtime from a dialog: at most one at a time; on success `done` gets
 * the result (and says what to report on the message line); a refusal or failure goes to the
 * message line under `what`, and the action can be tried again.
 */
export function useSubmit(): { sending: boolean; submit: <T>(what: string, call: () => Promise<T>, done: (result: T) => string) => void } {
  const { messages } = useServices();
  const [sending, setSending] = useState(false);
  const submit = useCallback(
    <T,>(what: string, call: () => Promise<T>, done: (result: T) => string) => {
      setSending(true);
      call().then(
        (result) => messages.report(done(result)),
        (err: unknown) => {
          setSending(false);
          messages.reportError(what, err);
        },
      );
    },
    [messages],
  );
  return { sending, submit };
}
