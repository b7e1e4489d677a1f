/**
 * A real PostgreSQL server for tests and benchmarks: Debian's `postgresql` package (installed by
 * .ci/run), a cluster of the test's own made with `initdb` in its folder and run with `pg_ctl` on
 * 127.0.0.1 and a free port — never the system's service. `stop()` stops it (fast: a clean
 * shutdown; immediate: a crash, recovery from the WAL at the next start), `start()` starts it
 * again on the same folder and port.
 *
 * PostgreSQL refuses to run as root; run as root (CI), the server runs as the `postgres` user
 * the package creates, and its folder belongs to that user.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from './mosquitto';

/** The folder of Debian's PostgreSQL binaries (the newest version installed). */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb'))) : [];
  if (versions.length === 0) throw new Error("PostgreSQL not found (.ci/run installs Debian's postgresql package)");
  versions.sort((a, b) => Number(b) - Number(a));
  return join(root, versions[0], 'bin');
}

export interface PostgresServer {
  readonly port: number;
  /** a connection string for the test database (`lineside`, user `lineside`, password auth) */
  readonly url: string;
  running(): boolean;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** runs SQL through psql as the superuser (setup, checks) */
  psql(sql: string): string;
  /** the server's processes (the postmaster and its children): for CPU measurements */
  pids(): number[];
}

/** CPU time (user + system, ms) the processes used so far, from /proc (Linux). */
export function processCpuMs(pids: readonly number[]): number {
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  let ms = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ms += (Number(f[11]) + Number(f[12])) * tick; // utime, stime
    } catch {
      // gone since
    }
  }
  return ms;
}

interface RunAs {
  uid?: number;
  gid?: number;
}

function runAs(): RunAs {
  if (userInfo().uid !== 0) return {};
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root, and there is no postgres user to run PostgreSQL as');
  return { uid, gid };
}

export async function startPostgres(o: { dir: string; port?: number }): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const as = runAs();
  const data = join(o.dir, 'pgdata');
  const sockets = join(o.dir, 'pgsock');
  mkdirSync(o.dir, { recursive: true });
  mkdirSync(sockets, { recursive: true });
  if (as.uid !== undefined) {
    // the test's temporary folder is private (0700): let the postgres user pass through it
    chmodSync(dirname(o.dir), 0o711);
    chownSync(o.dir, as.uid, as.gid!);
    chownSync(sockets, as.uid, as.gid!);
  }
  chmodSync(o.dir, 0o755);
  const opts: SpawnSyncOptions = { encoding: 'utf8', ...as, env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' } };
  const password = 'lineside-test';
  const pwFile = join(o.dir, 'pwfile');
  writeFileSync(pwFile, `${password}\n`);
  if (as.uid !== undefined) chownSync(pwFile, as.uid, as.gid!);
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'lineside', '--pwfile', pwFile, '-A', 'scram-sha-256', '-E', 'UTF8', '--no-sync'], opts);
  if (init.status !== 0) throw new Error(`initdb failed: ${String(init.stderr || init.error?.message)}`);
  const port = o.port ?? (await freePort());
  // Loopback only; the unix socket in the test's own folder (not /var/run/postgresql).
  writeFileSync(
    join(data, 'postgresql.auto.conf'),
    [`listen_addresses = '127.0.0.1'`, `port = ${port}`, `unix_socket_directories = '${sockets}'`, `max_connections = 100`, `shared_buffers = '128MB'`, `logging_collector = off`, ''].join('\n'),
    { flag: 'a' },
  );
  const logFile = join(o.dir, 'postgres.log');
  let up = false;
  const ctl = (args: string[]) => spawnSync(join(bin, 'pg_ctl'), ['-D', data, '-l', logFile, ...args], { ...opts, timeout: 60_000 });
  const server: PostgresServer = {
    port,
    url: `postgres://lineside:${password}@127.0.0.1:${port}/lineside`,
    running: () => up,
    async start() {
      const r = ctl(['-w', '-t', '60', 'start']);
      if (r.status !== 0) throw new Error(`pg_ctl start failed: ${String(r.stderr || r.stdout)}`);
      up = true;
    },
    async stop(mode = 'fast') {
      const r = ctl(['-w', '-t', '60', '-m', mode, 'stop']);
      if (r.status !== 0 && !/not running|no server running/i.test(String(r.stderr))) throw new Error(`pg_ctl stop failed: ${String(r.stderr || r.stdout)}`);
      up = false;
    },
    pids() {
      const main = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      const children = readdirSync('/proc')
        .filter((d) => /^\d+$/.test(d))
        .filter((d) => {
          try {
            const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
            return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === main;
          } catch {
            return false;
          }
        })
        .map(Number);
      return [main, ...children];
    },
    psql(sql: string) {
      const r = spawnSync(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'lineside', '-d', 'lineside', '-v', 'ON_ERROR_STOP=1', '-At', '-c', sql], {
        encoding: 'utf8',
        env: { ...process.env, PGPASSWORD: password },
      });
      if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
      return r.stdout;
    },
  };
  await server.start();
  const created = spawnSync(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'lineside', 'lineside'], { encoding: 'utf8', env: { ...process.env, PGPASSWORD: password } });
  if (created.status !== 0) throw new Error(`createdb failed: ${created.stderr}`);
  return server;
}
