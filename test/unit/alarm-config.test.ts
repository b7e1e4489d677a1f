/**
 * The project file's `alarms:` section: validated like the rest, every problem named with its
 * place (file:line:column path) and what is wrong, including references to tags and devices.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseProjectText, ProjectFileError } from '../../main/config/project-loader';
import { repoRoot } from '../helpers/temp';

const base = `version: 1
name: Test line
devices:
  - { id: plc, protocol: modbus-tcp, host: 127.0.0.1 }
tags:
  - { id: temp, device: plc, address: HR0, dataType: float32, units: °C }
  - { id: state, device: plc, address: HR2, dataType: int16 }
  - { id: running, device: plc, address: CO0, dataType: bool }
  - { id: mode, device: plc, address: HR3, dataType: string, length: 4 }
`;

function issues(alarms: string): string[] {
  try {
    parseProjectText(`${base}alarms:\n${alarms}`, 'line.yaml');
  } catch (err) {
    assert.ok(err instanceof ProjectFileError, String(err));
    return err.issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`);
  }
  return [];
}

test('1. the demo project\'s alarms load, with defaults applied', () => {
  const text = readFileSync(join(repoRoot(), 'projects', 'demo-line.yaml'), 'utf8');
  const p = parseProjectText(text, 'demo-line.yaml');
  assert.ok(p.alarms.definitions.length >= 10);
  const types = new Set(p.alarms.definitions.map((d) => d.type));
  for (const t of ['high', 'highHigh', 'deviation', 'rateOfChange', 'discrete', 'commLoss', 'stuck', 'baseline']) assert.ok(types.has(t as never), t);
  assert.deepEqual(p.alarms.shelve, { minS: 60, maxS: 28800 });
});

test('2. no alarms section: none, with default settings', () => {
  const p = parseProjectText(base, 'line.yaml');
  assert.deepEqual(p.alarms, { shelve: { minS: 60, maxS: 28800 }, audibleUpToPriority: 2, definitions: [] });
});

test('3. a full definition parses to the engine\'s shape', () => {
  const p = parseProjectText(
    `${base}alarms:
  shelve: { minS: 5, maxS: 600 }
  definitions:
    - id: T.H
      type: high
      tag: temp
      limit: 80
      deadband: 2
      onDelayS: 3
      offDelayS: 1
      priority: 2
      message: Temperature high
      response: Check the cooling
      procedure: WI-7
      latched: true
      area: Oven
      suppressWhen: { tag: running, equals: false }
      maxShelveS: 300
`,
    'line.yaml',
  );
  assert.deepEqual(p.alarms.definitions[0], {
    id: 'T.H', type: 'high', tag: 'temp', limit: 80, deadband: 2, onDelayS: 3, offDelayS: 1, priority: 2, message: 'Temperature high',
    response: 'Check the cooling', procedure: 'WI-7', latched: true, area: 'Oven', suppressWhen: { tag: 'running', equals: false }, maxShelveS: 300,
  });
});

test('4. shape errors: unknown type, priority, missing fields, conditions — each at its line', () => {
  const got = issues(`  definitions:
    - { id: A, type: hihg, tag: temp, limit: 1, priority: 2, message: x }
    - { id: B, type: high, tag: temp, limit: 1, priority: 5, message: x }
    - { id: C, type: discrete, tag: state, priority: 2, message: x }
    - { id: D, type: stuck, tag: temp, band: 0.1, forS: 10, priority: 3, message: x, runningWhen: { tag: state } }
    - { id: E, type: high, tag: temp, limit: 1, priority: 2, message: x, colour: red }
`);
  assert.equal(got.length, 5, got.join('\n'));
  assert.match(got[0], /^12:\d+ alarms\.definitions\[0\]\.type: .*'high' \| 'highHigh'/);
  assert.match(got[1], /^13:\d+ alarms\.definitions\[1\]\.priority: priority is 1 \(urgent\)/);
  assert.match(got[2], /^14:\d+ alarms\.definitions\[2\]: a discrete alarm needs exactly one of equals, notEquals, bit \(found none\)/);
  assert.match(got[3], /^15:\d+ alarms\.definitions\[3\]\.runningWhen: give exactly one of equals/);
  assert.match(got[4], /^16:\d+ alarms\.definitions\[4\]: unknown field\(s\): colour/);
});

test('5. references: unknown tags and devices, types that do not fit, limit order, duplicate ids', () => {
  const got = issues(`  shelve: { maxS: 600 }
  definitions:
    - { id: A, type: high, tag: nope, limit: 1, priority: 2, message: x }
    - { id: B, type: high, tag: running, limit: 1, priority: 2, message: x }
    - { id: C, type: discrete, tag: running, equals: 101, priority: 2, message: x }
    - { id: D, type: discrete, tag: state, bit: 16, priority: 2, message: x }
    - { id: E, type: commLoss, device: plc2, priority: 2, message: x }
    - { id: F, type: high, tag: temp, limit: 90, priority: 2, message: x }
    - { id: G, type: highHigh, tag: temp, limit: 80, priority: 1, message: x }
    - { id: F, type: low, tag: temp, limit: 5, priority: 3, message: x, suppressWhen: { tag: mode, above: 3 } }
    - { id: H, type: baseline, tag: temp, stateTag: state, states: [running], percent: 10, priority: 4, message: x }
    - { id: I, type: high, tag: state, limit: 1, priority: 4, message: x, maxShelveS: 900 }
`);
  const expected = [
    /^13:\d+ alarms\.definitions\[0\]\.tag: unknown tag "nope"/,
    /^14:\d+ alarms\.definitions\[1\]\.tag: tag "running" is bool: this needs a number/,
    /^15:\d+ alarms\.definitions\[2\]\.equals: 101 cannot be a value of "running" \(bool\)/,
    /^16:\d+ alarms\.definitions\[3\]\.bit: bit 16 is beyond int16 \(bits 0\.\.15\)/,
    /^17:\d+ alarms\.definitions\[4\]\.device: unknown device "plc2" \(devices: plc\)/,
    /^20:\d+ alarms\.definitions\[7\]\.id: duplicate alarm id "F"/,
    /^20:\d+ alarms\.definitions\[7\]\.suppressWhen: tag "mode" is string: this needs a number/,
    /^21:\d+ alarms\.definitions\[8\]\.states\[0\]: "running" cannot be a value of "state" \(int16\)/,
    /^22:\d+ alarms\.definitions\[9\]\.maxShelveS: 900 s is longer than alarms\.shelve\.maxS \(600 s\)/,
    /^19:\d+ alarms\.definitions\[6\]\.limit: the highHigh limit \(80\) must be above the high limit \(90\) of alarm "F"/,
  ];
  assert.equal(got.length, expected.length, got.join('\n'));
  expected.forEach((re, i) => assert.match(got[i], re));
});
