/**
 * npm run check -- <project.yaml>
 *
 * Validates a project file and its work instruction files (the folder named by the project's
 * `instructions.folder`) as the runtime would load them, without starting anything: no drivers,
 * no servers, no database. Each problem is printed on stdout as `file:line:column path: what is
 * wrong`.
 *
 * Exit: 0 valid; 1 invalid (the problems on stdout); 2 usage, or the project file cannot be read.
 */
import { readFileSync } from 'node:fs';
import { checkProjectText, formatCheckProblem } from '../config/project-check';
import { runCli, UsageError } from './args';

export const CHECK_USAGE = `usage: npm run check -- <project.yaml>
  validates the project file and its instruction files; starts nothing
  exit: 0 valid, 1 invalid (every problem as file:line:column path: message), 2 usage or unreadable file`;

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${CHECK_USAGE}\n`);
    return 0;
  }
  const options = argv.filter((a) => a.startsWith('-'));
  if (options.length > 0) throw new UsageError(`unknown option ${options[0]}`);
  if (argv.length !== 1) throw new UsageError(argv.length === 0 ? 'give the project file' : `one project file, not ${argv.length}`);
  const file = argv[0];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    process.stderr.write(`check: cannot read ${file}: ${(err as Error).message}\n`);
    return 2;
  }
  const r = checkProjectText(text, file);
  for (const p of r.problems) process.stdout.write(`${formatCheckProblem(p)}\n`);
  if (r.problems.length > 0) {
    process.stdout.write(`${file}: invalid — ${r.problems.length} problem(s)\n`);
    return 1;
  }
  const p = r.project!;
  process.stdout.write(`${file}: ok — ${p.devices.length} device(s), ${p.tags.length} tag(s), ${p.alarms.definitions.length} alarm(s), ${r.instructions.length} instruction(s)\n`);
  return 0;
}

runCli('check', main, { usage: CHECK_USAGE });
