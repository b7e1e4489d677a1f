/**
 * npm start: the desktop app where an Electron binary is installed; otherwise one line saying so,
 * and the same app served headless on loopback.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../app/paths';
import { findElectronBinary } from '../shell/electron-binary';
import { ListenError } from '../shell/web';
import { runCli } from './args';
import { main as headlessMain } from './headless';

async function start(argv: string[]): Promise<number> {
  const root = appRoot();
  const electron = findElectronBinary(root);
  if ('path' in electron) {
    if (!existsSync(join(root, 'build', 'native', 'electron', 'better_sqlite3.node'))) {
      // SQLite's native addon must match Electron's ABI; build it beside the Node one once.
      const built = spawnSync(process.execPath, [join(root, 'scripts', 'electron-native.mjs')], { stdio: 'inherit' });
      if (built.status !== 0) {
        process.stderr.write('lineside: could not build SQLite for Electron; serving headless instead\n');
        return headlessMain([...argv, '--listen', '127.0.0.1:0']);
      }
    }
    const child = spawn(electron.path, [join(root, 'dist', 'main', 'shell', 'electron-main.js'), ...argv], { stdio: 'inherit' });
    return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  }
  process.stdout.write(`Electron is not installed here (${electron.missing}); serving the same app headless instead:\n`);
  const hasListen = argv.some((a) => a === '--listen' || a.startsWith('--listen='));
  if (hasListen) return headlessMain(argv);
  // Prefer a stable address; when 8080 is taken, any free port will do for a local demo.
  const code = await headlessMain([...argv, '--listen', '127.0.0.1:8080'], { quietListenErrors: true });
  if (code === ListenError.BUSY_EXIT) return headlessMain([...argv, '--listen', '127.0.0.1:0']);
  return code;
}

runCli('lineside', start);
