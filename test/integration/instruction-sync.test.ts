/**
 * Work-instruction runs go upstream on their own stream (`instruction`): a run's start, every
 * step result and its end, through a real mosquitto broker to the reference receiver — every
 * record exactly once and equal to the PC's, also when the broker goes away mid-run.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { startRuntime } from '../../main/app/runtime';
import { startSimulator } from '../../main/simulator/simulator';
import { startMosquitto } from '../helpers/mosquitto';
import { drainLeftovers, expectExactlyOnce, startReceiverCli, writeSyncProject } from '../helpers/mosquitto-sync';
import { admin, releaseInstruction, signedIn, TEST_PASSWORD } from '../helpers/runtime-session';
import { repoRoot, tempDir, waitFor } from '../helpers/temp';

const tmp = tempDir();
after(() => tmp.cleanup());

test('1. a run’s start, steps and end reach the receiver exactly once, a broker outage in the middle', { timeout: 120_000 }, async () => {
  const dir = tmp.dir;
  const sim = await startSimulator({ pkiDir: join(dir, 'sim-pki'), log: () => undefined, idlePeriods: false });
  const broker = await startMosquitto({ dir: join(dir, 'broker') });
  const receiverDb = join(dir, 'receiver.db');
  const rx = await startReceiverCli(['--db', receiverDb, '--mqtt', broker.url]);
  const projectFile = writeSyncProject(sim, dir, { ackTimeoutS: 2, retry: { initialS: 0.2, maxS: 1 }, sinks: [{ id: 'plant', type: 'mqtt', url: broker.url }] });
  const project = parse(readFileSync(projectFile, 'utf8')) as { instructions?: { folder: string } };
  project.instructions = { folder: join(repoRoot(), 'projects', 'instructions') };
  writeFileSync(projectFile, stringify(project));
  const dataDir = join(dir, 'data');
  const rt = await startRuntime({ projectFile, dataDir, shell: 'headless' });
  try {
    await admin(rt);
    const eve = await signedIn(rt, ['engineer'], 'eve');
    const sam = await signedIn(rt, ['supervisor'], 'sam');
    const olga = await signedIn(rt, ['operator'], 'olga');
    await releaseInstruction(eve, sam, 'WI-OPS-010');

    const run = (await olga.call('runs.start', { instructionId: 'WI-OPS-010' })).run.id;
    await olga.call('runs.complete', { runId: run, stepId: 'product', input: { value: 'Muesli 500 g' } });
    // the broker goes away: the next records wait in the outbox
    await broker.stop();
    await olga.call('runs.complete', { runId: run, stepId: 'batch', input: { value: 'MU240117' } });
    await olga.call('runs.complete', { runId: run, stepId: 'speed' });
    await broker.start();
    await olga.call('runs.complete', { runId: run, stepId: 'size-parts', input: { confirmed: true } });
    await olga.call('runs.complete', { runId: run, stepId: 'weight', input: { value: 505 } });
    await olga.call('runs.complete', { runId: run, stepId: 'verify' }, { meaning: 'verified', secret: TEST_PASSWORD, verifier: { userId: 'sam', secret: TEST_PASSWORD } });
    await waitFor('the instruction records acknowledged', async () => {
      const s = (await (await admin(rt)).call('sync.status', {})).sinks[0];
      const st = s.streams.find((x) => x.stream === 'instruction');
      return st !== undefined && st.backlog === 0 && st.acked >= 8;
    }, 30_000);
  } finally {
    await rt.close();
    await sim.stop();
  }
  await drainLeftovers(projectFile, dataDir);
  await rx.stop();
  const counts = expectExactlyOnce(join(dataDir, 'lineside.db'), receiverDb);
  // start, six steps, completed
  assert.equal(counts.instruction.produced, 8, JSON.stringify(counts));
  assert.equal(counts.instruction.stored, 8);
  await broker.stop();
});
