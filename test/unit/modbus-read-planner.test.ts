import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planReads } from '../../main/drivers/modbus/read-planner';
import type { DriverTag } from '../../main/drivers/driver';

const tag = (tagId: string, address: string, dataType: DriverTag['dataType'] = 'uint16'): DriverTag => ({ tagId, address, dataType });

test('1. adjacent and near tags of one area merge into one request; areas never merge', () => {
  const { blocks, invalid } = planReads(
    [tag('a', 'HR0'), tag('b', 'HR2', 'uint32'), tag('c', 'HR10', 'float32'), tag('d', 'IR0'), tag('e', 'CO0', 'bool'), tag('f', 'CO2', 'bool')],
    'ABCD',
  );
  assert.equal(invalid.length, 0);
  assert.equal(blocks.length, 3);
  const hr = blocks.find((b) => b.area === 'holding')!;
  assert.deepEqual([hr.start, hr.length], [0, 12]);
  assert.equal(blocks.find((b) => b.area === 'coil')!.length, 3);
});

test('2. a gap larger than maxGap splits the block', () => {
  const { blocks } = planReads([tag('a', 'HR0'), tag('b', 'HR100')], 'ABCD', { maxGapRegisters: 10 });
  assert.equal(blocks.length, 2);
});

test('3. protocol limit: never more than 125 registers per request', () => {
  const tags = Array.from({ length: 300 }, (_, i) => tag(`t${i}`, `HR${i}`));
  const { blocks } = planReads(tags, 'ABCD');
  assert.equal(blocks.length, 3);
  for (const b of blocks) assert.ok(b.length <= 125);
  assert.equal(blocks.reduce((n, b) => n + b.tags.length, 0), 300);
});

test('4. a 32-bit value is never split across two requests', () => {
  const tags = [...Array.from({ length: 124 }, (_, i) => tag(`t${i}`, `HR${i}`)), tag('f', 'HR124', 'float32')];
  const { blocks } = planReads(tags, 'ABCD');
  const withF = blocks.find((b) => b.tags.some((t) => t.tag.tagId === 'f'))!;
  assert.ok(withF.start <= 124 && withF.start + withF.length >= 126);
  assert.ok(withF.length <= 125);
});

test('5. bits: up to 2000 per request; per-device limit respected; word order per tag', () => {
  const coils = Array.from({ length: 2500 }, (_, i) => tag(`c${i}`, `CO${i}`, 'bool'));
  assert.equal(planReads(coils, 'ABCD').blocks.length, 2);
  const regs = Array.from({ length: 40 }, (_, i) => tag(`r${i}`, `HR${i}`));
  assert.equal(planReads(regs, 'ABCD', { maxRegisters: 16 }).blocks.length, 3);
  const { blocks } = planReads([{ ...tag('x', 'HR0', 'float32'), wordOrder: 'CDAB' }, tag('y', 'HR2', 'float32')], 'ABCD');
  assert.deepEqual(blocks[0].tags.map((t) => t.wordOrder), ['CDAB', 'ABCD']);
});
