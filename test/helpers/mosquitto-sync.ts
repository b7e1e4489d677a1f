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
import { qualityText } from '../../main/sync/sources';
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

/**
 * The check every store-and-forward test ends with: per stream, the receiver holds every
 * sequence number the PC gave (1…head, nothing missing, nothing twice), and each record is the
 * PC's record (alarm journal lines and audit records by id; samples against the historian's
 * numbered batches, those still kept and those already trimmed alike by their contents).
 */
export function expectExactlyOnce(pcDbFile: string, receiverDbFile: string): Record<string, StreamCount> {
  const pc = new Database(pcDbFile, { readonly: true, fileMustExist: true });
  const rx = new Database(receiverDbFile, { readonly: true, fileMustExist: true });
  try {
    const node = (pc.prepare('SELECT node_id FROM sync_node').get() as { node_id: string }).node_id;
    const received = (stream: string) =>
      (rx.prepare('SELECT seq, payload FROM record WHERE node = ? AND stream = ? ORDER BY seq').all(node, stream) as { seq: number; payload: string }[]).map((r) => ({
        seq: r.seq,
        rec: JSON.parse(r.payload) as Row,
      }));
    const position = (stream: string) => rx.prepare('SELECT * FROM position WHERE node = ? AND stream = ?').get(node, stream) as Row | undefined;
    const counts: Record<string, StreamCount> = {};

    for (const [stream, table, fields] of [
      ['alarm', 'alarm_journal', ['ts', 'alarm_id', 'event', 'user', 'text']],
      ['audit', 'audit', ['ts', 'user', 'action', 'target', 'outcome', 'detail']],
      ['instruction', 'instruction_record', ['ts', 'run_id', 'kind', 'instruction_id', 'version_hash', 'user_id']],
    ] as const) {
      const rows = pc.prepare(`SELECT * FROM ${table} ORDER BY id`).all() as Row[];
      const got = received(stream);
      assert.deepEqual(
        got.map((g) => g.seq),
        rows.map((r) => r.id),
        `${stream}: the receiver holds every record, each once`,
      );
      got.forEach((g, i) => {
        for (const f of fields) {
          const camel = f.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
          assert.equal(g.rec[camel], rows[i][f], `${stream} #${g.seq}.${camel}`);
        }
      });
      counts[stream] = { produced: rows.length, stored: got.length, duplicatesDropped: Number(position(stream)?.duplicates ?? 0) };
    }

    // Samples: 1…head, and the same contents as the historian numbered them.
    const head = (pc.prepare('SELECT next_seq - 1 AS h FROM sample_outbox_seq').get() as { h: number }).h;
    const got = received('sample');
    assert.equal(got.length, head, `samples: ${got.length} stored of ${head} produced`);
    got.forEach((g, i) => assert.equal(g.seq, i + 1, 'samples numbered 1…head, each once'));
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
    assert.deepEqual(strangers.slice(0, 5), [], 'every sample received is one the historian stored');
    const p = position('sample');
    counts.sample = { produced: head, stored: got.length, duplicatesDropped: Number(p?.duplicates ?? 0) };
    for (const stream of ['alarm', 'audit', 'sample']) {
      const pos = position(stream);
      if (pos) assert.equal(pos.refused, 0, `${stream}: nothing refused`);
    }
    return counts;
  } finally {
    pc.close();
    rx.close();
  }
}
