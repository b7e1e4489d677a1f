/**
 * Starts test/fixtures/pymodbus_server.py (Debian's pymodbus 3.0, an independent Modbus peer)
 * with Debian's own Python, which is the only one that can import it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TagDataType } from '../../shared/types';
import type { WordOrder } from '../../shared/modbus-address';
import { repoRoot } from './temp';

export const SYSTEM_PYTHON = '/usr/bin/python3';

/** Why the pymodbus peer cannot run here, or null when it can. */
export function pymodbusMissing(): string | null {
  const r = spawnSync(SYSTEM_PYTHON, ['-c', 'import pymodbus, serial_asyncio'], { encoding: 'utf8' });
  if (r.error) return `${SYSTEM_PYTHON} not found (${r.error.message}); .ci/run installs python3-pymodbus`;
  if (r.status !== 0) return `Debian's pymodbus is not installed (${r.stderr.trim().split('\n').pop()}); .ci/run installs python3-pymodbus python3-serial-asyncio`;
  return null;
}

export interface PymodbusItem {
  area?: 'holding' | 'input' | 'coil' | 'discrete';
  address: number;
  type?: Exclude<TagDataType, 'bool'>;
  order?: WordOrder;
  /** strings: registers */
  length?: number;
  /** 64-bit integers beyond 2^53 as decimal strings */
  value: number | string | boolean;
}

export interface PymodbusSpec {
  units: Record<string, PymodbusItem[]>;
}

export interface PymodbusServer {
  /** the TCP port it serves on (TCP mode) */
  readonly port: number;
  /** holding registers decoded by pymodbus' own BinaryPayloadDecoder (64-bit ints as strings) */
  decode(unit: number, items: Omit<PymodbusItem, 'value' | 'area'>[]): Promise<(number | string)[]>;
  registers(unit: number, address: number, count: number): Promise<number[]>;
  coils(unit: number, address: number, count: number): Promise<boolean[]>;
  /** SIGTERM, resolved when the process has exited */
  stop(): Promise<void>;
}

export interface PymodbusOptions {
  spec: PymodbusSpec;
  /** a temporary folder for the spec file */
  dir: string;
  /** serve Modbus TCP on this port (0: any free one) ... */
  tcpPort?: number;
  /** ... or Modbus RTU on this serial device */
  rtu?: { device: string; baud?: number; parity?: 'N' | 'E' | 'O' };
}

export async function startPymodbus(o: PymodbusOptions): Promise<PymodbusServer> {
  const specFile = join(o.dir, `pymodbus-spec-${process.pid}-${Date.now()}.json`);
  writeFileSync(specFile, JSON.stringify(o.spec));
  const script = join(repoRoot(), 'test', 'fixtures', 'pymodbus_server.py');
  const mode = o.rtu
    ? ['--rtu', o.rtu.device, '--baud', String(o.rtu.baud ?? 19200), '--parity', o.rtu.parity ?? 'N']
    : ['--tcp', String(o.tcpPort ?? 0)];
  const child = spawn(SYSTEM_PYTHON, [script, '--spec', specFile, ...mode], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  let ready: ((line: string) => void) | null = null;
  lines.on('line', (line) => {
    if (ready) {
      const r = ready;
      ready = null;
      r(line);
    } else waiting.shift()?.(line);
  });

  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pymodbus did not start within 15 s: ${stderr}`)), 15_000);
    ready = (line) => {
      clearTimeout(timer);
      resolve(line);
    };
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pymodbus exited with ${code} before serving: ${stderr.trim()}`));
    });
  });
  const m = /^READY (tcp|rtu) (\S+)$/.exec(first);
  if (!m) {
    child.kill('SIGTERM');
    throw new Error(`unexpected first line from pymodbus: ${first}`);
  }

  const ask = <T>(command: object): Promise<T> =>
    new Promise((resolve, reject) => {
      waiting.push((line) => {
        const reply = JSON.parse(line) as T & { error?: string };
        if (reply.error) reject(new Error(`pymodbus: ${reply.error}`));
        else resolve(reply);
      });
      child.stdin!.write(`${JSON.stringify(command)}\n`);
    });

  return {
    port: m[1] === 'tcp' ? Number(m[2]) : 0,
    decode: async (unit, items) => (await ask<{ values: (number | string)[] }>({ cmd: 'decode', unit, items })).values,
    registers: async (unit, address, count) => (await ask<{ registers: number[] }>({ cmd: 'registers', unit, address, count })).registers,
    coils: async (unit, address, count) => (await ask<{ coils: boolean[] }>({ cmd: 'coils', unit, address, count })).coils,
    stop: async () => {
      stopChild(child);
      await exited;
      lines.close();
    },
  };
}

function stopChild(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}
