/**
 * trends: the Trends screen in Chromium (1920×1080) against the headless shell, on a data
 * directory seeded with a week of history (test/helpers/seed-history.ts).
 *
 * Setup: a Modbus TCP server in this process holds 8 float32 tags whose values change at every
 * read; the project scans them every 100 ms. Before the app starts, 7 days × 8 tags of 1 Hz
 * history for the same tag names are written into its data directory (seedingMs).
 *
 * Figures (one JSON line):
 *  - wsTrendWeekMsP50: history.trend for the 8 pens over the week straight over the WebSocket
 *    (no UI), the screen's maxPoints; the historian's own share of the open.
 *  - openWeek8PensMs: the screen open live (1 min) on the 8 pens; from the click on the 7-day
 *    preset (in-page performance.now) to the first drawn event with loading=false over ~7 days.
 *    The first time (cold); openWeek8PensMsP50: the median of OPEN_REPEATS more.
 *  - zoomRoundTripMsP50/P99: ZOOM_CYCLES × 14 zoom and pan clicks inside the week, each from
 *    the click to the first drawn event with loading=false whose from/to are the screen's new
 *    data-from/data-to.
 *  - live, LIVE_S seconds on the 8 pens' 10-minute live window: long tasks (PerformanceObserver
 *    'longtask', all > 50 ms), renderer heap growth (CDP: GC, then Runtime.getHeapUsage, at
 *    start and end), renderer CPU (CDP Performance metrics: TaskDuration delta / wall time, % of
 *    one core), and change-to-pixel: every 400–700 ms the first pen is set to a distinct value
 *    (held 250 ms) in the device; from Date.now() here at the change to Date.now() in the page
 *    at the first drawn event whose last point of that pen has the value.
 *
 * The last BENCH_TRENDS_DENSE_MIN (15) minutes before the app starts are seeded at the live rate
 * (10 Hz), so the 10-minute live window is full of dense data from the first second.
 *
 * Env: BENCH_TRENDS_LIVE_S (600), BENCH_TRENDS_DAYS (7), BENCH_TRENDS_OPEN_REPEATS (5),
 * BENCH_TRENDS_ZOOM_CYCLES (3), BENCH_TRENDS_PROFILE (a file: the renderer's CPU profile of the
 * live period, .cpuprofile for Chrome's DevTools; the profiler's own cost is in the figures then),
 * BENCH_TRENDS_EXPERIMENT (script run in the page before the app, for A/B experiments).
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import type { ServerTCP } from 'modbus-serial';
import WebSocket from 'ws';
import { stringify } from 'yaml';
import { listenModbusTcp, probeFreePort } from '../../main/simulator/modbus-server';
import { launchChromium } from '../../test/helpers/browser';
import { startHeadless } from '../../test/helpers/headless-process';
import { seedHistory } from '../../test/helpers/seed-history';
import { repoRoot, tempDir } from '../../test/helpers/temp';
import { percentile, progress, report, round } from '../report';

const PENS = Array.from({ length: 8 }, (_, i) => `Trend.P${i + 1}`);
const PROBE_PEN = PENS[0];
const SCAN_MS = 100;
const DAY = 86_400_000;
const WEEK = 7 * DAY;
/** probe values are 1000, 1001, …: outside the pens' normal range (10..90), exact in float32 */
const PROBE_BASE = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A pen's value: slow waves of different periods and a little fast ripple (deterministic). */
function penValue(pen: number, t: number): number {
  const s = t / 1000;
  return 50 + 30 * Math.sin((2 * Math.PI * s) / (3600 * (1 + pen)) + pen) + 5 * Math.sin((2 * Math.PI * s) / (37 + pen)) + 2 * Math.sin(s * 7.1 + pen * 1.3);
}

interface BenchDevice {
  port: number;
  /** the first pen shows this value while set */
  probe: number | null;
  reads: number;
  stop(): Promise<void>;
}

/** Modbus TCP: HR0..HR15 hold the 8 pens as float32 (ABCD), computed at every read. */
async function startBenchDevice(): Promise<BenchDevice> {
  const buf = Buffer.alloc(PENS.length * 4);
  const state = { probe: null as number | null, reads: 0 };
  const vector = {
    getMultipleHoldingRegisters: (addr: number, length: number, _unit: number, cb: (err: Error | null, v: number[]) => void) => {
      state.reads++;
      const now = Date.now();
      for (let i = 0; i < PENS.length; i++) buf.writeFloatBE(i === 0 && state.probe !== null ? state.probe : penValue(i, now) + (state.reads % 10) * 0.01, i * 4);
      if (addr + length > PENS.length * 2) {
        cb(Object.assign(new Error('illegal data address'), { modbusErrorCode: 2 }), []);
        return;
      }
      const out: number[] = [];
      for (let r = addr; r < addr + length; r++) out.push(buf.readUInt16BE(r * 2));
      cb(null, out);
    },
    getHoldingRegister: (addr: number) => (addr < PENS.length * 2 ? buf.readUInt16BE(addr * 2) : 0),
  };
  let server: ServerTCP | null = null;
  let port = 0;
  for (let attempt = 0; server === null; attempt++) {
    try {
      port = await probeFreePort('127.0.0.1');
      server = await listenModbusTcp(vector, '127.0.0.1', port);
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
  const s = server;
  return {
    port,
    get probe() {
      return state.probe;
    },
    set probe(v: number | null) {
      state.probe = v;
    },
    get reads() {
      return state.reads;
    },
    stop: () => new Promise<void>((resolve) => s.close(() => resolve())),
  };
}

function benchProject(port: number) {
  return {
    version: 1,
    name: 'trends benchmark',
    devices: [{ id: 'bench', protocol: 'modbus-tcp', host: '127.0.0.1', port, unitId: 1, timeoutMs: 1000 }],
    tags: PENS.map((id, i) => ({ id, device: 'bench', address: `HR${i * 2}`, dataType: 'float32', scanMs: SCAN_MS, units: 'u', min: 0, max: 100, decimals: 2 })),
  };
}

/** One call over the app's WebSocket (as the renderer makes it), timed. */
async function timeWsTrend(url: string, from: number, to: number, maxPoints: number, n: number): Promise<number[]> {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/api`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const pending = new Map<number, (reply: { ok: boolean; error?: { message: string } }) => void>();
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString()) as { id?: number; reply?: { ok: boolean; error?: { message: string } } };
    if (typeof m.id === 'number' && m.reply) pending.get(m.id)?.(m.reply);
  });
  const times: number[] = [];
  try {
    for (let i = 1; i <= n; i++) {
      const t0 = performance.now();
      const reply = await new Promise<{ ok: boolean; error?: { message: string } }>((resolve) => {
        pending.set(i, resolve);
        ws.send(JSON.stringify({ id: i, method: 'history.trend', params: { tagIds: PENS, from, to, maxPoints } }));
      });
      times.push(performance.now() - t0);
      if (!reply.ok) throw new Error(`history.trend failed: ${reply.error?.message ?? '?'}`);
    }
  } finally {
    ws.close();
  }
  return times.sort((a, b) => a - b);
}

// --- in the page -------------------------------------------------------------------------------
// Strings, not functions: the bench compiles without the DOM's types.

const INIT_SCRIPT = `${process.env.BENCH_TRENDS_EXPERIMENT ?? ''}

  window.__longTasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration }); })
    .observe({ type: 'longtask', buffered: true });
  window.__drawn = 0;
  window.__probeSeen = {};
  document.addEventListener('lineside-trend-drawn', (e) => {
    window.__drawn++;
    const p = e.detail && e.detail.last ? e.detail.last[${JSON.stringify(PROBE_PEN)}] : undefined;
    if (p && typeof p.v === 'number' && p.v >= ${PROBE_BASE - 0.5}) {
      const k = String(Math.round(p.v));
      if (!(k in window.__probeSeen)) window.__probeSeen[k] = Date.now();
    }
  }, true);
`;

interface StepResult {
  ms: number | null;
  from: number;
  to: number;
  points: number;
}

/**
 * Clicks `selector` and resolves at the first drawn event with loading=false whose range is the
 * screen's data-from/data-to, and (want) a range ~7 days long, or a range other than before.
 */
function clickAndWaitDrawn(page: Page, selector: string, want: 'week' | 'changed' | 'live', timeoutMs = 30_000): Promise<StepResult> {
  const args = JSON.stringify({ selector, want, timeoutMs, week: WEEK });
  return page.evaluate(`(async (a) => {
    const root = document.querySelector('[data-testid="trends-screen"]');
    if (!root) throw new Error('no trends screen');
    const before = root.dataset.from + '/' + root.dataset.to;
    const button = document.querySelector(a.selector);
    if (!button) throw new Error('no ' + a.selector);
    return await new Promise((resolve) => {
      let t0 = 0;
      const on = (e) => {
        const d = e.detail;
        if (!d || d.loading) return;
        if (a.want === 'live' ? root.dataset.mode !== 'live' : d.from !== Number(root.dataset.from) || d.to !== Number(root.dataset.to)) return;
        if (a.want === 'week' && Math.abs(d.to - d.from - a.week) > a.week * 0.02) return;
        if (a.want === 'changed' && root.dataset.from + '/' + root.dataset.to === before) return;
        done({ ms: performance.now() - t0, from: d.from, to: d.to, points: d.points });
      };
      const done = (r) => {
        document.removeEventListener('lineside-trend-drawn', on, true);
        clearTimeout(timer);
        resolve(r);
      };
      const timer = setTimeout(() => done({ ms: null, from: Number(root.dataset.from), to: Number(root.dataset.to), points: -1 }), a.timeoutMs);
      document.addEventListener('lineside-trend-drawn', on, true);
      t0 = performance.now();
      button.click();
    });
  })(${args})`);
}

/** Resolves at the next drawn event with loading=false (the screen open and drawn). */
function waitDrawnSettled(page: Page, timeoutMs = 30_000): Promise<boolean> {
  return page.evaluate(`new Promise((resolve) => {
    const on = (e) => { if (e.detail && !e.detail.loading) { document.removeEventListener('lineside-trend-drawn', on, true); clearTimeout(t); resolve(true); } };
    const t = setTimeout(() => { document.removeEventListener('lineside-trend-drawn', on, true); resolve(false); }, ${timeoutMs});
    document.addEventListener('lineside-trend-drawn', on, true);
  })`);
}

async function heapUsedMb(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const h = await cdp.send('Runtime.getHeapUsage');
  return h.usedSize / 1048576;
}

async function taskSeconds(cdp: CDPSession): Promise<number> {
  const m = await cdp.send('Performance.getMetrics');
  return m.metrics.find((x) => x.name === 'TaskDuration')?.value ?? NaN;
}

/** ZOOM_CYCLES × 14 steps; each cycle returns to where it started (zoom ×½/×2, pan ±½ span). */
const ZOOM_CYCLE = ['in', 'in', 'in', 'pan-left', 'pan-right', 'pan-right', 'pan-left', 'in', 'pan-left', 'pan-right', 'out', 'out', 'out', 'out'] as const;
const STEP_SELECTOR: Record<(typeof ZOOM_CYCLE)[number], string> = {
  in: '[data-testid="trend-zoom-in"]',
  out: '[data-testid="trend-zoom-out"]',
  'pan-left': '[data-testid="trend-pan-left"]',
  'pan-right': '[data-testid="trend-pan-right"]',
};

export async function run(): Promise<void> {
  const liveS = Number(process.env.BENCH_TRENDS_LIVE_S ?? 600);
  const days = Number(process.env.BENCH_TRENDS_DAYS ?? 7);
  const openRepeats = Number(process.env.BENCH_TRENDS_OPEN_REPEATS ?? 5);
  const zoomCycles = Number(process.env.BENCH_TRENDS_ZOOM_CYCLES ?? 3);
  const denseMin = Number(process.env.BENCH_TRENDS_DENSE_MIN ?? 15);
  const tmp = tempDir('lineside-bench-trends-');
  const device = await startBenchDevice();
  try {
    const dataDir = join(tmp.dir, 'data');
    const to = Math.floor(Date.now() / 1000) * 1000;
    const from = to - days * DAY;
    progress(`trends: seeding ${days} days × ${PENS.length} tags of 1 Hz history`);
    // The last minutes at the live rate (10 Hz), so that the live window is as dense from the
    // start as after minutes of live data: a short live period then measures the steady state.
    const denseFrom = to - denseMin * 60_000;
    const seeded = await seedHistory({
      dataDir,
      tags: PENS.map((name) => ({ name, units: 'u' })),
      from,
      to: denseFrom,
      periodMs: 1000,
      value: (name, t) => penValue(PENS.indexOf(name), t),
      onProgress: (n, total) => progress(`trends: seeded ${(n / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} M samples`),
    });
    if (denseMin > 0) {
      const dense = await seedHistory({
        dataDir,
        tags: PENS.map((name) => ({ name, units: 'u' })),
        from: denseFrom,
        to,
        periodMs: SCAN_MS,
        value: (name, t) => penValue(PENS.indexOf(name), t) + (Math.floor(t / SCAN_MS) % 10) * 0.01,
      });
      seeded.samples += dense.samples;
      seeded.ms += dense.ms;
    }
    progress(`trends: ${seeded.samples} samples seeded in ${(seeded.ms / 1000).toFixed(1)} s`);

    const file = join(tmp.dir, 'trends.yaml');
    writeFileSync(file, stringify(benchProject(device.port)));
    const app = await startHeadless(['--project', file, '--data-dir', dataDir, '--listen', '127.0.0.1:0']);
    const browser = await launchChromium();
    try {
      await sleep(2000); // connect, first scans
      const now = Date.now();
      const ws = await timeWsTrend(app.url, now - WEEK, now, 1800, 6);
      const wsCold = ws[0];
      progress(`trends: history.trend over the WebSocket, 8 pens × 7 days: cold ${wsCold.toFixed(1)} ms, then p50 ${percentile(ws.slice(1), 50).toFixed(1)} ms`);

      const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Performance.enable');
      await page.addInitScript(INIT_SCRIPT);
      const pens = PENS.join(',');
      await page.goto(`${app.url}#trends?pens=${pens}&live=60000`);
      await page.waitForSelector('[data-testid="trends-screen"][data-mode="live"]', { timeout: 30_000 });
      for (const id of PENS) await page.waitForSelector(`[data-testid="trend-pen"][data-tag-id="${id}"]`, { timeout: 10_000 });
      if (!(await waitDrawnSettled(page))) throw new Error('the live trend never drew with loading=false');
      await sleep(2000);

      // --- open a week ---------------------------------------------------------------------
      progress(`trends: open 7 days of ${PENS.length} pens, ${1 + openRepeats} times`);
      const opens: number[] = [];
      let weekPoints = 0;
      for (let i = 0; i <= openRepeats; i++) {
        if (i > 0) {
          await clickAndWaitDrawn(page, '[data-testid="trend-live-1"]', 'live');
          await sleep(1000);
        }
        const r = await clickAndWaitDrawn(page, '[data-testid="trend-range-7d"]', 'week');
        if (r.ms === null) throw new Error(`the 7-day range never drew (visible ${r.from}..${r.to})`);
        opens.push(r.ms);
        weekPoints = r.points;
        await sleep(500);
      }
      const openCold = opens[0];
      const openWarm = opens.slice(1).sort((a, b) => a - b);

      // --- zoom and pan inside the week ------------------------------------------------------
      progress(`trends: ${zoomCycles * ZOOM_CYCLE.length} zoom and pan steps`);
      const steps: number[] = [];
      const stepsByKind: Record<string, number[]> = { in: [], out: [], 'pan-left': [], 'pan-right': [] };
      let timeouts = 0;
      let minSpan = Infinity;
      for (let c = 0; c < zoomCycles; c++) {
        for (const step of ZOOM_CYCLE) {
          const r = await clickAndWaitDrawn(page, STEP_SELECTOR[step], 'changed', 10_000);
          if (r.ms === null) {
            timeouts++;
            progress(`trends: ${step} never drew new data (visible ${new Date(r.from).toISOString()}..${new Date(r.to).toISOString()})`);
            continue;
          }
          steps.push(r.ms);
          stepsByKind[step].push(r.ms);
          minSpan = Math.min(minSpan, r.to - r.from);
          await sleep(150); // an operator's pace, roughly
        }
      }
      steps.sort((a, b) => a - b);

      // --- live ------------------------------------------------------------------------------
      progress(`trends: live 10-minute window on ${PENS.length} pens at ${SCAN_MS} ms for ${liveS} s`);
      const toLive = await clickAndWaitDrawn(page, '[data-testid="trend-live-10"]', 'live');
      if (toLive.ms === null) throw new Error('the 10-minute live window never drew');
      await sleep(5000); // settle: the window's history loaded, JIT warm
      const heap0 = await heapUsedMb(cdp);
      const profileFile = process.env.BENCH_TRENDS_PROFILE;
      if (profileFile) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.start');
      }
      await page.evaluate('window.__longTasks = []; window.__drawn = 0; window.__probeSeen = {}');
      const task0 = await taskSeconds(cdp);
      const wall0 = performance.now();
      const reads0 = device.reads;
      const sentAt = new Map<number, number>();
      const liveEnd = wall0 + liveS * 1000;
      let k = 0;
      // per minute: renderer CPU and long tasks (the window fills with 10 Hz data over its first
      // 10 minutes, so the cost grows until then)
      const perMinute: { cpu: number; longTasks: number }[] = [];
      let minuteStart = { at: wall0, task: task0, longTasks: 0 };
      const closeMinute = async () => {
        const task = await taskSeconds(cdp);
        const at = performance.now();
        const longTasks = (await page.evaluate('window.__longTasks.length')) as number;
        perMinute.push({ cpu: ((task - minuteStart.task) / ((at - minuteStart.at) / 1000)) * 100, longTasks: longTasks - minuteStart.longTasks });
        minuteStart = { at, task, longTasks };
      };
      while (performance.now() < liveEnd - 1000) {
        if (performance.now() - minuteStart.at >= 60_000) await closeMinute();
        await sleep(400 + Math.random() * 300);
        const v = PROBE_BASE + k;
        device.probe = v;
        sentAt.set(v, Date.now());
        k++;
        await sleep(250);
        device.probe = null;
      }
      await sleep(Math.max(0, liveEnd - performance.now()));
      const task1 = await taskSeconds(cdp);
      if (profileFile) {
        const { profile } = await cdp.send('Profiler.stop');
        writeFileSync(profileFile, JSON.stringify(profile));
        progress(`trends: CPU profile of the live period in ${profileFile}`);
      }
      const wallS = (performance.now() - wall0) / 1000;
      const reads = device.reads - reads0;
      const longTasks = (await page.evaluate('window.__longTasks')) as { duration: number }[];
      const drawn = (await page.evaluate('window.__drawn')) as number;
      await sleep(1000); // the last probe's draw
      const seen = (await page.evaluate('window.__probeSeen')) as Record<string, number>;
      const heap1 = await heapUsedMb(cdp);
      const c2p: number[] = [];
      for (const [v, t] of sentAt) {
        const at = seen[String(v)];
        if (at !== undefined) c2p.push(at - t);
      }
      c2p.sort((a, b) => a - b);
      await page.screenshot({ path: join(repoRoot(), 'test-results', 'trends-live.png') }).catch(() => undefined);

      report('trends', {
        pens: PENS.length,
        days,
        samplesPerPenInWeek: Math.round(seeded.samples / PENS.length),
        seedingMs: Math.round(seeded.ms),
        seedingSamplesPerSecond: Math.round(seeded.samples / (seeded.ms / 1000)),
        wsTrendWeekMsCold: round(wsCold),
        wsTrendWeekMsP50: round(percentile(ws.slice(1), 50)),
        openWeek8PensMs: round(openCold),
        openWeek8PensMsP50: round(percentile(openWarm, 50)),
        openWeekPointsDrawn: weekPoints,
        zoomSteps: steps.length,
        zoomTimeouts: timeouts,
        zoomRoundTripMsP50: round(percentile(steps, 50)),
        zoomRoundTripMsP99: round(percentile(steps, 99)),
        zoomRoundTripMsMax: round(steps.at(-1) ?? NaN),
        zoomInMsP50: round(percentile(stepsByKind.in.sort((a, b) => a - b), 50)),
        zoomOutMsP50: round(percentile(stepsByKind.out.sort((a, b) => a - b), 50)),
        panMsP50: round(percentile([...stepsByKind['pan-left'], ...stepsByKind['pan-right']].sort((a, b) => a - b), 50)),
        zoomMinSpanH: round(minSpan / 3_600_000, 2),
        liveSeconds: round(wallS, 1),
        liveSpanMin: 10,
        scanMs: SCAN_MS,
        deviceReadsPerSecond: round(reads / wallS, 1),
        liveDrawsPerSecond: round(drawn / wallS, 1),
        liveLongTasksOver50ms: longTasks.filter((t) => t.duration > 50).length,
        liveMaxLongTaskMs: round(longTasks.reduce((m, t) => Math.max(m, t.duration), 0)),
        rendererHeapStartMb: round(heap0, 1),
        rendererHeapGrowthMb: round(heap1 - heap0, 2),
        rendererCpuPercent: round(((task1 - task0) / wallS) * 100, 1),
        rendererCpuPercentByMinute: perMinute.map((m) => round(m.cpu, 0)).join(' '),
        liveLongTasksByMinute: perMinute.map((m) => m.longTasks).join(' '),
        changes: sentAt.size,
        changesDrawn: c2p.length,
        changeToPixelP50Ms: round(percentile(c2p, 50)),
        changeToPixelP99Ms: round(percentile(c2p, 99)),
        changeToPixelMaxMs: round(c2p.at(-1) ?? NaN),
        loadAverage1m: round(loadavg()[0]),
        targets: 'openWeek8PensMs < 300, changeToPixelP99Ms <= 150 (scan + 50), zoomRoundTripMsP99 < 100, liveLongTasksOver50ms = 0, rendererHeapGrowthMb < 20, rendererCpuPercent < 20',
      });
    } finally {
      await browser.close();
      await app.stop();
    }
  } finally {
    await device.stop();
    tmp.cleanup();
  }
}
