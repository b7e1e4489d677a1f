/**
 * A pair of connected pseudo-terminals from socat: a serial line in software. Bytes written to
 * one end come out of the other. Pseudo-terminals refuse parity settings (EINVAL), so tests on
 * them use parity none; timing (baud rate) is not simulated.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Why socat cannot run here, or null when it can. */
export function socatMissing(): string | null {
  const r = spawnSync('socat', ['-V'], { encoding: 'utf8' });
  return r.error ? `socat not found (${r.error.message}); .ci/run installs it` : null;
}

export interface PtyPair {
  /** paths of the two ends (symbolic links to /dev/pts/N) */
  readonly a: string;
  readonly b: string;
  /** ends socat: both ends hang up; resolved when it has exited */
  stop(): Promise<void>;
}

/** Starts socat with the two ends linked at `<dir>/<name>-a` and `<dir>/<name>-b`. */
export async function startPtyPair(dir: string, name = 'tty'): Promise<PtyPair> {
  const a = join(dir, `${name}-a`);
  const b = join(dir, `${name}-b`);
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socat did not start within 5 s: ${log}`)), 5000);
    const onData = (d: Buffer) => {
      log += d.toString();
      // socat says so once both ends exist and their links are in place
      if (log.includes('starting data transfer loop')) {
        clearTimeout(timer);
        child.stderr!.off('data', onData);
        child.stderr!.resume();
        resolve();
      }
    };
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`socat exited with ${code}: ${log}`));
    });
  });
  return {
    a,
    b,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
