import { useSyncExternalStore } from 'react';
import { currentSecondTime, subscribeSeconds } from './second-ticker';

/** The wall-clock time, re-rendering the caller once a second. */
export function useNow(): number {
  return useSyncExternalStore(subscribeSeconds, currentSecondTime);
}
