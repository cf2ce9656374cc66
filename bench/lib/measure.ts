/**
 * Timing helpers shared by the benchmarks: sample statistics, sequential timing, fixed-duration
 * throughput loops and event-loop delay sampling (perf_hooks.monitorEventLoopDelay).
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

export interface SampleStats {
  readonly n: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly minMs: number;
}

export function sampleStats(samples: readonly number[]): SampleStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const mean = samples.reduce((sum, x) => sum + x, 0) / samples.length;
  return { n: samples.length, meanMs: mean, p50Ms: at(0.5), p99Ms: at(0.99), minMs: sorted[0] ?? Number.NaN };
}

/** Times `iterations` sequential awaited calls after `warmup` untimed ones. */
export async function timeSequential(
  iterations: number,
  task: () => unknown | Promise<unknown>,
  warmup = 3,
): Promise<SampleStats> {
  for (let i = 0; i < warmup; i++) await task();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await task();
    samples.push(performance.now() - start);
  }
  return sampleStats(samples);
}

export interface Throughput {
  readonly opsPerSecond: number;
  /** Process CPU time (user + system, all threads) per operation: steadier than ops/s on a busy machine. */
  readonly cpuMicrosPerOp: number;
}

/**
 * Operations per second with `concurrency` callers looping on `task` for `durationMs` (after a
 * short warm-up), and the process CPU time spent per operation. concurrency 1 is a plain sequential loop.
 */
export async function throughput(
  task: () => unknown | Promise<unknown>,
  durationMs: number,
  concurrency = 1,
): Promise<Throughput> {
  const warmEnd = performance.now() + Math.min(300, durationMs / 4);
  while (performance.now() < warmEnd) await task();
  let count = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const end = start + durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      await task();
      count++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return { opsPerSecond: (count * 1000) / elapsed, cpuMicrosPerOp: (cpu.user + cpu.system) / count };
}

export interface ConcurrentRun {
  readonly opsPerSecond: number;
  readonly wallMs: number;
  /** Event-loop delay while the batch ran, from monitorEventLoopDelay (resolution 1 ms). */
  readonly eventLoopP99Ms: number;
  readonly eventLoopMaxMs: number;
  readonly eventLoopMeanMs: number;
}

/** Starts `concurrency` tasks at once, `rounds` times, and records throughput and event-loop delay. */
export async function runConcurrentBatches(
  task: () => Promise<unknown>,
  concurrency: number,
  rounds: number,
): Promise<ConcurrentRun> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const start = performance.now();
  for (let r = 0; r < rounds; r++) {
    await Promise.all(Array.from({ length: concurrency }, () => task()));
  }
  const wallMs = performance.now() - start;
  histogram.disable();
  return {
    opsPerSecond: (concurrency * rounds * 1000) / wallMs,
    wallMs,
    eventLoopP99Ms: histogram.percentile(99) / 1e6,
    eventLoopMaxMs: histogram.max / 1e6,
    eventLoopMeanMs: histogram.mean / 1e6,
  };
}
