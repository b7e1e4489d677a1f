/**
 * The project file's `alarms:` section: shelving limits, audible annunciation and the alarm
 * definitions (docs/alarms.md). Validated like the rest of the file, then checked against the
 * tags and devices it names (`checkAlarmReferences`), each problem with its place in the file.
 */
import { z } from 'zod';
import type { AlarmDefinition, AlarmSettings, AlarmTagCondition } from '../../shared/alarms';
import type { TagScalar } from '../../shared/types';
import type { Project } from './project-schema';

const id = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z][A-Za-z0-9_.:-]*$/, 'must start with a letter and use only letters, digits, _ . : -');
const scalar = z.union([z.number(), z.boolean(), z.string().max(200)]);
const seconds = (max: number) => z.number().min(0).max(max);

const conditionKeys = ['equals', 'notEquals', 'in', 'above', 'below'] as const;
/** `{ tag: L1.State, equals: 2 }`: exactly one of equals, notEquals, in, above, below */
export const tagConditionSchema = z
  .object({
    tag: id,
    equals: scalar.optional(),
    notEquals: scalar.optional(),
    in: z.array(scalar).min(1).max(50).optional(),
    above: z.number().optional(),
    below: z.number().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const given = conditionKeys.filter((k) => c[k] !== undefined);
    if (given.length !== 1) ctx.addIssue({ code: 'custom', message: `give exactly one of ${conditionKeys.join(', ')} (found ${given.length === 0 ? 'none' : given.join(', ')})` });
  })
  .transform((c): AlarmTagCondition => {
    if (c.equals !== undefined) return { tag: c.tag, equals: c.equals };
    if (c.notEquals !== undefined) return { tag: c.tag, notEquals: c.notEquals };
    if (c.in !== undefined) return { tag: c.tag, in: c.in };
    if (c.above !== undefined) return { tag: c.tag, above: c.above };
    return { tag: c.tag, below: c.below as number };
  });

const common = {
  id,
  priority: z.literal([1, 2, 3, 4], { error: 'priority is 1 (urgent), 2 (high), 3 (medium) or 4 (low)' }),
  message: z.string().trim().min(1).max(300),
  response: z.string().max(2000).optional(),
  procedure: z.string().min(1).max(500).optional(),
  latched: z.boolean().default(false),
  onDelayS: seconds(3600).default(0),
  offDelayS: seconds(3600).default(0),
  area: z.string().min(1).max(100).optional(),
  suppressWhen: tagConditionSchema.optional(),
  maxShelveS: z.number().int().min(1).max(30 * 86_400).optional(),
};
const direction = z.enum(['above', 'below', 'both']);
const deadband = z.number().min(0).default(0);

const limitAlarm = <T extends 'high' | 'highHigh' | 'low' | 'lowLow'>(type: T) =>
  z.object({ ...common, type: z.literal(type), tag: id, limit: z.number(), deadband }).strict();

export const alarmDefinitionSchema = z.discriminatedUnion('type', [
  limitAlarm('high'),
  limitAlarm('highHigh'),
  limitAlarm('low'),
  limitAlarm('lowLow'),
  z.object({ ...common, type: z.literal('deviation'), tag: id, setpointTag: id, limit: z.number().positive(), deadband, direction: direction.default('both') }).strict(),
  z
    .object({
      ...common,
      type: z.literal('rateOfChange'),
      tag: id,
      limitPerS: z.number().positive(),
      windowS: z.number().min(0.1).max(3600).default(10),
      deadband,
      direction: direction.default('both'),
    })
    .strict(),
  z
    .object({ ...common, type: z.literal('discrete'), tag: id, equals: scalar.optional(), notEquals: scalar.optional(), bit: z.number().int().min(0).max(52).optional() })
    .strict()
    .superRefine((d, ctx) => {
      const given = (['equals', 'notEquals', 'bit'] as const).filter((k) => d[k] !== undefined);
      if (given.length !== 1) ctx.addIssue({ code: 'custom', message: `a discrete alarm needs exactly one of equals, notEquals, bit (found ${given.length === 0 ? 'none' : given.join(', ')})` });
    }),
  z.object({ ...common, type: z.literal('badQuality'), tag: id, includeUncertain: z.boolean().default(false) }).strict(),
  z.object({ ...common, type: z.literal('commLoss'), device: id }).strict(),
  z
    .object({ ...common, type: z.literal('stuck'), tag: id, band: z.number().positive(), forS: z.number().positive().max(86_400), runningWhen: tagConditionSchema.optional() })
    .strict(),
  z
    .object({
      ...common,
      type: z.literal('baseline'),
      tag: id,
      stateTag: id,
      states: z.array(scalar).min(1).max(50).optional(),
      percent: z.number().positive().max(1000),
      deadband,
      direction: direction.default('above'),
      tauS: z.number().min(1).max(30 * 86_400).default(600),
      smoothS: z.number().min(0.1).max(3600).default(5),
      learnS: z.number().min(0).max(30 * 86_400).default(120),
      settleS: z.number().min(0).max(3600).default(10),
      /**
       * the operating point the value depends on (e.g. the speed setpoint for a drive current):
       * one baseline per state and per `contextStep` of this tag's value, so a new speed learns
       * its own normal instead of alarming
       */
      contextTag: id.optional(),
      contextStep: z.number().positive().optional(),
    })
    .strict()
    .refine((d) => (d.contextTag === undefined) === (d.contextStep === undefined), { message: 'contextTag and contextStep go together', path: ['contextStep'] }),
]);

export const alarmsSectionSchema = z
  .object({
    /** what an operator may ask for when shelving */
    shelve: z
      .object({ minS: z.number().int().min(1).max(86_400).default(60), maxS: z.number().int().min(1).max(30 * 86_400).default(8 * 3600) })
      .strict()
      .refine((s) => s.minS <= s.maxS, { message: 'minS must not exceed maxS', path: ['minS'] })
      .prefault({}),
    /** new unacknowledged alarms of this priority or more urgent sound; 0: none */
    audibleUpToPriority: z.number().int().min(0).max(4).default(2),
    definitions: z.array(alarmDefinitionSchema).max(100_000).default([]),
  })
  .strict();

export type AlarmsSection = z.output<typeof alarmsSectionSchema>;

// The schema's output is the engine's definition type, checked here at compile time.
const sameShape: (d: z.output<typeof alarmDefinitionSchema>) => AlarmDefinition = (d) => d;
void sameShape;

export function alarmSettingsOf(section: AlarmsSection): AlarmSettings {
  return { minShelveS: section.shelve.minS, maxShelveS: section.shelve.maxS, audibleUpToPriority: section.audibleUpToPriority };
}

type Issue = { path: (string | number)[]; message: string };
type TagConfig = Project['tags'][number];

const NUMERIC = new Set(['int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64']);
const BIT_WIDTH: Record<string, number> = { int16: 16, uint16: 16, int32: 32, uint32: 32, int64: 53, uint64: 53 };
const LIMIT_ORDER = ['lowLow', 'low', 'high', 'highHigh'] as const;

/** Checks that need the rest of the project: unique ids, the tags and devices named, types. */
export function checkAlarmReferences(project: Pick<Project, 'devices' | 'tags' | 'alarms'>): Issue[] {
  const issues: Issue[] = [];
  const tags = new Map(project.tags.map((t) => [t.id, t]));
  const devices = new Set(project.devices.map((d) => d.id));
  const at = (i: number, ...rest: (string | number)[]) => ['alarms', 'definitions', i, ...rest];
  const { shelve, definitions } = project.alarms;

  const tagRef = (i: number, field: string, tagId: string, numeric: boolean): TagConfig | undefined => {
    const t = tags.get(tagId);
    if (!t) {
      issues.push({ path: at(i, field), message: `unknown tag "${tagId}"` });
      return undefined;
    }
    if (numeric && !NUMERIC.has(t.dataType)) issues.push({ path: at(i, field), message: `tag "${tagId}" is ${t.dataType}: this needs a number` });
    return t;
  };
  const scalarFits = (t: TagConfig, v: TagScalar): boolean =>
    t.dataType === 'string' ? typeof v === 'string' : t.dataType === 'bool' ? typeof v === 'boolean' || v === 0 || v === 1 : typeof v === 'number';
  const checkCondition = (i: number, field: string, c: AlarmTagCondition) => {
    const numeric = 'above' in c || 'below' in c;
    const t = tagRef(i, field, c.tag, numeric);
    if (!t || numeric) return;
    const values = 'equals' in c ? [c.equals] : 'notEquals' in c ? [c.notEquals] : c.in;
    for (const v of values) {
      if (!scalarFits(t, v)) issues.push({ path: at(i, field), message: `${JSON.stringify(v)} cannot be a value of "${t.id}" (${t.dataType})` });
    }
  };

  const ids = new Set<string>();
  const limits = new Map<string, Map<string, { limit: number; index: number }[]>>();
  definitions.forEach((d, i) => {
    if (ids.has(d.id)) issues.push({ path: at(i, 'id'), message: `duplicate alarm id "${d.id}"` });
    ids.add(d.id);
    if (d.suppressWhen) checkCondition(i, 'suppressWhen', d.suppressWhen);
    if (d.maxShelveS !== undefined && d.maxShelveS > shelve.maxS) {
      issues.push({ path: at(i, 'maxShelveS'), message: `${d.maxShelveS} s is longer than alarms.shelve.maxS (${shelve.maxS} s)` });
    }
    switch (d.type) {
      case 'high':
      case 'highHigh':
      case 'low':
      case 'lowLow': {
        if (!tagRef(i, 'tag', d.tag, true)) break;
        const byType = limits.get(d.tag) ?? new Map<string, { limit: number; index: number }[]>();
        byType.set(d.type, [...(byType.get(d.type) ?? []), { limit: d.limit, index: i }]);
        limits.set(d.tag, byType);
        break;
      }
      case 'deviation':
        tagRef(i, 'tag', d.tag, true);
        tagRef(i, 'setpointTag', d.setpointTag, true);
        break;
      case 'rateOfChange':
        tagRef(i, 'tag', d.tag, true);
        break;
      case 'discrete': {
        const t = tagRef(i, 'tag', d.tag, false);
        if (!t) break;
        if (d.bit !== undefined) {
          const width = BIT_WIDTH[t.dataType];
          if (width === undefined) issues.push({ path: at(i, 'bit'), message: `tag "${t.id}" is ${t.dataType}: a bit needs an integer tag` });
          else if (d.bit >= width) issues.push({ path: at(i, 'bit'), message: `bit ${d.bit} is beyond ${t.dataType} (bits 0..${width - 1})` });
        }
        const v = d.equals ?? d.notEquals;
        if (v !== undefined && !scalarFits(t, v)) {
          issues.push({ path: at(i, d.equals !== undefined ? 'equals' : 'notEquals'), message: `${JSON.stringify(v)} cannot be a value of "${t.id}" (${t.dataType})` });
        }
        break;
      }
      case 'badQuality':
        tagRef(i, 'tag', d.tag, false);
        break;
      case 'commLoss':
        if (!devices.has(d.device)) issues.push({ path: at(i, 'device'), message: `unknown device "${d.device}" (devices: ${[...devices].join(', ')})` });
        break;
      case 'stuck':
        tagRef(i, 'tag', d.tag, true);
        if (d.runningWhen) checkCondition(i, 'runningWhen', d.runningWhen);
        break;
      case 'baseline': {
        tagRef(i, 'tag', d.tag, true);
        const s = tagRef(i, 'stateTag', d.stateTag, false);
        if (d.contextTag !== undefined) tagRef(i, 'contextTag', d.contextTag, true);
        if (s && d.states) {
          d.states.forEach((v, k) => {
            if (!scalarFits(s, v)) issues.push({ path: at(i, 'states', k), message: `${JSON.stringify(v)} cannot be a value of "${s.id}" (${s.dataType})` });
          });
        }
        break;
      }
    }
  });

  // On one tag: low-low below low below high below high-high, where each is given once.
  for (const [, byType] of limits) {
    const present = LIMIT_ORDER.filter((t) => byType.get(t)?.length === 1).map((t) => ({ type: t, ...byType.get(t)![0] }));
    for (let k = 1; k < present.length; k++) {
      const lo = present[k - 1];
      const hi = present[k];
      if (!(lo.limit < hi.limit)) {
        issues.push({ path: at(hi.index, 'limit'), message: `the ${hi.type} limit (${hi.limit}) must be above the ${lo.type} limit (${lo.limit}) of alarm "${definitions[lo.index].id}"` });
      }
    }
  }
  return issues;
}
