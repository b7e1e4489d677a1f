/**
 * Load devices for benchmarks: Modbus TCP servers each holding a bank of holding registers that
 * all change every `updateMs` (so every scan reads new values), answering after a configurable
 * delay like a real PLC's scan-bound response. Registers 0..3 of every bank hold the time of the
 * last update as a float64 (ABCD), so a client can measure change-to-value latency.
 */
import type { ServerTCP } from 'modbus-serial';
import { listenModbusTcp, probeFreePort } from './modbus-server';

export interface RegisterBankOptions {
  devices: number;
  registers: number;
  updateMs: number;
  responseDelayMs: number;
  host?: string;
}

export interface RegisterBanks {
  ports: number[];
  /** updates done so far (each changes every register of every bank) */
  updates(): number;
  stop(): Promise<void>;
}

export const TIMESTAMP_REGISTERS = 4;

export async function startRegisterBanks(o: RegisterBankOptions): Promise<RegisterBanks> {
  const host = o.host ?? '127.0.0.1';
  const banks = Array.from({ length: o.devices }, () => new Uint16Array(o.registers));
  const servers: ServerTCP[] = [];
  const ports: number[] = [];
  let updates = 0;
  const stamp = Buffer.alloc(8);
  const update = () => {
    updates++;
    stamp.writeDoubleBE(Date.now());
    for (const bank of banks) {
      for (let i = TIMESTAMP_REGISTERS; i < bank.length; i++) bank[i] = (bank[i] + 1 + (i & 7)) & 0xffff;
      for (let w = 0; w < 4; w++) bank[w] = stamp.readUInt16BE(w * 2);
    }
  };
  update();
  const timer = setInterval(update, o.updateMs);
  for (const bank of banks) {
    const vector = {
      getMultipleHoldingRegisters: (addr: number, length: number, _unit: number, cb: (err: Error | null, v: number[]) => void) => {
        setTimeout(() => {
          if (addr + length > bank.length) {
            cb(Object.assign(new Error('illegal data address'), { modbusErrorCode: 2 }), []);
            return;
          }
          cb(null, Array.from(bank.subarray(addr, addr + length)));
        }, o.responseDelayMs);
      },
      getHoldingRegister: (addr: number) => bank[addr] ?? 0,
    };
    for (let attempt = 0; ; attempt++) {
      try {
        const port = await probeFreePort(host);
        servers.push(await listenModbusTcp(vector, host, port));
        ports.push(port);
        break;
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
  }
  return {
    ports,
    updates: () => updates,
    async stop() {
      clearInterval(timer);
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
