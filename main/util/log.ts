/**
 * Diagnostics go to stderr, one line each, so that stdout stays for what scripts read
 * (the headless shell prints its URL there).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
let threshold: LogLevel = (process.env.LINESIDE_LOG as LogLevel | undefined) ?? 'info';

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export function createLogger(scope: string): Logger {
  const write = (level: LogLevel, msg: string) => {
    if (order[level] < order[threshold]) return;
    process.stderr.write(`${new Date().toISOString()} ${level.padEnd(5)} [${scope}] ${msg}\n`);
  };
  return {
    debug: (m) => write('debug', m),
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
  };
}
