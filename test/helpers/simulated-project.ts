import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { bindToSimulator } from '../../main/app/runtime';
import { loadProjectFile } from '../../main/config/project-loader';
import type { SimulatedLine } from '../../main/simulator/simulator';
import { repoRoot } from './temp';

/** Writes the demo project pointed at a running simulator, and returns its path. */
export function writeDemoProjectFor(sim: SimulatedLine, dir: string): string {
  const project = bindToSimulator(loadProjectFile(join(repoRoot(), 'projects', 'demo-line.yaml')), sim);
  // the demo's work instructions stay where they are (the project file is written elsewhere)
  project.instructions.folder = join(repoRoot(), 'projects', 'instructions');
  const file = join(dir, 'project.yaml');
  writeFileSync(file, stringify(project));
  return file;
}
