/**
 * How each stream's records land in PostgreSQL: one table per stream, the columns a site's
 * queries filter by typed out of the record, the record as sent kept whole (`record jsonb`), and
 * the bulk insert of a batch as one statement over arrays (`INSERT … SELECT … FROM unnest(…)
 * ON CONFLICT DO NOTHING RETURNING seq`): one round trip per batch, and the rows that came back
 * are the ones stored — the others were there already (duplicates, dropped by the key).
 *
 * Samples are typed only (no jsonb: they are most of the volume): tag by a dictionary id, value
 * split by type, quality as text; the table is partitioned by day on `ts` (pg-partitions.ts).
 */
import type { StreamName } from '../sync/wire';

type Rec = Record<string, unknown>;

interface Column {
  name: string;
  /** the array type the values travel in */
  type: 'int8' | 'int4' | 'text' | 'float8' | 'bool';
  /** SQL around `u.<name>` turning the travelling value into the column's type */
  cast?: (ref: string) => string;
  get(r: Rec): unknown;
}

const text = (k: string) => (r: Rec) => (r[k] === undefined || r[k] === null ? null : typeof r[k] === 'string' ? r[k] : JSON.stringify(r[k]));
const int = (k: string) => (r: Rec) => (typeof r[k] === 'number' && Number.isSafeInteger(r[k]) ? r[k] : null);
const msToTime = (ref: string) => `to_timestamp(${ref} / 1000.0)`;

const seqCol: Column = { name: 'seq', type: 'int8', get: (r) => r.seq };
const tsCol: Column = { name: 'ts', type: 'int8', cast: msToTime, get: (r) => r.ts };
const recordCol: Column = { name: 'record', type: 'text', cast: (ref) => `${ref}::jsonb`, get: (r) => JSON.stringify(r) };

export interface StreamTable {
  table: string;
  columns: readonly Column[];
}

/** The tables of the streams other than samples: typed columns, then the whole record. */
export const recordTables: Record<Exclude<StreamName, 'sample'>, StreamTable> = {
  alarm: {
    table: 'alarm_event',
    columns: [seqCol, tsCol, ...['alarmId', 'event', 'fromState', 'toState'].map(textCol), intCol('priority'), ...['tag', 'area', 'device', 'user'].map(textCol), recordCol],
  },
  audit: { table: 'audit_record', columns: [seqCol, tsCol, ...['user', 'action', 'target', 'outcome'].map(textCol), recordCol] },
  event: { table: 'sync_event', columns: [seqCol, tsCol, textCol('type'), recordCol] },
  instruction: { table: 'instruction_record', columns: [seqCol, tsCol, intCol('runId'), ...['kind', 'instructionId', 'versionHash', 'userId'].map(textCol), recordCol] },
  maintenance: { table: 'maintenance_record', columns: [seqCol, tsCol, intCol('requestId'), ...['kind', 'userId'].map(textCol), recordCol] },
  downtime: { table: 'downtime_record', columns: [seqCol, tsCol, intCol('downtimeId'), ...['kind', 'line', 'userId'].map(textCol), recordCol] },
};

/** The column of a record field: snake case; `user` (a reserved word) is `user_id`. */
function snake(k: string): string {
  const s = k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return s === 'user' ? 'user_id' : s;
}

function textCol(k: string): Column {
  return { name: snake(k), type: 'text', get: text(k) };
}

function intCol(k: string): Column {
  return { name: snake(k), type: 'int8', get: int(k) };
}

/** A sample's value as the table keeps it: by type, a non-finite number as float8's own. */
export function sampleValue(r: Rec): { num: number | string | null; bool: boolean | null; text: string | null } {
  const v = r.value;
  if (typeof v === 'number') return { num: v, bool: null, text: null };
  if (typeof v === 'boolean') return { num: null, bool: v, text: null };
  if (typeof v === 'string') return { num: null, bool: null, text: v };
  if (r.number === 'NaN' || r.number === 'Infinity' || r.number === '-Infinity') return { num: r.number, bool: null, text: null };
  return { num: null, bool: null, text: null };
}

/** The sample table's columns (the tag id comes from the receiver's tag dictionary). */
export function sampleTable(tagId: (r: Rec) => number): StreamTable {
  return {
    table: 'sample',
    columns: [
      seqCol,
      tsCol,
      { name: 'tag_id', type: 'int4', get: tagId },
      { name: 'source_ts', type: 'int8', cast: msToTime, get: (r) => (typeof r.sourceTs === 'number' ? Math.round(r.sourceTs) : null) },
      { name: 'value_num', type: 'float8', get: (r) => sampleValue(r).num },
      { name: 'value_bool', type: 'bool', get: (r) => sampleValue(r).bool },
      { name: 'value_text', type: 'text', get: (r) => sampleValue(r).text },
      { name: 'quality', type: 'text', get: (r) => r.quality },
    ],
  };
}

/**
 * The bulk insert of records into a stream's table: $1 node id, $2 historical, $3 received at
 * (epoch ms), then one array per column. Returns the SQL and its parameters.
 */
export function bulkInsert(t: StreamTable, nodeId: number, historical: boolean, receivedAt: number, records: readonly Rec[]): { sql: string; params: unknown[] } {
  const arrays = t.columns.map((c) => records.map((r) => c.get(r)));
  const names = t.columns.map((c) => c.name);
  const unnest = t.columns.map((c, i) => `$${i + 4}::${c.type}[]`).join(', ');
  const selected = t.columns.map((c) => (c.cast ? c.cast(`u.${c.name}`) : `u.${c.name}`)).join(', ');
  const sql =
    `INSERT INTO ${t.table} (node_id, historical, received_at, ${names.join(', ')}) ` +
    `SELECT $1, $2, to_timestamp($3 / 1000.0), ${selected} FROM unnest(${unnest}) AS u(${names.join(', ')}) ` +
    `ON CONFLICT DO NOTHING RETURNING seq`;
  return { sql, params: [nodeId, historical, receivedAt, ...arrays] };
}

/** The table a stream's records are in. */
export function tableOf(stream: StreamName): string {
  return stream === 'sample' ? 'sample' : recordTables[stream].table;
}
