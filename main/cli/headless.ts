/**
 * npm run headless -- [--project <file>] [--data-dir <dir>] [--listen 127.0.0.1:<port>] [--token <t>]
 *
 * Runs the runtime in a plain Node process and serves the app to a browser. Prints the URL on a
 * line of its own on stdout; everything else goes to stderr. Stops cleanly on SIGINT/SIGTERM.
 */
import { resolve } from 'node:path';
import { ProjectFileError, loadProjectFile } from '../config/project-loader';
import { startRuntime } from '../app/runtime';
import { defaultDataDir, rendererDir } from '../app/paths';
import type { RuntimeHost } from '../app/runtime-host';
import { DatabaseVersionError } from '../historian/database';
import { listenWeb, ListenError, type WebShell } from '../shell/web';
import { isLoopbackHost, tokenWeakness } from '../shell/web-security';
import { createLogger } from '../util/log';
import { parseArgs, parseListen, runCli, UsageError } from './args';

const log = createLogger('headless');

export interface HeadlessOptions {
  project?: string;
  dataDir: string;
  host: string;
  port: number;
  token?: string;
}

export function parseHeadlessArgs(argv: readonly string[]): HeadlessOptions {
  const a = parseArgs(argv, { project: 'string', 'data-dir': 'string', listen: 'string', token: 'string', help: 'flag' });
  if (a.help) throw new UsageError('usage');
  const listen = parseListen(typeof a.listen === 'string' ? a.listen : '127.0.0.1:8080');
  const token = typeof a.token === 'string' ? a.token : process.env.LINESIDE_TOKEN;
  const weakness = token && !isLoopbackHost(listen.host) ? tokenWeakness(token) : null;
  if (weakness !== null) throw new UsageError(`${typeof a.token === 'string' ? '--token' : 'LINESIDE_TOKEN'} is too weak for ${listen.host} (not loopback): ${weakness}; leave it unset to have one generated`);
  return {
    project: typeof a.project === 'string' ? resolve(a.project) : undefined,
    dataDir: resolve(typeof a['data-dir'] === 'string' ? a['data-dir'] : defaultDataDir()),
    ...listen,
    token: token || undefined,
  };
}

export async function runHeadless(opts: HeadlessOptions): Promise<{ web: WebShell; runtime: RuntimeHost }> {
  // Check the project before taking the port or starting anything.
  if (opts.project) loadProjectFile(opts.project);
  const web = await listenWeb({ host: opts.host, port: opts.port, token: opts.token, rendererDir: rendererDir() });
  let runtime: RuntimeHost;
  try {
    runtime = await startRuntime({ projectFile: opts.project, dataDir: opts.dataDir, shell: 'headless' });
  } catch (err) {
    await web.close();
    throw err;
  }
  web.attach(runtime);
  return { web, runtime };
}

const USAGE = `usage: npm run headless -- [--project <file.yaml>] [--data-dir <dir>] [--listen <host>:<port>] [--token <secret>]
  --project   project file (default: the demo project on the built-in simulator)
  --data-dir  where the database and PKI live (default: ${defaultDataDir()})
  --listen    address to serve on (default 127.0.0.1:8080; port 0 picks a free one).
              Anything but loopback requires a token (--token or LINESIDE_TOKEN; generated if unset),
              of at least 24 characters and not trivially repetitive.`;

export async function main(argv: readonly string[], behaviour: { quietListenErrors?: boolean } = {}): Promise<number> {
  let opts: HeadlessOptions;
  try {
    opts = parseHeadlessArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(err.message === 'usage' ? `${USAGE}\n` : `lineside: ${err.message}\n${USAGE}\n`);
      return err.message === 'usage' ? 0 : 2;
    }
    throw err;
  }
  let started: { web: WebShell; runtime: RuntimeHost };
  try {
    started = await runHeadless(opts);
  } catch (err) {
    if (err instanceof ListenError && err.code === 'EADDRINUSE') {
      if (!behaviour.quietListenErrors) process.stderr.write(`lineside: ${err.message}\n`);
      return ListenError.BUSY_EXIT;
    }
    if (err instanceof ProjectFileError || err instanceof ListenError || err instanceof DatabaseVersionError) {
      process.stderr.write(`lineside: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`lineside: failed to start: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
  const { web, runtime } = started;
  log.info(`project "${runtime.info.projectName}" (${runtime.info.projectFile}), data in ${opts.dataDir}`);
  process.stdout.write(`${web.url}\n`);

  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info(`${signal}: stopping`);
      void (async () => {
        await web.close();
        await runtime.close();
        log.info('stopped; database closed');
        resolveExit(0);
      })();
    };
    // `on`, not `once`: node-opcua's PKI pulls in signal-exit, which re-raises a signal (killing
    // us mid-shutdown) when it finds no other listener left for it.
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}

if (require.main === module) {
  runCli('lineside', main);
}
