/**
 * aws mode: protected `GET /me` on the real API with `CITY_MODE=aws` (DynamoDB Local for the
 * records, moto for S3), with the access cache (the default) vs without it
 * (`CITY_ACCESS_CACHE_SIZE=0`: every request reads the session, user and device from DynamoDB),
 * each in its own server process, same autocannon settings, same run. In aws mode the cache is
 * kept exact across instances by the shared change epoch (a counter in DynamoDB every instance
 * reads every 250 ms; a logout or revocation moves it), so the second part measures that bound:
 * two API processes on the same tables, a session logged out on A while B has its token cached,
 * and the time until B refuses it.
 *
 * The deployment is provisioned as an operator does (tables and bucket first, then the first
 * instance creates the secrets with the key vault in S3; the second is given the root key only).
 * Knobs: the HTTP ones of lib/load.ts, `BENCH_AWS_REVOCATIONS` (20 logouts measured).
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStorageConfigFromEnv } from '@city/db-integration';
import { createTables, ensureBucket } from '@city/db-integration/dynamodb';
import { type LocalService, startDynamoDbLocal, startMotoServer } from '@city/dev-engines';
import { type CityUser, login, registerUser, runTag } from './lib/city-client.ts';
import {
  CONNECTIONS,
  DURATION_S,
  type LoadResult,
  measureLoad,
  type RunningServer,
  startServer,
} from './lib/load.ts';
import { sampleStats } from './lib/measure.ts';
import { report } from './lib/report.ts';

const REVOCATIONS = Number(process.env.BENCH_AWS_REVOCATIONS ?? 20);
/** Give up on one revocation after this long (the bound under test is 1 s). */
const REVOCATION_GIVE_UP_MS = 30_000;

const loadAtStart = loadavg()[0] ?? 0;
const dirs: string[] = [];
const tempDir = (label: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `city-bench-aws-${label}-`));
  dirs.push(dir);
  return dir;
};
const services: LocalService[] = [];
const servers: RunningServer[] = [];

async function start(env: Record<string, string>, secretsDir: string): Promise<RunningServer> {
  const server = await startServer('city-aws-server.ts', [], {
    ...env,
    CITY_SECRETS_DIR: secretsDir,
    // The outbox is a local file of each instance, never shared.
    CITY_OUTBOX_DIR: tempDir('outbox'),
  });
  servers.push(server);
  return server;
}

async function stop(server: RunningServer): Promise<void> {
  await server.stop();
  servers.splice(servers.indexOf(server), 1);
}

function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

async function getMe(url: string, token: string): Promise<number> {
  const response = await fetch(`${url}/me`, { headers: bearer(token) });
  await response.arrayBuffer();
  return response.status;
}

try {
  const dynamo = await startDynamoDbLocal({ dataDir: tempDir('dynamodb') });
  services.push(dynamo);
  const moto = await startMotoServer();
  services.push(moto);
  const tag = randomBytes(3).toString('hex');
  const env: Record<string, string> = {
    CITY_DYNAMODB_ENDPOINT: dynamo.endpoint,
    CITY_TABLE_PREFIX: `bench${tag}_`,
    CITY_S3_ENDPOINT: moto.endpoint,
    CITY_S3_BUCKET: `bench-${tag}`,
  };
  const storage = loadStorageConfigFromEnv({ ...env, CITY_OUTBOX_DIR: tempDir('provision') });
  await createTables(storage);
  await ensureBucket(storage);
  const secretsA = tempDir('secrets-a');
  const secretsB = tempDir('secrets-b');

  // GET /me with and without the access cache, one token, one instance at a time.
  let user: CityUser | undefined;
  const measureMe = async (extra: Record<string, string>): Promise<LoadResult> => {
    const city = await start({ ...env, ...extra }, secretsA);
    try {
      user ??= await registerUser(city.url, runTag(), 0);
      const { accessToken } = await login(city.url, user);
      const status = await getMe(city.url, accessToken);
      if (status !== 200) throw new Error(`GET /me → ${status}`);
      const result = await measureLoad(
        { url: `${city.url}/me`, headers: bearer(accessToken) },
        { server: city },
      );
      if (result.non2xx > 0 || result.errors > 0)
        throw new Error(`GET /me: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
      return result;
    } finally {
      await stop(city);
    }
  };
  const cached = await measureMe({});
  const uncached = await measureMe({ CITY_ACCESS_CACHE_SIZE: '0' });

  // Cross-instance revocation: logout on A, the token cached on B, time until B refuses it.
  copyFileSync(join(secretsA, 'keyvault-kem.key'), join(secretsB, 'keyvault-kem.key'));
  const a = await start(env, secretsA);
  const b = await start(env, secretsB);
  const refusalMs: number[] = [];
  let pollsToRefusal = 0;
  for (let i = 0; i < REVOCATIONS; i++) {
    const { accessToken } = await login(a.url, user as CityUser);
    // Warm B: the token verified and cached there (a second read is answered from the cache).
    for (let warm = 0; warm < 2; warm++) {
      const status = await getMe(b.url, accessToken);
      if (status !== 200) throw new Error(`GET /me on the second instance → ${status}`);
    }
    const logout = await fetch(`${a.url}/logout`, { method: 'POST', headers: bearer(accessToken) });
    await logout.arrayBuffer();
    if (logout.status !== 204) throw new Error(`POST /logout → ${logout.status}`);
    // From the acknowledgement of the logout to B's first refusal.
    const acknowledged = performance.now();
    for (;;) {
      const status = await getMe(b.url, accessToken);
      pollsToRefusal += 1;
      if (status === 401) break;
      if (status !== 200) throw new Error(`GET /me on the second instance after logout → ${status}`);
      if (performance.now() - acknowledged > REVOCATION_GIVE_UP_MS)
        throw new Error(
          `the second instance still accepts a logged-out token after ${REVOCATION_GIVE_UP_MS} ms`,
        );
    }
    refusalMs.push(performance.now() - acknowledged);
  }
  const refusal = sampleStats(refusalMs);
  const refusalMax = Math.max(...refusalMs);
  await stop(a);
  await stop(b);
  const loadAtEnd = loadavg()[0] ?? 0;

  report({
    name: 'aws',
    title: `GET /me in aws mode (DynamoDB Local + moto), access cache on vs off (autocannon, ${CONNECTIONS} connections, ${DURATION_S} s)`,
    peerName: 'access cache off',
    rows: [
      {
        metric: 'throughput',
        unit: 'req/s',
        ours: cached.requestsPerSecond,
        peer: uncached.requestsPerSecond,
        target: { on: 'ratio', op: '>=', value: 10 },
      },
      { metric: 'latency p50', unit: 'ms', ours: cached.latencyP50Ms, peer: uncached.latencyP50Ms },
      { metric: 'latency p99', unit: 'ms', ours: cached.latencyP99Ms, peer: uncached.latencyP99Ms },
      {
        metric: 'server CPU per request',
        unit: 'µs',
        ours: cached.serverCpuUsPerRequest,
        peer: uncached.serverCpuUsPerRequest,
        note: 'API process CPU time (all threads) per request received during the measured run; DynamoDB Local and moto not counted',
      },
      { metric: 'non-2xx responses', unit: 'count', ours: cached.non2xx, peer: uncached.non2xx },
      {
        metric: `logout on instance A → instance B refuses the cached token, median of ${REVOCATIONS}`,
        unit: 'ms',
        ours: refusal.p50Ms,
        peer: null,
      },
      {
        metric: `logout on instance A → instance B refuses the cached token, max of ${REVOCATIONS}`,
        unit: 'ms',
        ours: refusalMax,
        peer: null,
        target: { on: 'ours', op: '<=', value: 1000 },
      },
    ],
    details: {
      cached,
      uncached,
      revocation: { samplesMs: refusalMs, medianMs: refusal.p50Ms, maxMs: refusalMax, pollsToRefusal },
      loadAverage1m: { start: Number(loadAtStart.toFixed(2)), end: Number(loadAtEnd.toFixed(2)) },
    },
  });
  console.log(
    `1-minute load average: ${loadAtStart.toFixed(2)} at the start, ${loadAtEnd.toFixed(2)} at the end`,
  );
} finally {
  // Every process this run started, also on failure: API servers first, then the engines.
  for (const server of [...servers]) await server.stop().catch(() => {});
  for (const service of services.reverse()) await service.stop().catch(() => {});
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
