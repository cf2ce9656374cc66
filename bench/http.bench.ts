/**
 * HTTP: protected `GET /me` on the real API (buildApp + openEmbeddedAuth on a temp dir: bearer token
 * verified, revocation and user/device status looked up, PII decrypted) vs a bare Fastify
 * hello-world, each in its own server process, same autocannon settings, same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDynamoStores,
  createTables,
  loadStorageConfigFromEnv,
  startDynalite,
} from '@city/db-integration';
import { login, registerUser, runTag } from './lib/city-client.ts';
import { CONNECTIONS, DURATION_S, measureLoad, startServer } from './lib/load.ts';
import { opsPerSecond } from './lib/measure.ts';
import { report } from './lib/report.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'city-bench-http-'));
let storeOpsDone = 0;
try {
  const hello = await startServer('hello-server.ts');
  const bare = await measureLoad({ url: `${hello.url}/` });
  await hello.stop();

  const city = await startServer('city-server.ts', [dataDir]);
  const user = await registerUser(city.url, runTag(), 0);
  const { accessToken } = await login(city.url, user);
  const check = await fetch(`${city.url}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  if (check.status !== 200) throw new Error(`GET /me → ${check.status}`);
  const before = await city.stats();
  const me = await measureLoad({
    url: `${city.url}/me`,
    headers: { authorization: `Bearer ${accessToken}` },
  });
  const after = await city.stats();
  await city.stop();
  // Store round trips (HTTP to dynalite/s3rver in the server's worker threads) per API request, warm-up included.
  const storeCallsPerRequest = (after.stores - before.stores) / Math.max(1, after.api - before.api);

  // The cost of one store round trip as the embedded default makes it: AWS SDK DocumentClient →
  // HTTP → dynalite → LevelDB, dynalite in a worker thread (as openEmbeddedAuth runs it), 32 in
  // flight as under load. Reported as CPU time of this (the API's) thread per round trip.
  const storeDir = mkdtempSync(join(tmpdir(), 'city-bench-store-'));
  const dynamo = await startDynalite({ dataDir: storeDir, inWorker: true });
  const storage = loadStorageConfigFromEnv({
    CITY_DYNAMODB_ENDPOINT: dynamo.endpoint,
    CITY_OUTBOX_DIR: storeDir,
  });
  await createTables(storage);
  const stores = createDynamoStores(storage);
  const cpuBefore = process.threadCpuUsage();
  const opsBefore = storeOpsDone;
  const storeOps = await opsPerSecond(
    async () => {
      await stores.users.getByUuid(user.uuid);
      storeOpsDone++;
    },
    3000,
    32,
  );
  const cpu = process.threadCpuUsage(cpuBefore);
  const storeCpuMsPerOp = (cpu.user + cpu.system) / 1000 / Math.max(1, storeOpsDone - opsBefore);
  await stores.close();
  await dynamo.stop();
  rmSync(storeDir, { recursive: true, force: true });

  report({
    name: 'http',
    title: `GET /me vs bare Fastify (autocannon, ${CONNECTIONS} connections, ${DURATION_S} s)`,
    peerName: 'bare Fastify hello-world',
    rows: [
      {
        metric: 'throughput',
        unit: 'req/s',
        ours: me.requestsPerSecond,
        peer: bare.requestsPerSecond,
        target: { on: 'ratio', op: '>=', value: 0.85 },
      },
      { metric: 'latency p50', unit: 'ms', ours: me.latencyP50Ms, peer: bare.latencyP50Ms },
      { metric: 'latency p99', unit: 'ms', ours: me.latencyP99Ms, peer: bare.latencyP99Ms },
      { metric: 'non-2xx responses', unit: 'count', ours: me.non2xx, peer: bare.non2xx },
      {
        metric: 'ours: store round trips per GET /me',
        unit: 'requests',
        ours: storeCallsPerRequest,
        peer: null,
        note: 'HTTP requests from the API process to dynalite/s3rver (worker threads) per API request',
      },
      {
        metric: "ours: one store round trip, API thread's CPU (dynalite in a worker)",
        unit: 'ms CPU',
        ours: storeCpuMsPerOp,
        peer: null,
        note: 'users.getByUuid with 32 in flight (warm-up included); dynalite and LevelDB time in the worker excluded',
      },
      {
        metric: 'ours: store round trips per second (32 in flight)',
        unit: 'ops/s',
        ours: storeOps,
        peer: null,
      },
    ],
    details: { me, bare, storeCallsPerRequest, storeRoundTripsPerSecond: storeOps, storeCpuMsPerOp },
  });
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
