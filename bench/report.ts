/** Shared by every benchmark: one JSON line per measured case on stdout, progress on stderr. */
import { cpus } from 'node:os';

export function progress(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

export function report(scenario: string, figures: Record<string, number | string | boolean | null>): void {
  process.stdout.write(`${JSON.stringify({ scenario, ...figures, node: process.version, cpus: cpus().length, at: new Date().toISOString() })}\n`);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Measures how long the event loop was blocked: the largest delay of a 10 ms timer. */
export function eventLoopBlockMonitor(): { stop(): number } {
  let max = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - last - 10);
    last = now;
  }, 10);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(0, max);
    },
  };
}

/** CPU used by this process over an interval, as % of one core. */
export function cpuMeter(): { stop(): number } {
  const start = process.cpuUsage();
  const t0 = performance.now();
  return {
    stop() {
      const u = process.cpuUsage(start);
      return ((u.user + u.system) / 1000 / (performance.now() - t0)) * 100;
    },
  };
}

/** Share of time the main thread's event loop was busy over an interval, as % (workers excluded). */
export function mainThreadBusyMeter(): { stop(): number } {
  const start = performance.eventLoopUtilization();
  return {
    stop() {
      return performance.eventLoopUtilization(start).utilization * 100;
    },
  };
}
