import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** The OS's application-data location for Lineside (what Electron's app.getPath('userData') gives). */
export function defaultDataDir(): string {
  if (process.env.LINESIDE_DATA_DIR) return process.env.LINESIDE_DATA_DIR;
  switch (process.platform) {
    case 'win32':
      return join(process.env.PROGRAMDATA ?? process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Lineside');
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', 'Lineside');
    default:
      return join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'lineside');
  }
}

/** The app's root folder (holds package.json, dist/, projects/), found from this file's location. */
export function appRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'projects'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the Lineside app folder (package.json beside projects/)');
}

export function demoProjectFile(): string {
  return join(appRoot(), 'projects', 'demo-line.yaml');
}

export function rendererDir(): string {
  return join(appRoot(), 'dist', 'renderer');
}
