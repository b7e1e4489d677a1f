/**
 * Quality of a value, after OPC UA's StatusCode severity (Good / Uncertain / Bad) with a reason.
 * A value whose quality is not `good` is never shown, stored or alarmed as if it were good.
 */
export type QualityLevel = 'good' | 'uncertain' | 'bad';

export type QualityReason =
  | 'ok'
  /** no answer from the device: timeout, refused or reset connection */
  | 'comm_failure'
  /** the tag's configuration does not match the device (illegal address, wrong node id, type) */
  | 'config_error'
  /** the device answered with an error of its own (Modbus exception, OPC UA bad status) */
  | 'device_error'
  /** the raw value is outside the tag's raw range: clamped, so uncertain */
  | 'out_of_range'
  /** no fresh value within a multiple of the scan period: the last value is held */
  | 'stale'
  /** no value has been read yet since start */
  | 'waiting'
  /** the runtime was not running: history has a gap here (written at start-up) */
  | 'shutdown';

export interface Quality {
  level: QualityLevel;
  reason: QualityReason;
}

export const GOOD: Quality = Object.freeze({ level: 'good', reason: 'ok' }) as Quality;

export function isGood(q: Quality): boolean {
  return q.level === 'good';
}

/**
 * Compact numeric encoding of a quality for storage: high byte = level, low byte = reason.
 * Stable forever: these numbers are on disk and on the wire upstream.
 */
const LEVEL_CODES: Record<QualityLevel, number> = { good: 0, uncertain: 1, bad: 2 };
const REASON_CODES: Record<QualityReason, number> = {
  ok: 0,
  comm_failure: 1,
  config_error: 2,
  device_error: 3,
  out_of_range: 4,
  stale: 5,
  waiting: 6,
  shutdown: 7,
};
const LEVELS = Object.keys(LEVEL_CODES) as QualityLevel[];
const REASONS = Object.keys(REASON_CODES) as QualityReason[];

export function encodeQuality(q: Quality): number {
  return (LEVEL_CODES[q.level] << 8) | REASON_CODES[q.reason];
}

export function decodeQuality(code: number): Quality {
  const level = LEVELS[code >> 8];
  const reason = REASONS[code & 0xff];
  if (level === undefined || reason === undefined) {
    return { level: 'bad', reason: 'config_error' };
  }
  return { level, reason };
}
