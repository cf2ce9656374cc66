/**
 * HTTP load helpers: servers run in forked child processes (never in the load generator's event
 * loop), load comes from autocannon used as a library with the same settings for every target.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 32);
export const DURATION_S = Number(process.env.BENCH_HTTP_DURATION_S ?? 10);
export const WARMUP_S = Number(process.env.BENCH_HTTP_WARMUP_S ?? 3);

export interface ServerStats {
  readonly api: number;
  readonly cpuUs: number;
  /** Resident set size of the server process at the report. */
  readonly rssBytes: number;
  /** Event-loop delay p99 since the previous report, ms. */
  readonly loopP99Ms: number;
}

export interface RunningServer {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
  /** Requests the server received so far and its process CPU time (µs, all threads). */
  stats(): Promise<ServerStats>;
}

/** Forks `bench/servers/<file>` with `args` and waits for it to report its port. */
export async function startServer(
  file: string,
  args: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
): Promise<RunningServer> {
  const path = fileURLToPath(new URL(`../servers/${file}`, import.meta.url));
  const child = fork(path, [...args], {
    // BENCH_PROFILE_DIR=<dir> writes a V8 CPU profile of each server process (for finding causes).
    execArgv: [
      '--no-warnings=ExperimentalWarning',
      ...(process.env.BENCH_PROFILE_DIR
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
        : []),
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code} before listening`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    stats: () =>
      new Promise((resolve) => {
        const onMessage = (m: unknown) => {
          const stats = (m as { stats?: ServerStats }).stats;
          if (stats === undefined) return;
          child.off('message', onMessage);
          resolve(stats);
        };
        child.on('message', onMessage);
        child.send('stats');
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send('stop');
      }),
  };
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly latencyMeanMs: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly durationS: number;
  /**
   * The server's CPU time (all threads) per request it received during the measured run, warm-up
   * excluded (µs); NaN when no server was given.
   */
  readonly serverCpuUsPerRequest: number;
}

type AutocannonOptions = Parameters<typeof autocannon>[0];

async function run(options: AutocannonOptions): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/**
 * Warm-up run (discarded) then the measured run, both with CONNECTIONS connections. With `server`,
 * its CPU time and request count are read between the two runs and after the measured one.
 */
export async function measureLoad(
  options: Omit<AutocannonOptions, 'connections' | 'duration'>,
  {
    warmupS = WARMUP_S,
    durationS = DURATION_S,
    server,
  }: { warmupS?: number; durationS?: number; server?: RunningServer } = {},
): Promise<LoadResult> {
  // Argon2-bound routes answer in seconds when 32 requests queue on a loaded machine: no timeouts.
  const base = { timeout: 60, ...options, connections: CONNECTIONS };
  if (warmupS > 0) await run({ ...base, duration: warmupS });
  const before = await server?.stats();
  const r = await run({ ...base, duration: durationS });
  const after = await server?.stats();
  return {
    serverCpuUsPerRequest:
      before === undefined || after === undefined
        ? Number.NaN
        : (after.cpuUs - before.cpuUs) / Math.max(1, after.api - before.api),
    requestsPerSecond: r.requests.total / r.duration,
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    latencyMeanMs: r.latency.average,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    durationS: r.duration,
  };
}

/**
 * autocannon `requests` that POST a prepared JSON body once each, in order (a login body carries a
 * one-time challenge). `assertEnough()` throws when the runs asked for more bodies than there were:
 * the extra requests reused a spent challenge, so the figures measured rejections, not logins.
 */
export function preparedPosts(path: string, bodies: readonly string[]) {
  let next = 0;
  return {
    requests: [
      {
        method: 'POST' as const,
        path,
        headers: { 'content-type': 'application/json' },
        setupRequest: (request: Record<string, unknown>) => ({
          ...request,
          body: bodies[next++] ?? bodies[0],
        }),
      },
    ],
    assertEnough(hint = ''): void {
      if (next > bodies.length)
        throw new Error(
          `ran out of prepared bodies for POST ${path} (${next} requests, ${bodies.length} bodies)${hint}`,
        );
    },
  };
}

/** JSON POST helper for set-up calls (not timed). */
export async function postJson<T>(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url} → ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}
