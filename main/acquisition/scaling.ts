import type { Quality } from '../../shared/quality';
import type { TagScalar } from '../../shared/types';

export interface LinearScaling {
  rawMin: number;
  rawMax: number;
  engMin: number;
  engMax: number;
}

/**
 * Raw → engineering units. A raw value outside [rawMin, rawMax] is clamped to the engineering
 * range and marked uncertain (out of range): the sensor or its wiring is telling us something,
 * and the clamped number must not pass as a measurement.
 */
export function scaleValue(raw: TagScalar, scaling: LinearScaling | undefined, quality: Quality): { value: TagScalar; quality: Quality } {
  if (!scaling || typeof raw !== 'number') return { value: raw, quality };
  const { rawMin, rawMax, engMin, engMax } = scaling;
  const lo = Math.min(rawMin, rawMax);
  const hi = Math.max(rawMin, rawMax);
  const clamped = Math.min(hi, Math.max(lo, raw));
  const value = engMin + ((clamped - rawMin) * (engMax - engMin)) / (rawMax - rawMin);
  if (clamped !== raw && quality.level === 'good') return { value, quality: { level: 'uncertain', reason: 'out_of_range' } };
  return { value, quality };
}
