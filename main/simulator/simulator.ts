/**
 * The built-in simulated packaging line: one LineModel served by a real Modbus TCP server and a
 * real OPC UA server on loopback, each behind a DropoutGate so a "cable cut" can be staged.
 *
 *   Modbus client ──► gate (public port) ──► modbus-serial ServerTCP (internal port) ─┐
 *   OPC UA client ──► gate (public port) ──► node-opcua OPCUAServer (internal port) ──┤
 *                                                                                     ▼
 *                                    LineModel ◄── tick (every tickMs, injected clock)
 */
import os from 'node:os';
import path from 'node:path';
import type { ScenarioName, SimulatorStatus } from '../../shared/api';
import { systemClock, type ClockTimer, type SimulatorClock } from './clock';
import { DropoutGate } from './dropout-gate';
import { LineModel } from './line-model';
import { startModbusServer, type ModbusSimulatorServer } from './modbus-server';
import { OPCUA_RESOURCE_PATH, startOpcuaServer, type OpcuaSimulatorServer } from './opcua-server';

export interface SimulatorOptions {
  /** default 127.0.0.1 */
  host?: string;
  /** public Modbus TCP port; 0 (default) picks a free one */
  modbusPort?: number;
  /** public OPC UA port; 0 (default) picks a free one */
  opcuaPort?: number;
  /** model step and OPC UA update interval; default 100 ms */
  tickMs?: number;
  seed?: number;
  /** node-opcua's PKI folder; default a folder under os.tmpdir(), never the user's home */
  pkiDir?: string;
  /** delay before every Modbus answer; default 0 */
  modbusResponseDelayMs?: number;
  /** starved-infeed idle periods every few minutes; default true */
  idlePeriods?: boolean;
  /** time for one unit of bearing wear (LineModel); tests shorten it */
  wearUnitMs?: number;
  /** random jams, blocked outfeed, breakdowns, changeovers (LineModel); default: as idlePeriods */
  production?: boolean;
  clock?: SimulatorClock;
  /** diagnostics; default: lines on stderr, so stdout stays for what a CLI prints */
  log?: (message: string) => void;
}

export interface SimulatedLine {
  readonly endpoints: { modbusTcp: { host: string; port: number }; opcua: string };
  setScenario(name: ScenarioName, on: boolean): void;
  /** both servers stop answering for `ms`, then recover */
  dropout(ms: number): void;
  status(): SimulatorStatus;
  /** the current truth, for tests */
  readonly model: LineModel;
  stop(): Promise<void>;
}

export const DEFAULT_TICK_MS = 100;

export function defaultPkiDir(): string {
  return path.join(os.tmpdir(), 'lineside-simulator-pki');
}

const stderrLog = (message: string): void => {
  process.stderr.write(`[simulator] ${message}\n`);
};

function checkPort(name: string, port: number): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`${name} must be an integer 0..65535 (0 = any free port), got ${port}`);
  }
  return port;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<SimulatedLine> {
  const host = opts.host ?? '127.0.0.1';
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? stderrLog;
  const tickMs = opts.tickMs ?? DEFAULT_TICK_MS;
  if (!(tickMs > 0)) throw new RangeError(`tickMs must be positive, got ${tickMs}`);
  const modbusPort = checkPort('modbusPort', opts.modbusPort ?? 0);
  const opcuaPort = checkPort('opcuaPort', opts.opcuaPort ?? 0);

  const model = new LineModel({ seed: opts.seed ?? Date.now(), startTimeMs: clock.now(), idlePeriods: opts.idlePeriods, wearUnitMs: opts.wearUnitMs, production: opts.production ?? opts.idlePeriods !== false });

  // Everything started so far, stopped in reverse if a later step fails.
  const cleanup: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const step of cleanup.splice(0).reverse()) {
      await step().catch((err: unknown) => log(`stop: ${err instanceof Error ? err.message : String(err)}`));
    }
  };

  try {
    const modbusGate = await DropoutGate.listen({ host, port: modbusPort, clock, label: 'Modbus TCP', log });
    cleanup.push(() => modbusGate.close());
    const opcuaGate = await DropoutGate.listen({ host, port: opcuaPort, clock, label: 'OPC UA', log });
    cleanup.push(() => opcuaGate.close());

    const modbus: ModbusSimulatorServer = await startModbusServer({
      host,
      port: 0,
      model,
      clock,
      responseDelayMs: opts.modbusResponseDelayMs ?? 0,
      log,
    });
    cleanup.push(() => modbus.close());
    modbusGate.forwardTo({ host, port: modbus.port });

    const opcuaUrl = `opc.tcp://${host}:${opcuaGate.port}${OPCUA_RESOURCE_PATH}`;
    const opcua: OpcuaSimulatorServer = await startOpcuaServer({
      host,
      port: 0,
      advertisedUrl: `opc.tcp://${host}:${opcuaGate.port}`,
      pkiDir: opts.pkiDir ?? defaultPkiDir(),
      minimumSamplingIntervalMs: tickMs,
      log,
    });
    cleanup.push(() => opcua.close());
    opcuaGate.forwardTo({ host, port: opcua.port });
    opcua.publish(model.snapshot());

    // The model advances by measured time, not by tickMs, so a late timer (busy event loop,
    // suspended laptop) costs smoothness but never makes simulated time run slow.
    let lastTick = clock.now();
    const ticker: ClockTimer = clock.setInterval(() => {
      const now = clock.now();
      model.step(now - lastTick);
      lastTick = now;
      opcua.publish(model.snapshot());
    }, tickMs);
    cleanup.push(async () => clock.clear(ticker));

    const endpoints = {
      modbusTcp: { host, port: modbusGate.port },
      opcua: opcuaUrl,
    };
    log(`Modbus TCP on ${host}:${modbusGate.port} (unit id 1), OPC UA on ${opcuaUrl}`);

    let stopped: Promise<void> | null = null;
    return {
      endpoints,
      model,
      setScenario(name, on) {
        model.setScenario(name, on);
        // Publish now: a scenario switched from the UI should show without waiting a tick.
        opcua.publish(model.snapshot());
      },
      dropout(ms) {
        if (!(ms > 0) || !Number.isFinite(ms)) throw new RangeError(`dropout needs a positive duration, got ${ms}`);
        modbusGate.dropout(ms);
        opcuaGate.dropout(ms);
      },
      status() {
        const until = [modbusGate.dropoutUntil, opcuaGate.dropoutUntil].filter((t): t is number => t !== null);
        return {
          scenarios: {
            bearingWear: model.scenario('bearingWear'),
            stuckSensor: model.scenario('stuckSensor'),
            jam: model.scenario('jam'),
          },
          dropoutUntil: until.length > 0 ? Math.max(...until) : null,
          endpoints: { modbusTcp: `${host}:${modbusGate.port}`, opcua: opcuaUrl },
        };
      },
      stop() {
        stopped ??= stopAll();
        return stopped;
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
