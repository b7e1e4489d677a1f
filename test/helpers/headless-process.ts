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
export function startHeadless(args: string[], timeoutMs = 30_000): Promise<HeadlessProcess> {
  const child = spawn(process.execPath, [join(repoRoot(), 'dist', 'main', 'cli', 'headless.js'), ...args], {
    cwd: repoRoot(),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LINESIDE_LOG: 'info' },
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`headless did not print its URL within ${timeoutMs} ms\n${err}`));
    }, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => /^http:\/\//.test(l));
      if (line) {
        clearTimeout(timer);
        resolve({
          child,
          url: line.trim(),
          stderr: () => err,
          async stop(signal = 'SIGTERM') {
            if (child.exitCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`headless exited with ${code} before printing a URL\n${err}`));
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
