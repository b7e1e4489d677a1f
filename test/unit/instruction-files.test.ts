/**
 * Instruction folders (main/config/instruction-files.ts): the demo's three load; errors
 * name the file, the line and the path; media are hashed into the version's hash; the
 * lifecycle refuses what its state does not allow, and each role is approved by another person.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { loadProjectFile } from '../../main/config/project-loader';
import { loadInstructionFolder, loadInstructionFolders, type InstructionContext } from '../../main/config/instruction-files';
import { VersionStore } from '../../main/instructions/version-store';
import { repoRoot, tempDir } from '../helpers/temp';

const tmp = tempDir();
after(() => tmp.cleanup());
const demo = loadProjectFile(join(repoRoot(), 'projects', 'demo-line.yaml'));
const ctx: InstructionContext = {
  tags: new Map(demo.tags.map((t) => [t.id, { writable: t.writable }])),
  alarms: new Set(demo.alarms.definitions.map((d) => d.id)),
};

function folder(name: string, yaml: string): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'instruction.yaml'), yaml);
  return dir;
}

test('1. the demo project’s three instructions load against the demo line', () => {
  const { instructions, problems } = loadInstructionFolders(join(repoRoot(), 'projects', 'instructions'), ctx);
  assert.deepEqual(problems, []);
  assert.deepEqual(instructions.map((i) => i.definition.id).sort(), ['WI-MNT-014', 'WI-MNT-021', 'WI-OPS-001', 'WI-OPS-003', 'WI-OPS-010']);
  for (const i of instructions) assert.match(i.hash, /^[0-9a-f]{64}$/);
});

test('2. errors name file, line and path: unknown tag, not writable, bad expression, branch backwards, YAML', () => {
  const dir = folder(
    'broken',
    `id: WI-X
title: Broken
revision: 1
steps:
  - { id: a, kind: condition, title: Wait, expression: "L1.Nope == 1" }
  - { id: b, kind: action, title: Write, tagId: L1.Speed, value: 3 }
  - { id: c, kind: condition, title: Bad, expression: "L1.Speed >" }
  - { id: d, kind: choice, title: Pick, options: [x, y] }
  - { id: e, kind: branch, title: Go, on: d, cases: [{ equals: x, goto: a }], otherwise: f }
  - { id: e, kind: read, title: Twice }
`,
  );
  assert.throws(
    () => loadInstructionFolder(dir, ctx),
    (err: Error) => {
      const m = err.message;
      assert.match(m, /broken[\\/]instruction\.yaml: invalid instruction file/);
      assert.match(m, /instruction\.yaml:5:\d+ steps\[0\]\.expression: unknown tag "L1\.Nope"/);
      assert.match(m, /instruction\.yaml:6:\d+ steps\[1\]\.tagId: "L1\.Speed" is not writable/);
      assert.match(m, /instruction\.yaml:7:\d+ steps\[2\]\.expression: the expression ends too early \(at column 11\)/);
      assert.match(m, /steps\[4\]\.cases\[0\]\.goto: "a" is not a later step/);
      assert.match(m, /steps\[4\]\.otherwise: "f" is not a later step/);
      assert.match(m, /instruction\.yaml:10:\d+ steps\[5\]\.id: duplicate step id "e"/);
      return true;
    },
  );
  const yaml = folder('yaml', 'id: [unclosed\n');
  assert.throws(() => loadInstructionFolder(yaml, ctx), /instruction\.yaml:\d+:\d+ \(document\): YAML syntax/);
  const schema = folder('schema', 'id: WI-Y\ntitle: T\nrevision: 1\nsteps:\n  - { id: a, kind: measure, title: M, low: 5, high: 1, colour: red }\n');
  assert.throws(() => loadInstructionFolder(schema, ctx), /steps\[0\]: unknown field\(s\): colour/);
  // one broken folder does not stop the others
  const all = loadInstructionFolders(tmp.dir, ctx);
  assert.equal(all.problems.length, 3);
});

test('3. a changed picture is a new version: media bytes are in the hash, and kept with it', () => {
  const src = join(repoRoot(), 'projects', 'instructions', 'start-of-shift');
  const dir = join(tmp.dir, 'media');
  cpSync(src, dir, { recursive: true });
  const a = loadInstructionFolder(dir, ctx);
  const film = a.definition.steps.find((st) => st.id === 'film')!;
  assert.deepEqual([film.media[0].kind, film.media[0].file], ['image', 'film-roll.svg']);
  assert.ok(a.media.get(film.media[0].sha256)?.toString('utf8').startsWith('<svg'), 'the bytes go with the version');
  writeFileSync(join(dir, 'film-roll.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  const b = loadInstructionFolder(dir, ctx);
  assert.notEqual(a.hash, b.hash);
  const yaml = join(dir, 'instruction.yaml');
  writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('film-roll.svg', '../outside.png'));
  assert.throws(() => loadInstructionFolder(dir, ctx), /a file inside the instruction folder/);
});

test('4. lifecycle: submit → approve by each required role (different people) → release; the rest refused', () => {
  const db = new Database(':memory:');
  const store = new VersionStore(db, ['engineer', 'supervisor']);
  const { definition, hash } = loadInstructionFolder(join(repoRoot(), 'projects', 'instructions', 'changeover'), ctx);
  const v1 = store.register(definition, hash, 1000);
  assert.deepEqual([v1.state, v1.number], ['draft', 1]);
  assert.equal(store.register(definition, hash, 2000).number, 1, 'the same content is the same version');
  assert.throws(() => store.transition(hash, 'release'), /is draft, not approved/);
  assert.throws(() => store.transition(hash, 'approve', { userId: 'e', printedName: 'Eve', ts: 1, signatureId: 1, roles: ['engineer'] }), /is draft, not inReview/);
  store.transition(hash, 'submit');
  const eng = { userId: 'eve', printedName: 'Eve Engineer', ts: 3000, signatureId: 7, roles: ['engineer', 'supervisor'] };
  assert.equal(store.transition(hash, 'approve', eng).state, 'inReview');
  assert.throws(() => store.transition(hash, 'approve', eng), /has approved this version already/);
  assert.throws(() => store.transition(hash, 'approve', { ...eng, userId: 'op', printedName: 'Olga', roles: ['operator'] }), /holds none of the roles still to approve \(supervisor\)/);
  const approved = store.transition(hash, 'approve', { userId: 'sam', printedName: 'Sam Supervisor', ts: 4000, signatureId: 8, roles: ['supervisor'] });
  assert.equal(approved.state, 'approved');
  assert.deepEqual(approved.approvals.map((a) => [a.role, a.userId]), [['engineer', 'eve'], ['supervisor', 'sam']]);
  assert.equal(store.transition(hash, 'release').state, 'effective');
  // a second version released makes the first obsolete
  const changed = { ...definition, revision: '3' };
  const h2 = 'f'.repeat(64);
  store.register(changed, h2, 5000);
  store.transition(h2, 'submit');
  store.transition(h2, 'approve', eng);
  store.transition(h2, 'approve', { userId: 'sam', printedName: 'Sam', ts: 6000, signatureId: 9, roles: ['supervisor'] });
  store.transition(h2, 'release');
  assert.deepEqual(store.versions(definition.id).map((v) => [v.number, v.state]), [[2, 'effective'], [1, 'obsolete']]);
  assert.equal(store.effective(definition.id)?.info.hash, h2);
});
