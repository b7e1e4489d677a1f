/** A small, strict command-line parser: unknown options are errors, not silently ignored. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseArgs<K extends string>(argv: readonly string[], spec: Record<K, 'string' | 'flag'>): Partial<Record<K, string | true>> {
  const out: Partial<Record<K, string | true>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = (eq > 0 ? arg.slice(2, eq) : arg.slice(2)) as K;
    if (!(name in spec)) throw new UsageError(`unknown option --${name}`);
    if (spec[name] === 'flag') {
      out[name] = true;
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
    out[name] = value;
  }
  return out;
}

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text);
  if (!m) throw new UsageError(`--listen "${text}" is not host:port (e.g. 127.0.0.1:8080; port 0 picks a free one)`);
  const port = Number(m[3]);
  if (port > 65535) throw new UsageError(`--listen port ${port} is beyond 65535`);
  return { host: m[1] ?? m[2], port };
}

export interface CliOptions {
  /** printed after a UsageError's message */
  usage?: string;
  /** errors that are an expected refusal (exit 1, the message alone, no stack) */
  isRefusal?: (err: unknown) => boolean;
}

/**
 * Runs a command's `main` on the process's arguments and exits with the code it returns. A
 * UsageError: `<name>: <message>` and the usage, exit 2; a refusal: `<name>: <message>`, exit 1;
 * anything else is a bug: its stack, exit 1.
 */
export function runCli(name: string, main: (argv: string[]) => Promise<number>, o: CliOptions = {}): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof UsageError) {
        process.stderr.write(`${name}: ${err.message}${o.usage === undefined ? '' : `\n${o.usage}`}\n`);
        process.exit(2);
      }
      const refusal = o.isRefusal?.(err) ?? false;
      process.stderr.write(`${name}: ${refusal ? (err as Error).message : ((err as Error).stack ?? String(err))}\n`);
      process.exit(1);
    },
  );
}
