/** A version's changes against the one before, step by step (shared/instruction-diff.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffInstructions } from '../../shared/instruction-diff';
import type { InstructionDefinition, InstructionStep } from '../../shared/instructions';

const read = (id: string, title = id): InstructionStep => ({ id, kind: 'read', title, body: '', media: [] });
const def = (steps: InstructionStep[], over: Partial<InstructionDefinition> = {}): InstructionDefinition => ({
  id: 'WI-1',
  title: 'T',
  description: '',
  revision: '1',
  alarms: [],
  atShiftStart: false,
  roles: [],
  steps,
  ...over,
});

test('1. added, removed, changed (with the fields), moved and unchanged steps; header fields', () => {
  const before = def([read('a'), read('b'), read('c'), { id: 'm', kind: 'measure', title: 'Seal', body: '', media: [], unit: '°C', low: 175, high: 195, decimals: 0, outOfLimits: 'block', verifierRoles: [] }]);
  const after = def([read('c'), read('a'), { id: 'm', kind: 'measure', title: 'Seal', body: '', media: [], unit: '°C', low: 180, high: 195, decimals: 0, outOfLimits: 'verify', verifierRoles: ['supervisor'] }, read('d')], { revision: '2', title: 'T2' });
  const d = diffInstructions(before, after);
  assert.deepEqual(d.header.map((h) => [h.field, h.before, h.after]), [['title', 'T', 'T2'], ['revision', '1', '2']]);
  assert.deepEqual(
    d.steps.map((s) => [s.kind, s.step.id]),
    [['moved', 'c'], ['moved', 'a'], ['changed', 'm'], ['added', 'd'], ['removed', 'b']],
  );
  const m = d.steps.find((s) => s.kind === 'changed');
  assert.ok(m && m.kind === 'changed');
  assert.deepEqual(m.fields.map((f) => [f.field, f.before, f.after]), [['low', 175, 180], ['outOfLimits', 'block', 'verify'], ['verifierRoles', [], ['supervisor']]]);
});

test('2. the same definition: nothing changed', () => {
  const d = diffInstructions(def([read('a'), read('b')]), def([read('a'), read('b')]));
  assert.deepEqual(d.header, []);
  assert.ok(d.steps.every((s) => s.kind === 'same'));
});
