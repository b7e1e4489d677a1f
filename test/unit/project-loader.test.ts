import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadProjectFile, parseProjectText, ProjectFileError } from '../../main/config/project-loader';
import { retentionOf } from '../../main/app/runtime';
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
