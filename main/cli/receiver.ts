/**
 * npm run receiver -- (--db <file> | --pg <url>) [--mqtt <url> …] [--http <host:port> …]
 *
 * The receiver for Lineside's store-and-forward (docs/sync.md, docs/plant-scale.md): subscribes
 * to an MQTT broker and/or listens for HTTP batches, stores every record under its key (node,
 * stream, seq) — a duplicate is dropped by the key — in SQLite (one line, no server) or
 * PostgreSQL (a site), and acknowledges the highest contiguous sequence it committed. Prints one
 * line on stdout when ready:
 *   `receiver ready db=<file or redacted url> [mqtt=<url>] [http=<url>]`
 * then runs until SIGINT/SIGTERM. `--status` prints what the database holds (JSON) and exits;
 * `--gaps` the ranges of numbers missing per node and stream (exit 1 when there are any).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startHttpReceiver, type HttpReceiver } from '../receiver/http-receiver';
import { startMqttReceiver, type MqttReceiver } from '../receiver/mqtt-receiver';
import type { BatchStore, RecordValidator, StreamGap, StreamPosition } from '../receiver/batch-store';
import { PgReceiverStore, redact } from '../receiver/pg-store';
import { ReceiverStore, validateRecord } from '../receiver/receiver-store';
import { createLogger } from '../util/log';
import type { ReceiverScope } from '../sync/wire';
import { parseArgs, parseListen, runCli, UsageError } from './args';

const log = createLogger('receiver');

const USAGE = `usage: npm run receiver -- (--db <file> | --pg <url>) [--mqtt <url>] [--http <host:port>] [options]
  --db            SQLite file the records go into (created if missing): one line, no server
  --pg            PostgreSQL connection string (postgres://user:password@host:5432/db, or
                  LINESIDE_RECEIVER_PG): a site; the schema is made and migrated on start
  --pg-pool       connections to PostgreSQL (default 8)
  --concurrency   batches committed at the same time from MQTT (default: 1 with --db, the pool
                  size with --pg)
  --retention-days  with --pg: drop sample partitions (days) older than this
  --mqtt          broker URL (mqtt://host:1883, mqtts://host:8883): subscribe to every node's data
  --topic-prefix  topic prefix the senders use (default lineside)
  --lines         only these lines: <site>/<line>[,<site>/<line>…] as topic levels (a / + or # in
                  a name is _ there; + for any), e.g. north/+ — receivers side by side, disjoint
  --share         MQTT shared-subscription group: receivers of one group split the deliveries
  --client-id     MQTT client id (default lineside-receiver; must be stable: persistent session)
  --username      MQTT user; the password from --password or LINESIDE_RECEIVER_MQTT_PASSWORD
  --ca, --cert, --key   PEM files for mqtts:// (CA; client certificate and key)
  --http          listen for HTTP batches (POST /v1/ingest); port 0 picks a free one.
                  Anything but loopback requires --token (or LINESIDE_RECEIVER_TOKEN).
  --token         bearer token HTTP senders must present
  --reject-tag    refuse samples of these tags (comma-separated) as "unknown tag": for commissioning
                  and tests of the quarantine
  --status        print what the database holds (per node and stream) and exit
  --gaps          print the missing ranges per node and stream and exit (1 when any)`;

export interface ReceiverCliOptions {
  db?: string;
  pg?: string;
  pgPool: number;
  concurrency?: number;
  retentionDays: number | null;
  mqtt?: string;
  topicPrefix: string;
  scope: ReceiverScope;
  clientId: string;
  username?: string;
  password?: string;
  ca?: string;
  cert?: string;
  key?: string;
  http?: { host: string; port: number };
  token: string | null;
  rejectTags: Set<string>;
  status: boolean;
  gaps: boolean;
}

export function parseReceiverArgs(argv: readonly string[]): ReceiverCliOptions {
  const a = parseArgs(argv, {
    db: 'string',
    pg: 'string',
    'pg-pool': 'string',
    concurrency: 'string',
    'retention-days': 'string',
    gaps: 'flag',
    mqtt: 'string',
    'topic-prefix': 'string',
    lines: 'string',
    share: 'string',
    'client-id': 'string',
    username: 'string',
    password: 'string',
    ca: 'string',
    cert: 'string',
    key: 'string',
    http: 'string',
    token: 'string',
    'reject-tag': 'string',
    status: 'flag',
    help: 'flag',
  });
  if (a.help) throw new UsageError('usage');
  const str = (k: keyof typeof a) => (typeof a[k] === 'string' ? (a[k] as string) : undefined);
  const db = str('db');
  const pgUrl = str('pg') ?? (db ? undefined : process.env.LINESIDE_RECEIVER_PG);
  if (!db && !pgUrl) throw new UsageError('give --db <file> (SQLite) or --pg <url> (PostgreSQL)');
  if (db && pgUrl) throw new UsageError('give --db or --pg, not both');
  if (pgUrl && !/^postgres(ql)?:\/\//.test(pgUrl)) throw new UsageError('--pg must be a postgres:// URL');
  const status = a.status === true;
  const gaps = a.gaps === true;
  if (!status && !gaps && !str('mqtt') && !str('http')) throw new UsageError('give --mqtt and/or --http');
  const count = (k: 'pg-pool' | 'concurrency' | 'retention-days', min: number): number | undefined => {
    const v = str(k);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${k} must be an integer ≥ ${min} (got "${v}")`);
    return n;
  };
  if (str('mqtt') && !/^mqtts?:\/\//.test(str('mqtt')!)) throw new UsageError('--mqtt must be an mqtt:// or mqtts:// URL');
  return {
    db: db ? resolve(db) : undefined,
    pg: pgUrl,
    pgPool: count('pg-pool', 1) ?? 8,
    concurrency: count('concurrency', 1),
    retentionDays: count('retention-days', 1) ?? null,
    gaps,
    mqtt: str('mqtt'),
    topicPrefix: str('topic-prefix') ?? 'lineside',
    scope: parseScope(str('lines'), str('share')),
    clientId: str('client-id') ?? 'lineside-receiver',
    username: str('username'),
    password: str('password') ?? process.env.LINESIDE_RECEIVER_MQTT_PASSWORD,
    ca: str('ca'),
    cert: str('cert'),
    key: str('key'),
    http: str('http') ? parseListen(str('http')!) : undefined,
    token: str('token') ?? process.env.LINESIDE_RECEIVER_TOKEN ?? null,
    rejectTags: new Set((str('reject-tag') ?? '').split(',').map((t) => t.trim()).filter(Boolean)),
    status,
  };
}

/** `--lines north/L1,south/+` and `--share <group>` as a receiver's scope. */
export function parseScope(lines: string | undefined, share: string | undefined): ReceiverScope {
  const scope: { lines?: { site: string; line: string }[]; share?: string } = {};
  if (lines !== undefined) {
    scope.lines = lines.split(',').map((item) => {
      const levels = item.trim().split('/');
      if (levels.length !== 2 || levels.some((l) => l === '' || l.includes('#') || (l.includes('+') && l !== '+'))) {
        throw new UsageError(`--lines: "${item.trim()}" is not <site>/<line> (two topic levels, + for any, no #)`);
      }
      return { site: levels[0], line: levels[1] };
    });
  }
  if (share !== undefined) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(share)) throw new UsageError(`--share: "${share}" must be 1–64 letters, digits, _ or -`);
    scope.share = share;
  }
  return scope;
}

export async function main(argv: readonly string[]): Promise<number> {
  let o: ReceiverCliOptions;
  try {
    o = parseReceiverArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(err.message === 'usage' ? `${USAGE}\n` : `receiver: ${err.message}\n${USAGE}\n`);
      return err.message === 'usage' ? 0 : 2;
    }
    throw err;
  }
  const validate: RecordValidator = (stream, rec) => {
    if (stream === 'sample' && typeof rec.tag === 'string' && o.rejectTags.has(rec.tag)) return `unknown tag "${rec.tag}"`;
    return validateRecord(stream, rec);
  };
  let store: Backend;
  try {
    store = await openBackend(o, validate);
  } catch (err) {
    process.stderr.write(`receiver: ${(err as Error).message}\n`);
    return 1;
  }
  if (o.status || o.gaps) {
    try {
      if (o.status) process.stdout.write(`${JSON.stringify(await store.positions(), null, 2)}\n`);
      if (!o.gaps) return 0;
      const gaps = await store.gaps();
      process.stdout.write(`${JSON.stringify(gaps, null, 2)}\n`);
      return gaps.length > 0 ? 1 : 0;
    } finally {
      await store.close();
    }
  }
  let mqttSide: MqttReceiver | null = null;
  let httpSide: HttpReceiver | null = null;
  try {
    if (o.mqtt) {
      mqttSide = startMqttReceiver(
        store,
        {
          url: o.mqtt,
          clientId: o.clientId,
          username: o.username,
          password: o.password,
          ca: o.ca ? readFileSync(o.ca) : undefined,
          cert: o.cert ? readFileSync(o.cert) : undefined,
          key: o.key ? readFileSync(o.key) : undefined,
          topicPrefix: o.topicPrefix,
          scope: o.scope,
          concurrency: o.concurrency ?? (o.pg ? o.pgPool : 1),
        },
        log,
      );
      await mqttSide.ready;
    }
    if (o.http) httpSide = await startHttpReceiver(store, { ...o.http, token: o.token }, log);
  } catch (err) {
    process.stderr.write(`receiver: ${(err as Error).message}\n`);
    await mqttSide?.close();
    await store.close();
    return 1;
  }
  process.stdout.write(`receiver ready db=${o.db ?? redact(o.pg!)}${o.mqtt ? ` mqtt=${o.mqtt}` : ''}${httpSide ? ` http=${httpSide.url}` : ''}\n`);
  const report = setInterval(() => {
    void (async () => {
      for (const p of await store.positions()) {
        if (p.missing > 0) log.info(`${p.node}/${p.stream}: ${p.missing} missing between #${p.contiguous + 1} and #${p.maxSeen} (waiting for them)`);
      }
    })().catch((err: Error) => log.warn(`cannot read the positions: ${err.message}`));
  }, 60_000);
  report.unref();
  return new Promise<number>((done) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      clearInterval(report);
      void (async () => {
        await httpSide?.close();
        await mqttSide?.close();
        await store.close();
        done(0);
      })();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** The store behind the receiver, SQLite or PostgreSQL, as the CLI uses it. */
interface Backend extends BatchStore {
  positions(): Promise<StreamPosition[]>;
  gaps(): Promise<StreamGap[]>;
  close(): Promise<void>;
}

async function openBackend(o: ReceiverCliOptions, validate: RecordValidator): Promise<Backend> {
  if (o.pg) {
    const pgStore = await PgReceiverStore.open({ url: o.pg, poolSize: o.pgPool, validate, retentionDays: o.retentionDays, log });
    return {
      process: (b) => pgStore.process(b),
      positions: () => pgStore.positions(),
      gaps: () => pgStore.gaps(),
      close: () => pgStore.close(),
    };
  }
  const sqlite = new ReceiverStore(o.db!, validate);
  return {
    process: (b) => sqlite.process(b),
    positions: async () => sqlite.positions(),
    gaps: async () => sqlite.gaps(),
    close: async () => sqlite.close(),
  };
}

if (require.main === module) {
  runCli('receiver', main);
}
