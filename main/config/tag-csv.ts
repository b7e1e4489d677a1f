/**
 * Tag lists as CSV (docs/engineering.md): the column set, reading a CSV file into rows of tag
 * fields, and writing tags out. Reading is tolerant of what spreadsheets and PLC tools export —
 * comma, semicolon or tab, quoted fields with separators and line breaks inside, a UTF-8 BOM,
 * headers in any case and spelling (`Data Type`, `data_type`, `dataType`), decimal commas in a
 * semicolon file — and strict about content: every cell that cannot be read is an issue naming
 * its line and column, and nothing is guessed.
 *
 * A row says only what its columns say: a column that is absent leaves that field of an existing
 * tag as it is; a column that is present but empty removes the field (the tag's default applies).
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { dataTypes, wordOrders, type TagConfig } from './project-schema';

/** A problem at a place in the CSV file: line (1-based), column (1-based field number, null: the row). */
export interface CsvIssue {
  line: number;
  column: number | null;
  /** the column's name as the file's header writes it (or the documented name) */
  field: string | null;
  message: string;
}

type CellKind = 'text' | 'number' | 'integer' | 'bool' | 'dataType' | 'wordOrder';

export interface TagColumn {
  /** the documented header name */
  name: string;
  /** where the value goes in the tag (`scaling.rawMin`) */
  path: readonly [string] | readonly [string, string];
  kind: CellKind;
  /** other header spellings accepted (compared lower-case, letters and digits only) */
  aliases: readonly string[];
}

const col = (name: string, path: TagColumn['path'], kind: CellKind, ...aliases: string[]): TagColumn => ({ name, path, kind, aliases });

/** The columns, in the order export writes them. */
export const tagColumns: readonly TagColumn[] = [
  col('id', ['id'], 'text', 'tag', 'tagid'),
  col('name', ['name'], 'text', 'displayname'),
  col('device', ['device'], 'text', 'deviceid', 'plc'),
  col('address', ['address'], 'text', 'register', 'nodeid'),
  col('dataType', ['dataType'], 'dataType', 'type'),
  col('length', ['length'], 'integer', 'stringlength'),
  col('wordOrder', ['wordOrder'], 'wordOrder', 'byteorder'),
  col('units', ['units'], 'text', 'unit', 'eu', 'engineeringunits'),
  col('scanMs', ['scanMs'], 'integer', 'scanrate', 'scanratems', 'scan', 'pollms'),
  col('rawMin', ['scaling', 'rawMin'], 'number', 'scalingrawmin'),
  col('rawMax', ['scaling', 'rawMax'], 'number', 'scalingrawmax'),
  col('engMin', ['scaling', 'engMin'], 'number', 'scalingengmin'),
  col('engMax', ['scaling', 'engMax'], 'number', 'scalingengmax'),
  col('min', ['min'], 'number', 'limitmin', 'rangemin'),
  col('max', ['max'], 'number', 'limitmax', 'rangemax'),
  col('decimals', ['decimals'], 'integer'),
  col('normalLow', ['normal', 'low'], 'number', 'normalmin'),
  col('normalHigh', ['normal', 'high'], 'number', 'normalmax'),
  col('writable', ['writable'], 'bool', 'writeable'),
  col('writeArea', ['writeArea'], 'text'),
  col('retention', ['retention'], 'text', 'retentionclass'),
  col('description', ['description'], 'text', 'desc', 'comment'),
];

const SCALING = ['rawMin', 'rawMax', 'engMin', 'engMax'];

/** PLC tools' type names, accepted beside ours. */
const DATA_TYPE_ALIASES: Record<string, (typeof dataTypes)[number]> = {
  boolean: 'bool', bit: 'bool',
  int: 'int16', word: 'uint16', uint: 'uint16', dint: 'int32', dword: 'uint32', udint: 'uint32', lint: 'int64', ulint: 'uint64',
  real: 'float32', float: 'float32', single: 'float32', lreal: 'float64', double: 'float64',
};

export type Delimiter = ',' | ';' | '\t';

/** One data row: its line, the fields it sets (undefined: the cell is empty, remove the field). */
export interface TagCsvRow {
  line: number;
  id: string;
  /** by column name (`units`, `rawMin`), only for columns the file has */
  cells: Map<string, { value: string | number | boolean | undefined; column: number; header: string }>;
}

export interface TagCsv {
  delimiter: Delimiter;
  /** the documented names of the columns present */
  columns: string[];
  rows: TagCsvRow[];
  issues: CsvIssue[];
}

function normaliseHeader(h: string): string {
  return h.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const byHeader = new Map<string, TagColumn>(
  tagColumns.flatMap((c) => [normaliseHeader(c.name), ...c.aliases].map((h) => [h, c] as const)),
);

/** The separator of the header line: the most frequent of `,`, `;`, tab outside quotes. */
export function sniffDelimiter(text: string): Delimiter {
  const counts: Record<Delimiter, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of text.replace(/^\uFEFF/, '')) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch in counts) counts[ch as Delimiter]++;
  }
  return (Object.keys(counts) as Delimiter[]).reduce((best, d) => (counts[d] > counts[best] ? d : best), ',');
}

/**
 * Reads a tag CSV. Structural errors (an unclosed quote) stop the reading with one issue at
 * their line; everything else is reported cell by cell and the readable rows are returned too.
 */
export function parseTagCsv(text: string, o: { delimiter?: Delimiter } = {}): TagCsv {
  const delimiter = o.delimiter ?? sniffDelimiter(text);
  const out: TagCsv = { delimiter, columns: [], rows: [], issues: [] };
  let records: { record: string[]; info: { bytes: number } }[];
  // Lines are counted here, from the byte offset where each record ends: csv-parse's own line
  // count takes a CRLF inside a quoted field for two lines. Empty lines are kept as records so
  // that a record starts on the line after the previous one ends.
  const bytes = Buffer.from(text, 'utf8');
  const lineAt = (offset: number) => 1 + (bytes.subarray(0, offset).toString('utf8').match(/\r\n|\r|\n/g)?.length ?? 0);
  try {
    records = parse(text, {
      delimiter,
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: false,
      // a file edited on two systems may mix line ends
      record_delimiter: ['\r\n', '\n'],
    }) as unknown as typeof records;
  } catch (err) {
    const e = err as Error & { bytes_records?: number };
    const message = e.message.replace(/ at line \d+/, '');
    out.issues.push({ line: lineAt(e.bytes_records ?? 0), column: null, field: null, message: `not readable as CSV, in the record from this line on: ${message}` });
    return out;
  }
  let previousEnd = 0;
  const located = records.map((r) => {
    const at = { cells: r.record, line: lineAt(previousEnd) };
    previousEnd = r.info.bytes;
    return at;
  });
  const blank = (cells: string[]) => cells.every((c) => c.trim() === '');
  const headerAt = located.findIndex((r) => !blank(r.cells));
  if (headerAt < 0) {
    out.issues.push({ line: 1, column: null, field: null, message: `no header line (expected columns such as ${tagColumns.slice(0, 5).map((c) => c.name).join(', ')}, …)` });
    return out;
  }
  const header = located[headerAt];
  const columns: (TagColumn | null)[] = [];
  const seen = new Map<string, number>();
  header.cells.forEach((h, i) => {
    const c = byHeader.get(normaliseHeader(h)) ?? null;
    columns.push(c);
    if (h.trim() === '') out.issues.push({ line: header.line, column: i + 1, field: null, message: 'a column without a name' });
    else if (c === null) out.issues.push({ line: header.line, column: i + 1, field: h, message: `unknown column "${h}" (columns: ${tagColumns.map((t) => t.name).join(', ')})` });
    else if (seen.has(c.name)) out.issues.push({ line: header.line, column: i + 1, field: h, message: `column ${c.name} is also column ${seen.get(c.name)! + 1}` });
    else seen.set(c.name, i);
  });
  out.columns = [...seen.keys()];
  if (!seen.has('id')) out.issues.push({ line: header.line, column: null, field: null, message: 'no id column: each row names its tag by id' });
  const scalingGiven = SCALING.filter((n) => seen.has(n));
  if (scalingGiven.length > 0 && scalingGiven.length < SCALING.length) {
    out.issues.push({ line: header.line, column: null, field: null, message: `scaling needs all four columns ${SCALING.join(', ')} (missing: ${SCALING.filter((n) => !seen.has(n)).join(', ')})` });
  }
  if (out.issues.length > 0) return out;

  for (const r of located.slice(headerAt + 1)) {
    if (blank(r.cells)) continue;
    if (r.cells.length > columns.length && r.cells.slice(columns.length).some((c) => c.trim() !== '')) {
      out.issues.push({ line: r.line, column: columns.length + 1, field: null, message: `${r.cells.length} fields, the header has ${columns.length}` });
      continue;
    }
    const row: TagCsvRow = { line: r.line, id: '', cells: new Map() };
    let ok = true;
    columns.forEach((c, i) => {
      if (c === null) return;
      const read = readCell(r.cells[i] ?? '', c.kind, delimiter);
      if ('error' in read) {
        out.issues.push({ line: r.line, column: i + 1, field: header.cells[i], message: read.error });
        ok = false;
      } else row.cells.set(c.name, { value: read.value, column: i + 1, header: header.cells[i] });
    });
    const id = row.cells.get('id')?.value;
    if (typeof id !== 'string') {
      if (ok) out.issues.push({ line: r.line, column: seen.get('id')! + 1, field: 'id', message: 'the tag id is empty' });
      continue;
    }
    row.id = id;
    if (ok) out.rows.push(row);
  }
  return out;
}

type Read = { value: string | number | boolean | undefined } | { error: string };

function readCell(raw: string, kind: CellKind, delimiter: Delimiter): Read {
  const s = raw.trim();
  if (s === '') return { value: undefined };
  switch (kind) {
    case 'text':
      // a line break inside a quoted cell is \r\n from a spreadsheet; the project file keeps \n
      return { value: s.replace(/\r\n?/g, '\n') };
    case 'number':
    case 'integer': {
      // A semicolon file is what a spreadsheet with decimal commas writes: 12,5 is 12.5 there.
      const t = delimiter === ';' && /^[+-]?\d+,\d+$/.test(s) ? s.replace(',', '.') : s;
      const n = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : NaN;
      if (!Number.isFinite(n)) return { error: `"${s}" is not a number` };
      if (kind === 'integer' && !Number.isInteger(n)) return { error: `"${s}" is not a whole number` };
      return { value: n };
    }
    case 'bool': {
      const b = s.toLowerCase();
      if (['true', 'yes', 'y', '1', 'x', 'rw'].includes(b)) return { value: true };
      if (['false', 'no', 'n', '0', 'r', 'ro'].includes(b)) return { value: false };
      return { error: `"${s}" is not true or false (also yes/no, 1/0, x)` };
    }
    case 'dataType': {
      const d = s.toLowerCase();
      const t = (dataTypes as readonly string[]).includes(d) ? d : DATA_TYPE_ALIASES[d];
      return t === undefined ? { error: `unknown data type "${s}" (${dataTypes.join(', ')})` } : { value: t };
    }
    case 'wordOrder': {
      const w = s.toUpperCase();
      return (wordOrders as readonly string[]).includes(w) ? { value: w } : { error: `unknown word order "${s}" (${wordOrders.join(', ')})` };
    }
  }
}

/** A cell's text for a tag's field ('' when it has none). */
function cellOf(t: TagConfig, c: TagColumn): string {
  const [a, b] = c.path;
  const top = (t as unknown as Record<string, unknown>)[a];
  const v = b === undefined ? top : (top as Record<string, unknown> | undefined)?.[b];
  return v === undefined || v === null ? '' : String(v);
}

/** Tags as CSV: every column, a header line, CRLF line ends (what spreadsheets expect). */
export function formatTagCsv(tags: readonly TagConfig[], o: { delimiter?: Delimiter; bom?: boolean } = {}): string {
  const rows = tags.map((t) => tagColumns.map((c) => cellOf(t, c)));
  const csv = stringify([tagColumns.map((c) => c.name), ...rows], {
    delimiter: o.delimiter ?? ',',
    record_delimiter: 'windows',
    // csv-stringify quotes a field holding the record delimiter (\r\n), not a lone \n: quote any
    // line break, since reading accepts \n as a line end too
    quoted_match: /[\r\n]/,
  });
  return (o.bom ? '\uFEFF' : '') + csv;
}

/** `file:line:column (header)` for an issue. */
export function formatCsvIssue(file: string, i: CsvIssue): string {
  return `${file}:${i.line}${i.column !== null ? `:${i.column}` : ''}${i.field !== null ? ` ${i.field}` : ''}: ${i.message}`;
}
