// Builds the signed installers with electron-builder (see electron-builder.yml and
// docs/security.md for signing), then puts back better-sqlite3's build for plain Node:
// electron-builder's npmRebuild rebuilds it for Electron's ABI in place, which would
// otherwise break `npm test` until the next reinstall.
import { spawnSync } from 'node:child_process';

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const built = spawnSync(npx, ['electron-builder', '--config', 'electron-builder.yml', ...process.argv.slice(2)], { stdio: 'inherit' });
const restored = spawnSync(npm, ['rebuild', 'better-sqlite3'], { stdio: 'inherit' });
if (restored.status !== 0) console.error('dist: could not rebuild better-sqlite3 for Node; run `npm rebuild better-sqlite3` before `npm test`');
process.exit(built.status ?? 1);
