/**
 * The project file's `production:` section (docs/production.md): lines with their state tag and
 * how its values map to machine states, counters, the product and the fault code; products
 * with their ideal cycle time; the tree of downtime reasons with their loss classes.
 *
 *   production:
 *     minorStopS: 120
 *     products: [{ code: PK-330, name: Pack 330 g, idealRatePerMin: 150 }]
 *     reasons:
 *       - { code: UNPL, name: Unplanned, category: unplanned, children: [{ code: JAM, name: Jam, lossClass: breakdown }] }
 *     lines:
 *       - id: L1
 *         state: { tag: L1.State, rules: [{ equals: 2, state: running }, { equals: 3, state: fault }], default: idle }
 *         counters: { good: L1.GoodCount, reject: L1.RejectCount }
 *         product: { tag: L1.ProductCode }
 *         faultCode: { tag: L1.FaultCode, reasons: { 101: JAM } }
 */
import { z } from 'zod';
import { lossClasses, machineStates, stateClasses, type MachineStateName, type ReasonNode } from '../../shared/production';

const code = z.string().min(1).max(40).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a code: letters, digits, _ . -');
const tagRef = z.string().min(1).max(200);
const scalar = z.union([z.number(), z.boolean(), z.string().max(200)]);

const stateRuleSchema = z
  .object({
    state: z.enum(machineStates),
    /** the tag this rule reads (default: the line's state tag) */
    tag: tagRef.optional(),
    equals: scalar.optional(),
    in: z.array(scalar).min(1).max(100).optional(),
    above: z.number().optional(),
    below: z.number().optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const given = ['equals', 'in', 'above', 'below'].filter((k) => r[k as keyof typeof r] !== undefined);
    if (given.length === 0) ctx.addIssue({ code: 'custom', message: 'give the condition: equals, in, above or below' });
    if (given.includes('equals') && given.length > 1) ctx.addIssue({ code: 'custom', message: `equals cannot go with ${given.filter((g) => g !== 'equals').join(', ')}` });
    if (given.includes('in') && given.length > 1) ctx.addIssue({ code: 'custom', message: `in cannot go with ${given.filter((g) => g !== 'in').join(', ')}` });
    if (r.above !== undefined && r.below !== undefined && !(r.above < r.below)) ctx.addIssue({ code: 'custom', path: ['below'], message: `below (${r.below}) must be greater than above (${r.above}) for a band` });
  });
export type StateRule = z.output<typeof stateRuleSchema>;

const lineSchema = z
  .object({
    id: code,
    name: z.string().min(1).max(200).optional(),
    state: z
      .object({
        tag: tagRef,
        /** first matching rule wins */
        rules: z.array(stateRuleSchema).min(1).max(50),
        /** when no rule matches a good value */
        default: z.enum(machineStates).default('idle'),
      })
      .strict(),
    /** how a state's time counts, where it differs from the default (docs/production.md) */
    groups: z.partialRecord(z.enum(machineStates), z.enum(stateClasses.filter((c) => c !== 'unknown') as ['run', 'down', 'planned', 'off'])).default({}),
    /** two of the three: the third is their sum or difference */
    counters: z
      .object({
        total: tagRef.optional(),
        good: tagRef.optional(),
        reject: tagRef.optional(),
        /** where the PLC's counter wraps (default: from the tag's data type, e.g. 2^32 for uint32) */
        modulus: z.number().int().min(2).max(2 ** 53).optional(),
      })
      .strict()
      .refine((c) => [c.total, c.good, c.reject].filter((t) => t !== undefined).length >= 2, { message: 'give two of total, good and reject' }),
    /** the product being made: from a tag, or chosen by the operator (then `default` until then) */
    product: z
      .object({ tag: tagRef.optional(), orderTag: tagRef.optional(), default: code.optional() })
      .strict()
      .prefault({}),
    faultCode: z
      .object({
        tag: tagRef,
        /** fault code → reason code, given automatically to the stop it causes */
        reasons: z.record(z.string().regex(/^-?\d+$/, 'a fault code is an integer'), code).default({}),
      })
      .strict()
      .optional(),
    /** state → reason given automatically when the line stops in that state (e.g. changeover) */
    stateReasons: z.partialRecord(z.enum(machineStates), code).default({}),
  })
  .strict();
export type ProductionLineConfig = z.output<typeof lineSchema>;

interface ReasonInput {
  code: string;
  name: string;
  category?: 'planned' | 'unplanned';
  lossClass?: (typeof lossClasses)[number];
  requestsMaintenance?: boolean;
  children?: ReasonInput[];
}

const reasonSchema: z.ZodType<ReasonInput> = z.lazy(() =>
  z
    .object({
      code,
      name: z.string().min(1).max(200),
      /** on the top nodes; inherited below */
      category: z.enum(['planned', 'unplanned']).optional(),
      /** on leaves (or inherited from the parent) */
      lossClass: z.enum(lossClasses).optional(),
      requestsMaintenance: z.boolean().optional(),
      children: z.array(reasonSchema).max(100).optional(),
    })
    .strict(),
);

const productSchema = z
  .object({
    code,
    name: z.string().min(1).max(200).optional(),
    idealCycleS: z.number().positive().max(86_400).optional(),
    idealRatePerMin: z.number().positive().max(1_000_000).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if ((p.idealCycleS === undefined) === (p.idealRatePerMin === undefined)) ctx.addIssue({ code: 'custom', message: 'give idealCycleS or idealRatePerMin (one of them)' });
  });

export const productionSectionSchema = z
  .object({
    /** a stop shorter than this is a minor stop (a performance loss, no reason asked) */
    minorStopS: z.number().min(0).max(3600).default(120),
    /** rejects within this after a stop are startup rejects, later ones process defects */
    startupRejectS: z.number().min(0).max(86_400).default(300),
    /** after a restart within this, the interval open before it goes on; else the gap is unknown */
    resumeGapS: z.number().min(0).max(3600).default(60),
    products: z.array(productSchema).max(1000).default([]),
    reasons: z.array(reasonSchema).max(100).default([]),
    lines: z.array(lineSchema).min(1).max(20),
  })
  .strict();

export type ProductionSection = z.output<typeof productionSectionSchema>;

/** Cross-checks against the tags: what the loader cannot see from the section alone. */
export function checkProductionReferences(project: {
  tags: readonly { id: string; dataType: string }[];
  production?: ProductionSection;
}): { path: (string | number)[]; message: string }[] {
  const p = project.production;
  if (p === undefined) return [];
  const issues: { path: (string | number)[]; message: string }[] = [];
  const tags = new Map(project.tags.map((t) => [t.id, t]));
  const needTag = (path: (string | number)[], id: string, numeric = false, text = false) => {
    const t = tags.get(id);
    if (!t) issues.push({ path, message: `unknown tag "${id}"` });
    else if (numeric && (t.dataType === 'string' || t.dataType === 'bool' || t.dataType.startsWith('float'))) issues.push({ path, message: `"${id}" is ${t.dataType}: a counter must be an integer tag` });
    else if (text && t.dataType !== 'string' && !/int/.test(t.dataType)) issues.push({ path, message: `"${id}" is ${t.dataType}: a product or order tag holds text or an integer` });
  };

  // reason codes, unique across the tree; leaves need a loss class, top nodes a category
  const reasons = new Map<string, { leaf: boolean }>();
  const walk = (nodes: readonly ReasonInput[], path: (string | number)[], category: string | undefined, loss: string | undefined) => {
    nodes.forEach((n, i) => {
      const here = [...path, i];
      if (reasons.has(n.code)) issues.push({ path: [...here, 'code'], message: `duplicate reason code "${n.code}"` });
      const leaf = (n.children ?? []).length === 0;
      reasons.set(n.code, { leaf });
      const cat = n.category ?? category;
      if (cat === undefined) issues.push({ path: here, message: `reason "${n.code}" needs a category (planned or unplanned), on it or a parent` });
      else if (category !== undefined && n.category !== undefined && n.category !== category) issues.push({ path: [...here, 'category'], message: `"${n.code}" is ${n.category} under a ${category} parent` });
      const lc = n.lossClass ?? loss;
      if (leaf && lc === undefined && cat === 'unplanned') issues.push({ path: here, message: `unplanned reason "${n.code}" needs a lossClass (${lossClasses.join(', ')}), on it or a parent` });
      walk(n.children ?? [], [...here, 'children'], cat, lc);
    });
  };
  walk(p.reasons, ['production', 'reasons'], undefined, undefined);
  const leafReason = (path: (string | number)[], c: string) => {
    const r = reasons.get(c);
    if (!r) issues.push({ path, message: `unknown reason "${c}" (reasons: ${[...reasons.keys()].join(', ') || 'none'})` });
    else if (!r.leaf) issues.push({ path, message: `"${c}" is a group of reasons: name one of its leaves` });
  };

  const products = new Set<string>();
  p.products.forEach((pr, i) => {
    if (products.has(pr.code)) issues.push({ path: ['production', 'products', i, 'code'], message: `duplicate product code "${pr.code}"` });
    products.add(pr.code);
  });

  const lineIds = new Set<string>();
  p.lines.forEach((l, i) => {
    const at = (...rest: (string | number)[]) => ['production', 'lines', i, ...rest];
    if (lineIds.has(l.id)) issues.push({ path: at('id'), message: `duplicate line id "${l.id}"` });
    lineIds.add(l.id);
    needTag(at('state', 'tag'), l.state.tag);
    l.state.rules.forEach((r, j) => {
      if (r.tag !== undefined) needTag(at('state', 'rules', j, 'tag'), r.tag);
    });
    if (!l.state.rules.some((r) => r.state === 'running') && l.state.default !== 'running') issues.push({ path: at('state', 'rules'), message: 'no rule gives the state running: the line would never run' });
    for (const k of ['total', 'good', 'reject'] as const) {
      const t = l.counters[k];
      if (t !== undefined) needTag(at('counters', k), t, true);
    }
    if (l.product.tag !== undefined) needTag(at('product', 'tag'), l.product.tag, false, true);
    if (l.product.orderTag !== undefined) needTag(at('product', 'orderTag'), l.product.orderTag, false, true);
    if (l.product.default !== undefined && !products.has(l.product.default)) issues.push({ path: at('product', 'default'), message: `unknown product "${l.product.default}" (products: ${[...products].join(', ') || 'none'})` });
    if (l.faultCode !== undefined) {
      needTag(at('faultCode', 'tag'), l.faultCode.tag);
      for (const [fc, reason] of Object.entries(l.faultCode.reasons)) leafReason(at('faultCode', 'reasons', fc), reason);
    }
    for (const [state, reason] of Object.entries(l.stateReasons)) {
      if (state === 'running') issues.push({ path: at('stateReasons', state), message: 'running is not a stop' });
      else leafReason(at('stateReasons', state), reason);
    }
  });
  return issues;
}

/** The reason tree with categories and loss classes inherited down to the leaves. */
export function reasonTree(section: ProductionSection): ReasonNode[] {
  const build = (n: ReasonInput, category: 'planned' | 'unplanned', loss: ReasonNode['lossClass'], maint: boolean): ReasonNode => {
    const cat = n.category ?? category;
    const lc = n.lossClass ?? loss;
    const m = n.requestsMaintenance ?? maint;
    const children = (n.children ?? []).map((c) => build(c, cat, lc, m));
    return { code: n.code, name: n.name, category: cat, lossClass: children.length === 0 ? lc : null, requestsMaintenance: m, children };
  };
  return section.reasons.map((r) => build(r, r.category ?? 'unplanned', r.lossClass ?? null, r.requestsMaintenance ?? false));
}

/**
 * Counter modulus from a tag's data type: where a PLC counter of that type wraps (a signed
 * counter wraps to its negative end; the tracker reads it modulo this).
 */
export function counterModulusOf(dataType: string): number {
  switch (dataType) {
    case 'int16':
    case 'uint16':
      return 2 ** 16;
    case 'int32':
    case 'uint32':
      return 2 ** 32;
    default:
      return 2 ** 53;
  }
}

export type { MachineStateName };
