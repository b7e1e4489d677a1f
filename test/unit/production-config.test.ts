/**
 * The project's `production:` section: the demo's is valid and complete; a broken one is refused
 * with every problem named by file, line and path (unknown tags, duplicate reason codes, a fault
 * code mapped to a reason that does not exist or is a group, a float counter, a line that never runs).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadProjectFile, parseProjectText, ProjectFileError } from '../../main/config/project-loader';
import { reasonTree } from '../../main/config/production-schema';
import { repoRoot } from '../helpers/temp';

const head = `version: 1
name: Test line
devices:
  - { id: plc, protocol: modbus-tcp, host: 127.0.0.1 }
tags:
  - { id: State, device: plc, address: HR0, dataType: uint16 }
  - { id: Good, device: plc, address: HR2, dataType: uint32 }
  - { id: Reject, device: plc, address: HR4, dataType: uint32 }
  - { id: Speed, device: plc, address: HR6, dataType: float32 }
  - { id: Fault, device: plc, address: HR8, dataType: uint16 }
`;

const good = `${head}production:
  products:
    - { code: P1, idealRatePerMin: 60 }
  reasons:
    - code: U
      name: Unplanned
      category: unplanned
      children:
        - { code: JAM, name: Jam, lossClass: minorStop }
        - { code: BRK, name: Breakdown, lossClass: breakdown }
    - { code: BREAK, name: Break, category: planned }
  lines:
    - id: L1
      state:
        tag: State
        rules:
          - { equals: 1, state: running }
          - { in: [2, 3], state: fault }
      counters: { good: Good, reject: Reject }
      product: { default: P1 }
      faultCode: { tag: Fault, reasons: { 7: JAM } }
`;

function issues(text: string): { path: string; line: number | null; message: string }[] {
  try {
    parseProjectText(text, 'line.yaml');
  } catch (err) {
    assert.ok(err instanceof ProjectFileError, String(err));
    return err.issues;
  }
  assert.fail('expected the project to be refused');
}

test('1. the demo project has a production section: one line, its tags, reasons inherited down the tree', () => {
  const p = loadProjectFile(join(repoRoot(), 'projects', 'demo-line.yaml'));
  const prod = p.production!;
  assert.deepEqual(prod.lines.map((l) => [l.id, l.state.tag, l.counters.good, l.counters.reject, l.faultCode?.tag]), [['L1', 'L1.State', 'L1.GoodCount', 'L1.RejectCount', 'L1.FaultCode']]);
  const tree = reasonTree(prod);
  const mech = tree[0].children.find((c) => c.code === 'MECH')!;
  assert.deepEqual(mech.children.map((c) => [c.code, c.category, c.lossClass, c.requestsMaintenance])[0], ['MECH-SEALER', 'unplanned', 'breakdown', true]);
  assert.equal(tree[1].children[0].category, 'planned');
});

test('2. a good section parses with its defaults', () => {
  const p = parseProjectText(good, 'line.yaml');
  const prod = p.production!;
  assert.equal(prod.minorStopS, 120);
  assert.equal(prod.lines[0].state.default, 'idle');
  assert.deepEqual(prod.lines[0].faultCode?.reasons, { 7: 'JAM' });
  // without a production section there is none (and no KPIs)
  assert.equal(parseProjectText(head, 'line.yaml').production, undefined);
});

test('3. unknown tags, a float counter and a line that never runs are located', () => {
  const text = good
    .replace('tag: State', 'tag: Stat')
    .replace('{ good: Good, reject: Reject }', '{ good: Speed, reject: Rejects }')
    .replace('{ equals: 1, state: running }', '{ equals: 1, state: idle }');
  const found = issues(text);
  const by = (path: string) => found.find((i) => i.path === path);
  assert.match(by('production.lines[0].state.tag')?.message ?? '', /unknown tag "Stat"/);
  assert.equal(by('production.lines[0].state.tag')?.line, 25);
  assert.match(by('production.lines[0].counters.good')?.message ?? '', /"Speed" is float32: a counter must be an integer tag/);
  assert.match(by('production.lines[0].counters.reject')?.message ?? '', /unknown tag "Rejects"/);
  assert.match(by('production.lines[0].state.rules')?.message ?? '', /never run/);
});

test('4. duplicate reason codes, a fault code to an unknown reason or a group, an unplanned leaf without loss class', () => {
  const text = good
    .replace('{ code: BRK, name: Breakdown, lossClass: breakdown }', '{ code: JAM, name: Breakdown, lossClass: breakdown }\n        - { code: NOCLASS, name: No class }')
    .replace('reasons: { 7: JAM }', 'reasons: { 7: JAMS, 8: U }');
  const found = issues(text);
  const msg = (path: string) => found.filter((i) => i.path === path).map((i) => i.message).join(' | ');
  assert.match(msg('production.reasons[0].children[1].code'), /duplicate reason code "JAM"/);
  assert.match(msg('production.reasons[0].children[2]'), /unplanned reason "NOCLASS" needs a lossClass/);
  assert.match(msg('production.lines[0].faultCode.reasons.7'), /unknown reason "JAMS"/);
  assert.match(msg('production.lines[0].faultCode.reasons.8'), /"U" is a group of reasons/);
  const seven = found.find((i) => i.path === 'production.lines[0].faultCode.reasons.7')!;
  assert.equal(seven.line, 32);
});

test('5. schema errors: a rule without condition, one counter only, a product without its rate', () => {
  const text = good
    .replace('{ in: [2, 3], state: fault }', '{ state: fault }')
    .replace('{ good: Good, reject: Reject }', '{ good: Good }')
    .replace('{ code: P1, idealRatePerMin: 60 }', '{ code: P1 }');
  const found = issues(text);
  const msg = (path: string) => found.filter((i) => i.path === path).map((i) => i.message).join(' | ');
  assert.match(msg('production.lines[0].state.rules[1]'), /give the condition/);
  assert.match(msg('production.lines[0].counters'), /two of total, good and reject/);
  assert.match(msg('production.products[0]'), /idealCycleS or idealRatePerMin/);
});
