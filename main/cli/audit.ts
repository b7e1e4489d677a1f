/**
 * npm run audit -- verify [--data-dir <dir>]
 *
 * Recomputes the audit trail's hash chain (main/security/audit-trail.ts) and names the first
 * record that was edited, deleted or reordered. Read-only: opens the database and changes
 * nothing. Exit: 0 the chain holds; 1 it is broken (the record and what is wrong on stdout);
 * 2 usage.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { defaultDataDir } from '../app/paths';
import { AuditTrail } from '../security/audit-trail';
import { parseArgs, runCli, UsageError } from './args';

const USAGE = 'usage: npm run audit -- verify [--data-dir <dir>]';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'verify') throw new UsageError(command === undefined ? 'give a command' : `unknown command "${command}"`);
  const a = parseArgs(rest, { 'data-dir': 'string' });
  const file = join(typeof a['data-dir'] === 'string' ? a['data-dir'] : defaultDataDir(), 'lineside.db');
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    // Read-only: the trail's migrations are not run; a database without the chain says so.
    const audit = AuditTrail.readOnly(db);
    const r = await audit.verify(async () => undefined);
    if (r.ok) {
      console.log(`audit chain ok: ${r.records} records verified in ${r.ms} ms`);
      return 0;
    }
    console.log(`audit chain BROKEN at record ${r.firstBad!.id}: ${r.firstBad!.problem} (${r.records} records before it verified)`);
    return 1;
  } finally {
    db.close();
  }
}

// Anything else that fails (no database there, not a Lineside one) is said in a line, without a stack.
runCli('audit', main, { usage: USAGE, isRefusal: () => true });
