/**
 * Counter change → KPI on screen (issue 14: p99 ≤ 1 s): the headless app on the built-in
 * simulator (the demo project, its good counter read every `scanMs`), the Production screen in
 * Debian's Chromium. The line is held stopped until the screen's good count stands still; the
 * offset between the PLC's counter and the shift's good count is taken then; the line runs.
 * Each step of the PLC's counter is timed (polled every 5 ms in the simulator's model) until
 * the screen shows a good count that includes it (a MutationObserver on the figure, same
 * clock). Figures: p50/p99/max over every counted unit, the counter's scan time, the run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { bindToSimulator } from '../../main/app/runtime';
import { loadProjectFile } from '../../main/config/project-loader';
import { MachineState } from '../../main/simulator/line-model';
import { startSimulator } from '../../main/simulator/simulator';
import { launchChromium } from '../../test/helpers/browser';
import { startHeadless } from '../../test/helpers/headless-process';
import { repoRoot, tempDir } from '../../test/helpers/temp';
import { percentile, progress, report, round } from '../report';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function counterToScreen(seconds = Number(process.env.BENCH_PRODUCTION_SCREEN_S ?? 40), scanMs = 200): Promise<void> {
  const tmp = tempDir('lineside-bench-production-screen-');
  const sim = await startSimulator({ pkiDir: join(tmp.dir, 'sim-pki'), log: () => undefined, idlePeriods: false, production: false });
  const project = bindToSimulator(loadProjectFile(join(repoRoot(), 'projects', 'demo-line.yaml')), sim);
  for (const t of project.tags) if (t.id === 'L1.GoodCount') t.scanMs = scanMs;
  mkdirSync(join(tmp.dir, 'data'), { recursive: true });
  const file = join(tmp.dir, 'project.yaml');
  writeFileSync(file, stringify(project));
  const app = await startHeadless(['--project', file, '--data-dir', join(tmp.dir, 'data'), '--listen', '127.0.0.1:0']);
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(app.url);
    await page.click('[data-testid="nav-production"]');
    await page.waitForSelector('[data-testid="prod-good"]');
    await page.evaluate(`(() => {
      window.__seen = [];
      const el = document.querySelector('[data-testid="prod-good"]');
      const note = () => window.__seen.push({ t: Date.now(), good: Number(el.textContent.replace(/[^0-9]/g, '')) });
      note();
      new MutationObserver(note).observe(el, { childList: true, characterData: true, subtree: true });
    })()`);
    // Held stopped until the screen's figure stands still: the offset PLC counter − screen.
    sim.model.force(MachineState.Stopped, 0);
    const shown = async () => Number(((await page.textContent('[data-testid="prod-good"]')) ?? '').replace(/[^0-9]/g, ''));
    let last = -1;
    let still = 0;
    while (still < 3) {
      await sleep(1000);
      const g = await shown();
      still = g === last ? still + 1 : 0;
      last = g;
    }
    const offset = sim.model.goodCount - last;
    progress(`production: counter ${sim.model.goodCount}, screen ${last}; the line runs for ${seconds} s`);

    const steps: { raw: number; t: number }[] = [];
    let raw = sim.model.goodCount;
    sim.model.force(MachineState.Running, 0);
    const end = Date.now() + seconds * 1000;
    while (Date.now() < end) {
      const now = sim.model.goodCount;
      if (now !== raw) {
        for (let v = raw + 1; v <= now; v++) steps.push({ raw: v, t: Date.now() });
        raw = now;
      }
      await sleep(5);
    }
    sim.model.force(MachineState.Stopped, 0);
    await sleep(3000);
    const seen = (await page.evaluate('window.__seen')) as { t: number; good: number }[];
    const latencies: number[] = [];
    let notShown = 0;
    for (const s of steps) {
      const hit = seen.find((x) => x.good >= s.raw - offset && x.t >= s.t - 5);
      if (hit) latencies.push(hit.t - s.t);
      else notShown++;
    }
    latencies.sort((a, b) => a - b);
    report('production', {
      case: 'counterToScreen',
      scanMs,
      seconds,
      units: steps.length,
      screenUpdates: seen.length,
      notShown,
      msP50: round(percentile(latencies, 50), 0),
      msP99: round(percentile(latencies, 99), 0),
      msMax: round(latencies[latencies.length - 1] ?? NaN, 0),
      targetP99Ms: 1000,
    });
  } finally {
    await browser.close();
    await app.stop();
    await sim.stop();
    tmp.cleanup();
  }
}
