import { startCliProcess, type CliProcess } from './headless-process';

export interface SimulatorProcess extends CliProcess {
  /** the OPC UA endpoint it listens on */
  opcua: string;
}

/**
 * The simulator CLI as a process of its own (the README's command), so a test can kill it with
 * SIGKILL and start a new one on the same port: a server that forgot every session.
 */
export async function startSimulatorProcess(args: string[], timeoutMs = 30_000): Promise<SimulatorProcess> {
  const p = await startCliProcess('simulator', args, (l) => l.startsWith('opcua '), timeoutMs);
  return { ...p, opcua: p.line.slice('opcua '.length) };
}
