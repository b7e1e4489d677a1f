/**
 * Values as the operator reads them (renderer/features/overview/format.ts and the alarm views'
 * alarmValueText): state text from the project instead of the number, booleans in the tag's
 * words, decimals and units, whole numbers grouped — and the project refusing state texts or
 * labels on a tag of the wrong type, with the place named.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProjectText } from '../../main/config/project-loader';
import { alarmValueText } from '../../renderer/features/alarms/alarm-display';
import { formatValue } from '../../renderer/features/overview/format';
import type { TagInfo } from '../../shared/types';

const tag = (over: Partial<TagInfo>): TagInfo => ({ id: 'T', name: 'T', description: '', deviceId: 'd', dataType: 'float64', units: '', scanMs: 500, decimals: 1, writable: false, address: 'HR0', ...over });

test('1. a state tag shows its text; an unnamed value says it is a state, never a bare number', () => {
  const state = tag({ dataType: 'int32', decimals: 0, states: { 0: 'Stopped', 2: 'Running', 3: 'Faulted' } });
  assert.equal(formatValue(2, state), 'Running');
  assert.equal(formatValue(3, state), 'Faulted');
  assert.equal(formatValue(7, state), 'State 7');
  assert.equal(formatValue(2, tag({ dataType: 'int32', decimals: 0 })), '2');
});

test('2. booleans in the tag’s words, else ON / OFF', () => {
  const estop = tag({ dataType: 'bool', labels: { on: 'Healthy', off: 'Tripped' } });
  assert.deepEqual([formatValue(true, estop), formatValue(false, estop), formatValue(0, estop)], ['Healthy', 'Tripped', 'Tripped']);
  assert.deepEqual([formatValue(true, tag({ dataType: 'bool' })), formatValue(false, tag({ dataType: 'bool' }))], ['ON', 'OFF']);
});

test('3. decimals as the tag says; counters grouped by thousands from five digits', () => {
  assert.equal(formatValue(4.916370116149856, tag({ decimals: 2 })), '4.92');
  assert.equal(formatValue(1234, tag({ dataType: 'uint32', decimals: 0 })), '1234');
  assert.equal(formatValue(1234567, tag({ dataType: 'uint32', decimals: 0 })), '1\u202f234\u202f567');
  assert.equal(formatValue(-45678.25, tag({ decimals: 2 })), '-45\u202f678.25');
});

test('4. alarm values: the tag’s decimals and units, state text without units; no tag, three decimals', () => {
  assert.equal(alarmValueText(4.916370116149856, tag({ decimals: 2, units: 'mm/s' })), '4.92 mm/s');
  assert.equal(alarmValueText(101, tag({ dataType: 'uint16', decimals: 0, units: 'code', states: { 101: '101 Infeed jam' } })), '101 Infeed jam');
  assert.equal(alarmValueText(4.916370116149856, undefined), '4.916');
  assert.equal(alarmValueText(null, tag({})), '—');
});

const PROJECT = (tagLine: string) => `version: 1
name: T
devices:
  - { id: plc, protocol: modbus-tcp, host: 127.0.0.1, port: 502 }
tags:
${tagLine}
`;

test('5. the project: state texts only on whole-number tags, labels only on bool tags, the place named', () => {
  const ok = parseProjectText(PROJECT('  - { id: S, device: plc, address: HR0, dataType: uint16, states: { 0: Stopped, 2: Running } }'), 'p.yaml');
  assert.deepEqual(ok.tags[0].states, { 0: 'Stopped', 2: 'Running' });
  assert.throws(() => parseProjectText(PROJECT('  - { id: S, device: plc, address: HR0, dataType: float32, states: { 0: Stopped } }'), 'p.yaml'), /p\.yaml:6:\d+.*tags\[0\]\.states.*whole-number tag, not of a float32/s);
  assert.throws(() => parseProjectText(PROJECT('  - { id: S, device: plc, address: CO0, dataType: uint16, labels: { on: Open, off: Shut } }'), 'p.yaml'), /tags\[0\]\.labels.*bool tag/s);
  assert.throws(() => parseProjectText(PROJECT('  - { id: S, device: plc, address: HR0, dataType: uint16, states: { two: Running } }'), 'p.yaml'), /"two" is not a value: a state is named by its whole number/);
});
