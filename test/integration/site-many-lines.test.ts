/**
 * A site: ten line PCs (the headless runtime as its own process, each with its own data dir and
 * so its own node id; the demo project on two simulated lines) → one mosquitto → the receiver's
 * CLI → PostgreSQL (a cluster of the test's own). The broker is killed and restarted, PostgreSQL
 * is restarted (immediate: a crash, WAL recovery), the broker is stopped again, a simulated line
 * drops out (alarms, downtime); then every PC stops, sends what it left, and for every node and
 * every stream the database holds each record the PC produced exactly once, with its contents.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startSimulator, type SimulatedLine } from '../../main/simulator/simulator';
import { startHeadless, type HeadlessProcess } from '../helpers/headless-process';
import { startMosquitto } from '../helpers/mosquitto';
import { drainLeftovers, expectExactlyOnce, runReceiverCli, startReceiverCli, writeSyncProject, type ReceiverProcess, type StreamCount } from '../helpers/mosquitto-sync';
import { startPostgres } from '../helpers/postgres';
import { pgReceived } from '../helpers/receiver-pg-view';
import { tempDir } from '../helpers/temp';

const tmp = tempDir('lineside-site-');
after(() => tmp.cleanup());

const LINES = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('ten line PCs → mosquitto → receiver → PostgreSQL; broker restarted twice, PostgreSQL once: every record of every node and stream exactly once', { timeout: 300_000 }, async (t) => {
  const pgServer = await startPostgres({ dir: join(tmp.dir, 'pg') });
  const broker = await startMosquitto({ dir: join(tmp.dir, 'broker') });
  // Two simulated lines, five PCs on each (an OPC UA server takes ten sessions by default).
  const sims: SimulatedLine[] = [];
  const pcs: { project: string; dataDir: string; app: HeadlessProcess | null }[] = [];
  let rx: ReceiverProcess | null = null;
  try {
    for (let i = 0; i < 2; i++) sims.push(await startSimulator({ pkiDir: join(tmp.dir, `sim-pki-${i}`), seed: 7 + i, log: () => undefined }));
    rx = await startReceiverCli(['--pg', pgServer.url, '--mqtt', broker.url, '--client-id', 'site-receiver'], 30_000);
    for (let i = 0; i < LINES; i++) {
      const dir = join(tmp.dir, `pc-${i}`);
      mkdirSync(dir, { recursive: true });
      const project = writeSyncProject(sims[i % 2], dir, {
        ackTimeoutS: 2,
        retry: { initialS: 0.2, maxS: 1 },
        sinks: [{ id: 'site', type: 'mqtt', url: broker.url }],
      });
      pcs.push({ project, dataDir: join(dir, 'data'), app: null });
    }
    // Start them one after another (each one's start is CPU work on a two-core machine).
    for (const pc of pcs) pc.app = await startHeadless(['--project', pc.project, '--data-dir', pc.dataDir, '--listen', '127.0.0.1:0'], 60_000);

    await sleep(6000);
    await broker.stop('SIGKILL'); // a crash: whatever was in flight is lost to the broker
    await sleep(3000);
    await broker.start();
    await sleep(5000);
    sims[0].dropout(6000); // five PCs lose their PLCs: bad quality samples
    sims[1].setScenario('jam', true); // the other five see their line fault: alarms, downtime
    await pgServer.stop('immediate'); // the database crashes in the middle of sending
    await sleep(3000);
    await pgServer.start();
    await sleep(6000);
    sims[1].setScenario('jam', false);
    await broker.stop('SIGTERM'); // and the broker stops once more, cleanly
    await sleep(2000);
    await broker.start();
    await sleep(6000);

    // Stop the lines, then the PCs; each sends what it left (records written as it stopped).
    for (const s of sims) await s.stop();
    await Promise.all(pcs.map(async (pc) => assert.equal(await pc.app!.stop('SIGTERM'), 0, `PC ${pc.dataDir} stopped cleanly`)));
    for (const pc of pcs) {
      pc.app = null;
      await drainLeftovers(pc.project, pc.dataDir, 90_000);
    }

    const view = await pgReceived(pgServer.url);
    const totals: Record<string, StreamCount> = {};
    for (const pc of pcs) {
      const counts = expectExactlyOnce(join(pc.dataDir, 'lineside.db'), view);
      assert.ok(counts.sample.produced > 100, `samples produced by ${pc.dataDir}: ${counts.sample.produced}`);
      for (const [stream, c] of Object.entries(counts)) {
        const t = (totals[stream] ??= { produced: 0, stored: 0, duplicatesDropped: 0 });
        t.produced += c.produced;
        t.stored += c.stored;
        t.duplicatesDropped += c.duplicatesDropped;
      }
    }
    t.diagnostic(`per stream over ten nodes: ${JSON.stringify(totals)}`);
    assert.ok(totals.alarm.produced > 0, 'the jam raised alarms on the lines it hit');

    // The receiver's own view agrees: ten nodes, no gaps.
    const status = await runReceiverCli(['--pg', pgServer.url, '--gaps']);
    assert.equal(status.code, 0, `no gaps: ${status.stdout}${status.stderr}`);
    const st = await runReceiverCli(['--pg', pgServer.url, '--status']);
    const list = JSON.parse(st.stdout) as { node: string; missing: number }[];
    assert.equal(new Set(list.map((p) => p.node)).size, LINES, 'ten nodes');
    assert.ok(list.every((p) => p.missing === 0));
  } finally {
    await Promise.all(pcs.map((pc) => pc.app?.stop('SIGKILL')));
    await rx?.stop();
    for (const s of sims) await s.stop().catch(() => undefined);
    await broker.stop().catch(() => undefined);
    await pgServer.stop('fast').catch(() => undefined);
  }
});
