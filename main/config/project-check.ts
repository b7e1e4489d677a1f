/**
 * Checks a project file and the instruction files that go with it, the way the runtime loads
 * them, without starting anything (no drivers, no servers, no database): `npm run check`.
 */
import { dirname, resolve } from 'node:path';
import { loadInstructionFolders } from './instruction-files';
import { parseProjectText, ProjectFileError } from './project-loader';
import type { Project } from './project-schema';

export interface CheckProblem {
  file: string;
  line: number | null;
  column: number | null;
  /** e.g. `tags[3].address`; '' for the document */
  path: string;
  message: string;
}

export interface CheckResult {
  problems: CheckProblem[];
  /** the project, when its file is valid */
  project: Project | null;
  /** the instructions that loaded */
  instructions: string[];
  /** the instruction folder looked in */
  instructionsFolder: string | null;
}

/** `text` is the project file's content (reading it is the caller's: an unreadable file is not a project problem). */
export function checkProjectText(text: string, file: string): CheckResult {
  let project: Project;
  try {
    project = parseProjectText(text, file);
  } catch (err) {
    if (!(err instanceof ProjectFileError)) throw err;
    return { problems: err.issues.map((i) => ({ file: err.file, ...i })), project: null, instructions: [], instructionsFolder: null };
  }
  const folder = resolve(dirname(file), project.instructions.folder);
  const loaded = loadInstructionFolders(folder, {
    tags: new Map(project.tags.map((t) => [t.id, { writable: t.writable }])),
    alarms: new Set(project.alarms.definitions.map((d) => d.id)),
  });
  const problems = loaded.problems.flatMap((p): CheckProblem[] =>
    p.issues !== undefined && p.file !== undefined
      ? p.issues.map((i) => ({ file: p.file!, ...i }))
      : [{ file: p.file ?? p.folder, line: null, column: null, path: '', message: p.message.replace(`${p.file ?? ''}: `, '') }],
  );
  return { problems, project, instructions: loaded.instructions.map((i) => i.definition.id), instructionsFolder: folder };
}

export function formatCheckProblem(p: CheckProblem): string {
  return `${p.file}${p.line !== null ? `:${p.line}:${p.column}` : ''} ${p.path || '(document)'}: ${p.message}`;
}
