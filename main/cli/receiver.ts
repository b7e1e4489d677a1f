/**
 * npm run receiver -- --db <file> [--mqtt <url> …] [--http <host:port> …]
 *
 * The reference receiver for Lineside's store-and-forward (docs/sync.md): subscribes to an MQTT
 * broker and/or listens for HTTP batches, stores every record in SQLite under its key (node,
 * stream, seq) — a duplicate is dropped by the key — and acknowledges the highest contiguous
 * sequence it committed. Prints one line on stdout when ready:
 *   `receiver ready db=<file> [mqtt=<url>] [http=<url>]`
 * then runs until SIGINT/SIGTERM. `--status` prints what the database holds (JSON) and exits.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startHttpReceiver, type HttpReceiver } from '../receiver/http-receiver';
import { startMqttReceiver, type MqttReceiver } from '../receiver/mqtt-receiver';
import { ReceiverStore, validateRecord } from '../receiver/receiver-store';
import { createLogger } from '../util/log';
import { parseArgs, parseListen, runCli, UsageError } from './args';

const log = createLogger('receiver');

const USAGE = `usage: npm run receiver -- --db <file> [--mqtt <url>] [--http <host:port>] [options]
  --db            SQLite file the records go into (created if missing)
  --mqtt          broker URL (mqtt://host:1883, mqtts://host:8883): subscribe to every node's data
  --topic-prefix  topic prefix the senders use (default lineside)
  --client-id     MQTT client id (default lineside-receiver; must be stable: persistent session)
  --username      MQTT user; the password from --password or LINESIDE_RECEIVER_MQTT_PASSWORD
  --ca, --cert, --key   PEM files for mqtts:// (CA; client certificate and key)
  --http          listen for HTTP batches (POST /v1/ingest); port 0 picks a free one.
                  Anything but loopback requires --token (or LINESIDE_RECEIVER_TOKEN).
  --token         bearer token HTTP senders must present
  --reject-tag    refuse samples of these tags (comma-separated) as "unknown tag": for commissioning
                  and tests of the quarantine
  --status        print what the database holds (per node and stream) and exit`;

export interface ReceiverCliOptions {
  db: string;
  mqtt?: string;
  topicPrefix: string;
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
}

export function parseReceiverArgs(argv: readonly string[]): ReceiverCliOptions {
  const a = parseArgs(argv, {
    db: 'string',
    mqtt: 'string',
    'topic-prefix': 'string',
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
  if (!db) throw new UsageError('--db is required');
  const status = a.status === true;
  if (!status && !str('mqtt') && !str('http')) throw new UsageError('give --mqtt and/or --http');
  if (str('mqtt') && !/^mqtts?:\/\//.test(str('mqtt')!)) throw new UsageError('--mqtt must be an mqtt:// or mqtts:// URL');
  return {
    db: resolve(db),
    mqtt: str('mqtt'),
    topicPrefix: str('topic-prefix') ?? 'lineside',
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
  const store = new ReceiverStore(o.db, (stream, rec) => {
    if (stream === 'sample' && typeof rec.tag === 'string' && o.rejectTags.has(rec.tag)) return `unknown tag "${rec.tag}"`;
    return validateRecord(stream, rec);
  });
  if (o.status) {
    process.stdout.write(`${JSON.stringify(store.positions(), null, 2)}\n`);
    store.close();
    return 0;
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
        },
        log,
      );
      await mqttSide.ready;
    }
    if (o.http) httpSide = await startHttpReceiver(store, { ...o.http, token: o.token }, log);
  } catch (err) {
    process.stderr.write(`receiver: ${(err as Error).message}\n`);
    await mqttSide?.close();
    store.close();
    return 1;
  }
  process.stdout.write(`receiver ready db=${o.db}${o.mqtt ? ` mqtt=${o.mqtt}` : ''}${httpSide ? ` http=${httpSide.url}` : ''}\n`);
  const report = setInterval(() => {
    for (const p of store.positions()) {
      if (p.missing > 0) log.info(`${p.node}/${p.stream}: ${p.missing} missing between #${p.contiguous + 1} and #${p.maxSeen} (waiting for them)`);
    }
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
        store.close();
        done(0);
      })();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

if (require.main === module) {
  runCli('receiver', main);
}
