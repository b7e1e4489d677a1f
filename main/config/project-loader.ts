/**
 * Loads and validates a project file. Every error names the file, the place in the document
 * (`tags[12].address`) with its line and column, and what is wrong; nothing half-loaded is
 * ever returned.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { defaultRoles } from '../../shared/security';
import { parseModbusAddress, registerCount } from '../../shared/modbus-address';
import { projectSchema, type Project } from './project-schema';
import { checkAlarmReferences } from './alarm-schema';
import { checkSyncFiles } from './sync-schema';
import { checkProductionReferences } from './production-schema';

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
    // TLS files relative to the project file (to the working folder for text without a file)
    ...checkSyncFiles(project.sync, file === '<project>' ? process.cwd() : dirname(file)),
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
        const pos = e.linePos?.[0];
        return { path: '', line: pos?.line ?? null, column: pos?.col ?? null, message: `YAML syntax: ${e.message.split('\n')[0]}` };
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
  const devices = new Map<string, Project['devices'][number]>();
  project.devices.forEach((d, i) => {
    if (devices.has(d.id)) issues.push({ path: ['devices', i, 'id'], message: `duplicate device id "${d.id}"` });
    devices.set(d.id, d);
  });
  issues.push(...checkSerialLines(project.devices));
  const tagIds = new Set<string>();
  project.tags.forEach((t, i) => {
    if (tagIds.has(t.id)) issues.push({ path: ['tags', i, 'id'], message: `duplicate tag id "${t.id}"` });
    tagIds.add(t.id);
    const device = devices.get(t.device);
    if (!device) {
      issues.push({
        path: ['tags', i, 'device'],
        message: `unknown device "${t.device}" (devices: ${[...devices.keys()].join(', ')})`,
      });
      return;
    }
    if (t.storage.deadbandPercent !== undefined && (t.min === undefined || t.max === undefined)) {
      issues.push({ path: ['tags', i, 'storage', 'deadbandPercent'], message: 'a percent deadband needs the tag\'s min and max (its span)' });
    }
    if (t.retention !== undefined && !(t.retention in project.historian.retentionClasses)) {
      const known = Object.keys(project.historian.retentionClasses);
      issues.push({
        path: ['tags', i, 'retention'],
        message: `unknown retention class "${t.retention}" (${known.length > 0 ? `historian.retentionClasses: ${known.join(', ')}` : 'no historian.retentionClasses are defined'})`,
      });
    }
    if (t.min !== undefined && t.max !== undefined && t.min >= t.max) {
      issues.push({ path: ['tags', i, 'max'], message: `max (${t.max}) must be greater than min (${t.min})` });
    }
    if (t.length !== undefined && (t.dataType !== 'string' || device.protocol === 'opcua')) {
      issues.push({ path: ['tags', i, 'length'], message: 'length applies to Modbus strings only' });
    }
    if (device.protocol === 'modbus-tcp' || device.protocol === 'modbus-rtu') {
      const addr = parseModbusAddress(t.address);
      if (!addr.ok) {
        issues.push({ path: ['tags', i, 'address'], message: addr.error });
        return;
      }
      const a = addr.value;
      const bitArea = a.area === 'coil' || a.area === 'discrete';
      if (bitArea && t.dataType !== 'bool') {
        issues.push({ path: ['tags', i, 'dataType'], message: `${t.address} is a single bit: dataType must be bool` });
      } else if (a.bit !== undefined && t.dataType !== 'bool') {
        issues.push({ path: ['tags', i, 'dataType'], message: `${t.address} is a bit in a register: dataType must be bool` });
      } else if (!bitArea && a.bit === undefined && t.dataType === 'bool') {
        issues.push({ path: ['tags', i, 'address'], message: `a bool in a register needs a bit: write ${t.address}.<bit>` });
      } else if (t.dataType === 'string' && t.length === undefined) {
        issues.push({ path: ['tags', i, 'length'], message: 'a Modbus string needs its length in registers (2 characters each), e.g. length: 8' });
      } else if (a.offset + registerCount(t.dataType, t.length) - 1 > 65535) {
        issues.push({ path: ['tags', i, 'address'], message: `${t.dataType} at ${t.address} runs past register 65535` });
      }
      if (t.writable && (a.area === 'input' || a.area === 'discrete')) {
        issues.push({ path: ['tags', i, 'writable'], message: `${t.address} is read-only in Modbus (input area)` });
      }
    } else if (!/^(ns=\d+;|nsu=[^;]+;)?(i=\d+|s=.+|g=[0-9a-fA-F-]{36}|b=[A-Za-z0-9+/=]+)$/.test(t.address)) {
      issues.push({
        path: ['tags', i, 'address'],
        message: `"${t.address}" is not an OPC UA NodeId (expected e.g. ns=1;s=Line1.Speed or ns=2;i=1001)`,
      });
    }
  });
  issues.push(...checkSecurityReferences(project));
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
