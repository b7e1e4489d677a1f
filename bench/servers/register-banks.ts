/**
 * Child process for the acquisition benchmark: the load devices run here, so the benchmark's
 * own CPU and memory figures are the runtime's alone. Prints {"ports":[…]} once listening.
 * Env: DEVICES, REGISTERS, UPDATE_MS, DELAY_MS.
 */
import { startRegisterBanks } from '../../main/simulator/register-bank';

async function main(): Promise<void> {
  const banks = await startRegisterBanks({
    devices: Number(process.env.DEVICES ?? 10),
    registers: Number(process.env.REGISTERS ?? 702),
    updateMs: Number(process.env.UPDATE_MS ?? 100),
    responseDelayMs: Number(process.env.DELAY_MS ?? 3),
  });
  process.stdout.write(`${JSON.stringify({ ports: banks.ports })}\n`);
  const stop = () => void banks.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
