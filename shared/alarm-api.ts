/**
 * The alarm part of the API contract (shared/api.ts spreads these in): the params of each
 * alarm method, their results and the `alarms` event.
 */
import { z } from 'zod';
import {
  alarmPriorities,
  type AlarmActionResult,
  type AlarmConfigInfo,
  type AlarmCsvExport,
  type AlarmJournalPage,
  type AlarmKpis,
  type AlarmStatus,
} from './alarms';

const alarmId = z.string().min(1).max(100);
const epochMs = z.number().int().nonnegative();
const reason = z.string().trim().min(3, 'give a reason (at least 3 characters)').max(500);
const optionalText = z.string().trim().max(500).optional();

/** The journal's search: a time range (required, so every query is bounded) and filters. */
const journalFilter = {
  from: epochMs,
  to: epochMs,
  alarmId: alarmId.optional(),
  tag: z.string().min(1).max(200).optional(),
  priorities: z.array(z.union(alarmPriorities.map((p) => z.literal(p)) as [z.ZodLiteral<1>, z.ZodLiteral<2>, z.ZodLiteral<3>, z.ZodLiteral<4>])).max(4).optional(),
  /** matched anywhere in the message, alarm id, tag, user or text (case-insensitive) */
  text: z.string().max(200).optional(),
};
const rangeIsForward = { message: '`to` must be after `from`', path: ['to'] };

export const alarmApiParams = {
  /** definitions, shelving limits and what the current user may do */
  'alarms.definitions': z.object({}).strict(),
  /** every alarm not in the normal state */
  'alarms.list': z.object({}).strict(),
  'alarms.acknowledge': z.object({ alarmIds: z.array(alarmId).min(1).max(20_000), comment: optionalText }).strict(),
  'alarms.shelve': z
    .object({
      alarmId,
      mode: z.enum(['timed', 'oneShot']),
      /** timed: how long; one-shot: until it clears, at most the maximum shelve time */
      durationS: z.number().int().positive().max(30 * 86_400).optional(),
      reason,
    })
    .strict()
    .refine((p) => p.mode === 'oneShot' || p.durationS !== undefined, { message: 'a timed shelve needs durationS', path: ['durationS'] }),
  'alarms.unshelve': z.object({ alarmId, reason: optionalText }).strict(),
  'alarms.reset': z.object({ alarmId, comment: optionalText }).strict(),
  'alarms.comment': z.object({ alarmId, text: z.string().trim().min(1, 'the comment is empty').max(1000) }).strict(),
  'alarms.removeFromService': z.object({ alarmId, reason }).strict(),
  'alarms.returnToService': z.object({ alarmId, reason: optionalText }).strict(),
  'alarms.journal': z
    .object({ ...journalFilter, limit: z.number().int().min(1).max(1000).default(200), beforeId: z.number().int().positive().optional() })
    .strict()
    .refine((p) => p.to > p.from, rangeIsForward),
  /** the journal as CSV text, for a bounded range (at most 100,000 rows) */
  'alarms.journalCsv': z
    .object(journalFilter)
    .strict()
    .refine((p) => p.to > p.from, rangeIsForward),
  'alarms.kpis': z
    .object({ from: epochMs, to: epochMs })
    .strict()
    .refine((p) => p.to > p.from, rangeIsForward),
} as const;

export interface AlarmApiResults {
  'alarms.definitions': AlarmConfigInfo;
  'alarms.list': AlarmStatus[];
  'alarms.acknowledge': AlarmActionResult;
  'alarms.shelve': AlarmStatus;
  'alarms.unshelve': AlarmStatus;
  'alarms.reset': AlarmStatus;
  'alarms.comment': AlarmStatus;
  'alarms.removeFromService': AlarmStatus;
  'alarms.returnToService': AlarmStatus;
  'alarms.journal': AlarmJournalPage;
  'alarms.journalCsv': AlarmCsvExport;
  'alarms.kpis': AlarmKpis;
}

export interface AlarmApiEvents {
  /** alarms whose status changed, coalesced (never one message per transition) */
  alarms: { statuses: AlarmStatus[] };
}
