/**
 * How the Electron shell is launched: what its command line says and where its files are.
 * Plain Node, no Electron import, so it is unit-tested in plain Node.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface ShellArgs {
  dataDir?: string;
  projectFile?: string;
}

/**
 * Reads `--data-dir <dir>` / `--data-dir=<dir>` and `--project <file>` / `--project=<file>` from
 * anywhere in argv (Electron and Chromium put their own switches, and in development the app
 * path, before ours). Other switches are left alone: they may be Chromium's.
 */
export function parseShellArgs(argv: readonly string[]): ShellArgs {
  const out: ShellArgs = {};
  const flags: [string, keyof ShellArgs][] = [
    ['--data-dir', 'dataDir'],
    ['--project', 'projectFile'],
  ];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    for (const [flag, key] of flags) {
      let value: string | undefined;
      if (arg === flag) {
        value = argv[i + 1];
        if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value`);
        i++;
      } else if (arg.startsWith(`${flag}=`)) {
        value = arg.slice(flag.length + 1);
        if (value === '') throw new Error(`${flag} needs a value`);
      }
      if (value !== undefined) out[key] = value;
    }
  }
  return out;
}

/** The renderer page, built by scripts/build.mjs. */
export function rendererIndexFile(appRoot: string): string {
  return join(appRoot, 'dist', 'renderer', 'index.html');
}

/** The preload, bundled into one file by scripts/build.mjs (a sandboxed preload cannot require our files). */
export function preloadFile(appRoot: string): string {
  return join(appRoot, 'dist', 'preload', 'preload.bundle.js');
}

/**
 * Where Electron keeps its Chromium profile. With `--data-dir` the whole instance lives there
 * (tests and side-by-side instances do not share, or lock, the installed app's profile).
 */
export function chromiumProfileDir(dataDir: string): string {
  return join(dataDir, 'electron-profile');
}

/**
 * better-sqlite3 is a native addon, and Electron's Node has a different ABI from the system
 * Node that runs the tests. In development, node_modules keeps the Node build (so `npm test`
 * works) and the Electron build sits apart at build/native/electron/better_sqlite3.node, handed
 * to better-sqlite3 as its `nativeBinding`. Installed builds need none of this: electron-builder
 * rebuilds node_modules for Electron's ABI (`npmRebuild`) before packing, so the default binding
 * is the right one there.
 */
export function electronNativeBinding(
  appRoot: string,
  isPackaged: boolean,
  exists: (file: string) => boolean = existsSync,
): string | undefined {
  if (isPackaged) return undefined;
  const file = join(appRoot, 'build', 'native', 'electron', 'better_sqlite3.node');
  return exists(file) ? file : undefined;
}
