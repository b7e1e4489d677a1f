/**
 * node-opcua prints its warnings with console.log, i.e. on stdout, where our CLIs print what
 * other programs parse (the headless URL line). Its loggers are process-wide; the driver routes
 * them to our log (stderr) once, whether or not the simulator (which does the same) runs.
 */
import { format } from 'node:util';
import { setDebugLogger, setErrorLogger, setWarningLogger } from 'node-opcua';
import { createLogger } from '../../util/log';

let routed = false;

export function routeNodeOpcuaLogs(): void {
  if (routed) return;
  routed = true;
  const log = createLogger('node-opcua');
  setWarningLogger((_context?: unknown, ...args: unknown[]) => log.warn(format(...args)));
  setErrorLogger((_context?: unknown, ...args: unknown[]) => log.error(format(...args)));
  setDebugLogger((_context?: unknown, ...args: unknown[]) => log.debug(format(...args)));
}
