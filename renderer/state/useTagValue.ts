import { useCallback, useSyncExternalStore } from 'react';
import type { TagValue } from '../../shared/types';
import { useServices } from './services';

/** The latest value of one tag; re-renders only when that tag's value changes. */
export function useTagValue(tagId: string): TagValue | undefined {
  const { values } = useServices();
  const subscribe = useCallback((listener: () => void) => values.subscribeTag(tagId, listener), [values, tagId]);
  const get = useCallback(() => values.get(tagId), [values, tagId]);
  return useSyncExternalStore(subscribe, get);
}
