/**
 * Reads the instruction folders of a project: each folder's instruction.yaml is validated (its
 * errors name file, line and path), its references checked against the project (tags, writable
 * tags, alarms, step ids), its media read and hashed. The content hash of the result names the
 * version: the canonical definition, media hashes included, so a changed picture is a new
 * version too.
 *
 * One broken folder does not stop the others: it is reported as a problem with its error.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { canonicalJson } from '../../shared/canonical';
import type { InstructionDefinition, InstructionStep, StepMedia } from '../../shared/instructions';
import { parseYamlText, ProjectFileError, type ProjectIssue } from './project-loader';
import { ExpressionError, parseExpression, tagsOf } from '../../shared/condition-expression';
import { instructionFileSchema, type InstructionFile } from './instruction-file-schema';

export const INSTRUCTION_FILE = 'instruction.yaml';
const MAX_MEDIA_BYTES = 50 * 1024 * 1024;

/** What an instruction may refer to in the project. */
export interface InstructionContext {
  tags: ReadonlyMap<string, { writable: boolean }>;
  alarms: ReadonlySet<string>;
}

export interface LoadedInstruction {
  folder: string;
  definition: InstructionDefinition;
  hash: string;
  /** the media files' bytes by their SHA-256: kept with the version, whatever the folder says later */
  media: Map<string, Buffer>;
}

/** A folder that did not load (the instruction's id when the file got that far). */
export interface InstructionProblem {
  folder: string;
  id: string | null;
  message: string;
  /** the file the problem is in, and its issues by place, when the file itself is wrong */
  file?: string;
  issues?: ProjectIssue[];
}

export function loadInstructionFolders(dir: string, ctx: InstructionContext): { instructions: LoadedInstruction[]; problems: InstructionProblem[] } {
  const instructions: LoadedInstruction[] = [];
  const problems: InstructionProblem[] = [];
  if (!existsSync(dir)) return { instructions, problems };
  const seen = new Map<string, string>();
  for (const name of readdirSync(dir).sort()) {
    const folder = join(dir, name);
    if (!statSync(folder).isDirectory()) continue;
    try {
      const loaded = loadInstructionFolder(folder, ctx);
      const other = seen.get(loaded.definition.id);
      if (other !== undefined) throw new Error(`${join(folder, INSTRUCTION_FILE)}: id "${loaded.definition.id}" is also used by ${other}`);
      seen.set(loaded.definition.id, folder);
      instructions.push(loaded);
    } catch (err) {
      if (err instanceof ProjectFileError) problems.push({ folder, id: null, message: err.message, file: err.file, issues: err.issues });
      else problems.push({ folder, id: null, message: (err as Error).message, file: join(folder, INSTRUCTION_FILE) });
    }
  }
  return { instructions, problems };
}

export function loadInstructionFolder(folder: string, ctx: InstructionContext): LoadedInstruction {
  const file = join(folder, INSTRUCTION_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ProjectFileError(file, [{ path: '', line: null, column: null, message: `cannot read the file: ${(err as Error).message}` }], 'instruction file');
  }
  const parsed = parseYamlText(text, file, instructionFileSchema, 'instruction file', (f) => checkInstruction(f, ctx, folderMedia(folder)));
  const media = new Map<string, Buffer>();
  const definition = toDefinition(parsed, folder, media);
  return { folder, definition, hash: contentHash(definition), media };
}

/** SHA-256 of the canonical definition (media by their own hashes). */
export function contentHash(definition: InstructionDefinition): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex');
}

type Issue = { path: (string | number)[]; message: string };

/** The size of a media file, or null when there is none of that name. */
export type MediaSize = (file: string) => number | null;

function folderMedia(folder: string): MediaSize {
  return (file) => {
    const p = join(folder, file);
    return existsSync(p) ? statSync(p).size : null;
  };
}

/** The checks against the project (tags, alarms, step ids, media): also for imported packages. */
export function checkInstruction(f: InstructionFile, ctx: InstructionContext, mediaSize: MediaSize): Issue[] {
  const issues: Issue[] = [];
  const ids = new Map<string, number>();
  f.steps.forEach((s, i) => {
    if (ids.has(s.id)) issues.push({ path: ['steps', i, 'id'], message: `duplicate step id "${s.id}" (also step ${ids.get(s.id)! + 1})` });
    else ids.set(s.id, i);
  });
  const tagList = [...ctx.tags.keys()].slice(0, 8).join(', ');
  f.alarms.forEach((a, i) => {
    if (!ctx.alarms.has(a)) issues.push({ path: ['alarms', i], message: `unknown alarm "${a}"` });
  });
  f.steps.forEach((s, i) => {
    s.media.forEach((m, j) => {
      const size = mediaSize(m.file);
      if (size === null) issues.push({ path: ['steps', i, 'media', j, 'file'], message: `no file "${m.file}" in the instruction folder` });
      else if (size > MAX_MEDIA_BYTES) issues.push({ path: ['steps', i, 'media', j, 'file'], message: `"${m.file}" is larger than 50 MB` });
    });
    if (s.kind === 'condition') {
      try {
        for (const t of tagsOf(parseExpression(s.expression))) {
          if (!ctx.tags.has(t)) issues.push({ path: ['steps', i, 'expression'], message: `unknown tag "${t}" (tags: ${tagList}, …)` });
        }
      } catch (err) {
        if (!(err instanceof ExpressionError)) throw err;
        issues.push({ path: ['steps', i, 'expression'], message: err.message });
      }
    } else if (s.kind === 'action') {
      const tag = ctx.tags.get(s.tagId);
      if (tag === undefined) issues.push({ path: ['steps', i, 'tagId'], message: `unknown tag "${s.tagId}"` });
      else if (!tag.writable) issues.push({ path: ['steps', i, 'tagId'], message: `"${s.tagId}" is not writable` });
    } else if (s.kind === 'branch') {
      const on = ids.get(s.on);
      if (on === undefined || on >= i) issues.push({ path: ['steps', i, 'on'], message: `"${s.on}" is not an earlier step` });
      else if (!['measure', 'choice', 'text', 'check'].includes(f.steps[on].kind)) issues.push({ path: ['steps', i, 'on'], message: `step "${s.on}" captures no value (measure, choice, text or check)` });
      const targets = [...s.cases.map((c, k) => ({ to: c.goto, path: ['steps', i, 'cases', k, 'goto'] as (string | number)[] })), { to: s.otherwise, path: ['steps', i, 'otherwise'] as (string | number)[] }];
      for (const t of targets) {
        const at = ids.get(t.to);
        // Forward only: a run always ends.
        if (at === undefined || at <= i) issues.push({ path: t.path, message: `"${t.to}" is not a later step` });
      }
    } else if (s.kind === 'measure' && s.outOfLimits === 'verify' && s.low === null && s.high === null) {
      issues.push({ path: ['steps', i, 'outOfLimits'], message: 'verify needs a low or a high limit' });
    }
  });
  return issues;
}

const MEDIA_KIND: Record<string, StepMedia['kind']> = { '.png': 'image', '.jpg': 'image', '.jpeg': 'image', '.svg': 'image', '.webp': 'image', '.mp4': 'video', '.webm': 'video', '.pdf': 'pdf' };

function toDefinition(f: InstructionFile, folder: string, bytes: Map<string, Buffer>): InstructionDefinition {
  const steps = f.steps.map((s) => {
    const media: StepMedia[] = s.media.map((m) => {
      const data = readFileSync(join(folder, m.file));
      const sha256 = createHash('sha256').update(data).digest('hex');
      bytes.set(sha256, data);
      return { kind: m.kind ?? MEDIA_KIND[extname(m.file).toLowerCase()] ?? 'image', file: m.file, caption: m.caption, sha256 };
    });
    return { ...s, media } as InstructionStep;
  });
  return { id: f.id, title: f.title, description: f.description, revision: f.revision, alarms: f.alarms, atShiftStart: f.atShiftStart, roles: f.roles, steps };
}
