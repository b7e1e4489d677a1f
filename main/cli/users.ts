/**
 * npm run users -- <command> [--data-dir <dir>] …
 *
 * Local user administration on the line PC, for maintenance staff installing it and for the
 * reset of a lost administrator password (which the app itself never offers). Every change goes
 * on record in the audit trail as done by "(local command)" at station "command line".
 * Passwords are read from the first line of standard input (never from the command line, which
 * other processes can see), and must meet the project's password rules (`security.password`:
 * at least `minLength` characters, not containing the user id) — the project given with
 * `--project`, else the demo project the app runs without one.
 *
 *   add --id <user> --name "<printed name>" --role <role>[,<role>…]   (password on stdin)
 *   reset-password --id <user>                                          (password on stdin)
 *   unlock --id <user>
 *   list
 *
 * Exit: 0 done; 1 refused (exists, unknown user, weak password); 2 usage.
 */
import { join } from 'node:path';
import { defaultRoles } from '../../shared/security';
import { userIdSchema } from '../../shared/security-api';
import { defaultDataDir, demoProjectFile } from '../app/paths';
import { loadProjectFile, ProjectFileError } from '../config/project-loader';
import { openDatabase } from '../historian/database';
import { AuditTrail } from '../security/audit-trail';
import { hashSecret } from '../security/password-hasher';
import { UserExists, UserStore } from '../security/user-store';
import { parseArgs, runCli, UsageError } from './args';

const USAGE = `usage: npm run users -- <add|reset-password|unlock|list> [--data-dir <dir>] [--project <file>] [options]
  add --id <user> --name "<printed name>" --role <role>[,<role>…]   password: first line of stdin
  reset-password --id <user>                                          password: first line of stdin
  unlock --id <user>                                                  clears a lockout
  list                                                                users, roles, state
  --project <file>   the project whose password rules apply (default: the demo project)
  roles shipped: ${Object.keys(defaultRoles).join(', ')} (a project may add its own)`;

const BY = '(local command)';
const STATION = 'command line';

/** The first line of stdin, checked against the project's password rules. */
async function readPassword(userId: string, minLength: number): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (line.length < minLength) throw new Refused(`the password (first line of stdin) needs at least ${minLength} characters`);
  if (line.toLowerCase().includes(userId.toLowerCase())) throw new Refused('the password must not contain the user id');
  return line;
}

class Refused extends Error {}

/** The password rules of the project the app runs (a broken project file is refused, naming what is wrong). */
function passwordMinLength(projectFile: string | undefined): number {
  try {
    return loadProjectFile(projectFile ?? demoProjectFile()).security.password.minLength;
  } catch (err) {
    if (err instanceof ProjectFileError) throw new Refused(err.message);
    throw err;
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const a = parseArgs(rest, { 'data-dir': 'string', project: 'string', id: 'string', name: 'string', role: 'string', help: 'flag' });
  if (a.help || command === undefined || command === '--help') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  const dataDir = typeof a['data-dir'] === 'string' ? a['data-dir'] : defaultDataDir();
  const project = typeof a.project === 'string' ? a.project : undefined;
  const db = openDatabase(join(dataDir, 'lineside.db'));
  try {
    const audit = new AuditTrail(db);
    const users = new UserStore(db);
    const now = Date.now();
    const id = () => {
      if (typeof a.id !== 'string') throw new UsageError(`${command} needs --id <user>`);
      const parsed = userIdSchema.safeParse(a.id);
      if (!parsed.success) throw new UsageError(`--id: ${parsed.error.issues[0].message}`);
      return parsed.data;
    };
    const record = (action: string, target: string, newValue: unknown, detail: string) =>
      audit.record({ ts: Date.now(), user: BY, station: STATION, action, target, oldValue: null, newValue, outcome: 'done', detail });
    switch (command) {
      case 'add': {
        const userId = id();
        if (typeof a.name !== 'string' || a.name.trim().length < 2) throw new UsageError('add needs --name "<printed name>"');
        if (typeof a.role !== 'string') throw new UsageError('add needs --role <role>[,<role>…]');
        const roles = a.role.split(',').map((r) => r.trim()).filter((r) => r !== '');
        const bad = roles.find((r) => !/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(r));
        if (bad !== undefined) throw new UsageError(`--role: "${bad}" is not a role name`);
        const password = await readPassword(userId, passwordMinLength(project));
        users.create({ id: userId, name: a.name.trim(), roles, passwordHash: await hashSecret(password), now });
        record('user.create', userId, { name: a.name.trim(), roles }, 'by the users command');
        console.log(`user ${userId} (${roles.join(', ')}) created`);
        return 0;
      }
      case 'reset-password': {
        const userId = id();
        const u = users.get(userId);
        if (!u) throw new Refused(`no user "${userId}" in ${dataDir}`);
        const password = await readPassword(u.id, passwordMinLength(project));
        users.setPassword(u.id, await hashSecret(password), now);
        record('user.resetPassword', u.id, null, 'by the users command (lockout cleared)');
        console.log(`password of ${u.id} reset; lockout cleared`);
        return 0;
      }
      case 'unlock': {
        const u = users.get(id());
        if (!u) throw new Refused(`no user "${String(a.id)}" in ${dataDir}`);
        users.clearFailures(u.id);
        record('user.unlock', u.id, null, 'by the users command');
        console.log(`${u.id} unlocked`);
        return 0;
      }
      case 'list':
        for (const u of users.list()) {
          const state = !u.enabled ? 'disabled' : u.lockedUntil !== null && u.lockedUntil > now ? `locked until ${new Date(u.lockedUntil).toISOString()}` : 'enabled';
          console.log(`${u.id}\t${u.name}\t${u.roles.join(',')}\t${state}${u.hasBadge ? '\tbadge' : ''}`);
        }
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } finally {
    db.close();
  }
}

runCli('users', main, { usage: USAGE, isRefusal: (err) => err instanceof Refused || err instanceof UserExists });
