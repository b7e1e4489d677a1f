/**
 * Finds the Electron executable WITHOUT triggering a download. `require('electron')` from plain
 * Node returns the executable's path, but since Electron 45 it fetches the binary from GitHub
 * when it is missing, which fails (and stalls) on machines with no access to GitHub. This reads
 * the same files the electron package's own index.js reads, and only checks that they exist.
 *
 * Plain Node, no Electron import: used by `npm start` (main/cli/start.ts) to choose between the
 * desktop app and the headless shell, and by the Electron e2e specs to skip with a reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type ElectronBinary = { path: string } | { missing: string };

/** The executable's path inside Electron's dist folder, as electron's install.js names it. */
function platformExecutable(platform: NodeJS.Platform): string | null {
  switch (platform) {
    case 'darwin':
      return 'Electron.app/Contents/MacOS/Electron';
    case 'win32':
      return 'electron.exe';
    case 'linux':
    case 'freebsd':
    case 'openbsd':
      return 'electron';
    default:
      return null;
  }
}

/**
 * @param appRoot the folder holding node_modules/electron
 * @param env     the environment (ELECTRON_OVERRIDE_DIST_PATH points at an unpacked Electron)
 */
export function findElectronBinary(
  appRoot: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): ElectronBinary {
  const packageDir = join(appRoot, 'node_modules', 'electron');
  const pathFile = join(packageDir, 'path.txt');
  // path.txt is written by electron's installer once the binary is unpacked.
  const recorded = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const executable = recorded || platformExecutable(platform);

  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    if (executable === null) return { missing: `no Electron build exists for platform ${platform}` };
    const candidate = join(override, executable);
    return existsSync(candidate)
      ? { path: candidate }
      : { missing: `ELECTRON_OVERRIDE_DIST_PATH is set, but ${candidate} does not exist` };
  }

  if (!existsSync(join(packageDir, 'package.json'))) {
    return { missing: 'the electron npm package is not installed (node_modules/electron)' };
  }
  if (recorded === '') {
    return {
      missing:
        'node_modules/electron/path.txt is absent: the Electron binary was never downloaded ' +
        '(install it where GitHub is reachable, or set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron)',
    };
  }
  const candidate = join(packageDir, 'dist', recorded);
  return existsSync(candidate)
    ? { path: candidate }
    : { missing: `node_modules/electron/path.txt names dist/${recorded}, which does not exist` };
}
