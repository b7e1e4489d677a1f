/**
 * Work instructions against the simulator's real Modbus and OPC UA servers, through the real
 * API with real users and signatures:
 *
 *   1. the demo's instructions are drafts: a run is refused through the API until a version is
 *      approved by an engineer and a supervisor (each a signature) and released;
 *   2. the start-of-shift checklist: a machine-condition step does not advance while the PLC's
 *      values are not good (a dropout), advances by itself once they are, with the value, its
 *      quality and source time as evidence; an out-of-limits measurement needs a reason and a
 *      supervisor's verification; the closing signature step; the run and each step on record;
 *   3. the bearing maintenance: a machine action (run command off) through the write checks,
 *      the condition waits for the machine to stop, a branch on the inspection's answer.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startRuntime } from '../../main/app/runtime';
import type { RuntimeHost } from '../../main/app/runtime-host';
import { startSimulator, type SimulatedLine } from '../../main/simulator/simulator';
import type { RunView } from '../../shared/instructions';
import { admin, APPROVE_SIGNATURE as approveSig, releaseInstruction, signedIn, TEST_PASSWORD, type TestConnection } from '../helpers/runtime-session';
import { writeDemoProjectFor } from '../helpers/simulated-project';
import { tempDir, waitFor } from '../helpers/temp';

const tmp = tempDir();
let sim: SimulatedLine;
let rt: RuntimeHost;
let engineer: TestConnection;
let supervisor: TestConnection;
let operator: TestConnection;
let tech: TestConnection;

before(async () => {
  sim = await startSimulator({ pkiDir: join(tmp.dir, 'sim-pki'), log: () => undefined, idlePeriods: false });
  const file = writeDemoProjectFor(sim, tmp.dir);
  rt = await startRuntime({ projectFile: file, dataDir: join(tmp.dir, 'data'), shell: 'headless' });
  await admin(rt);
  engineer = await signedIn(rt, ['engineer'], 'eve');
  supervisor = await signedIn(rt, ['supervisor'], 'sam');
  operator = await signedIn(rt, ['operator'], 'olga');
  tech = await signedIn(rt, ['maintenance'], 'max');
  await waitFor('the PLC values good', async () => {
    const v = await operator.call('values.snapshot', { tagIds: ['L1.GuardClosed', 'L1.EStopOk', 'L1.Running'] });
    return v.length === 3 && v.every((x) => x.quality.level === 'good');
  }, 20_000);
});

after(async () => {
  await rt?.close();
  await sim?.stop();
  tmp.cleanup();
});

async function release(id: string): Promise<void> {
  await releaseInstruction(engineer, supervisor, id);
}

test('1. only an approved, released version runs: refused through the API before', async () => {
  const list = await operator.call('instructions.list', {});
  assert.deepEqual(list.map((i) => i.id), ['WI-MNT-014', 'WI-MNT-021', 'WI-OPS-001', 'WI-OPS-003', 'WI-OPS-010']);
  const sos = list.find((i) => i.id === 'WI-OPS-001')!;
  assert.deepEqual([sos.versions.length, sos.versions[0].state, sos.effective], [1, 'draft', null]);
  const refused = await operator.conn.handle('runs.start', { instructionId: 'WI-OPS-001' });
  assert.ok(!refused.ok && refused.error.code === 'refused' && /no effective version/.test(refused.error.message), JSON.stringify(refused));

  const hash = sos.versions[0].hash;
  // an operator may not approve; approving needs a signature; one person approves one role only
  const byOperator = await operator.conn.handle('instructions.approve', { hash });
  assert.ok(!byOperator.ok && byOperator.error.code === 'forbidden');
  await engineer.call('instructions.submit', { hash });
  const unsigned = await engineer.conn.handle('instructions.approve', { hash });
  assert.ok(!unsigned.ok && unsigned.error.code === 'signature_required', JSON.stringify(unsigned));
  const v = await engineer.call('instructions.approve', { hash }, approveSig);
  assert.deepEqual([v.state, v.approvals.map((a) => a.role)], ['inReview', ['engineer']]);
  const early = await engineer.conn.handle('instructions.release', { hash }, approveSig);
  assert.ok(!early.ok && early.error.code === 'refused' && /is inReview, not approved/.test(early.error.message), JSON.stringify(early));
  const approved = await supervisor.call('instructions.approve', { hash }, approveSig);
  assert.equal(approved.state, 'approved');
  const effective = await engineer.call('instructions.release', { hash }, approveSig);
  assert.equal(effective.state, 'effective');
  const audit = await (await admin(rt)).call('audit.query', { action: 'instruction.', limit: 20 });
  assert.deepEqual(audit.entries.map((e) => [e.action, e.user]).reverse(), [
    ['instruction.submit', 'eve'],
    ['instruction.approve', 'eve'],
    ['instruction.approve', 'sam'],
    ['instruction.release', 'eve'],
  ]);
  assert.ok(audit.entries.filter((e) => e.action === 'instruction.approve').every((e) => e.signature?.meaning === 'approved'));
});

test('2. start-of-shift: a condition waits while the values are bad and advances once good; out of limits needs a verification', async () => {
  // the PLC stops answering: the guard door value turns bad
  sim.dropout(6000);
  await waitFor('L1.GuardClosed not good', async () => (await operator.call('values.snapshot', { tagIds: ['L1.GuardClosed'] }))[0]?.quality.level !== 'good', 10_000);
  let view: RunView = await operator.call('runs.start', { instructionId: 'WI-OPS-001' });
  const runId = view.run.id;
  assert.equal(view.run.currentStepId, 'guards');
  assert.equal(view.waiting?.met, false);
  assert.match(view.waiting?.why ?? '', /L1\.GuardClosed (is not of good quality|has no value yet)/);
  const early = await operator.conn.handle('runs.complete', { runId, stepId: 'guards' });
  assert.ok(!early.ok && early.error.code === 'refused' && /not yet/.test(early.error.message));
  // the device answers again: both conditions hold and complete themselves
  view = await waitFor('the conditions met by themselves', async () => {
    const v = await operator.call('runs.get', { runId });
    return v.run.currentStepId === 'film' ? v : undefined;
  }, 20_000);
  const guards = view.run.results.find((r) => r.stepId === 'guards')!;
  assert.equal(guards.evidence?.met, true);
  assert.deepEqual(guards.evidence?.values.map((x) => [x.tagId, x.value, x.quality]), [['L1.GuardClosed', true, 'good']]);
  assert.ok((guards.evidence?.values[0].sourceTs ?? 0) > 0);
  assert.equal(guards.userId, 'olga');

  const unconfirmed = await operator.conn.handle('runs.complete', { runId, stepId: 'film', input: {} });
  assert.ok(!unconfirmed.ok && unconfirmed.error.code === 'bad_request');
  await operator.call('runs.complete', { runId, stepId: 'film', input: { confirmed: true } });
  // 170 °C is below 175: a reason and a supervisor's verification
  const noSig = await operator.conn.handle('runs.complete', { runId, stepId: 'seal', input: { value: 170, reason: 'jaw heater warming up' } });
  assert.ok(!noSig.ok && noSig.error.code === 'signature_required' && noSig.error.context?.kind === 'verification', JSON.stringify(noSig));
  const byEngineer = await operator.conn.handle('runs.complete', { runId, stepId: 'seal', input: { value: 170, reason: 'jaw heater warming up' } }, { meaning: 'verified', secret: TEST_PASSWORD, verifier: { userId: 'eve', secret: TEST_PASSWORD } });
  assert.ok(!byEngineer.ok && /may not verify this: it needs one of the roles supervisor/.test(byEngineer.error.message), JSON.stringify(byEngineer));
  view = await operator.call('runs.complete', { runId, stepId: 'seal', input: { value: 170, reason: 'jaw heater warming up' } }, { meaning: 'verified', secret: TEST_PASSWORD, verifier: { userId: 'sam', secret: TEST_PASSWORD } });
  const seal = view.run.results.find((r) => r.stepId === 'seal')!;
  assert.deepEqual([seal.outcome, seal.value, seal.reason, seal.signatureIds.length], ['outOfLimits', 170, 'jaw heater warming up', 1]);
  // the closing signature
  const unsignedEnd = await operator.conn.handle('runs.complete', { runId, stepId: 'ready' });
  assert.ok(!unsignedEnd.ok && unsignedEnd.error.code === 'signature_required');
  view = await operator.call('runs.complete', { runId, stepId: 'ready' }, { meaning: 'performed', secret: TEST_PASSWORD });
  assert.deepEqual([view.run.state, view.run.currentStepId, view.run.results.map((r) => r.stepId)], ['completed', null, ['guards', 'estop', 'film', 'seal', 'ready']]);
  const sigs = await operator.call('signatures.forTarget', { target: `run ${runId}` });
  // the closing signature; the out-of-limits value signed by the operator and verified by the supervisor
  assert.deepEqual(sigs.map((s) => [s.userId, s.meaning]).sort(), [['olga', 'performed'], ['olga', 'verified'], ['sam', 'verified']]);
  const history = await operator.call('runs.list', { instructionId: 'WI-OPS-001' });
  assert.deepEqual([history[0].id, history[0].state, history[0].done, history[0].steps], [runId, 'completed', 5, 5]);
});

test('3. bearing maintenance: the run command off through the write checks; the lock-out waits for the machine to stop; a branch', async () => {
  await release('WI-MNT-014');
  const refused = await operator.conn.handle('runs.start', { instructionId: 'WI-MNT-014' });
  assert.ok(!refused.ok && refused.error.code === 'forbidden' && /run by maintenance or engineer/.test(refused.error.message), 'an operator may not run the maintenance procedure');
  let view = await tech.call('runs.start', { instructionId: 'WI-MNT-014', trigger: 'alarm L1.Vibration.HH' });
  const runId = view.run.id;
  assert.equal(view.run.currentStepId, 'stop');
  await tech.call('runs.complete', { runId, stepId: 'stop' });
  assert.equal(sim.model.snapshot().runCommand, false, 'the PLC holds the run command off');
  view = await waitFor('the machine stopped and the step met', async () => {
    const v = await tech.call('runs.get', { runId });
    return v.run.currentStepId === 'lockout' ? v : undefined;
  }, 20_000);
  const stopped = view.run.results.find((r) => r.stepId === 'stopped')!;
  assert.deepEqual(stopped.evidence?.values.map((x) => [x.tagId, x.value]), [['L1.Running', false], ['L1.RunCommand', false]]);
  await tech.call('runs.complete', { runId, stepId: 'lockout', input: { confirmed: true } });
  const notAnOption = await tech.conn.handle('runs.complete', { runId, stepId: 'inspect', input: { value: 'Fine' } });
  assert.ok(!notAnOption.ok && notAnOption.error.code === 'bad_request' && /choose one of Good, Worn, Damaged/.test(notAnOption.error.message));
  view = await tech.call('runs.complete', { runId, stepId: 'inspect', input: { value: 'Good' } });
  assert.equal(view.run.currentStepId, 'restore', 'a good bearing skips the replacement');
  view = await tech.call('runs.abort', { runId, reason: 'bearing fine, closing the guard later' });
  assert.equal(view.run.state, 'aborted');
  const gone = await tech.conn.handle('runs.complete', { runId, stepId: 'restore', input: { confirmed: true } });
  assert.ok(!gone.ok && gone.error.code === 'refused' && /been aborted/.test(gone.error.message));
  await (await admin(rt)).call('tags.write', { tagId: 'L1.RunCommand', value: true });
});

