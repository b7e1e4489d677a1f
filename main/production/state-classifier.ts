/**
 * A line's machine state from its state tag: the project's rules in order, the first that
 * matches wins, the default when none does. A state tag (or a rule's own tag) that is not of
 * good quality gives `unknown`: such time is never counted as running.
 */
import type { TagValue } from '../../shared/types';
import type { MachineStateName, RecordedState } from '../../shared/production';
import type { StateRule } from '../config/production-schema';

export interface StateModel {
  tag: string;
  rules: readonly StateRule[];
  default: MachineStateName;
}

/** The tags a state model reads (the state tag and the rules' own). */
export function stateTags(m: StateModel): string[] {
  return [...new Set([m.tag, ...m.rules.flatMap((r) => (r.tag === undefined ? [] : [r.tag]))])];
}

function matches(r: StateRule, v: TagValue['value']): boolean {
  if (r.equals !== undefined) return v === r.equals || (typeof v === 'number' && typeof r.equals === 'string' && String(v) === r.equals);
  if (r.in !== undefined) return r.in.some((x) => x === v);
  if (typeof v !== 'number') return false;
  return (r.above === undefined || v > r.above) && (r.below === undefined || v < r.below);
}

/** The state from the values in force (`read` gives the latest value of a tag, or undefined). */
export function classifyState(m: StateModel, read: (tagId: string) => TagValue | undefined): RecordedState {
  const main = read(m.tag);
  if (main === undefined || main.quality.level !== 'good') return 'unknown';
  for (const r of m.rules) {
    const v = r.tag === undefined ? main : read(r.tag);
    if (v === undefined || v.quality.level !== 'good') {
      // a rule that cannot be decided: its state is not known to hold or not
      return 'unknown';
    }
    if (matches(r, v.value)) return r.state;
  }
  return m.default;
}
