// Builds everything the app and the tests run from: dist/ (runtime, preload, tests, benches)
// and dist/renderer (the bundled React app). Plain Node script, no shell syntax, so it runs
// the same on Windows build machines.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const log = (msg) => { if (!quiet) process.stderr.write(`[build] ${msg}\n`); };
const started = Date.now();

function tsc(project) {
  const tscBin = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tscBin, '-p', project], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`[build] type errors in ${project}\n`);
    process.exit(r.status ?? 1);
  }
}

log('type-checking shared/ (no Node, no DOM)');
tsc('shared/tsconfig.json');
log('compiling main/, preload/, test/, bench/');
tsc('tsconfig.json');
log('type-checking renderer/');
tsc('renderer/tsconfig.json');

// The sandboxed preload cannot require our other files: bundle it into one file.
await build({
  entryPoints: [join(root, 'preload/preload.ts')],
  outfile: join(root, 'dist/preload/preload.bundle.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['electron'],
  logLevel: 'warning',
});

mkdirSync(join(root, 'dist/renderer'), { recursive: true });
await build({
  entryPoints: [join(root, 'renderer/main.tsx')],
  outfile: join(root, 'dist/renderer/app.js'),
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'chrome120',
  jsx: 'automatic',
  minify: true,
  sourcemap: true,
  define: { 'process.env.NODE_ENV': '"production"' },
  loader: { '.css': 'css' },
  logLevel: 'warning',
});
cpSync(join(root, 'renderer/index.html'), join(root, 'dist/renderer/index.html'));
log(`done in ${Date.now() - started} ms`);
