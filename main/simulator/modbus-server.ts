/**
 * Serves the line model over Modbus TCP with modbus-serial's ServerTCP. Values are taken from
 * the model at request time (not from a copy refreshed per tick), so a write to HR0 reads back
 * at once, as on a PLC.
 */
import net from 'node:net';
import { ServerTCP, type IServiceVector } from 'modbus-serial';
import type { ClockTimer, SimulatorClock } from './clock';
import type { LineModel } from './line-model';
import {
  ModbusException,
  ModbusExceptionCode,
  SIMULATOR_UNIT_ID,
  readCoils,
  readDiscreteInputs,
  readHoldingRegisters,
  readInputRegisters,
  writeCoils,
  writeHoldingRegisters,
} from './modbus-map';

export interface ModbusSimulatorServerOptions {
  host: string;
  /** 0 picks a free port */
  port: number;
  model: LineModel;
  clock: SimulatorClock;
  /** added before every answer (exceptions included), for benchmarks of slow devices */
  responseDelayMs: number;
  log: (message: string) => void;
}

export interface ModbusSimulatorServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

type Done<T> = (err: Error | null, value: T) => void;

/** Runs a request's work now, or after the configured response delay. */
type Defer = (run: () => void) => void;

/**
 * Hands `compute`'s result, or its ModbusException, to modbus-serial's callback. Anything else
 * thrown would reach the client as "server device failure" with no trace here, so it is
 * logged first.
 */
function answer<T>(defer: Defer, fallback: T, compute: () => T, done: Done<T>, log: (m: string) => void): void {
  defer(() => {
    let value: T;
    try {
      value = compute();
    } catch (err) {
      if (err instanceof ModbusException) {
        // modbus-serial's FC4 callback path indexes the value array even on error, so pass one.
        done(err, fallback);
        return;
      }
      log(`modbus request failed: ${err instanceof Error ? err.message : String(err)}`);
      done(new ModbusException(ModbusExceptionCode.ServerDeviceFailure, 'internal error'), fallback);
      return;
    }
    done(null, value);
  });
}

function makeVector(o: ModbusSimulatorServerOptions, delay: Defer): IServiceVector {
  const { model, log } = o;
  // The callback forms (one parameter more) are used throughout: modbus-serial picks the
  // form by function arity, and only the callback form lets an answer be delayed.
  return {
    getCoil: (addr: number, _unit: number, cb: Done<boolean>) =>
      answer(delay, false, () => readCoils(model.snapshot(), addr, 1)[0], cb, log),
    getDiscreteInput: (addr: number, _unit: number, cb: Done<boolean>) =>
      answer(delay, false, () => readDiscreteInputs(model.snapshot(), addr, 1)[0], cb, log),
    getHoldingRegister: (addr: number, _unit: number, cb: Done<number>) =>
      answer(delay, 0, () => readHoldingRegisters(model.snapshot(), addr, 1)[0], cb, log),
    getMultipleHoldingRegisters: (addr: number, length: number, _unit: number, cb: Done<number[]>) =>
      answer(delay, [], () => readHoldingRegisters(model.snapshot(), addr, length), cb, log),
    getInputRegister: (addr: number, _unit: number, cb: Done<number>) =>
      answer(delay, 0, () => readInputRegisters(model.snapshot(), addr, 1)[0], cb, log),
    getMultipleInputRegisters: (addr: number, length: number, _unit: number, cb: Done<number[]>) =>
      answer(delay, [], () => readInputRegisters(model.snapshot(), addr, length), cb, log),
    setCoil: (addr: number, value: boolean, _unit: number, cb: (err: Error | null) => void) =>
      answer(delay, undefined, () => writeCoils(model, addr, [value]), cb, log),
    setRegister: (addr: number, value: number, _unit: number, cb: (err: Error | null) => void) =>
      answer(delay, undefined, () => writeHoldingRegisters(model, addr, [value]), cb, log),
    setRegisterArray: (addr: number, values: number[], _unit: number, cb: (err: Error | null) => void) =>
      answer(delay, undefined, () => writeHoldingRegisters(model, addr, values), cb, log),
  };
}

/**
 * ServerTCP treats port 0 as "use 502", so a free port is found first. Another process can
 * take it between our probe and ServerTCP's listen; a few retries make that harmless.
 */
export async function probeFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ host, port: 0 }, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export function listenModbusTcp(vector: IServiceVector, host: string, port: number): Promise<ServerTCP> {
  return new Promise((resolve, reject) => {
    const server = new ServerTCP(vector, { host, port, unitID: SIMULATOR_UNIT_ID });
    const onError = (err: Error | null): void => {
      server.removeListener('initialized', onInitialized);
      server.close(() => reject(err ?? new Error('modbus server failed to listen')));
    };
    const onInitialized = (): void => {
      server.removeListener('serverError', onError);
      resolve(server);
    };
    server.once('serverError', onError);
    server.once('initialized', onInitialized);
  });
}

export async function startModbusServer(o: ModbusSimulatorServerOptions): Promise<ModbusSimulatorServer> {
  const pending = new Set<ClockTimer>();
  const defer: Defer =
    o.responseDelayMs > 0
      ? (run) => {
          const timer = o.clock.setTimeout(() => {
            pending.delete(timer);
            run();
          }, o.responseDelayMs);
          pending.add(timer);
        }
      : (run) => run();
  const vector = makeVector(o, defer);
  let server: ServerTCP | null = null;
  let port = o.port;
  for (let attempt = 0; server === null; attempt++) {
    port = o.port === 0 ? await probeFreePort(o.host) : o.port;
    try {
      server = await listenModbusTcp(vector, o.host, port);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (o.port !== 0 || code !== 'EADDRINUSE' || attempt >= 4) throw err;
    }
  }
  const running = server;
  // Without listeners, EventEmitter would throw these and take the process down; a client
  // resetting its connection is routine for a server.
  running.on('error', (err: Error | null) => o.log(`modbus server error: ${err?.message ?? 'unknown'}`));
  running.on('socketError', () => undefined);
  running.on('serverError', (err: Error | null) => o.log(`modbus server error: ${err?.message ?? 'unknown'}`));

  return {
    host: o.host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of pending) o.clock.clear(timer);
        pending.clear();
        running.close(() => resolve());
      }),
  };
}
