/**
 * Worker mode and SQLite durability, on the real entry (`apps/api/dist/server.js`, embedded SQLite,
 * rate limits off), as an operator starts it:
 *  1. `CITY_WORKERS=1` vs `CITY_WORKERS=<cores>`: authenticated `GET /me` (one token, access cache
 *     on) and `POST /login` (password + signature over a fresh challenge, signed in advance).
 *  2. `CITY_SQLITE_SYNCHRONOUS=full` vs `normal` (one worker): `POST /register` and `POST /logout`
 *     (one fresh session per request), the writes whose fsync the level decides.
 * Server CPU is the primary's and every worker's (user + system from /proc/<pid>/stat, so Linux
 * only) over the measured run; the load generator's own CPU is shown beside it, because on a small
 * machine the generator competes with the workers for the same cores. The 1-minute load average is
 * recorded at the start and the end (the machine may be shared).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import {
  type CityUser,
  login,
  mapLimit,
  registerBody,
  registerUser,
  runTag,
  signedLoginBody,
} from './lib/city-client.ts';
import { CONNECTIONS, DURATION_S, WARMUP_S } from './lib/load.ts';
import { report } from './lib/report.ts';

const serverJs = fileURLToPath(new URL('../apps/api/dist/server.js', import.meta.url));
const CORES = availableParallelism();
const TICK_US = 1_000_000 / 100; // USER_HZ is 100 on Linux
const LOGIN_BODIES = Number(process.env.BENCH_WORKERS_LOGIN_BODIES ?? 3000);
const WRITE_SESSIONS = Number(process.env.BENCH_WORKERS_SESSIONS ?? 1500);

interface Api {
  readonly url: string;
  readonly child: ChildProcess;
  /** The primary's and the workers' pids. */
  pids(): number[];
  stop(): Promise<void>;
}

async function startApi(dataDir: string, env: Record<string, string>): Promise<Api> {
  const child = spawn(process.execPath, [serverJs], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'error',
      CITY_RATE_LIMIT: '0',
      CITY_CREDENTIAL_RATE_LIMIT: '0',
      CITY_DATA_DIR: dataDir,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const poll = setInterval(() => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (match !== null && /data directory:/.test(stderr)) {
        clearInterval(poll);
        resolve(match[1] as string);
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(poll);
      reject(new Error(`server exited with ${code} before listening:\n${stderr}`));
    });
  });
  return {
    url,
    child,
    pids: () => [
      child.pid as number,
      ...[...stderr.matchAll(/worker \d+ listening \(pid (\d+)\)/g)].map((m) => Number(m[1])),
    ],
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** CPU time (µs, user + system) of the processes still alive among `pids`. */
function cpuUs(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) * TICK_US;
    } catch {
      // Gone (a worker replaced meanwhile): its time is lost to both readings.
    }
  }
  return total;
}

interface Measured {
  readonly requestsPerSecond: number;
  readonly latencyP99Ms: number;
  readonly non2xx: number;
  readonly serverCpuUsPerRequest: number;
  readonly serverCores: number;
  readonly loadGeneratorCores: number;
}

type Options = Parameters<typeof autocannon>[0];

function run(options: Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** Warm-up (discarded), then the measured run with server and load-generator CPU. */
async function measure(
  api: Api,
  options: Omit<Options, 'connections' | 'duration'>,
  { warm = true, amount }: { warm?: boolean; amount?: number } = {},
) {
  const base = { timeout: 60, ...options, connections: CONNECTIONS };
  if (warm && WARMUP_S > 0) await run({ ...base, duration: WARMUP_S });
  const pids = api.pids();
  const serverBefore = cpuUs(pids);
  const generatorBefore = process.cpuUsage();
  const started = performance.now();
  const result = await run(amount === undefined ? { ...base, duration: DURATION_S } : { ...base, amount });
  const elapsedUs = (performance.now() - started) * 1000;
  const generator = process.cpuUsage(generatorBefore);
  const server = cpuUs(pids) - serverBefore;
  return {
    requestsPerSecond: result.requests.total / result.duration,
    latencyP99Ms: result.latency.p99,
    non2xx: result.non2xx,
    serverCpuUsPerRequest: server / Math.max(1, result.requests.total),
    serverCores: server / elapsedUs,
    loadGeneratorCores: (generator.user + generator.system) / elapsedUs,
  } satisfies Measured;
}

/** Requests that each send the next prepared body (and headers); throws if the run needed more. */
function prepared(method: 'POST', path: string, items: readonly { body?: string; token?: string }[]) {
  let next = 0;
  return {
    requests: [
      {
        method,
        path,
        setupRequest: (request: Record<string, unknown>) => {
          const item = items[next++] ?? items[0];
          const headers: Record<string, string> = {};
          if (item?.body !== undefined) headers['content-type'] = 'application/json';
          if (item?.token !== undefined) headers.authorization = `Bearer ${item.token}`;
          return { ...request, headers, ...(item?.body === undefined ? {} : { body: item.body }) };
        },
      },
    ],
    check(): void {
      if (next > items.length)
        throw new Error(`ran out of prepared ${path} requests (${next} > ${items.length})`);
    },
  };
}

const loadStart = loadavg()[0] ?? 0;

async function workersRun(count: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'city-bench-workers-'));
  const api = await startApi(dataDir, { CITY_WORKERS: String(count), CITY_SQLITE_SYNCHRONOUS: 'full' });
  try {
    const tag = runTag();
    const users = await mapLimit(
      Array.from({ length: 16 }, (_, i) => i),
      4,
      (i) => registerUser(api.url, tag, i),
    );
    const { accessToken } = await login(api.url, users[0] as CityUser);
    const me = await measure(api, {
      url: `${api.url}/me`,
      headers: { authorization: `Bearer ${accessToken}` },
    });
    const bodies = await mapLimit(
      Array.from({ length: LOGIN_BODIES }, (_, i) => i),
      16,
      async (i) => ({ body: await signedLoginBody(api.url, users[i % users.length] as CityUser) }),
    );
    const logins = prepared('POST', '/login', bodies);
    const login_ = await measure(api, { url: api.url, requests: logins.requests });
    logins.check();
    return { me, login: login_ };
  } finally {
    await api.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function synchronousRun(level: 'auth' | 'full' | 'normal') {
  const dataDir = mkdtempSync(join(tmpdir(), 'city-bench-sync-'));
  const api = await startApi(dataDir, { CITY_WORKERS: '1', CITY_SQLITE_SYNCHRONOUS: level });
  try {
    const tag = runTag();
    const registrations = prepared(
      'POST',
      '/register',
      Array.from({ length: 4000 }, (_, i) => ({ body: JSON.stringify(registerBody(tag, i)) })),
    );
    // Registration is measured without a separate warm-up: each body may be used once.
    const register = await measure(api, { url: api.url, requests: registrations.requests }, { warm: false });
    registrations.check();
    const user = await registerUser(api.url, runTag(), 0);
    const sessions = await mapLimit(
      Array.from({ length: WRITE_SESSIONS }, (_, i) => i),
      8,
      async () => ({ token: (await login(api.url, user)).accessToken }),
    );
    const logouts = prepared('POST', '/logout', sessions);
    // A fixed number of logouts, one per prepared session (the run ends when they are spent).
    const logout = await measure(
      api,
      { url: api.url, requests: logouts.requests },
      { warm: false, amount: sessions.length },
    );
    logouts.check();
    return { register, logout };
  } finally {
    await api.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const one = await workersRun(1);
const many = await workersRun(CORES);
const normal = await synchronousRun('normal');
const full = await synchronousRun('full');
const authLevel = await synchronousRun('auth');
const loadEnd = loadavg()[0] ?? 0;

const cpuNote = (a: Measured, b: Measured) =>
  `server ${a.serverCores.toFixed(2)} vs ${b.serverCores.toFixed(2)} cores busy, load generator ${a.loadGeneratorCores.toFixed(2)} vs ${b.loadGeneratorCores.toFixed(2)} cores`;
const pair = (what: string, a: Measured, b: Measured) => [
  {
    metric: `${what} throughput`,
    unit: 'req/s',
    ours: a.requestsPerSecond,
    peer: b.requestsPerSecond,
    note: cpuNote(a, b),
  },
  { metric: `${what} p99`, unit: 'ms', ours: a.latencyP99Ms, peer: b.latencyP99Ms },
  {
    metric: `${what} server CPU per request`,
    unit: 'µs',
    ours: a.serverCpuUsPerRequest,
    peer: b.serverCpuUsPerRequest,
  },
  { metric: `${what} non-2xx`, unit: 'count', ours: a.non2xx, peer: b.non2xx },
];

report({
  name: 'workers',
  title: `Worker mode (${CORES} vs 1 workers) and SQLite synchronous FULL / auth vs NORMAL (autocannon, ${CONNECTIONS} connections, ${DURATION_S} s; 1-min load average ${loadStart.toFixed(1)} at start, ${loadEnd.toFixed(1)} at end)`,
  peerName: '1 worker / synchronous NORMAL',
  rows: [
    ...pair(`GET /me, ${CORES} workers vs 1`, many.me, one.me),
    ...pair(`POST /login, ${CORES} workers vs 1`, many.login, one.login),
    ...pair('POST /register, synchronous FULL vs NORMAL', full.register, normal.register),
    ...pair('POST /logout, synchronous FULL vs NORMAL', full.logout, normal.logout),
    ...pair('POST /register, synchronous auth (default) vs NORMAL', authLevel.register, normal.register),
    ...pair('POST /logout, synchronous auth (default) vs NORMAL', authLevel.logout, normal.logout),
  ],
  details: { cores: CORES, loadAverage: { start: loadStart, end: loadEnd }, one, many, normal, full },
});
