import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './temp';

export interface HeadlessProcess {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  /** resolves with the exit code, or the signal's name when the process died of one */
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
}

/** Runs the real headless CLI (the README's command) and waits for the URL line. */
export async function startHeadless(args: string[], timeoutMs = 30_000): Promise<HeadlessProcess> {
  const p = await startCliProcess('headless', args, (l) => /^http:\/\//.test(l), timeoutMs, { LINESIDE_LOG: 'info' });
  return { child: p.child, url: p.line, stderr: p.stderr, stop: p.stop };
}

export interface CliProcess {
  child: ChildProcess;
  /** the first stdout line `ready` accepted, trimmed */
  line: string;
  stderr: () => string;
  /** resolves with the exit code, or the signal's name when the process died of one */
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
}

/** Runs one of our CLIs (dist/main/cli/<name>.js) and waits for the stdout line that says it is up. */
export function startCliProcess(name: string, args: string[], ready: (line: string) => boolean, timeoutMs = 30_000, env: NodeJS.ProcessEnv = {}): Promise<CliProcess> {
  const child = spawn(process.execPath, [join(repoRoot(), 'dist', 'main', 'cli', `${name}.js`), ...args], {
    cwd: repoRoot(),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not print its ready line within ${timeoutMs} ms\n${err}`));
    }, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find(ready);
      if (!line) return;
      clearTimeout(timer);
      resolve({
        child,
        line: line.trim(),
        stderr: () => err,
        async stop(signal = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before printing its ready line\n${err}`));
    });
  });
}

/** Runs the CLI to completion (for the error cases). */
export function runHeadlessToExit(args: string[], timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(repoRoot(), 'dist', 'main', 'cli', 'headless.js'), ...args], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
