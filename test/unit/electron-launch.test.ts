/**
 * How the Electron shell reads its command line and finds its files
 * (main/shell/electron-launch.ts), and how it finds the Electron binary without downloading it
 * (main/shell/electron-binary.ts).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findElectronBinary } from '../../main/shell/electron-binary';
import {
  chromiumProfileDir,
  electronNativeBinding,
  parseShellArgs,
  preloadFile,
  rendererIndexFile,
} from '../../main/shell/electron-launch';

test('1. --data-dir and --project, as two arguments or with =, among Chromium switches', () => {
  assert.deepEqual(
    parseShellArgs(['--inspect=0', '--remote-debugging-port=0', 'dist/main/shell/electron-main.js', '--data-dir', '/tmp/d', '--project=/p/line.yaml']),
    { dataDir: '/tmp/d', projectFile: '/p/line.yaml' },
  );
  assert.deepEqual(parseShellArgs(['--data-dir=/x', '--enable-logging']), { dataDir: '/x' });
  assert.deepEqual(parseShellArgs([]), {});
});

test('2. a flag without a value is an error naming the flag', () => {
  assert.throws(() => parseShellArgs(['--data-dir']), /--data-dir needs a value/);
  assert.throws(() => parseShellArgs(['--project', '--data-dir', '/x']), /--project needs a value/);
  assert.throws(() => parseShellArgs(['--project=']), /--project needs a value/);
});

test('3. file locations under the app root', () => {
  assert.equal(rendererIndexFile('/app'), join('/app', 'dist', 'renderer', 'index.html'));
  assert.equal(preloadFile('/app'), join('/app', 'dist', 'preload', 'preload.bundle.js'));
  assert.equal(chromiumProfileDir('/data'), join('/data', 'electron-profile'));
});

test('4. the Electron build of better-sqlite3: used in development when present, never when packaged', () => {
  const file = join('/app', 'build', 'native', 'electron', 'better_sqlite3.node');
  assert.equal(electronNativeBinding('/app', false, (f) => f === file), file);
  assert.equal(electronNativeBinding('/app', false, () => false), undefined);
  assert.equal(electronNativeBinding('/app', true, () => true), undefined);
});

function fakeAppRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'lineside-electron-binary-'));
  mkdirSync(join(root, 'node_modules', 'electron'), { recursive: true });
  writeFileSync(join(root, 'node_modules', 'electron', 'package.json'), '{"name":"electron"}');
  return root;
}

test('5. binary: the npm package without its binary (this build machine) is reported, not downloaded', (t) => {
  const root = fakeAppRoot();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const found = findElectronBinary(root, {}, 'linux');
  assert.ok('missing' in found);
  assert.match(found.missing, /path\.txt is absent/);
});

test('6. binary: path.txt names the executable under dist/', (t) => {
  const root = fakeAppRoot();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const pkg = join(root, 'node_modules', 'electron');
  writeFileSync(join(pkg, 'path.txt'), 'electron');
  const absent = findElectronBinary(root, {}, 'linux');
  assert.ok('missing' in absent && /dist\/electron, which does not exist/.test(absent.missing));
  mkdirSync(join(pkg, 'dist'));
  writeFileSync(join(pkg, 'dist', 'electron'), '');
  assert.deepEqual(findElectronBinary(root, {}, 'linux'), { path: join(pkg, 'dist', 'electron') });
});

test('7. binary: ELECTRON_OVERRIDE_DIST_PATH points at an unpacked Electron', (t) => {
  const root = fakeAppRoot();
  const dist = mkdtempSync(join(tmpdir(), 'lineside-electron-dist-'));
  t.after(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(dist, { recursive: true, force: true });
  });
  const env = { ELECTRON_OVERRIDE_DIST_PATH: dist };
  const absent = findElectronBinary(root, env, 'win32');
  assert.ok('missing' in absent && /ELECTRON_OVERRIDE_DIST_PATH is set/.test(absent.missing));
  writeFileSync(join(dist, 'electron.exe'), '');
  assert.deepEqual(findElectronBinary(root, env, 'win32'), { path: join(dist, 'electron.exe') });
});

test('8. binary: no electron package at all', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'lineside-electron-none-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const found = findElectronBinary(root, {}, 'linux');
  assert.ok('missing' in found && /not installed/.test(found.missing));
});
