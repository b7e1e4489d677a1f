// Runs the compiled test suites with node's built-in test runner: unit tests in parallel,
// integration and end-to-end tests one file at a time (they start servers and a browser, and
// this machine has two cores). Usage: node scripts/run-tests.mjs [unit|integration|e2e ...]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wanted = process.argv.slice(2);
const suites = wanted.length > 0 ? wanted : ['unit', 'integration', 'e2e'];

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return testFiles(p);
    return e.name.endsWith('.test.js') ? [p] : [];
  }).sort();
}

const files = [];
for (const suite of suites) {
  const found = testFiles(join(root, 'dist', 'test', suite));
  if (found.length === 0) {
    console.error(`no compiled tests in dist/test/${suite}: run the build first`);
    process.exit(1);
  }
  files.push({ suite, found });
}

let failed = false;
for (const { suite, found } of files) {
  console.log(`\n# ${suite}: ${found.length} file(s)`);
  const args = ['--test', '--test-reporter=spec', `--test-concurrency=${suite === 'unit' ? 2 : 1}`, ...found];
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, LINESIDE_LOG: process.env.LINESIDE_LOG ?? 'warn' } });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
