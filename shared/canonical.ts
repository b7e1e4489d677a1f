/**
 * The canonical text of a record: JSON with object keys in code-point order, no whitespace,
 * `undefined` members left out, times as epoch milliseconds UTC (numbers, as stored). The one
 * function both the audit chain and electronic signatures hash (main/security/record-hash.ts),
 * and that an upstream checker can reimplement: same record, same bytes, whatever the key order
 * it was built in.
 */
export type CanonicalValue = null | boolean | number | string | CanonicalValue[] | { [k: string]: CanonicalValue | undefined };

export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`);
    return JSON.stringify(value);
  }
  if (typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`);
}
