/**
 * Loads and validates a project file. Every error names the file, the place in the document
 * (`tags[12].address`) with its line and column, and what is wrong; nothing half-loaded is
 * ever returned.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LineCounter, parseDocument, type Document, type Node as YamlNode, type YAMLError } from 'yaml';
import type { z } from 'zod';
import { defaultRoles } from '../../shared/security';
import { parseModbusAddress, registerCount } from '../../shared/modbus-address';
import { projectSchema, type DeviceConfig, type Project, type TagConfig } from './project-schema';
import { checkAlarmReferences } from './alarm-schema';
import { checkSyncFiles } from './sync-schema';
import { checkSparkplugReferences } from './sparkplug-schema';
import { checkProductionReferences } from './production-schema';
import { checkDisplayReferences } from './display-schema';

export interface ProjectIssue {
  /** e.g. `tags[12].address` */
  path: string;
  line: number | null;
  column: number | null;
  message: string;
}

export class ProjectFileError extends Error {
  readonly code = 'project_invalid';
  constructor(
    readonly file: string,
    readonly issues: ProjectIssue[],
    what = 'project file',
  ) {
    super(
      `${file}: invalid ${what}\n` +
        issues
          .map((i) => `  ${file}${i.line !== null ? `:${i.line}:${i.column}` : ''} ${i.path || '(document)'}: ${i.message}`)
          .join('\n'),
    );
    this.name = 'ProjectFileError';
  }
}

export function loadProjectFile(file: string): Project {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ProjectFileError(file, [
      { path: '', line: null, column: null, message: `cannot read the file: ${(err as Error).message}` },
    ]);
  }
  return parseProjectText(text, file);
}

export function parseProjectText(text: string, file = '<project>'): Project {
  return parseYamlText(text, file, projectSchema, 'project file', (project) => [
    ...checkReferences(project),
    ...checkAlarmReferences(project),
    ...checkProductionReferences(project),
    ...checkDisplayReferences(project),
    // TLS files relative to the project file (to the working folder for text without a file)
    ...checkSyncFiles(project.sync, file === '<project>' ? process.cwd() : dirname(file)),
    ...checkSparkplugReferences(project, file === '<project>' ? process.cwd() : dirname(file)),
  ]);
}

/**
 * A YAML document validated by `schema`, then by `cross` (checks that need the whole of it);
 * every issue is reported with its path, line and column in `file` (a ProjectFileError naming
 * `what` the file is). Shared by the project file and the files that go with it.
 */
export function parseYamlText<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  what: string,
  cross: (data: z.output<S>) => { path: (string | number)[]; message: string }[] = () => [],
): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ProjectFileError(
      file,
      doc.errors.map((e) => {
        const at = syntaxErrorPosition(text, e, lineCounter);
        return { path: '', line: at?.line ?? null, column: at?.col ?? null, message: `YAML syntax: ${syntaxErrorMessage(e)}` };
      }),
      what,
    );
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ProjectFileError(file, parsed.error.issues.map((i) => issueAt(doc, lineCounter, i.path, describeIssue(i))), what);
  }
  const crossIssues = cross(parsed.data).map((c) => issueAt(doc, lineCounter, c.path, c.message));
  if (crossIssues.length > 0) throw new ProjectFileError(file, crossIssues, what);
  return parsed.data;
}

/**
 * Where a syntax error is. The yaml library places an error at the token where it noticed it: for
 * a flow collection that is never closed (`- { id: a, …` without its `}`) that is the first token
 * after it that cannot belong to it — the next line's `-`, or the next key — so its linePos is one
 * line (or more, across blank and comment lines) after the line where the bracket is missing.
 * For those errors the position is moved back to just after the collection's last content, which
 * is where the bracket belongs. Other errors keep the library's position.
 */
export function syntaxErrorPosition(text: string, e: YAMLError, lineCounter: LineCounter): { line: number; col: number } | undefined {
  const offset = e.pos?.[0];
  if (offset === undefined) return e.linePos?.[0];
  if (!UNCLOSED_FLOW.test(e.message)) return lineCounter.linePos(offset);
  let end = offset;
  for (;;) {
    while (end > 0 && /\s/.test(text[end - 1])) end--;
    const lineStart = text.lastIndexOf('\n', end - 1) + 1;
    // a line holding only a comment is not the collection's content: look above it
    if (end > 0 && text.slice(lineStart, end).trimStart().startsWith('#')) end = lineStart;
    else break;
  }
  return end > 0 ? lineCounter.linePos(end) : lineCounter.linePos(offset);
}

const UNCLOSED_FLOW = /end with an? [}\]]/;

/** The library's message without the position prettyErrors appends (it is reported apart, and may be moved). */
function syntaxErrorMessage(e: YAMLError): string {
  const first = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  const bracket = UNCLOSED_FLOW.exec(first)?.[0].slice(-1);
  return bracket === undefined ? first : `missing ${bracket} here: ${first}`;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field(s): ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator === 'protocol') {
    return `${issue.message} (protocol must be one of: modbus-tcp, modbus-rtu, opcua)`;
  }
  return issue.message;
}

/** Checks that need the whole document: unique ids, device references, addresses per protocol. */
function checkReferences(project: Project): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const devices = new Map<string, DeviceConfig>();
  project.devices.forEach((d, i) => {
    if (devices.has(d.id)) issues.push({ path: ['devices', i, 'id'], message: `duplicate device id "${d.id}"` });
    devices.set(d.id, d);
  });
  issues.push(...checkSerialLines(project.devices));
  const tagIds = new Set<string>();
  project.tags.forEach((t, i) => {
    if (tagIds.has(t.id)) issues.push({ path: ['tags', i, 'id'], message: `duplicate tag id "${t.id}"` });
    tagIds.add(t.id);
    for (const issue of checkTag(t, devices, project.historian.retentionClasses)) issues.push({ path: ['tags', i, ...issue.path], message: issue.message });
  });
  issues.push(...checkSecurityReferences(project));
  return issues;
}

/**
 * The checks of one tag that need more than the tag itself: its device (the address's form
 * depends on the protocol), and the historian's retention classes. Paths are relative to the
 * tag (`['address']`). Also used by the CSV import, row by row.
 */
export function checkTag(
  t: TagConfig,
  devices: ReadonlyMap<string, DeviceConfig>,
  retentionClasses: Readonly<Record<string, number | null>>,
): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const device = devices.get(t.device);
  if (!device) {
    issues.push({
      path: ['device'],
      message: `unknown device "${t.device}" (devices: ${[...devices.keys()].join(', ')})`,
    });
    return issues;
  }
  if (t.storage.deadbandPercent !== undefined && (t.min === undefined || t.max === undefined)) {
    issues.push({ path: ['storage', 'deadbandPercent'], message: 'a percent deadband needs the tag\'s min and max (its span)' });
  }
  if (t.retention !== undefined && !(t.retention in retentionClasses)) {
    const known = Object.keys(retentionClasses);
    issues.push({
      path: ['retention'],
      message: `unknown retention class "${t.retention}" (${known.length > 0 ? `historian.retentionClasses: ${known.join(', ')}` : 'no historian.retentionClasses are defined'})`,
    });
  }
  if (t.min !== undefined && t.max !== undefined && t.min >= t.max) {
    issues.push({ path: ['max'], message: `max (${t.max}) must be greater than min (${t.min})` });
  }
  if (t.length !== undefined && (t.dataType !== 'string' || device.protocol === 'opcua')) {
    issues.push({ path: ['length'], message: 'length applies to Modbus strings only' });
  }
  if (device.protocol === 'modbus-tcp' || device.protocol === 'modbus-rtu') {
    const addr = parseModbusAddress(t.address);
    if (!addr.ok) {
      issues.push({ path: ['address'], message: addr.error });
      return issues;
    }
    const a = addr.value;
    const bitArea = a.area === 'coil' || a.area === 'discrete';
    if (bitArea && t.dataType !== 'bool') {
      issues.push({ path: ['dataType'], message: `${t.address} is a single bit: dataType must be bool` });
    } else if (a.bit !== undefined && t.dataType !== 'bool') {
      issues.push({ path: ['dataType'], message: `${t.address} is a bit in a register: dataType must be bool` });
    } else if (!bitArea && a.bit === undefined && t.dataType === 'bool') {
      issues.push({ path: ['address'], message: `a bool in a register needs a bit: write ${t.address}.<bit>` });
    } else if (t.dataType === 'string' && t.length === undefined) {
      issues.push({ path: ['length'], message: 'a Modbus string needs its length in registers (2 characters each), e.g. length: 8' });
    } else if (a.offset + registerCount(t.dataType, t.length) - 1 > 65535) {
      issues.push({ path: ['address'], message: `${t.dataType} at ${t.address} runs past register 65535` });
    }
    if (t.writable && (a.area === 'input' || a.area === 'discrete')) {
      issues.push({ path: ['writable'], message: `${t.address} is read-only in Modbus (input area)` });
    }
  } else if (!/^(ns=\d+;|nsu=[^;]+;)?(i=\d+|s=.+|g=[0-9a-fA-F-]{36}|b=[A-Za-z0-9+/=]+)$/.test(t.address)) {
    issues.push({
      path: ['address'],
      message: `"${t.address}" is not an OPC UA NodeId (expected e.g. ns=1;s=Line1.Speed or ns=2;i=1001)`,
    });
  }
  return issues;
}

/** Signature rules name writable tags and known roles; role grants name known areas. */
function checkSecurityReferences(project: Project): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const writable = new Set(project.tags.filter((t) => t.writable).map((t) => t.id));
  const roles = new Set([...Object.keys(defaultRoles), ...Object.keys(project.security.roles)]);
  const areas = new Set(project.tags.flatMap((t) => (t.writeArea === undefined ? [] : [t.writeArea])));
  project.security.signatures.forEach((r, i) => {
    r.tags?.forEach((t, j) => {
      if (!writable.has(t)) issues.push({ path: ['security', 'signatures', i, 'tags', j], message: `"${t}" is not a writable tag (writable: ${[...writable].join(', ') || 'none'})` });
    });
    r.verifierRoles.forEach((role, j) => {
      if (!roles.has(role)) issues.push({ path: ['security', 'signatures', i, 'verifierRoles', j], message: `unknown role "${role}" (roles: ${[...roles].join(', ')})` });
    });
  });
  for (const [name, role] of Object.entries(project.security.roles)) {
    role.grants?.forEach((g, j) => {
      const area = g.startsWith('tags.write:') ? g.slice('tags.write:'.length) : null;
      if (area !== null && !areas.has(area)) {
        issues.push({ path: ['security', 'roles', name, 'grants', j], message: `no tag has writeArea "${area}" (areas: ${[...areas].join(', ') || 'none'})` });
      }
    });
  }
  return issues;
}

/** Devices on one serial port share the line: same settings, distinct unit ids. */
function checkSerialLines(devices: Project['devices']): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const first = new Map<string, Extract<Project['devices'][number], { protocol: 'modbus-rtu' }>>();
  devices.forEach((d, i) => {
    if (d.protocol !== 'modbus-rtu') return;
    const other = first.get(d.port);
    if (!other) {
      first.set(d.port, d);
      return;
    }
    for (const key of ['baudRate', 'parity', 'stopBits', 'interFrameDelayMs'] as const) {
      if (d[key] !== other[key]) {
        issues.push({ path: ['devices', i, key], message: `${d.port} is shared with device "${other.id}", whose ${key} is ${String(other[key])}: one line, one setting` });
      }
    }
    if (devices.some((e, j) => j < i && e.protocol === 'modbus-rtu' && e.port === d.port && e.unitId === d.unitId)) {
      issues.push({ path: ['devices', i, 'unitId'], message: `unit ${d.unitId} on ${d.port} is already another device` });
    }
  });
  return issues;
}

function issueAt(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
  message: string,
): ProjectIssue {
  const keys = path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number');
  // The node itself, or the nearest ancestor that exists (a missing field points at its parent).
  let node: YamlNode | null = null;
  for (let n = keys.length; n >= 0 && node === null; n--) {
    const found = doc.getIn(keys.slice(0, n), true) as unknown;
    if (found && typeof found === 'object' && 'range' in found) node = found as YamlNode;
    else if (n === 0) node = doc.contents as YamlNode | null;
  }
  const offset = node?.range?.[0];
  const pos = offset !== undefined ? lineCounter.linePos(offset) : undefined;
  return { path: formatPath(keys), line: pos?.line ?? null, column: pos?.col ?? null, message };
}

export function formatPath(keys: readonly (string | number)[]): string {
  return keys.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), '');
}
