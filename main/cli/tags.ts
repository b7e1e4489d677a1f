/**
 * npm run tags -- import <tags.csv> [--project <file>] [--delimiter ,|;|tab] [--dry-run]
 * npm run tags -- export [--project <file>] [--out <tags.csv>] [--delimiter ,|;|tab] [--bom]
 *
 * Tag lists as CSV (docs/engineering.md). Import writes the CSV's tags into the project file,
 * keeping its comments and layout, or refuses the whole import — every bad row by line and
 * column — and writes nothing. Export writes the project's tags, every column, to stdout or a file.
 * Without --project: the demo project.
 *
 * Exit: 0 done; 1 refused (bad rows, an invalid project); 2 usage, or a file that cannot be read
 * or written.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { demoProjectFile } from '../app/paths';
import { loadProjectFile, ProjectFileError } from '../config/project-loader';
import { formatCsvIssue, formatTagCsv, type Delimiter } from '../config/tag-csv';
import { importTagCsv, TagImportRefused } from '../config/tag-import';
import { parseArgs, runCli, UsageError } from './args';

export const TAGS_USAGE = `usage: npm run tags -- import <tags.csv> [--project <file>] [--delimiter ,|;|tab] [--dry-run]
       npm run tags -- export [--project <file>] [--out <tags.csv>] [--delimiter ,|;|tab] [--bom]
  --project <file>   the project file (default: the demo project)
  --delimiter        import: the separator (default: what the header line uses); export: default ,
  --dry-run          import: report what would change, write nothing
  --out <file>       export: write there instead of stdout; --bom: start with a UTF-8 BOM (for Excel)
  exit: 0 done, 1 refused (every bad row as file:line:column), 2 usage or unreadable file`;

class Unreadable extends Error {}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Unreadable(`cannot read the ${what} ${file}: ${(err as Error).message}`);
  }
}

function delimiterOf(v: string | true | undefined): Delimiter | undefined {
  if (v === undefined) return undefined;
  if (v === ',' || v === ';') return v;
  if (v === 'tab' || v === '\t') return '\t';
  throw new UsageError(`--delimiter must be , ; or tab, not "${String(v)}"`);
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${TAGS_USAGE}\n`);
    return 0;
  }
  const [command, ...rest] = argv;
  try {
    if (command === 'import') return importCommand(rest);
    if (command === 'export') return exportCommand(rest);
  } catch (err) {
    if (err instanceof Unreadable) {
      process.stderr.write(`tags: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  throw new UsageError(command === undefined ? 'give a command: import or export' : `unknown command "${command}"`);
}

function importCommand(rest: string[]): number {
  const [csvFile, ...options] = rest;
  if (csvFile === undefined || csvFile.startsWith('--')) throw new UsageError('import needs the CSV file: import <tags.csv>');
  const a = parseArgs(options, { project: 'string', delimiter: 'string', 'dry-run': 'flag' });
  const projectFile = typeof a.project === 'string' ? a.project : demoProjectFile();
  const csvText = readText(csvFile, 'CSV file');
  const projectText = readText(projectFile, 'project file');
  let result: ReturnType<typeof importTagCsv>;
  try {
    result = importTagCsv({ projectText, projectFile, csvText, csvFile, delimiter: delimiterOf(a.delimiter) });
  } catch (err) {
    if (err instanceof TagImportRefused) {
      for (const i of err.issues) process.stderr.write(`${formatCsvIssue(csvFile, i)}\n`);
      for (const p of err.projectIssues) process.stderr.write(`${p}\n`);
      process.stderr.write(`tags: import refused, ${projectFile} not changed (${err.issues.length + err.projectIssues.length} problem(s))\n`);
      return 1;
    }
    if (err instanceof ProjectFileError) {
      process.stderr.write(`tags: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const { report } = result;
  const dry = a['dry-run'] === true;
  if (!dry && result.text !== projectText) {
    // A crash mid-write must not leave half a project: write beside it, then replace it.
    const tmp = `${projectFile}.import-${process.pid}.tmp`;
    writeFileSync(tmp, result.text);
    renameSync(tmp, projectFile);
  }
  for (const id of report.added) process.stdout.write(`added     ${id}\n`);
  for (const c of report.changed) process.stdout.write(`changed   ${c.id} (${c.fields.join(', ')})\n`);
  process.stdout.write(
    `${dry ? 'dry run, nothing written: ' : `${projectFile}: `}${report.added.length} added, ${report.changed.length} changed, ${report.unchanged.length} unchanged` +
      `${report.notInCsv.length > 0 ? `, ${report.notInCsv.length} not in the CSV (kept)` : ''}\n`,
  );
  return 0;
}

function exportCommand(rest: string[]): number {
  const a = parseArgs(rest, { project: 'string', out: 'string', delimiter: 'string', bom: 'flag' });
  const projectFile = typeof a.project === 'string' ? a.project : demoProjectFile();
  readText(projectFile, 'project file');
  let csv: string;
  try {
    csv = formatTagCsv(loadProjectFile(projectFile).tags, { delimiter: delimiterOf(a.delimiter), bom: a.bom === true });
  } catch (err) {
    if (err instanceof ProjectFileError) {
      process.stderr.write(`tags: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  if (typeof a.out !== 'string') {
    process.stdout.write(csv);
    return 0;
  }
  try {
    writeFileSync(a.out, csv);
  } catch (err) {
    throw new Unreadable(`cannot write ${a.out}: ${(err as Error).message}`);
  }
  process.stderr.write(`tags: ${a.out}: ${csv.split('\r\n').length - 2} tag(s) exported\n`);
  return 0;
}

runCli('tags', main, { usage: TAGS_USAGE });
