/**
 * One Modbus request at a time per link, and what a failed request means.
 *
 * modbus-serial rejects with several shapes (plain objects, Errors with an `errno`, Errors with a
 * `modbusCode`); they are classified here, once, into a ModbusRequestError whose `code` tells the
 * driver what to do:
 *
 *   device_exception  the device answered with a Modbus exception: the link is fine
 *   timeout           no (valid) answer in time: the link is not trustworthy
 *   protocol          an answer arrived but is garbled (CRC, length, unit or function mismatch,
 *                     wrong register count): it is discarded, never decoded
 *   connection_lost   the socket or serial port failed
 *   connect_failed    no link to send on (connecting failed, or backing off)
 */
import type { Clock } from '../../util/clock';
import { errorText } from '../connection-supervisor';
import { DriverError } from '../driver';

export class ModbusRequestError extends DriverError {
  constructor(
    code: DriverError['code'],
    message: string,
    /** the Modbus exception code, for code 'device_exception' */
    readonly exceptionCode: number | null = null,
  ) {
    super(code, message);
    this.name = 'ModbusRequestError';
  }
}

/** Thrown by our own checks of an answer modbus-serial accepted (e.g. the register count). */
export class GarbledResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GarbledResponseError';
  }
}

const EXCEPTION_NAMES: Record<number, string> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

/** modbus-serial's messages for answers it refused (index.js `_onReceive`). */
const GARBLED_MESSAGES = /^(CRC error|Data length error|Unexpected data error)/;

export function classifyModbusError(err: unknown, what: string, timeoutMs: number): ModbusRequestError {
  if (err instanceof ModbusRequestError) return err;
  const exception = (err as { modbusCode?: unknown } | null)?.modbusCode;
  if (typeof exception === 'number') {
    const name = EXCEPTION_NAMES[exception] ?? 'unknown exception';
    return new ModbusRequestError('device_exception', `Modbus exception ${exception} (${name}) ${what}`, exception);
  }
  const e = err as { errno?: unknown; message?: unknown } | null;
  if (e?.errno === 'ETIMEDOUT' || e?.message === 'Timed out') {
    return new ModbusRequestError('timeout', `no answer within ${timeoutMs} ms ${what}`);
  }
  // A RangeError here is modbus-serial reading past the end of a frame whose byte count lies.
  if (err instanceof GarbledResponseError || err instanceof RangeError || (typeof e?.message === 'string' && GARBLED_MESSAGES.test(e.message))) {
    return new ModbusRequestError('protocol', `garbled answer ${what}: ${errorText(err)}`);
  }
  return new ModbusRequestError('connection_lost', `${errorText(err)} ${what}`);
}

/**
 * Runs jobs one after another: one request in flight per TCP connection or serial line. An
 * optional gap is kept between the end of one job and the start of the next (the RTU
 * inter-frame silence), waited on the injected clock and only when the line was just busy.
 */
export class ModbusRequestQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private lastEnd = -Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly gapMs = 0,
  ) {}

  /** jobs queued or running */
  get depth(): number {
    return this.waiting;
  }

  run<T>(job: () => Promise<T>): Promise<T> {
    this.waiting++;
    const result = this.tail.then(async () => {
      await this.quiet();
      try {
        return await job();
      } finally {
        this.lastEnd = this.clock.now();
        this.waiting--;
      }
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  private quiet(): Promise<void> | undefined {
    const wait = this.lastEnd + this.gapMs - this.clock.now();
    if (!(wait > 0)) return undefined;
    return new Promise((resolve) => this.clock.setTimeout(resolve, wait));
  }
}
