/**
 * The users command (main/cli/users.ts) as maintenance staff run it: the password rules are the
 * project's (`security.password.minLength`) — the one given with --project, else the demo
 * project's — and the exit codes say what happened (0 done, 1 refused, 2 usage).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { stringify } from 'yaml';
import { loadProjectFile } from '../../main/config/project-loader';
import { repoRoot, tempDir } from '../helpers/temp';

const tmp = tempDir();
after(() => tmp.cleanup());

function users(args: string[], stdin = ''): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(repoRoot(), 'dist', 'main', 'cli', 'users.js'), ...args, '--data-dir', join(tmp.dir, 'data')], { input: stdin, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function projectWithMinLength(minLength: number): string {
  const demo = loadProjectFile(join(repoRoot(), 'projects', 'demo-line.yaml'));
  const file = join(tmp.dir, `project-min-${minLength}.yaml`);
  writeFileSync(file, stringify({ ...demo, security: { ...demo.security, password: { ...demo.security.password, minLength } } }));
  return file;
}

test('1. with --project, the project’s minimum length applies to add and reset-password', () => {
  const project = projectWithMinLength(14);
  const add = ['add', '--project', project, '--id', 'jsmith', '--name', 'Jane Smith', '--role', 'operator'];
  const short = users(add, 'twelve-chars\n');
  assert.equal(short.status, 1, short.stderr);
  assert.match(short.stderr, /at least 14 characters/);
  const ok = users(add, 'fourteen-chars\n');
  assert.equal(ok.status, 0, ok.stderr);
  const reset = users(['reset-password', '--project', project, '--id', 'jsmith'], 'thirteen-chr\n');
  assert.equal(reset.status, 1, reset.stderr);
  assert.match(reset.stderr, /at least 14 characters/);
});

test('2. without --project, the demo project’s rules apply (its minimum: 8 by default)', () => {
  const min = loadProjectFile(join(repoRoot(), 'projects', 'demo-line.yaml')).security.password.minLength;
  const add = ['add', '--id', 'mbrown', '--name', 'Max Brown', '--role', 'operator'];
  const short = users(add, `${'x'.repeat(min - 1)}\n`);
  assert.equal(short.status, 1, short.stderr);
  assert.match(short.stderr, new RegExp(`at least ${min} characters`));
  const ok = users(add, `${'x'.repeat(min)}\n`);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(users(['list']).stdout, /mbrown\tMax Brown\toperator/);
});

test('3. a broken project file is refused, naming the file; an unknown option is a usage error', () => {
  const broken = join(tmp.dir, 'broken.yaml');
  writeFileSync(broken, 'version: 1\nname: [unclosed\n');
  const r = users(['add', '--project', broken, '--id', 'kgreen', '--name', 'Kim Green', '--role', 'operator'], 'long-enough-pw\n');
  assert.equal(r.status, 1, r.stderr);
  assert.ok(r.stderr.includes('broken.yaml'), r.stderr);
  const u = users(['list', '--bogus']);
  assert.equal(u.status, 2);
  assert.match(u.stderr, /unknown option --bogus/);
  assert.match(u.stderr, /usage: npm run users/);
});
