import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadProjectFile, parseProjectText, ProjectFileError } from '../../main/config/project-loader';
import { retentionOf } from '../../main/app/runtime';
import { toTagInfo } from '../../main/app/project-tags';
import { repoRoot, tempDir } from '../helpers/temp';

const minimal = `version: 1
name: Test line
devices:
  - id: plc
    protocol: modbus-tcp
    host: 127.0.0.1
tags:
  - id: T1
    device: plc
    address: HR10
    dataType: float32
`;

function expectIssues(text: string, check: (e: ProjectFileError) => void): void {
  assert.throws(
    () => parseProjectText(text, 'line.yaml'),
    (err: unknown) => {
      assert.ok(err instanceof ProjectFileError, `expected ProjectFileError, got ${String(err)}`);
      check(err);
      return true;
    },
  );
}

test('1. the demo project shipped with the app is valid', () => {
  const p = loadProjectFile(join(repoRoot(), 'projects', 'demo-line.yaml'));
  assert.equal(p.devices.length, 2);
  assert.ok(p.tags.length >= 20);
  assert.ok(p.tags.some((t) => t.device === 'filler_plc') && p.tags.some((t) => t.device === 'line_controller'));
});

test('2. defaults are applied to a minimal project', () => {
  const p = parseProjectText(minimal);
  const d = p.devices[0];
  assert.equal(d.protocol, 'modbus-tcp');
  assert.equal(d.protocol === 'modbus-tcp' && d.port, 502);
  assert.equal(p.tags[0].scanMs, 1000);
  assert.equal(p.tags[0].units, '');
});

test('3. a bad field names the file, the path, the line and what is wrong', () => {
  const text = minimal.replace('address: HR10', 'address: XX10');
  expectIssues(text, (e) => {
    assert.equal(e.issues.length, 1);
    assert.equal(e.issues[0].path, 'tags[0].address');
    assert.equal(e.issues[0].line, 10);
    assert.match(e.issues[0].message, /not a Modbus address/);
    assert.match(e.message, /line\.yaml:10:\d+ tags\[0\]\.address/);
  });
});

test('4. schema errors: wrong type, unknown field, missing field, bad enum', () => {
  const text = minimal.replace('dataType: float32', 'dataType: float128\n    colour: red').replace('    host: 127.0.0.1\n', '');
  expectIssues(text, (e) => {
    const paths = e.issues.map((i) => i.path).sort();
    assert.deepEqual(paths, ['devices[0].host', 'tags[0]', 'tags[0].dataType'].sort());
    const byPath = new Map(e.issues.map((i) => [i.path, i]));
    assert.match(byPath.get('tags[0]')!.message, /unknown field.*colour/);
    assert.ok(byPath.get('tags[0].dataType')!.line !== null);
    // a missing field points at its parent's line
    assert.equal(byPath.get('devices[0].host')!.line, 4);
  });
});

test('5. references: unknown device, duplicate tag ids, min >= max', () => {
  const text = `${minimal}  - id: T1
    device: nowhere
    address: HR1
    dataType: int16
  - id: T2
    device: plc
    address: HR3
    dataType: int16
    min: 10
    max: 5
`;
  expectIssues(text, (e) => {
    const msgs = e.issues.map((i) => `${i.path}: ${i.message}`);
    assert.ok(msgs.some((m) => /tags\[1\]\.id: duplicate tag id "T1"/.test(m)), msgs.join('\n'));
    assert.ok(msgs.some((m) => /tags\[1\]\.device: unknown device "nowhere"/.test(m)), msgs.join('\n'));
    assert.ok(msgs.some((m) => /tags\[2\]\.max/.test(m)), msgs.join('\n'));
  });
});

test('6. protocol-specific address checks', () => {
  expectIssues(minimal.replace('dataType: float32', 'dataType: bool'), (e) => assert.match(e.issues[0].message, /needs a bit/));
  expectIssues(minimal.replace('address: HR10', 'address: CO1'), (e) => assert.match(e.issues[0].message, /single bit: dataType must be bool/));
  expectIssues(minimal.replace('address: HR10', 'address: IR1').replace('dataType: float32', 'dataType: float32\n    writable: true'), (e) =>
    assert.match(e.issues[0].message, /read-only/),
  );
  const opc = `version: 1
name: x
devices:
  - { id: ua, protocol: opcua, endpoint: "opc.tcp://127.0.0.1:4840" }
tags:
  - { id: A, device: ua, address: "Line1.Speed", dataType: float64 }
`;
  expectIssues(opc, (e) => {
    assert.equal(e.issues[0].path, 'tags[0].address');
    assert.equal(e.issues[0].line, 6);
    assert.match(e.issues[0].message, /not an OPC UA NodeId/);
  });
});

test('7. YAML syntax errors carry a line number; an unreadable file is an error too', () => {
  expectIssues('version: 1\nname: [unclosed\n', (e) => {
    assert.ok(e.issues[0].line !== null);
    assert.match(e.issues[0].message, /YAML syntax/);
  });
  const { dir, cleanup } = tempDir();
  try {
    assert.throws(() => loadProjectFile(join(dir, 'missing.yaml')), /cannot read the file/);
    writeFileSync(join(dir, 'dup.yaml'), 'version: 1\nversion: 2\n');
    assert.throws(() => loadProjectFile(join(dir, 'dup.yaml')), (e: unknown) => e instanceof ProjectFileError && /dup\.yaml/.test(e.message));
  } finally {
    cleanup();
  }
});

test('8. retention: classes per tag, default age and disk quota reach the historian; unknown classes are refused', () => {
  const demo = loadProjectFile(join(repoRoot(), 'projects', 'demo-line.yaml'));
  const r = retentionOf(demo);
  assert.equal(r.maxAgeMs, 400 * 86_400_000);
  assert.equal(r.perTag?.['L1.GoodCount'], 3650 * 86_400_000);
  assert.equal(r.quotaBytes, 2048 * 1024 * 1024);
  expectIssues(minimal.replace('dataType: float32', 'dataType: float32\n    retention: fast'), (e) => {
    assert.equal(e.issues[0].path, 'tags[0].retention');
    assert.match(e.issues[0].message, /unknown retention class "fast"/);
  });
  const forever = parseProjectText(`${minimal}historian: { keepDays: null, retentionClasses: { short: 7 } }\n`);
  assert.equal(retentionOf(forever).maxAgeMs, null);
});

test('9. normal band: surfaced per tag; an inverted or empty band is refused where it is written', () => {
  const demo = loadProjectFile(join(repoRoot(), 'projects', 'demo-line.yaml'));
  const speed = demo.tags.find((t) => t.id === 'L1.Speed')!;
  assert.ok(speed.normal?.low !== undefined && speed.normal.high !== undefined && speed.normal.low < speed.normal.high);
  const infos = toTagInfo(demo);
  const info = infos.find((t) => t.id === 'L1.Speed')!;
  assert.deepEqual([info.normalLow, info.normalHigh], [speed.normal.low, speed.normal.high]);
  assert.equal(infos.find((t) => t.id === 'L1.FaultCode')!.normalLow, undefined, 'no band: no fields');

  const oneSided = parseProjectText(minimal.replace('dataType: float32', 'dataType: float32\n    normal: { high: 80 }'));
  assert.deepEqual(oneSided.tags[0].normal, { high: 80 });
  assert.deepEqual([toTagInfo(oneSided)[0].normalLow, toTagInfo(oneSided)[0].normalHigh], [undefined, 80]);

  const second = `${minimal}  - id: T2
    device: plc
    address: HR20
    dataType: float32
    normal: { low: 50, high: 50 }
`;
  expectIssues(second, (e) => {
    assert.equal(e.issues.length, 1);
    assert.equal(e.issues[0].path, 'tags[1].normal');
    assert.equal(e.issues[0].line, 16);
    assert.match(e.issues[0].message, /low \(50\) must be below high \(50\)/);
    assert.match(e.message, /line\.yaml:16:\d+ tags\[1\]\.normal: low/);
  });
  expectIssues(minimal.replace('dataType: float32', 'dataType: float32\n    normal: {}'), (e) => {
    assert.equal(e.issues[0].path, 'tags[0].normal');
    assert.match(e.issues[0].message, /give low, high or both/);
  });
  expectIssues(minimal.replace('dataType: float32', 'dataType: float32\n    normal: { lo: 1 }'), (e) => {
    assert.equal(e.issues[0].path, 'tags[0].normal');
    assert.match(e.issues[0].message, /unknown field.*lo/);
  });
});

test('10. shifts: default 06:00/14:00/22:00; HH:MM, 1 to 6, in order, each error located', () => {
  assert.deepEqual(parseProjectText(minimal).shifts, ['06:00', '14:00', '22:00']);
  assert.deepEqual(loadProjectFile(join(repoRoot(), 'projects', 'demo-line.yaml')).shifts, ['06:00', '14:00', '22:00']);
  assert.deepEqual(parseProjectText(`${minimal}shifts: ["07:30", "19:30"]\n`).shifts, ['07:30', '19:30']);
  assert.deepEqual(parseProjectText(`${minimal}shifts: [00:00]\n`).shifts, ['00:00'], 'unquoted is a string too (YAML 1.2)');

  expectIssues(`${minimal}shifts: ["06:00", "6:30", "24:00"]\n`, (e) => {
    assert.deepEqual(e.issues.map((i) => i.path).sort(), ['shifts[1]', 'shifts[2]']);
    for (const i of e.issues) {
      assert.equal(i.line, 12);
      assert.match(i.message, /time of day like "06:00"/);
    }
  });
  expectIssues(`${minimal}shifts:\n  - "14:00"\n  - "06:00"\n`, (e) => {
    assert.equal(e.issues.length, 1);
    assert.equal(e.issues[0].path, 'shifts[1]');
    assert.equal(e.issues[0].line, 14);
    assert.match(e.issues[0].message, /06:00 must be later than 14:00/);
  });
  expectIssues(`${minimal}shifts: ["06:00", "06:00"]\n`, (e) => assert.match(e.issues[0].message, /must be later than/));
  expectIssues(`${minimal}shifts: []\n`, (e) => {
    assert.equal(e.issues[0].path, 'shifts');
    assert.match(e.issues[0].message, /at least one shift/);
  });
  expectIssues(`${minimal}shifts: ["01:00", "02:00", "03:00", "04:00", "05:00", "06:00", "07:00"]\n`, (e) => assert.match(e.issues[0].message, /at most 6/));
});

test('11. a flow map missing its } is reported on the line where the } is missing, not on the next one', () => {
  // The yaml library notices the unclosed map only at the next item's "-" (line 36 here, when the
  // brace is missing on line 35): the loader moves the position back to where the brace belongs.
  const lines = readFileSync(join(repoRoot(), 'projects', 'demo-line.yaml'), 'utf8').split('\n');
  const at = lines.findIndex((l) => l.includes('id: L1.State,'));
  assert.ok(at > 0 && lines[at].endsWith(' }'), 'the demo project’s first tag is a one-line flow map');
  lines[at] = lines[at].slice(0, -2);
  const cut = lines[at].length;
  expectIssues(lines.join('\n'), (e) => {
    assert.equal(e.issues.length, 1, e.message);
    assert.equal(e.issues[0].line, at + 1, e.message);
    assert.equal(e.issues[0].column, cut + 1, e.message);
    assert.match(e.issues[0].message, /YAML syntax: missing \} here/);
    // the position is given once, in file:line:col, not repeated from the library's message
    assert.doesNotMatch(e.message, /at line \d+/);
    assert.ok(e.message.includes(`line.yaml:${at + 1}:${cut + 1}`), e.message);
  });
  // Across a blank line and a comment line, and for a flow sequence: the line of the last content.
  expectIssues('version: 1\nname: x\ndevices: [{ id: a, protocol: opcua\n\n# devices above\ntags: []\n', (e) => {
    assert.equal(e.issues[0].line, 3, e.message);
  });
  expectIssues('version: 1\nshifts: ["06:00", "14:00"\nname: x\n', (e) => {
    assert.equal(e.issues[0].line, 2, e.message);
    assert.match(e.issues[0].message, /missing \] here/);
  });
  // Other syntax errors keep the library's position: a duplicate key on its own line.
  expectIssues('version: 1\nname: a\nname: b\n', (e) => assert.equal(e.issues[0].line, 3, e.message));
});
