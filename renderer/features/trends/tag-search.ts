/** The tag picker's search. Pure. */
import type { TagInfo } from '../../../shared/types';
import { isTrendable } from './trend-values';

/** Tags matching every word of the search in their name, id, description, units or device. */
export function searchTags(tags: readonly TagInfo[], query: string): TagInfo[] {
  const words = query.toLowerCase().split(/\s+/).filter((w) => w !== '');
  return tags.filter((t) => {
    if (!isTrendable(t)) return false;
    const hay = `${t.name} ${t.id} ${t.description} ${t.units} ${t.deviceId}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}
