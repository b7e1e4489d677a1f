// Builds better-sqlite3 for the installed Electron's ABI into build/native/electron/, beside
// (not over) the Node build in node_modules, so `npm start` (desktop) and `npm test` (Node)
// both work in either order. The desktop shell passes this file to better-sqlite3 as its
// `nativeBinding`. Needs Electron's headers (network or a local headers mirror via
// npm_config_nodedir); on machines without either, the desktop app cannot be run anyway.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')).version;
const work = mkdtempSync(join(tmpdir(), 'lineside-native-'));
try {
  cpSync(join(root, 'node_modules/better-sqlite3'), join(work, 'better-sqlite3'), { recursive: true });
  const gyp = join(root, 'node_modules/node-gyp/bin/node-gyp.js');
  const r = spawnSync(process.execPath, [gyp, 'rebuild', '--release', `--target=${electronVersion}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers'], {
    cwd: join(work, 'better-sqlite3'),
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    console.error(`electron-native: building better-sqlite3 for Electron ${electronVersion} failed`);
    process.exit(1);
  }
  mkdirSync(join(root, 'build/native/electron'), { recursive: true });
  cpSync(join(work, 'better-sqlite3/build/Release/better_sqlite3.node'), join(root, 'build/native/electron/better_sqlite3.node'));
  console.log(`electron-native: build/native/electron/better_sqlite3.node for Electron ${electronVersion}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
