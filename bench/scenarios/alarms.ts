/**
 * alarms: the alarm engine under load, then a flood in the browser.
 *
 * 1. Evaluation (in this process, as the runtime wires it): DEFINITIONS alarm definitions of
 *    every type on as many tags, VALUES_PER_SECOND values through the tag bus (live cache first,
 *    then the alarm service with its SQLite journal and coalesced events), for BENCH_SECONDS.
 *    CPU (evalCpuPercent): the process CPU time spent inside the alarm service (evaluating each
 *    batch, and the timer that writes the journal and pushes), after a 2 s warm-up, as % of one
 *    core; the whole process's CPU with and without alarms is reported alongside. Latency: probe alarms raised every 50 ms, from publishing the batch that
 *    carries the value (the cache has it then) to the `alarms` event that carries the raise.
 *    Then FLOOD alarms raised within one second: time to process, pushes, worst event-loop block.
 * 2. UI: the demo project plus FLOOD alarms raised within one second by the simulator's jam,
 *    against the headless shell in Chromium (1920×1080): long tasks (PerformanceObserver
 *    'longtask') during the flood on the Overview and on the alarm summary, and whether the
 *    banner's counts are right. UI=0 skips this part.
 * Env: BENCH_SECONDS (10), DEFINITIONS (10000), VALUES_PER_SECOND (50000), FLOOD (1000), UI (1).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { stringify } from 'yaml';
import { AlarmService } from '../../main/alarms/alarm-service';
import type { EngineAlarm } from '../../main/alarms/alarm-engine';
import { bindToSimulator } from '../../main/app/runtime';
import { loadProjectFile } from '../../main/config/project-loader';
import { openDatabase } from '../../main/historian/database';
import { routeNodeOpcuaLogsToStderr } from '../../main/simulator/opcua-server';
import { startSimulator } from '../../main/simulator/simulator';
import { LiveValueCache } from '../../main/tags/live-cache';
import { TagBus } from '../../main/tags/tag-bus';
import { systemClock } from '../../main/util/clock';
import type { AlarmDefinition, AlarmPriority, AlarmStatus } from '../../shared/alarms';
import type { TagValue } from '../../shared/types';
import { launchChromium } from '../../test/helpers/browser';
import { startHeadless } from '../../test/helpers/headless-process';
import { repoRoot, tempDir } from '../../test/helpers/temp';
import { cpuMeter, eventLoopBlockMonitor, percentile, progress, report, round } from '../report';

// node-opcua checks the crypto of this Node version as it loads, asynchronously, and warns on
// stdout; stdout carries the benchmark's JSON lines only. (At import: before that check ends.)
routeNodeOpcuaLogsToStderr();

const GOOD = { level: 'good', reason: 'ok' } as const;
const PROBES = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A mix of every alarm type over `n` tags; the first PROBES are plain highs used to measure latency. */
function definitions(n: number): AlarmDefinition[] {
  const common = (i: number) => ({ id: `A${i}`, priority: ((i % 4) + 1) as AlarmPriority, message: `alarm ${i}`, latched: false, onDelayS: 0, offDelayS: 0 });
  return Array.from({ length: n }, (_, i): AlarmDefinition => {
    const tag = `t${i}`;
    if (i < PROBES) return { ...common(i), type: 'high', tag, limit: 100, deadband: 0 };
    switch (i % 10) {
      case 0:
      case 1:
      case 2:
        return { ...common(i), type: 'high', tag, limit: 95, deadband: 1, onDelayS: 2 };
      case 3:
        return { ...common(i), type: 'highHigh', tag, limit: 98, deadband: 1 };
      case 4:
        return { ...common(i), type: 'low', tag, limit: 5, deadband: 1, suppressWhen: { tag: 'state', notEquals: 2 } };
      case 5:
        return { ...common(i), type: 'deviation', tag, setpointTag: 'sp', limit: 45, deadband: 2, direction: 'both' };
      case 6:
        return { ...common(i), type: 'rateOfChange', tag, limitPerS: 500, windowS: 2, deadband: 0, direction: 'both' };
      case 7:
        return { ...common(i), type: 'discrete', tag, equals: 999 };
      case 8:
        return { ...common(i), type: 'stuck', tag, band: 0.001, forS: 60, runningWhen: { tag: 'state', equals: 2 } };
      default:
        return { ...common(i), type: 'baseline', tag, stateTag: 'state', percent: 80, deadband: 5, direction: 'above', tauS: 600, smoothS: 2, learnS: 5, settleS: 1 };
    }
  });
}

interface LoadResult {
  cpuPercent: number;
  /** CPU time spent in the alarm service (evaluation on ingest, writing and pushing), % of one core */
  alarmCpuPercent: number;
  ingestWallPercent: number;
  latencies: number[];
  values: number;
  pushes: number;
  maxBlockMs: number;
}

interface Load extends LoadResult {
  bus: TagBus;
  /** sees every push of the alarm service from now on */
  onPush: (hook: ((statuses: AlarmStatus[]) => void) | null) => void;
  close: () => void;
}

async function runLoad(withAlarms: boolean, defs: AlarmDefinition[], seconds: number, valuesPerSecond: number, dir: string): Promise<Load> {
  const bus = new TagBus((err) => progress(`consumer failed: ${String(err)}`));
  const cache = new LiveValueCache();
  bus.subscribe((b) => cache.apply(b));
  const raisedAt = new Map<string, number>();
  const latencies: number[] = [];
  let pushes = 0;
  let ingestMs = 0;
  let service: AlarmService | null = null;
  let hook: ((statuses: AlarmStatus[]) => void) | null = null;
  let alarmCpuUs = 0;
  const cpuSince = (c: NodeJS.CpuUsage) => {
    const d = process.cpuUsage(c);
    return d.user + d.system;
  };
  const db = openDatabase(join(dir, `alarms-${withAlarms ? 'on' : 'off'}.db`));
  if (withAlarms) {
    const alarms: EngineAlarm[] = defs.map((def) => ({ def, device: 'plc', area: 'bench' }));
    service = new AlarmService({
      db,
      clock: systemClock,
      alarms,
      settings: { minShelveS: 60, maxShelveS: 28800, audibleUpToPriority: 2 },
      units: new Map(),
      emit: (statuses) => {
        pushes++;
        hook?.(statuses);
        const now = performance.now();
        for (const s of statuses) {
          if (s.state.type !== 'unack') continue;
          const t = raisedAt.get(s.id);
          if (t !== undefined) {
            latencies.push(now - t);
            raisedAt.delete(s.id);
          }
        }
      },
      audit: () => undefined,
    });
    const svc = service;
    bus.subscribe((b) => {
      const t = performance.now();
      const c = process.cpuUsage();
      svc.ingest(b);
      alarmCpuUs += cpuSince(c);
      ingestMs += performance.now() - t;
    });
    // the coalesced write-and-push runs from a timer: count it too
    const commit = svc.commit.bind(svc);
    svc.commit = (audits) => {
      const c = process.cpuUsage();
      commit(audits);
      alarmCpuUs += cpuSince(c);
    };
  }

  const tags = defs.length;
  const batchEveryMs = 20;
  const perBatch = Math.round((valuesPerSecond * batchEveryMs) / 1000);
  let cursor = 0;
  let probe = 0;
  let values = 0;
  const start = performance.now();
  const publishContext = () => {
    const now = Date.now();
    bus.publish([
      { tagId: 'state', value: 2, quality: GOOD, sourceTs: now, ts: now },
      { tagId: 'sp', value: 50, quality: GOOD, sourceTs: now, ts: now },
    ]);
  };
  publishContext();
  const warmUpMs = 2000;
  let cpu: { stop(): number } | null = null;
  let block: { stop(): number } | null = null;
  let measuredFrom = start;
  const deadline = start + warmUpMs + seconds * 1000;
  let nextBatch = start;
  let nextProbe = start + 500;
  while (performance.now() < deadline) {
    if (cpu === null && performance.now() >= start + warmUpMs) {
      // warmed up (JIT, first SQLite pages): measure from here
      cpu = cpuMeter();
      block = eventLoopBlockMonitor();
      measuredFrom = performance.now();
      values = 0;
      alarmCpuUs = 0;
      ingestMs = 0;
      pushes = 0;
      latencies.length = 0;
    }
    const now = Date.now();
    const batch: TagValue[] = new Array(perBatch);
    const phase = (performance.now() - start) / 1000;
    for (let k = 0; k < perBatch; k++) {
      const i = cursor;
      cursor = (cursor + 1) % tags;
      // a slow wave per tag plus a little noise: within the limits, mostly
      const v = i < PROBES ? 50 : 50 + 30 * Math.sin(phase * 0.5 + i) + Math.random();
      batch[k] = { tagId: `t${i}`, value: v, quality: GOOD, sourceTs: now, ts: now };
    }
    if (performance.now() >= nextProbe) {
      // every 50 ms one probe alarm goes above its limit (and the previous one back below)
      const i = probe % PROBES;
      const prev = (probe + PROBES - 1) % PROBES;
      batch.push({ tagId: `t${prev}`, value: 50, quality: GOOD, sourceTs: now, ts: now });
      batch.push({ tagId: `t${i}`, value: 150, quality: GOOD, sourceTs: now, ts: now });
      raisedAt.set(`A${i}`, performance.now());
      probe++;
      nextProbe += 50;
    }
    values += batch.length;
    bus.publish(batch);
    nextBatch += batchEveryMs;
    const wait = nextBatch - performance.now();
    await sleep(Math.max(0, wait));
  }
  const cpuPercent = cpu?.stop() ?? NaN;
  const maxBlockMs = block?.stop() ?? NaN;
  const wall = performance.now() - measuredFrom;
  return {
    cpuPercent,
    alarmCpuPercent: (alarmCpuUs / 1000 / wall) * 100,
    ingestWallPercent: (ingestMs / wall) * 100,
    latencies,
    values,
    pushes,
    maxBlockMs,
    bus,
    onPush: (h) => (hook = h),
    close: () => {
      service?.close();
      db.close();
    },
  };
}

/** FLOOD alarms switched on within one second (discrete and high-high ones), in 20 ms batches. */
async function engineFlood(load: Load, defs: AlarmDefinition[], flood: number): Promise<{ raised: number; seconds: number; pushes: number; maxBlockMs: number }> {
  const targets = defs.filter((d) => d.type === 'discrete' || d.type === 'highHigh').slice(0, flood);
  const ids = new Set(targets.map((d) => d.id));
  const raised = new Set<string>();
  let pushes = 0;
  load.onPush((statuses) => {
    pushes++;
    for (const s of statuses) if (ids.has(s.id) && s.state.type === 'unack') raised.add(s.id);
  });
  const block = eventLoopBlockMonitor();
  const t0 = performance.now();
  const perBatch = Math.ceil(targets.length / 50);
  for (let b = 0; b < 50; b++) {
    const now = Date.now();
    const batch: TagValue[] = targets.slice(b * perBatch, (b + 1) * perBatch).map((d) => ({ tagId: (d as { tag: string }).tag, value: 999, quality: GOOD, sourceTs: now, ts: now }));
    if (batch.length > 0) load.bus.publish(batch);
    await sleep(20);
  }
  while (raised.size < targets.length && performance.now() - t0 < 10_000) await sleep(5);
  const seconds = (performance.now() - t0) / 1000;
  load.onPush(null);
  return { raised: raised.size, seconds, pushes, maxBlockMs: block.stop() };
}

interface UiFlood {
  bannerMs: number;
  maxLongTaskMs: number;
  longTasks: number;
  bannerCorrect: boolean;
}

async function uiFlood(page: Page, expected: number, trigger: () => void): Promise<UiFlood> {
  await page.evaluate('window.__longTasks = []');
  const t0 = Date.now();
  trigger();
  // selectors, not waitForFunction: the page's CSP forbids eval
  await page.waitForSelector(`[data-testid="alarm-banner"][data-active="${expected}"]`, { timeout: 30_000 });
  const bannerMs = Date.now() - t0;
  await sleep(4000); // the rest of the second, and the renders after it
  const tasks = (await page.evaluate('window.__longTasks')) as { duration: number }[];
  const counts = (await page.evaluate(
    `[...document.querySelectorAll('[data-testid="alarm-counts"] .alarm-count')].reduce((n, e) => n + Number(e.dataset.count), 0)`,
  )) as number;
  const active = (await page.evaluate(`Number(document.querySelector('[data-testid="alarm-banner"]').dataset.active)`)) as number;
  return { bannerMs, maxLongTaskMs: tasks.reduce((m, t) => Math.max(m, t.duration), 0), longTasks: tasks.length, bannerCorrect: counts === expected && active === expected };
}

async function runUi(flood: number, dir: string): Promise<Record<string, number | boolean>> {
  const sim = await startSimulator({ pkiDir: join(dir, 'sim-pki'), log: () => undefined, idlePeriods: false });
  const project = bindToSimulator(loadProjectFile(join(repoRoot(), 'projects', 'demo-line.yaml')), sim);
  // FLOOD alarms on the jam's fault code, their on-delays spread over one second
  for (let i = 0; i < flood; i++) {
    project.alarms.definitions.push({
      id: `Flood.${i}`,
      type: 'discrete',
      tag: 'L1.FaultCode',
      equals: 101,
      priority: ((i % 4) + 1) as AlarmPriority,
      message: `Flood alarm ${i}`,
      latched: false,
      onDelayS: (i % 1000) / 1000,
      offDelayS: 0,
      area: `Area ${i % 8}`,
    });
  }
  const file = join(dir, 'flood.yaml');
  writeFileSync(file, stringify(project));
  const app = await startHeadless(['--project', file, '--data-dir', join(dir, 'ui-data'), '--listen', '127.0.0.1:0']);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.addInitScript(`
      window.__longTasks = [];
      new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration }); })
        .observe({ type: 'longtask', buffered: true });
    `);
    await page.goto(app.url);
    await page.waitForSelector('[data-tag-id="L1.FaultCode"][data-quality="good"]', { timeout: 30_000 });
    await page.waitForSelector('[data-testid="alarm-banner"][data-active="0"]', { timeout: 10_000 });
    await sleep(2000);
    const expected = flood + 1; // and the demo's own jam alarm
    progress(`ui: flood of ${flood} alarms on the Overview`);
    const overview = await uiFlood(page, expected, () => sim.setScenario('jam', true));
    // acknowledge them all from the summary, clear the jam, reset the latched one
    await page.click('[data-testid="nav-alarms"]');
    await page.waitForSelector('[data-testid="ack-visible"]:not([disabled])');
    await page.evaluate('window.__longTasks = []');
    await page.click('[data-testid="ack-visible"]');
    await page.waitForSelector('[data-testid="alarm-banner"][data-unacknowledged="0"]', { timeout: 30_000 });
    const ackTasks = (await page.evaluate('window.__longTasks')) as { duration: number }[];
    sim.setScenario('jam', false);
    await page.waitForSelector('[data-testid="alarm-banner"][data-active="1"]', { timeout: 30_000 });
    await page.click('[data-testid="alarm-table"] [data-alarm-id="L1.Jam"]');
    await page.click('[data-testid="detail-reset"]');
    await page.waitForSelector('[data-testid="alarm-banner"][data-active="0"]', { timeout: 10_000 });
    await sleep(1000);
    progress(`ui: flood of ${flood} alarms on the alarm summary`);
    const summary = await uiFlood(page, expected, () => sim.setScenario('jam', true));
    await page.screenshot({ path: join(repoRoot(), 'test-results', 'alarm-flood-summary.png') }).catch(() => undefined);
    return {
      uiMaxLongTaskMs: round(Math.max(overview.maxLongTaskMs, summary.maxLongTaskMs, ...ackTasks.map((t) => t.duration), 0)),
      uiLongTasksOverview: overview.longTasks,
      uiMaxLongTaskOverviewMs: round(overview.maxLongTaskMs),
      uiLongTasksSummary: summary.longTasks,
      uiMaxLongTaskSummaryMs: round(summary.maxLongTaskMs),
      uiMaxLongTaskAckAllMs: round(ackTasks.reduce((m, t) => Math.max(m, t.duration), 0)),
      uiBannerCompleteMsOverview: overview.bannerMs,
      uiBannerCompleteMsSummary: summary.bannerMs,
      uiBannerCorrect: overview.bannerCorrect && summary.bannerCorrect,
    };
  } finally {
    await browser.close();
    await app.stop();
    await sim.stop();
  }
}

export async function run(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const n = Number(process.env.DEFINITIONS ?? 10_000);
  const valuesPerSecond = Number(process.env.VALUES_PER_SECOND ?? 50_000);
  const flood = Number(process.env.FLOOD ?? 1000);
  const ui = process.env.UI !== '0';
  const tmp = tempDir('lineside-bench-alarms-');
  try {
    const defs = definitions(n);
    progress(`alarms: ${n} definitions, ${valuesPerSecond} values/s for ${seconds} s without alarms (baseline)`);
    const base = await runLoad(false, defs, seconds, valuesPerSecond, tmp.dir);
    base.close();
    progress(`alarms: the same with the alarm service`);
    const load = await runLoad(true, defs, seconds, valuesPerSecond, tmp.dir);
    progress(`alarms: a flood of ${flood} in one second`);
    const f = await engineFlood(load, defs, flood);
    load.close();
    const sorted = [...load.latencies].sort((a, b) => a - b);
    const uiFigures = ui ? await runUi(flood, tmp.dir) : { uiMaxLongTaskMs: null };
    report('alarms', {
      definitions: n,
      valuesPerSecond: round(load.values / seconds, 0),
      seconds,
      evalCpuPercent: round(load.alarmCpuPercent, 1),
      processCpuPercentWithAlarms: round(load.cpuPercent, 1),
      processCpuPercentWithoutAlarms: round(base.cpuPercent, 1),
      ingestWallPercent: round(load.ingestWallPercent, 1),
      raises: sorted.length,
      p50RaiseLatencyMs: round(percentile(sorted, 50)),
      p99RaiseLatencyMs: round(percentile(sorted, 99)),
      maxRaiseLatencyMs: round(sorted.at(-1) ?? NaN),
      pushesPerSecond: round(load.pushes / seconds, 1),
      maxEventLoopBlockMs: round(load.maxBlockMs),
      floodAlarmsPerSecond: flood,
      engineFloodRaised: f.raised,
      engineFloodSeconds: round(f.seconds, 2),
      engineFloodPushes: f.pushes,
      engineFloodMaxBlockMs: round(f.maxBlockMs),
      ...uiFigures,
      targets: 'evalCpuPercent < 25, p99RaiseLatencyMs < 50, uiMaxLongTaskMs < 100',
    });
  } finally {
    tmp.cleanup();
  }
}
