import { useSyncExternalStore } from 'react';
import type { UiMessage } from './message-store';
import { useServices } from './services';

export function useCurrentMessage(): UiMessage | null {
  const { messages } = useServices();
  return useSyncExternalStore(messages.subscribe, messages.getSnapshot);
}
