/**
 * The trends part of the API contract (shared/api.ts spreads these in): history for several
 * pens in one call, and named trend views saved in the runtime's SQLite. docs/trends.md.
 */
import { z } from 'zod';
import type { EpochMs } from './types';
import type { HistorySeries } from './api';

const tagId = z.string().min(1).max(200);
const epochMs = z.number().int().nonnegative();
const forward = { message: '`to` must be after `from`', path: ['to'] };

/** The most pens one chart carries (and one history.trend call answers). */
export const MAX_TREND_PENS = 16;

/** Live windows, in minutes: 1 min to 8 h. */
export const trendLiveSpansMin = [1, 10, 60, 480] as const;

/** Historical presets: a range ending now (or the current shift), fixed when chosen. */
export const trendRangePresets = ['15m', '1h', '8h', 'shift', '24h', '7d', '30d'] as const;
export type TrendRangePreset = (typeof trendRangePresets)[number];

/** A pen's colour, chosen by the user or given by the palette (#rrggbb). */
const penColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1c1c1c');

export const trendPenSchema = z.object({ tagId, color: penColor.optional() }).strict();
export type TrendPen = z.output<typeof trendPenSchema>;

/**
 * What a view shows over time: a live window, a fixed range, or a preset that is worked out
 * again from the clock each time the view is opened ("last 24 h", "this shift").
 */
export const trendRangeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('live'), spanMs: z.number().int().min(60_000).max(8 * 3_600_000) }).strict(),
  z
    .object({ kind: z.literal('fixed'), from: epochMs, to: epochMs })
    .strict()
    .refine((r) => r.to > r.from, forward),
  z.object({ kind: z.literal('preset'), preset: z.enum(trendRangePresets) }).strict(),
]);
export type TrendRangeSpec = z.output<typeof trendRangeSchema>;

export const trendApiParams = {
  /**
   * Several tags' values over one range, each at most `maxPoints` points (min and max per
   * bucket when there are more samples, so spikes survive; rollups for long ranges). The
   * renderer asks for about one point per pixel column.
   */
  'history.trend': z
    .object({
      tagIds: z.array(tagId).min(1).max(MAX_TREND_PENS),
      from: epochMs,
      to: epochMs,
      maxPoints: z.number().int().min(2).max(20_000),
    })
    .strict()
    .refine((p) => p.to > p.from, forward),
  /** every saved view, by name */
  'trendViews.list': z.object({}).strict(),
  /** saves a named view; an existing name is refused unless `replace` */
  'trendViews.save': z
    .object({
      name: z.string().trim().min(1, 'give the view a name').max(80),
      pens: z.array(trendPenSchema).min(1, 'a view needs at least one pen').max(MAX_TREND_PENS),
      range: trendRangeSchema,
      replace: z.boolean().default(false),
    })
    .strict(),
  'trendViews.delete': z.object({ id: z.number().int().positive() }).strict(),
} as const;

export interface HistoryTrend {
  from: EpochMs;
  to: EpochMs;
  /** one per requested tag, in the order asked */
  series: HistorySeries[];
}

export interface TrendView {
  id: number;
  name: string;
  pens: TrendPen[];
  range: TrendRangeSpec;
  savedAt: EpochMs;
  savedBy: string;
}

export interface TrendApiResults {
  'history.trend': HistoryTrend;
  'trendViews.list': TrendView[];
  'trendViews.save': TrendView;
  'trendViews.delete': { deleted: boolean };
}
