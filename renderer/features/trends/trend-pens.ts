/**
 * Pens of a multi-pen trend: colours, line styles, and one y axis per engineering unit. Pure.
 *
 * The palette is dark and muted (ISA-101: the screen stays calm), and keeps clear of the
 * colours that mean something here: the alarm priorities' red, orange, yellow and blue, and
 * violet for bad data. Pens 5–8 repeat the hues dashed, so no two pens look alike even in grey.
 */
import type { TagInfo } from '../../../shared/types';
import type { TrendPen } from '../../../shared/trend-api';
import { isDiscrete, yRangeFor } from './trend-values';

export const PEN_COLORS = ['#1c1c1c', '#00695c', '#795548', '#558b2f', '#546e7a', '#827717', '#00838f', '#8d6e63'] as const;
const DASH: number[] = [10, 5];

export interface PenStyle {
  color: string;
  dash: number[] | undefined;
}

/** The style of the pen at `index`, its colour overridable. */
export function penStyle(index: number, color?: string): PenStyle {
  return { color: color ?? PEN_COLORS[index % PEN_COLORS.length], dash: Math.floor(index / 4) % 2 === 1 ? DASH : undefined };
}

/** A colour not yet used by the pens, for a new one. */
export function nextPenColor(pens: readonly TrendPen[]): string {
  const used = new Set(pens.map((p, i) => p.color ?? PEN_COLORS[i % PEN_COLORS.length]));
  return PEN_COLORS.find((c) => !used.has(c)) ?? PEN_COLORS[pens.length % PEN_COLORS.length];
}

/** The scale a tag's pen is drawn on: one per unit; on/off signals share one. */
export function scaleKeyOf(tag: Pick<TagInfo, 'dataType' | 'units'>): string {
  if (tag.dataType === 'bool') return 'bool';
  return `u:${tag.units}`;
}

export interface AxisGroup {
  key: string;
  units: string;
  bool: boolean;
  discrete: boolean;
  /** the union of the pens' engineering ranges, where every pen has one */
  min: number | undefined;
  max: number | undefined;
  /** the pens (indices) on this axis */
  pens: number[];
}

/** The y axes for the pens, in order of first use. */
export function axisGroups(tags: readonly TagInfo[]): AxisGroup[] {
  const groups = new Map<string, AxisGroup>();
  tags.forEach((tag, i) => {
    const key = scaleKeyOf(tag);
    let g = groups.get(key);
    if (g === undefined) {
      g = { key, units: tag.dataType === 'bool' ? 'on/off' : tag.units, bool: tag.dataType === 'bool', discrete: isDiscrete(tag), min: tag.min, max: tag.max, pens: [] };
      groups.set(key, g);
    } else {
      g.discrete = g.discrete && isDiscrete(tag);
      g.min = g.min === undefined || tag.min === undefined ? undefined : Math.min(g.min, tag.min);
      g.max = g.max === undefined || tag.max === undefined ? undefined : Math.max(g.max, tag.max);
    }
    g.pens.push(i);
  });
  return [...groups.values()];
}

/** The y range of an axis: its engineering range where every pen has one, else the data's. */
export function axisRange(g: AxisGroup, dataMin: number | null, dataMax: number | null): [number, number] {
  return yRangeFor({ min: g.min, max: g.max, dataType: g.bool ? 'bool' : 'float64' }, dataMin, dataMax);
}

/** A number in a tag's units and decimals. */
export function formatPenValue(tag: Pick<TagInfo, 'dataType' | 'decimals'>, v: number): string {
  if (tag.dataType === 'bool') return v >= 0.5 ? 'ON' : 'OFF';
  return v.toFixed(isDiscrete(tag) ? 0 : Math.min(6, Math.max(0, tag.decimals)));
}
