/**
 * The run state machine on a fake clock (main/instructions/run-engine.ts): a machine condition
 * completes itself on the tag batch that makes it true with good quality, not on a bad one; a
 * wait past the step's timeout raises the overdue alarm and clears when the wait ends; a branch
 * follows the captured value; the run ends completed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { RunEngine, type RunCaller } from '../../main/instructions/run-engine';
import { RunStore } from '../../main/instructions/run-store';
import { VersionStore } from '../../main/instructions/version-store';
import { FakeClock } from '../../main/util/clock';
import { GOOD } from '../../shared/quality';
import type { InstructionDefinition } from '../../shared/instructions';
import type { TagValue } from '../../shared/types';

const definition: InstructionDefinition = {
  id: 'WI-T',
  title: 'Test',
  description: '',
  revision: '1',
  alarms: [],
  atShiftStart: false,
  roles: [],
  steps: [
    { id: 'wait', kind: 'condition', title: 'Stopped', body: '', media: [], expression: 'Running == false', describe: 'stopped', timeoutS: 10 },
    { id: 'pick', kind: 'choice', title: 'Pick', body: '', media: [], options: ['a', 'b'] },
    { id: 'go', kind: 'branch', title: 'Go', body: '', media: [], on: 'pick', cases: [{ equals: 'a', goto: 'last' }], otherwise: 'b-only' },
    { id: 'b-only', kind: 'read', title: 'Only for b', body: '', media: [] },
    { id: 'last', kind: 'read', title: 'Last', body: '', media: [] },
  ],
};

function setup() {
  const db = new Database(':memory:');
  const clock = new FakeClock(1_800_000_000_000);
  const versions = new VersionStore(db, ['engineer']);
  const hash = 'a'.repeat(64);
  versions.register(definition, hash, clock.now());
  versions.transition(hash, 'submit');
  versions.transition(hash, 'approve', { userId: 'eve', printedName: 'Eve', ts: clock.now(), signatureId: 1, roles: ['engineer'] });
  versions.transition(hash, 'release');
  const values = new Map<string, TagValue>();
  const overdue: boolean[] = [];
  const events: number[] = [];
  const engine = new RunEngine({
    versions,
    runs: new RunStore(db),
    clock,
    read: (id) => values.get(id),
    write: async () => ({ verified: true, readBack: null }),
    changed: (id) => events.push(id),
    audit: () => undefined,
    overdue: (a) => overdue.push(a),
  });
  const set = (v: boolean, good = true) => {
    const tv: TagValue = { tagId: 'Running', value: v, quality: good ? GOOD : { level: 'bad', reason: 'comm_failure' }, sourceTs: clock.now(), ts: clock.now() };
    values.set('Running', tv);
    engine.onValues([tv]);
  };
  return { engine, clock, set, overdue, events };
}

const olga: RunCaller = { userId: 'olga', name: 'Olga Operator', roles: ['operator'], signatureId: null, actor: { user: 'olga', station: 'test', signatureId: null } };

test('1. a condition waits on a bad value, completes itself on a good one; the overdue alarm rises and clears', async () => {
  const { engine, clock, set, overdue } = setup();
  set(true);
  const view = engine.start('WI-T', olga, 'test');
  assert.equal(view.run.currentStepId, 'wait');
  assert.deepEqual([view.waiting?.met, view.waiting?.why], [false, 'Running is true, needs == false']);
  set(false, false); // "stopped", but not of good quality: no proof
  assert.equal(engine.view(view.run.id).run.currentStepId, 'wait');
  for (let i = 0; i < 16; i++) clock.advance(1000); // past the step's 10 s (looked at every 5 s)
  assert.deepEqual(overdue, [true]);
  assert.equal(engine.view(view.run.id).overdue, true);
  set(false); // good now
  const after = engine.view(view.run.id);
  assert.equal(after.run.currentStepId, 'pick');
  const evidence = after.run.results[0].evidence;
  assert.deepEqual(evidence?.values.map((v) => [v.tagId, v.value, v.quality]), [['Running', false, 'good']]);
  assert.equal(after.run.results[0].printedName, 'Olga Operator', 'done by whoever has the run');
  for (let i = 0; i < 5; i++) clock.advance(1000);
  assert.deepEqual(overdue, [true, false]);
  engine.close();
});

test('2. a branch follows the captured value; the run completes; a finished run refuses more', async () => {
  const { engine, set } = setup();
  set(false);
  const start = engine.start('WI-T', olga, 'test');
  assert.equal(start.run.currentStepId, 'pick', 'the condition held at the start');
  const a = await engine.complete(start.run.id, 'pick', { value: 'a' }, olga);
  assert.equal(a.run.currentStepId, 'last', 'a skips "Only for b"');
  const done = await engine.complete(start.run.id, 'last', {}, olga);
  assert.deepEqual([done.run.state, done.run.results.map((r) => r.stepId)], ['completed', ['wait', 'pick', 'last']]);
  await assert.rejects(engine.complete(start.run.id, 'last', {}, olga), /has completed/);
  engine.close();
});
