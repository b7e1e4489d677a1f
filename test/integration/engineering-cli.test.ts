/**
 * The engineering commands as an engineer runs them (main/cli/tags.ts, main/cli/check.ts): the
 * compiled CLIs as processes on a temporary copy of the demo project, with their exit codes
 * (0 done, 1 refused / invalid, 2 usage or unreadable file).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseProjectText } from '../../main/config/project-loader';
import { repoRoot, tempDir } from '../helpers/temp';

const tmp = tempDir();
after(() => tmp.cleanup());

function run(cli: 'tags' | 'check', args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(repoRoot(), 'dist', 'main', 'cli', `${cli}.js`), ...args], { encoding: 'utf8', timeout: 30_000, cwd: tmp.dir });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A copy of the demo project with its instruction folders, in a folder of its own. */
function demoCopy(name: string): string {
  const dir = join(tmp.dir, name);
  cpSync(join(repoRoot(), 'projects'), dir, { recursive: true });
  return join(dir, 'demo-line.yaml');
}

test('1. tags export → edit → import: the project gets the edits, keeps its comments, and checks clean', () => {
  const project = demoCopy('roundtrip');
  const before = readFileSync(project, 'utf8');
  const exported = run('tags', ['export', '--project', project]);
  assert.equal(exported.status, 0, exported.stderr);
  assert.match(exported.stdout, /^id,name,device,address,dataType,/);
  const csvFile = join(tmp.dir, 'tags.csv');
  const out = run('tags', ['export', '--project', project, '--out', csvFile, '--delimiter', ';', '--bom']);
  assert.equal(out.status, 0, out.stderr);
  const csv = readFileSync(csvFile, 'utf8');
  assert.ok(csv.startsWith('\uFEFFid;name;'), 'a BOM and semicolons as asked');
  assert.equal(csv.split('\r\n').length, exported.stdout.split('\r\n').length, 'the same rows');
  assert.ok(csv.includes(';line_controller;"ns=1;s=Line1.State";int32;'), 'a cell holding the separator is quoted');

  // Import unchanged: nothing to write.
  const same = run('tags', ['import', csvFile, '--project', project]);
  assert.equal(same.status, 0, same.stderr);
  assert.match(same.stdout, /0 added, 0 changed, 21 unchanged/);
  assert.equal(readFileSync(project, 'utf8'), before);

  // An engineer's edit in a spreadsheet: a unit, a new tag in the classic address form.
  const edited = csv.replace(';packs/min;500;', ';packs/h;500;') + 'L1.HopperLevel;Hopper level;filler_plc;400031;float32;;;%;1000;;;;;0;100;1;;;no;;;"level in the hopper; from the radar"\r\n';
  writeFileSync(csvFile, edited);
  const dry = run('tags', ['import', csvFile, '--project', project, '--dry-run']);
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /dry run, nothing written: 1 added, 1 changed, 20 unchanged/);
  assert.equal(readFileSync(project, 'utf8'), before);
  const imported = run('tags', ['import', csvFile, '--project', project]);
  assert.equal(imported.status, 0, imported.stderr);
  assert.match(imported.stdout, /^added {5}L1\.HopperLevel$/m);
  assert.match(imported.stdout, /^changed {3}L1\.Speed \(units\)$/m);
  const after = readFileSync(project, 'utf8');
  const tags = parseProjectText(after, project).tags;
  assert.equal(tags.find((t) => t.id === 'L1.Speed')?.units, 'packs/h');
  assert.deepEqual(
    (({ address, units, description }) => ({ address, units, description }))(tags.find((t) => t.id === 'L1.HopperLevel')!),
    { address: 'HR30', units: '%', description: 'level in the hopper; from the radar' },
  );
  assert.deepEqual(after.split('\n').filter((l) => l.includes('#')), before.split('\n').filter((l) => l.includes('#')), 'every comment kept');
  assert.deepEqual(readdirSync(join(tmp.dir, 'roundtrip')).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
  const check = run('check', [project]);
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /ok — 2 device\(s\), 22 tag\(s\), 14 alarm\(s\), 5 instruction\(s\)/);
});

test('2. tags import with bad rows: every one named by file:line:column, exit 1, the project not touched', () => {
  const project = demoCopy('refused');
  const before = readFileSync(project, 'utf8');
  const csvFile = join(tmp.dir, 'bad.csv');
  writeFileSync(csvFile, 'id,device,address,dataType,scanMs,description\nOK1,filler_plc,HR50,int16,500,\nBAD1,filler_plc,HR51,int16,soon,\nBAD2,nowhere,HR52,int16,500,"two\nlines"\nBAD3,filler_plc,DI4,int16,500,\n');
  const r = run('tags', ['import', csvFile, '--project', project]);
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.ok(lines[0].startsWith(`${csvFile}:3:5 scanMs: "soon" is not a number`), r.stderr);
  assert.ok(lines[1].startsWith(`${csvFile}:4:2 device: unknown device "nowhere"`), r.stderr);
  assert.ok(lines[2].startsWith(`${csvFile}:6:4 dataType: DI4 is a single bit: dataType must be bool`), r.stderr);
  assert.match(lines[3], /import refused, .* not changed \(3 problem\(s\)\)/);
  assert.equal(readFileSync(project, 'utf8'), before);
});

test('3. tags: usage errors and unreadable files exit 2', () => {
  const project = demoCopy('usage');
  for (const args of [[], ['move'], ['import'], ['export', '--bogus'], ['export', '--project', project, '--delimiter', '|']]) {
    const r = run('tags', args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /usage: npm run tags/);
  }
  const missing = run('tags', ['import', join(tmp.dir, 'no-such.csv'), '--project', project]);
  assert.equal(missing.status, 2, missing.stderr);
  assert.match(missing.stderr, /cannot read the CSV file .*no-such\.csv/);
  const help = run('tags', ['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /exit: 0 done, 1 refused/);
});

test('4. check: a valid project exits 0, a broken one 1 with file:line:column of each problem, usage and unreadable 2', () => {
  const project = demoCopy('check');
  const ok = run('check', [project]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);

  // a brace missing on a known line is reported on that line
  const lines = readFileSync(project, 'utf8').split('\n');
  const at = lines.findIndex((l) => l.includes('{ id: L1.Speed,'));
  lines[at] = lines[at].replace(/ \}$/, '');
  const broken = join(tmp.dir, 'check', 'broken.yaml');
  writeFileSync(broken, lines.join('\n'));
  const syntax = run('check', [broken]);
  assert.equal(syntax.status, 1);
  assert.ok(syntax.stdout.startsWith(`${broken}:${at + 1}:${lines[at].length + 1} (document): YAML syntax: missing } here`), syntax.stdout);

  // schema problems in the project and reference problems in an instruction file, each located
  const text = readFileSync(project, 'utf8').replace('address: HR1, dataType: uint16', 'address: HR1, dataType: uint17');
  writeFileSync(project, text);
  const invalid = run('check', [project]);
  assert.equal(invalid.status, 1);
  assert.match(invalid.stdout, /demo-line\.yaml:\d+:\d+ tags\[8\]\.dataType: Invalid option/);
  writeFileSync(project, text.replace('dataType: uint17', 'dataType: uint16'));
  const instruction = join(tmp.dir, 'check', 'instructions', 'changeover', 'instruction.yaml');
  writeFileSync(instruction, readFileSync(instruction, 'utf8').replace(/tagId: \S+/, 'tagId: L1.NoSuchTag'));
  const inInstruction = run('check', [project]);
  assert.equal(inInstruction.status, 1, inInstruction.stdout);
  assert.match(inInstruction.stdout, /changeover[/\\]instruction\.yaml:\d+:\d+ steps\[\d+\]\.tagId: unknown tag "L1\.NoSuchTag"/);
  assert.match(inInstruction.stdout, /invalid — 1 problem\(s\)/);

  assert.equal(run('check', []).status, 2);
  assert.equal(run('check', [project, project]).status, 2);
  assert.equal(run('check', ['--verbose', project]).status, 2);
  const unreadable = run('check', [join(tmp.dir, 'nothing.yaml')]);
  assert.equal(unreadable.status, 2);
  assert.match(unreadable.stderr, /cannot read .*nothing\.yaml/);
  const help = run('check', ['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /exit: 0 valid, 1 invalid .*, 2 usage or unreadable file/);
});
