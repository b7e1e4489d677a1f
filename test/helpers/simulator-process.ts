import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './temp';

export interface SimulatorProcess {
  child: ChildProcess;
  opcua: string;
  /** resolves with the exit code, or the signal's name when the process died of one */
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
}

/**
 * The simulator CLI as a process of its own (the README's command), so a test can kill it with
 * SIGKILL and start a new one on the same port: a server that forgot every session.
 */
export function startSimulatorProcess(args: string[], timeoutMs = 30_000): Promise<SimulatorProcess> {
  const child = spawn(process.execPath, [join(repoRoot(), 'dist', 'main', 'cli', 'simulator.js'), ...args], {
    cwd: repoRoot(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`simulator did not print its endpoints within ${timeoutMs} ms\n${err}`));
    }, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('opcua '));
      if (!line) return;
      clearTimeout(timer);
      resolve({
        child,
        opcua: line.slice('opcua '.length).trim(),
        async stop(signal = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`simulator exited with ${code} before printing its endpoints\n${err}`));
    });
  });
}
