/**
 * pipeline: the foundation's whole path on the demo line — simulator servers → both drivers →
 * tag bus → live cache + historian (SQLite) + frames — for a fixed time, measuring the
 * latency from a value changing in the simulator to it being in the live cache, CPU, memory,
 * the event loop's worst block, and the historian's flush times on the main thread.
 * Parameters: BENCH_SECONDS (default 20).
 */
import { startRuntime } from '../../main/app/runtime';
import { tempDir } from '../../test/helpers/temp';
import { cpuMeter, eventLoopBlockMonitor, percentile, progress, report, round } from '../report';

export async function run(): Promise<void> {
  const seconds = Number(process.env.BENCH_SECONDS ?? 20);
  const tmp = tempDir('lineside-bench-');
  progress(`pipeline: demo project on the built-in simulator for ${seconds} s`);
  const runtime = await startRuntime({ dataDir: tmp.dir, shell: 'headless' });
  try {
    // Warm up: connections and the first scans.
    await new Promise((r) => setTimeout(r, 3000));
    const latencies: number[] = [];
    let values = 0;
    let frames = 0;
    const unsubscribe = runtime.subscribe((e) => {
      if (e.event !== 'values') return;
      frames++;
      for (const v of e.data.values) {
        values++;
        // sourceTs is the simulator's time of the value (OPC UA) or of the read (Modbus)
        if (v.quality.level === 'good') latencies.push(v.ts - v.sourceTs);
      }
    });
    const cpu = cpuMeter();
    const loop = eventLoopBlockMonitor();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const cpuPercent = cpu.stop();
    const maxBlock = loop.stop();
    unsubscribe();
    latencies.sort((a, b) => a - b);
    const tags = (await runtime.connect({ sessionId: 'bench', station: 'bench', push: () => undefined }).handle('tags.list', {})) as { ok: true; result: unknown[] };
    report('pipeline', {
      tags: tags.result.length,
      seconds,
      valuesInFramesPerSecond: round(values / seconds),
      framesPerSecond: round(frames / seconds),
      p50SourceToCacheMs: percentile(latencies, 50),
      p99SourceToCacheMs: percentile(latencies, 99),
      cpuPercent: round(cpuPercent),
      rssMb: round(process.memoryUsage().rss / 1048576, 1),
      maxEventLoopBlockMs: round(maxBlock),
    });
  } finally {
    await runtime.close();
    tmp.cleanup();
  }
}
