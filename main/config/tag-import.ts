/**
 * Imports a tag CSV into a project file (docs/engineering.md).
 *
 * All or nothing: every row is checked first — its cells, the tag schema, its device and address
 * (the project loader's own checks) — and then the whole resulting project once more; if anything
 * is wrong the import is refused with every bad row by line and column, and the project file is
 * not touched. A tag is matched by id: a new id is appended to `tags:`, a known one gets the
 * fields its columns give, and a tag the CSV does not mention is kept as it is.
 *
 * The file keeps its comments and layout: the edits are made on the document's nodes (the yaml
 * Document API) and spliced into the text where those nodes are, so only the tags that changed are
 * rewritten (each in its own style, flow `{ … }` or block) and the new ones added after the last
 * tag; every other byte stays.
 */
import { Document, isMap, isSeq, parseDocument, type YAMLMap } from 'yaml';
import { formatModbusAddress, parseModbusAddress } from '../../shared/modbus-address';
import { checkTag, parseProjectText, ProjectFileError } from './project-loader';
import { deviceSchema, historianSectionSchema, tagSchema, type DeviceConfig, type TagConfig } from './project-schema';
import { parseTagCsv, tagColumns, type CsvIssue, type Delimiter, type TagCsvRow } from './tag-csv';

export interface TagImportReport {
  added: string[];
  /** with the fields that changed */
  changed: { id: string; fields: string[] }[];
  unchanged: string[];
  /** tags of the project that the CSV does not mention: kept as they are */
  notInCsv: string[];
}

/** The import was refused: nothing was written. */
export class TagImportRefused extends Error {
  readonly code = 'tag_import_refused';
  constructor(
    readonly csvFile: string,
    /** rows of the CSV that are wrong */
    readonly issues: CsvIssue[],
    /** problems of the project as it would be, not tied to a row (already `file:line:col path: …`) */
    readonly projectIssues: string[] = [],
  ) {
    super(`${csvFile}: import refused, nothing written (${issues.length + projectIssues.length} problem(s))`);
    this.name = 'TagImportRefused';
  }
}

type Raw = Record<string, unknown>;

interface Existing {
  index: number;
  node: YAMLMap;
  raw: Raw;
}

/**
 * The project text with the CSV's tags in it, and what changed. Throws TagImportRefused (bad rows
 * or a resulting project that is not valid) or ProjectFileError (the project file is not YAML).
 */
export function importTagCsv(input: { projectText: string; projectFile: string; csvText: string; csvFile: string; delimiter?: Delimiter }): { text: string; report: TagImportReport } {
  const { projectText, projectFile, csvFile } = input;
  const csv = parseTagCsv(input.csvText, { delimiter: input.delimiter });
  const doc = parseDocument(projectText, { uniqueKeys: true });
  // A file that is not YAML: the loader's error says where.
  if (doc.errors.length > 0) parseProjectText(projectText, projectFile);
  const seq = doc.get('tags', true);
  if (!isSeq(seq) || seq.flow === true || !seq.items.every((i) => isMap(i)) || seq.items.length === 0) {
    throw new TagImportRefused(csvFile, [], [`${projectFile}: tags must be a list written one "- " item a line (block style) with at least one tag, to import into it`]);
  }
  const items = seq.items as YAMLMap[];
  const rawProject = (doc.toJS() ?? {}) as Raw;
  const devices = new Map<string, DeviceConfig>();
  for (const d of Array.isArray(rawProject.devices) ? rawProject.devices : []) {
    const p = deviceSchema.safeParse(d);
    if (p.success) devices.set(p.data.id, p.data);
  }
  const historian = historianSectionSchema.safeParse(rawProject.historian ?? {});
  const retentionClasses = historian.success ? historian.data.retentionClasses : {};

  const existing = new Map<string, Existing>();
  items.forEach((node, index) => {
    const raw = node.toJSON() as Raw;
    if (typeof raw.id === 'string' && !existing.has(raw.id)) existing.set(raw.id, { index, node, raw });
  });

  const issues: CsvIssue[] = [...csv.issues];
  const planned: { row: TagCsvRow; raw: Raw; parsed: TagConfig; old: Existing | undefined }[] = [];
  const firstLine = new Map<string, number>();
  for (const row of csv.rows) {
    const other = firstLine.get(row.id);
    if (other !== undefined) {
      issues.push(at(row, 'id', `tag "${row.id}" is also on line ${other}`));
      continue;
    }
    firstLine.set(row.id, row.line);
    const old = existing.get(row.id);
    const r = mergeRow(row, old?.raw ?? {}, devices, old === undefined);
    if ('issues' in r) {
      issues.push(...r.issues);
      continue;
    }
    const parsed = tagSchema.safeParse(r.raw);
    if (!parsed.success) {
      issues.push(...parsed.error.issues.map((i) => at(row, String(i.path[0] ?? ''), describe(i.path, i.message, r.raw), i.path[1])));
      continue;
    }
    const cross = checkTag(parsed.data, devices, retentionClasses);
    if (cross.length > 0) {
      issues.push(...cross.map((c) => at(row, String(c.path[0]), c.message, c.path[1])));
      continue;
    }
    planned.push({ row, raw: r.raw, parsed: parsed.data, old });
  }
  if (issues.length > 0) throw new TagImportRefused(csvFile, issues.sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0)));

  const report: TagImportReport = { added: [], changed: [], unchanged: [], notInCsv: [] };
  const edits: { start: number; end: number; text: string }[] = [];
  const managed = [...new Set(csv.columns.map((c) => tagColumns.find((t) => t.name === c)!.path[0]))];
  const newNodes: YAMLMap[] = [];
  const rowOfIndex = new Map<number, TagCsvRow>();
  for (const p of planned) {
    if (p.old === undefined) {
      const node = doc.createNode(ordered(p.raw)) as YAMLMap;
      node.flow = items[items.length - 1].flow === true;
      rowOfIndex.set(items.length + newNodes.length, p.row);
      newNodes.push(node);
      report.added.push(p.row.id);
      continue;
    }
    rowOfIndex.set(p.old.index, p.row);
    const before = tagSchema.safeParse(p.old.raw);
    const fields = managed.filter((f) => {
      const a = before.success ? (before.data as unknown as Raw)[f] : p.old!.raw[f];
      const b = before.success ? (p.parsed as unknown as Raw)[f] : p.raw[f];
      return JSON.stringify(a) !== JSON.stringify(b);
    });
    if (fields.length === 0) {
      report.unchanged.push(p.row.id);
      continue;
    }
    for (const f of fields) {
      const v = p.raw[f];
      if (v === undefined) p.old.node.delete(f);
      else p.old.node.set(f, typeof v === 'object' && v !== null ? doc.createNode(v, { flow: true }) : v);
    }
    edits.push({ ...nodeSpan(projectText, p.old.node), text: '' });
    edits[edits.length - 1].text = render(p.old.node, columnOf(projectText, edits[edits.length - 1].start));
    report.changed.push({ id: p.row.id, fields });
  }
  report.notInCsv = [...existing.keys()].filter((id) => !firstLine.has(id));

  if (newNodes.length > 0) {
    const last = items[items.length - 1];
    const dash = dashOf(projectText, last);
    const end = nodeSpan(projectText, last).end;
    const lineEnd = projectText.indexOf('\n', end);
    const pos = lineEnd < 0 ? projectText.length : lineEnd;
    const pad = ' '.repeat(dash);
    edits.push({ start: pos, end: pos, text: newNodes.map((n) => `\n${pad}- ${render(n, dash + 2)}`).join('') });
  }
  let text = projectText;
  for (const e of edits.sort((a, b) => b.start - a.start)) text = text.slice(0, e.start) + e.text + text.slice(e.end);

  // The whole project as it would be: what a row cannot show (a signature rule naming a tag made
  // read-only, an alarm on a tag of the wrong type) refuses the import too.
  try {
    parseProjectText(text, projectFile);
  } catch (err) {
    if (!(err instanceof ProjectFileError)) throw err;
    const rowIssues: CsvIssue[] = [];
    const others: string[] = [];
    for (const i of err.issues) {
      const m = /^tags\[(\d+)\](?:\.(\w+))?/.exec(i.path);
      const row = m ? rowOfIndex.get(Number(m[1])) : undefined;
      if (row !== undefined) rowIssues.push(at(row, m![2] ?? 'id', i.message));
      else others.push(`${projectFile}${i.line !== null ? `:${i.line}:${i.column}` : ''} ${i.path || '(document)'}: ${i.message}${i.path.startsWith('tags[') ? '' : ' (after the import)'}`);
    }
    throw new TagImportRefused(csvFile, rowIssues, others);
  }
  return { text, report };
}

/** The row's fields over the existing tag's (a new tag: over nothing). */
function mergeRow(row: TagCsvRow, base: Raw, devices: ReadonlyMap<string, DeviceConfig>, isNew: boolean): { raw: Raw } | { issues: CsvIssue[] } {
  const raw: Raw = structuredClone(base);
  const issues: CsvIssue[] = [];
  const scaling = ['rawMin', 'rawMax', 'engMin', 'engMax'];
  if (row.cells.has('rawMin')) {
    const given = scaling.filter((n) => row.cells.get(n)!.value !== undefined);
    if (given.length === 0) delete raw.scaling;
    else if (given.length < scaling.length) {
      for (const n of scaling.filter((s) => !given.includes(s))) issues.push(at(row, n, `scaling needs all four of ${scaling.join(', ')}, or none`));
    } else raw.scaling = Object.fromEntries(scaling.map((n) => [n, row.cells.get(n)!.value]));
  }
  for (const c of tagColumns) {
    const cell = row.cells.get(c.name);
    if (cell === undefined || c.path[0] === 'scaling') continue;
    const [a, b] = c.path;
    if (b === undefined) {
      if (cell.value === undefined) delete raw[a];
      else raw[a] = cell.value;
      continue;
    }
    const obj = { ...((raw[a] as Raw | undefined) ?? {}) };
    if (cell.value === undefined) delete obj[b];
    else obj[b] = cell.value;
    if (Object.keys(obj).length === 0) delete raw[a];
    else raw[a] = obj;
  }
  if (isNew) {
    for (const required of ['device', 'address', 'dataType']) {
      if (raw[required] === undefined) issues.push(at(row, required, `a new tag needs its ${required}${row.cells.has(required) ? '' : ' (the file has no such column)'}`));
    }
  }
  // Modbus addresses in any accepted form become the named one (HR10); the same register
  // written another way (400011 for HR10) is no change, and the file keeps its spelling.
  const device = typeof raw.device === 'string' ? devices.get(raw.device) : undefined;
  const address = row.cells.get('address')?.value;
  if (typeof address === 'string' && device !== undefined && device.protocol !== 'opcua') {
    const a = parseModbusAddress(address);
    if (a.ok) {
      const named = formatModbusAddress(a.value);
      const was = typeof base.address === 'string' ? parseModbusAddress(base.address) : undefined;
      raw.address = was?.ok && formatModbusAddress(was.value) === named ? base.address : named;
    }
  }
  return issues.length > 0 ? { issues } : { raw };
}

/** An issue at the column of a tag field (`scaling` + `rawMax` → the rawMax column). */
function at(row: TagCsvRow, field: string, message: string, sub?: PropertyKey): CsvIssue {
  const column =
    tagColumns.find((c) => c.path[0] === field && (c.path.length === 1 || c.path[1] === sub)) ??
    tagColumns.find((c) => c.name === field) ??
    tagColumns.find((c) => c.path[0] === field && row.cells.has(c.name));
  const cell = column !== undefined ? row.cells.get(column.name) : undefined;
  if (cell !== undefined) return { line: row.line, column: cell.column, field: cell.header, message };
  return { line: row.line, column: null, field: column?.name ?? (field || null), message };
}

function describe(path: readonly PropertyKey[], message: string, raw: Raw): string {
  if (path.length === 1 && raw[String(path[0])] === undefined) return `${String(path[0])} is required`;
  return message;
}

/** A new tag's fields in the documented column order, then any others. */
function ordered(raw: Raw): Raw {
  const keys = [...new Set([...tagColumns.map((c) => c.path[0]), ...Object.keys(raw)])];
  return Object.fromEntries(keys.filter((k) => raw[k] !== undefined).map((k) => [k, raw[k]]));
}

/** Where a node's text is: its range without the whitespace after it. */
function nodeSpan(text: string, node: YAMLMap): { start: number; end: number } {
  const [start, valueEnd] = node.range!;
  let end = valueEnd;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return { start, end };
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** The column of the `-` that starts a sequence item. */
function dashOf(text: string, node: YAMLMap): number {
  let i = node.range![0] - 1;
  while (i > 0 && text[i] === ' ') i--;
  return columnOf(text, text[i] === '-' ? i : node.range![0]);
}

/** A tag node as text at `column`: its own comments and style; what surrounds it is not its to write. */
function render(node: YAMLMap, column: number): string {
  const saved = { commentBefore: node.commentBefore, comment: node.comment, spaceBefore: node.spaceBefore };
  Object.assign(node, { commentBefore: undefined, comment: undefined, spaceBefore: undefined });
  try {
    const d = new Document();
    d.contents = node;
    const lines = d.toString({ lineWidth: 0 }).replace(/\s+$/, '').split('\n');
    return lines.map((l, i) => (i === 0 || l === '' ? l : ' '.repeat(column) + l)).join('\n');
  } finally {
    Object.assign(node, saved);
  }
}
