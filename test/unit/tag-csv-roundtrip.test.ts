/**
 * The demo project through CSV and back (main/config/tag-csv.ts, tag-import.ts): export → import
 * gives the same tags, and the project file keeps its comments and layout.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatModbusAddress, parseModbusAddress } from '../../shared/modbus-address';
import { parseProjectText } from '../../main/config/project-loader';
import type { TagConfig } from '../../main/config/project-schema';
import { formatTagCsv } from '../../main/config/tag-csv';
import { importTagCsv } from '../../main/config/tag-import';
import { repoRoot } from '../helpers/temp';

const demoFile = join(repoRoot(), 'projects', 'demo-line.yaml');
const demo = readFileSync(demoFile, 'utf8');
const demoTags = parseProjectText(demo, demoFile).tags;

function importInto(projectText: string, csvText: string) {
  return importTagCsv({ projectText, projectFile: 'copy.yaml', csvText, csvFile: 'demo-tags.csv' });
}

/** One tag's line in the demo file, by id. */
function lineOf(text: string, id: string): string {
  const line = text.split('\n').find((l) => l.includes(`{ id: ${id},`));
  assert.ok(line !== undefined, `no line for ${id}`);
  return line;
}

test('1. export → import into an identical copy: every tag unchanged, the file byte for byte the same', () => {
  for (const delimiter of [',', ';'] as const) {
    const { text, report } = importInto(demo, formatTagCsv(demoTags, { delimiter, bom: delimiter === ';' }));
    assert.equal(report.unchanged.length, demoTags.length);
    assert.deepEqual([report.added, report.changed, report.notInCsv], [[], [], []]);
    assert.equal(text, demo);
  }
});

test('2. export → import into an edited copy: the tags come back as exported, comments and the other lines kept', () => {
  const edits: [string, (line: string) => string][] = [
    ['L1.Speed', (l) => l.replace('units: packs/min', 'units: packs/h').replace('scanMs: 500', 'scanMs: 250')],
    ['L1.MotorCurrent', (l) => l.replace('address: HR10', 'address: "400011"').replace(', normal: { low: 8, high: 14 }', '')],
    ['L1.RunCommand', (l) => l.replace('writable: true', 'writable: false')],
    ['L1.EStopOk', (l) => l.replace('name: Emergency stop healthy', 'name: E-stop').replace(/ }$/, ', description: old }')],
  ];
  let copy = demo;
  for (const [id, edit] of edits) copy = copy.replace(lineOf(copy, id), edit(lineOf(copy, id)));
  // the two-line flow map: its scaling removed
  copy = copy.replace(/,\n\s+scaling: \{ rawMin: -1000, rawMax: 1000, engMin: -100, engMax: 100 \} \}/, ' }');
  assert.notEqual(copy, demo);
  const edited = parseProjectText(copy, 'copy.yaml').tags;
  assert.equal(edited.find((t) => t.id === 'L1.AmbientTemp')?.scaling, undefined);

  const { text, report } = importInto(copy, formatTagCsv(demoTags));
  assert.deepEqual(report.changed.map((c) => c.id).sort(), ['L1.AmbientTemp', 'L1.EStopOk', 'L1.MotorCurrent', 'L1.RunCommand', 'L1.Speed']);
  assert.deepEqual(report.changed.find((c) => c.id === 'L1.MotorCurrent')?.fields, ['normal'], '400011 is HR10: no change of address');
  assert.equal(report.unchanged.length, demoTags.length - 5);

  // The same tags as the original (400011 and HR10 are one register: the copy keeps its spelling).
  const register = (t: TagConfig) => {
    const a = parseModbusAddress(t.address);
    return { ...t, address: a.ok && t.device === 'filler_plc' ? formatModbusAddress(a.value) : t.address };
  };
  const imported = parseProjectText(text, 'copy.yaml');
  assert.deepEqual(imported.tags.map(register), demoTags.map(register));
  assert.equal(imported.tags.find((t) => t.id === 'L1.MotorCurrent')?.address, '400011');

  // Comments and every line outside the changed tags are as they were, in order.
  const comments = (s: string) => s.split('\n').filter((l) => l.includes('#'));
  assert.deepEqual(comments(text), comments(demo));
  const changed = report.changed.map((c) => `{ id: ${c.id},`);
  const outside = (s: string) => s.split('\n').filter((l) => !changed.some((c) => l.includes(c)) && !l.includes('scaling: { rawMin: -1000'));
  assert.deepEqual(outside(text), outside(demo));
  // The rest of the project is untouched: alarms, security, instructions.
  const original = parseProjectText(demo, demoFile);
  assert.deepEqual([imported.alarms, imported.security, imported.instructions, imported.devices], [original.alarms, original.security, original.instructions, original.devices]);
});
