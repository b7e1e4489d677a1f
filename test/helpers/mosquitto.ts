/**
 * A real MQTT broker for tests and benchmarks: Debian's mosquitto (installed by .ci/run), started
 * as a child process on 127.0.0.1 and a free port, with a generated configuration (persistence in
 * the test's folder, anonymous or a password file). `stop()` kills it (SIGKILL by default: a
 * crash; SIGTERM: a clean shutdown that saves its state), `start()` starts it again on the same
 * port and folder, so a test can cut the broker as often as it likes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';

export function mosquittoPath(): string {
  const found = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'].find((p) => existsSync(p));
  if (!found) throw new Error("mosquitto not found (.ci/run installs Debian's mosquitto package)");
  return found;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen({ host: '127.0.0.1', port: 0 }, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface MosquittoOptions {
  /** a folder of the test's own: configuration, password file, persistence, log */
  dir: string;
  /** user → password; when given, anonymous clients are refused */
  users?: Record<string, string>;
  port?: number;
}

export interface Mosquitto {
  readonly port: number;
  readonly url: string;
  running(): boolean;
  /** kills the broker and waits until it is gone */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** starts it (again) on the same port and persistence; resolves when it accepts connections */
  start(): Promise<void>;
  /** what it logged (stderr), for failure messages */
  log(): string;
}

function writePasswordFile(file: string, users: Record<string, string>): void {
  writeFileSync(file, '');
  for (const [user, password] of Object.entries(users)) {
    const r = spawnSync('mosquitto_passwd', ['-b', file, user, password], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr || r.error?.message}`);
  }
}

async function accepting(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`mosquitto did not accept connections on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startMosquitto(o: MosquittoOptions): Promise<Mosquitto> {
  const port = o.port ?? (await freePort());
  mkdirSync(join(o.dir, 'data'), { recursive: true });
  const lines = [
    `listener ${port} 127.0.0.1`,
    // Started by a root test runner, mosquitto would switch to the user "mosquitto", who cannot
    // write the test's folder: stay who we are.
    `user ${userInfo().username}`,
    'persistence true',
    `persistence_location ${join(o.dir, 'data')}/`,
    // save the in-memory state every second, so that a kill loses at most about a second of it
    'autosave_interval 1',
    'max_queued_messages 100000',
    'max_inflight_messages 100',
    'persistent_client_expiration 1d',
    'set_tcp_nodelay true',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
  ];
  if (o.users) {
    const pw = join(o.dir, 'passwords');
    writePasswordFile(pw, o.users);
    lines.push('allow_anonymous false', `password_file ${pw}`);
  } else lines.push('allow_anonymous true');
  const conf = join(o.dir, 'mosquitto.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);

  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let log = '';
  const broker: Mosquitto = {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    running: () => child !== null,
    async start() {
      if (child) return;
      const c = spawn(mosquittoPath(), ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
      child = c;
      c.stderr!.on('data', (d: Buffer) => {
        log += d.toString();
        if (log.length > 100_000) log = log.slice(-50_000);
      });
      exited = new Promise((resolve) =>
        c.once('exit', () => {
          if (child === c) child = null;
          resolve();
        }),
      );
      try {
        await accepting(port, 10_000);
      } catch (err) {
        c.kill('SIGKILL');
        throw new Error(`${(err as Error).message}\n${log}`, { cause: err });
      }
    },
    async stop(signal: NodeJS.Signals = 'SIGKILL') {
      const c = child;
      if (!c) return;
      c.kill(signal);
      await exited;
    },
    log: () => log,
  };
  await broker.start();
  return broker;
}
