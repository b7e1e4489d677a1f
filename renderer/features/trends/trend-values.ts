/** Which tags can be trended and what a live value contributes to a trend. Pure. */
import type { TagInfo, TagValue } from '../../../shared/types';

export const TREND_WINDOWS_MIN = [1, 10, 60] as const;
export type TrendWindowMin = (typeof TREND_WINDOWS_MIN)[number];
export const DEFAULT_TREND_WINDOW_MIN: TrendWindowMin = 10;

export function isTrendable(tag: Pick<TagInfo, 'dataType'>): boolean {
  return tag.dataType !== 'string';
}

/** Booleans and integers change in steps: drawn as steps, never as slopes between values. */
export function isDiscrete(tag: Pick<TagInfo, 'dataType'>): boolean {
  return tag.dataType !== 'float32' && tag.dataType !== 'float64';
}

/** The first numeric tag, else the first trendable one (booleans as 0/1), else none. */
/** An analog process value first (float: speed, temperature…), then any number, then a bit. */
export function defaultTrendTag(tags: readonly TagInfo[]): TagInfo | undefined {
  return (
    tags.find((t) => isTrendable(t) && (t.dataType === 'float32' || t.dataType === 'float64')) ??
    tags.find((t) => isTrendable(t) && t.dataType !== 'bool') ??
    tags.find(isTrendable)
  );
}

/** A good number (or boolean as 0/1); anything not good is a gap, never a value. */
export function chartValueOf(value: TagValue | undefined): number | null {
  if (value === undefined || value.quality.level !== 'good') return null;
  if (typeof value.value === 'number') return Number.isFinite(value.value) ? value.value : null;
  if (typeof value.value === 'boolean') return value.value ? 1 : 0;
  return null;
}

/** The y range: the tag's engineering range where given, the data's otherwise. */
export function yRangeFor(
  tag: Pick<TagInfo, 'min' | 'max' | 'dataType'>,
  dataMin: number | null,
  dataMax: number | null,
): [number, number] {
  if (tag.dataType === 'bool') return [-0.1, 1.1];
  let lo = tag.min ?? dataMin;
  let hi = tag.max ?? dataMax;
  if (lo === null || hi === null || !Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = lo ?? hi ?? 0;
    hi = hi ?? lo + 1;
  }
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = Math.abs(lo) * 0.05 || 1;
    return [lo - pad, hi + pad];
  }
  if (tag.min === undefined || tag.max === undefined) {
    const pad = (hi - lo) * 0.05;
    return [tag.min ?? lo - pad, tag.max ?? hi + pad];
  }
  return [lo, hi];
}

/** Points to ask of the historian: about one per pixel column. */
export function maxPointsForWidth(widthPx: number): number {
  return Math.max(2, Math.min(20_000, Math.round(widthPx) || 600));
}
