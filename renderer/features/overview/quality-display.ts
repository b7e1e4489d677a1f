/**
 * Quality → what the operator sees. Pure. One cue per level, used for nothing else:
 *   good      plain
 *   uncertain value greyed and italic, dashed outline, badge "STALE" / "UNCERTAIN <reason>"
 *   bad       value replaced by "BAD — <reason>", violet outline (violet means "bad data" here)
 * A value that is not good never looks like a good one.
 */
import type { Quality, QualityLevel, QualityReason } from '../../../shared/quality';

const REASON_TEXT: Record<QualityReason, string> = {
  ok: '',
  comm_failure: 'comm failure',
  config_error: 'config error',
  device_error: 'device error',
  out_of_range: 'out of range',
  stale: 'stale',
  waiting: 'no value yet',
  shutdown: 'not running',
};

export function reasonText(reason: QualityReason): string {
  return REASON_TEXT[reason] ?? String(reason);
}

export interface QualityDisplay {
  level: QualityLevel;
  /** short text for the quality column; null for good */
  badge: string | null;
  /** the full sentence, for tooltips and screen readers */
  description: string;
}

export function qualityDisplay(quality: Quality | undefined): QualityDisplay {
  if (quality === undefined) {
    return { level: 'uncertain', badge: 'WAITING', description: 'No value received yet' };
  }
  const reason = reasonText(quality.reason);
  switch (quality.level) {
    case 'good':
      return { level: 'good', badge: null, description: 'Good' };
    case 'uncertain':
      if (quality.reason === 'stale') {
        return { level: 'uncertain', badge: 'STALE', description: 'Uncertain: stale, last value held' };
      }
      if (quality.reason === 'waiting') {
        return { level: 'uncertain', badge: 'WAITING', description: 'Uncertain: no value read yet' };
      }
      return {
        level: 'uncertain',
        badge: reason === '' ? 'UNCERTAIN' : `UNCERTAIN ${reason}`,
        description: `Uncertain${reason === '' ? '' : `: ${reason}`}`,
      };
    case 'bad':
      return {
        level: 'bad',
        badge: reason === '' ? 'BAD' : `BAD — ${reason}`,
        description: `Bad${reason === '' ? '' : `: ${reason}`}; the value is not valid`,
      };
  }
}
