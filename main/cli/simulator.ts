/**
 * Standalone simulated packaging line:
 *
 *   npm run simulator -- --modbus-port 5020 --opcua-port 4840
 *
 * stdout carries only what a script may parse: the endpoints once started, then the answers to
 * commands. Diagnostics go to stderr. Commands are read from stdin when it is a terminal or a
 * pipe; when stdin ends the simulator keeps running until SIGINT/SIGTERM or `quit`.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { commandHelp, parseSimulatorCommand } from '../simulator/console-commands';
import { startSimulator, type SimulatedLine, type SimulatorOptions } from '../simulator/simulator';

const usage = `usage: simulator [options]
  --host <ip>                     listen address (default 127.0.0.1)
  --modbus-port <n>               Modbus TCP port (default 5020; 0 = any free port)
  --opcua-port <n>                OPC UA port (default 4840; 0 = any free port)
  --tick-ms <n>                   model step (default 100)
  --seed <n>                      random seed (default: time of start)
  --pki-dir <dir>                 OPC UA certificate store (default: a folder in the temp dir)
  --modbus-response-delay-ms <n>  delay every Modbus answer (default 0)
  --no-idle                       no starved-infeed idle periods and no production events
  -h, --help

commands on stdin:
${commandHelp}
`;

function fail(message: string): never {
  process.stderr.write(`simulator: ${message}\n`);
  process.exit(2);
}

function integer(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be an integer ${min}..${max}, got "${text}"`);
  return n;
}

function parseOptions(argv: string[]): SimulatorOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        host: { type: 'string' },
        'modbus-port': { type: 'string' },
        'opcua-port': { type: 'string' },
        'tick-ms': { type: 'string' },
        seed: { type: 'string' },
        'pki-dir': { type: 'string' },
        'modbus-response-delay-ms': { type: 'string' },
        'no-idle': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    fail(`${err instanceof Error ? err.message : String(err)}\n${usage}`);
  }
  if (values.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  return {
    host: values.host,
    modbusPort: integer('modbus-port', values['modbus-port'], 0, 65535) ?? 5020,
    opcuaPort: integer('opcua-port', values['opcua-port'], 0, 65535) ?? 4840,
    tickMs: integer('tick-ms', values['tick-ms'], 10, 10_000),
    seed: integer('seed', values.seed, 0, Number.MAX_SAFE_INTEGER),
    pkiDir: values['pki-dir'],
    modbusResponseDelayMs: integer('modbus-response-delay-ms', values['modbus-response-delay-ms'], 0, 60_000),
    idlePeriods: values['no-idle'] ? false : undefined,
  };
}

/** A terminal or a pipe: something a person or a script types commands into. */
function stdinTakesCommands(): boolean {
  if (process.stdin.isTTY) return true;
  try {
    const stat = fs.fstatSync(0);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}

function listenForCommands(line: SimulatedLine, stop: () => void): readline.Interface | null {
  if (!stdinTakesCommands()) return null;
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  if (process.stdin.isTTY) process.stderr.write(`commands: wear|stuck|jam on|off, dropout <s>, status, help, quit\n`);
  rl.on('line', (text) => {
    const command = parseSimulatorCommand(text);
    switch (command.kind) {
      case 'empty':
        return;
      case 'invalid':
        process.stderr.write(`${command.message}\n`);
        return;
      case 'scenario':
        line.setScenario(command.scenario, command.on);
        process.stdout.write(`ok ${command.scenario} ${command.on ? 'on' : 'off'}\n`);
        return;
      case 'dropout':
        line.dropout(command.seconds * 1000);
        process.stdout.write(`ok dropout until ${new Date(line.status().dropoutUntil ?? Date.now()).toISOString()}\n`);
        return;
      case 'status':
        process.stdout.write(`${JSON.stringify(line.status())}\n`);
        return;
      case 'help':
        process.stdout.write(`${commandHelp}\n`);
        return;
      case 'quit':
        stop();
        return;
    }
  });
  return rl;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));

  // Handlers first: until a listener exists, SIGINT kills the process outright, and a script
  // that signals as soon as it has read the endpoints would leave the servers unclosed.
  let line: SimulatedLine | null = null;
  let stopping = false;
  let commands: readline.Interface | null = null;
  const stop = (): void => {
    if (stopping) {
      // A second Ctrl-C means "now": do not wait for sockets to drain.
      process.exit(130);
    }
    stopping = true;
    commands?.close();
    if (line === null) return; // still starting: main() stops it once it is up
    line.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`simulator: stop failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  let started: SimulatedLine;
  try {
    started = await startSimulator(options);
  } catch (err) {
    process.stderr.write(`simulator: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  line = started;
  if (stopping) {
    stopping = false;
    stop();
    return;
  }
  process.stdout.write(`modbusTcp ${started.endpoints.modbusTcp.host}:${started.endpoints.modbusTcp.port}\n`);
  process.stdout.write(`opcua ${started.endpoints.opcua}\n`);
  commands = listenForCommands(started, stop);
}

void main();
