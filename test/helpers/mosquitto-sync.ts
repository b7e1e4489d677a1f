/**
 * Fixtures of the store-and-forward tests (with mosquitto.ts, the broker): a demo project with
 * a `sync:` section, the reference receiver's CLI as a child process, and the end-of-test check
 * that the receiver holds exactly the records the PC produced — per stream, every sequence
 * number once, with the same contents as the PC's own tables.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { stringify } from 'yaml';
import { bindToSimulator } from '../../main/app/runtime';
import { loadProjectFile } from '../../main/config/project-loader';
import { qualityText, TableSource } from '../../main/sync/sources';
import type { SimulatedLine } from '../../main/simulator/simulator';
import { decodeOutboxBatch } from '../../main/historian/sample-outbox';
import { openDatabase } from '../../main/historian/database';
import { Historian } from '../../main/historian/historian';
import { FakeClock } from '../../main/util/clock';
import { createSync } from '../../main/app/sync-wiring';
import { systemClock } from '../../main/util/clock';
import { createLogger } from '../../main/util/log';
import { repoRoot, waitFor } from './temp';

/** Writes the demo project pointed at a running simulator, with a `sync:` section. */
export function writeSyncProject(sim: Pick<SimulatedLine, 'endpoints'>, dir: string, sync: Record<string, unknown>): string {
  const project = bindToSimulator(loadProjectFile(join(repoRoot(), 'projects', 'demo-line.yaml')), sim);
  const file = join(dir, 'project.yaml');
  writeFileSync(file, stringify({ ...project, sync }));
  return file;
}

export interface ReceiverProcess {
  child: ChildProcess;
  /** the `receiver ready …` line */
  ready: string;
  httpUrl: string | null;
  stderr(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Runs the reference receiver's CLI (`npm run receiver -- …`) until it says it is ready. */
export function startReceiverCli(args: string[], timeoutMs = 20_000, env: Record<string, string> = {}): Promise<ReceiverProcess> {
  const child = spawn(process.execPath, [join(repoRoot(), 'dist', 'main', 'cli', 'receiver.js'), ...args], {
    cwd: repoRoot(),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LINESIDE_LOG: 'warn', ...env },
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the receiver did not get ready within ${timeoutMs} ms\n${err}`));
    }, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('receiver ready'));
      if (!line) return;
      clearTimeout(timer);
      resolve({
        child,
        ready: line,
        httpUrl: /http=(\S+)/.exec(line)?.[1] ?? null,
        stderr: () => err,
        async stop(signal = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        },
      });
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the receiver exited before it was ready (code ${child.exitCode})\n${err}`));
    });
  });
}

/** Runs the receiver's CLI to its end (error cases). */
export function runReceiverCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(repoRoot(), 'dist', 'main', 'cli', 'receiver.js'), ...args], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * After the app stopped: sends what it left unsent (records written during shutdown, the last
 * batches before a kill) with the project's own sync settings and nothing producing, so that
 * the receiver can be compared with the PC's tables.
 */
export async function drainLeftovers(projectFile: string, dataDir: string, timeoutMs = 60_000): Promise<void> {
  const project = loadProjectFile(projectFile);
  const db = openDatabase(join(dataDir, 'lineside.db'));
  const historian = new Historian(db, systemClock, { writer: 'inline', sampleOutbox: true });
  const sync = createSync({ project, db, historian, clock: systemClock, log: createLogger('drain') });
  try {
    sync.start();
    await waitFor('the leftovers to be acknowledged', () => sync.status().sinks.every((s) => s.backlog === 0 && s.inFlight === 0), timeoutMs, 200);
    sync.maintain();
  } finally {
    await sync.close();
    await historian.close();
    db.close();
  }
}

export interface StreamCount {
  produced: number;
  stored: number;
  duplicatesDropped: number;
}

type Row = Record<string, unknown>;

/** A record as a receiver holds it: its number and its contents as sent. */
export interface ReceivedRecord {
  seq: number;
  rec: Row;
}

/**
 * What a receiver holds, whatever its database: the records of a node's stream in sequence
 * order, and that stream's counters. The SQLite receiver's file is read directly
 * (sqliteReceived); PostgreSQL's tables are loaded first (receiver-pg-view.ts).
 */
export interface ReceivedView {
  records(node: string, stream: string): ReceivedRecord[];
  position(node: string, stream: string): { duplicates: number; refused: number } | undefined;
  close?(): void;
}

/** The SQLite receiver's file as a ReceivedView. */
export function sqliteReceived(receiverDbFile: string): ReceivedView {
  const rx = new Database(receiverDbFile, { readonly: true, fileMustExist: true });
  return {
    records: (node, stream) =>
      (rx.prepare('SELECT seq, payload FROM record WHERE node = ? AND stream = ? ORDER BY seq').all(node, stream) as { seq: number; payload: string }[]).map((r) => ({
        seq: r.seq,
        rec: JSON.parse(r.payload) as Row,
      })),
    position: (node, stream) => {
      const p = rx.prepare('SELECT duplicates, refused FROM position WHERE node = ? AND stream = ?').get(node, stream) as { duplicates: number; refused: number } | undefined;
      return p && { duplicates: Number(p.duplicates), refused: Number(p.refused) };
    },
    close: () => rx.close(),
  };
}

/** The PC's tables behind each record stream (sync-wiring.ts, sync-service.ts). */
const tableStreams = [
  { stream: 'alarm', table: 'alarm_journal', jsonColumns: ['value'] },
  { stream: 'audit', table: 'audit', jsonColumns: ['old_value', 'new_value'] },
  { stream: 'instruction', table: 'instruction_record', jsonColumns: ['payload'] },
  { stream: 'maintenance', table: 'maintenance_record', jsonColumns: ['payload'] },
  { stream: 'downtime', table: 'downtime_record', jsonColumns: ['payload'] },
] as const;

/**
 * The check every store-and-forward test ends with: per stream, the receiver holds every
 * sequence number the PC gave (1…head, nothing missing, nothing twice), and each record is the
 * PC's record (table streams: the whole record, as the PC's own source reads it again; samples
 * against the historian's numbered batches, those still kept and those already trimmed alike
 * by their contents). The sync's own event stream may end in events written while the last
 * sender closed: what arrived of it is checked the same way, 1…k without a hole.
 */
export function expectExactlyOnce(pcDbFile: string, receiver: string | ReceivedView): Record<string, StreamCount> {
  const pc = new Database(pcDbFile, { readonly: true, fileMustExist: true });
  const rx = typeof receiver === 'string' ? sqliteReceived(receiver) : receiver;
  try {
    const node = (pc.prepare('SELECT node_id FROM sync_node').get() as { node_id: string }).node_id;
    const counts: Record<string, StreamCount> = {};
    const hasTable = (t: string) => pc.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t) !== undefined;
    const compare = (stream: string, source: TableSource, tail: boolean) => {
      const expected = source.read(1, source.head(), Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER).map((r) => ({ seq: r.seq, rec: JSON.parse(r.json) as Row }));
      const got = rx.records(node, stream);
      const want = tail ? expected.slice(0, got.length) : expected;
      assert.deepEqual(
        got.map((g) => g.seq),
        want.map((r) => r.seq),
        `${node} ${stream}: the receiver holds every record, each once`,
      );
      got.forEach((g, i) => assert.deepEqual(g.rec, want[i].rec, `${node} ${stream} #${g.seq}`));
      counts[stream] = { produced: expected.length, stored: got.length, duplicatesDropped: rx.position(node, stream)?.duplicates ?? 0 };
    };
    for (const t of tableStreams) if (hasTable(t.table)) compare(t.stream, new TableSource(pc, { ...t, jsonColumns: [...t.jsonColumns] }), false);
    compare('event', new TableSource(pc, { stream: 'event', table: 'sync_event', jsonColumns: ['detail'] }), true);

    // Samples: 1…head, and the same contents as the historian numbered them.
    const head = (pc.prepare('SELECT next_seq - 1 AS h FROM sample_outbox_seq').get() as { h: number }).h;
    const got = rx.records(node, 'sample');
    assert.equal(got.length, head, `${node} samples: ${got.length} stored of ${head} produced`);
    got.forEach((g, i) => assert.equal(g.seq, i + 1, `${node} samples numbered 1…head, each once`));
    // Compare what is still in the outbox exactly; the rest against the historian's samples.
    const tagNames = new Map((pc.prepare('SELECT id, name FROM tag').all() as { id: number; name: string }[]).map((t) => [t.id, t.name]));
    for (const row of pc.prepare('SELECT first_seq, data FROM sample_outbox ORDER BY first_seq').all() as { first_seq: number; data: Buffer }[]) {
      let seq = row.first_seq;
      for (const g of decodeOutboxBatch(row.data)) {
        for (let i = 0; i < g.samples.length; i++, seq++) {
          const r = got[seq - 1].rec;
          assert.equal(r.tag, tagNames.get(g.tag), `sample #${seq} tag`);
          assert.equal(r.ts, g.samples.ts[i], `sample #${seq} ts`);
          assert.equal(r.quality, qualityText(g.samples.quality[i]), `sample #${seq} quality`);
        }
      }
    }
    const keys = new Set<string>();
    {
      const db = openDatabase(pcDbFile);
      const h = new Historian(db, new FakeClock(Date.now()), { writer: 'inline' });
      try {
        const tags = [...tagNames.values()];
        let from = Infinity;
        let to = -Infinity;
        for (const g of got) {
          from = Math.min(from, g.rec.ts as number);
          to = Math.max(to, g.rec.ts as number);
        }
        if (got.length > 0) for (const s of h.readRaw(tags, from, to, 3_600_000)) keys.add(`${s.tagId}|${s.ts}|${qualityText(s.quality)}`);
      } finally {
        void h.close();
        db.close();
      }
    }
    const strangers = got.filter((g) => !keys.has(`${String(g.rec.tag)}|${String(g.rec.ts)}|${String(g.rec.quality)}`));
    assert.deepEqual(strangers.slice(0, 5), [], `${node}: every sample received is one the historian stored`);
    counts.sample = { produced: head, stored: got.length, duplicatesDropped: rx.position(node, 'sample')?.duplicates ?? 0 };
    for (const stream of Object.keys(counts)) assert.equal(rx.position(node, stream)?.refused ?? 0, 0, `${node} ${stream}: nothing refused`);
    return counts;
  } finally {
    pc.close();
    if (typeof receiver === 'string') rx.close?.();
  }
}
