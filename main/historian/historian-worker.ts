/**
 * Entry of the historian's writer thread (see writer-host.ts). Opens its own connection to the
 * database file (WAL: the main thread keeps reading while this one writes) and runs the writer
 * on it. Status goes back after state changes and at most every 50 ms otherwise.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, type SqliteDatabase } from './database';
import { HistorianWriter, type WriterStatus } from './writer';
import type { FromWriter, ToWriter, WorkerInit } from './writer-host';
import { systemClock } from '../util/clock';

const port = parentPort;
if (!port) throw new Error('historian-worker.js runs as a worker thread only');
const init = workerData as WorkerInit;

let hostNow = init.now;
let hostNowAt = Date.now();
/** The host's clock, advanced by real time between messages (the host may run on fake time). */
const now = () => hostNow + (Date.now() - hostNowAt);

let lastPost = 0;
let lastState = 'ok';
const send = (m: FromWriter) => port.postMessage(m);
const onStatus = (s: WriterStatus) => {
  const t = Date.now();
  if (s.state !== lastState || t - lastPost >= 50) {
    lastPost = t;
    lastState = s.state;
    send({ type: 'status', status: s });
  }
};

let db: SqliteDatabase;
let writer: HistorianWriter;
try {
  db = openDatabase(init.file, init.nativeBinding ? { nativeBinding: init.nativeBinding } : {});
  writer = new HistorianWriter(db, systemClock, now, { ...init.config, ownConnection: true }, onStatus);
  send({ type: 'ready', status: writer.status() });
} catch (err) {
  send({ type: 'fatal', message: `cannot open ${init.file}: ${(err as Error).message}` });
  process.exit(1);
}

port.on('message', (m: ToWriter) => {
  switch (m.type) {
    case 'write':
      hostNow = m.now;
      hostNowAt = Date.now();
      writer.write(m.batch);
      break;
    case 'sync':
      hostNow = m.now;
      hostNowAt = Date.now();
      send({ type: 'done', id: m.id, status: writer.status() });
      break;
    case 'maintain':
      hostNow = m.now;
      hostNowAt = Date.now();
      writer.maintainFully();
      send({ type: 'done', id: m.id, status: writer.status() });
      break;
    case 'configure':
      writer.configure(m.retention);
      break;
    case 'close':
      writer.close();
      send({ type: 'done', id: m.id, status: writer.status() });
      db.close();
      port.close();
      break;
  }
});
