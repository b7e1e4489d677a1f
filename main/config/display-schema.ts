/**
 * The project file's `display:` section: how every screen writes dates and times, and the
 * machine graphic on the Overview (the line's units left to right, each with its state and main
 * values in place).
 *
 *   display:
 *     dateFormat: locale          # iso (default): 2026-12-04 14:05:09; locale: the locale's own
 *     locale: de-DE               # default: the station's
 *     hour12: false               # 24 h unless set
 *     graphic:
 *       - { id: filler, label: Filler, state: L1.State, values: [L1.Speed, { tag: L1.MotorCurrent, label: Drive current }] }
 */
import { z } from 'zod';

const tagRef = z.string().min(1).max(200);

const graphicUnitSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'an id is a word: letters, digits, _ -').max(40),
    label: z.string().trim().min(1).max(30),
    /** a tag whose value (in its `states:` words) is the unit's state */
    state: tagRef.optional(),
    /** the unit's main values, in order: a tag id, or { tag, label } for a shorter label than the tag's name */
    values: z
      .array(z.union([tagRef, z.object({ tag: tagRef, label: z.string().trim().min(1).max(24) }).strict()]))
      .max(4, 'at most 4 values a unit: the graphic is an overview')
      .default([]),
  })
  .strict();

export const displaySectionSchema = z
  .object({
    dateFormat: z.enum(['iso', 'locale']).default('iso'),
    locale: z
      .string()
      .max(35)
      .refine((l) => {
        try {
          return Intl.DateTimeFormat.supportedLocalesOf([l]).length === 1;
        } catch {
          return false;
        }
      }, 'not a locale this station knows (e.g. de-DE, en-GB, fr-FR)')
      .optional(),
    hour12: z.boolean().default(false),
    graphic: z.array(graphicUnitSchema).max(8, 'at most 8 units: the graphic fits one row at 1280 px').default([]),
  })
  .strict();

export type DisplaySection = z.output<typeof displaySectionSchema>;

/** Every tag the graphic names exists; unit ids are unique. */
export function checkDisplayReferences(project: { tags: readonly { id: string }[]; display: DisplaySection }): { path: (string | number)[]; message: string }[] {
  const tags = new Set(project.tags.map((t) => t.id));
  const issues: { path: (string | number)[]; message: string }[] = [];
  const ids = new Set<string>();
  project.display.graphic.forEach((u, i) => {
    if (ids.has(u.id)) issues.push({ path: ['display', 'graphic', i, 'id'], message: `duplicate unit id "${u.id}"` });
    ids.add(u.id);
    if (u.state !== undefined && !tags.has(u.state)) issues.push({ path: ['display', 'graphic', i, 'state'], message: `unknown tag "${u.state}"` });
    u.values.forEach((v, j) => {
      const id = typeof v === 'string' ? v : v.tag;
      if (!tags.has(id)) issues.push({ path: ['display', 'graphic', i, 'values', j, ...(typeof v === 'string' ? [] : ['tag'])], message: `unknown tag "${id}"` });
    });
  });
  return issues;
}
