/**
 * HTTP: protected `GET /me` on the real API (buildApp + openEmbeddedAuth on a temp dir — the
 * embedded default, SQLite in the API process: bearer token verified, revocation and user/device
 * status checked, PII decrypted; repeated calls with one token answered by the access cache while
 * nothing changes) vs a bare Fastify hello-world, each in its own server process, same autocannon
 * settings, same run. Both servers report their CPU time, so the table also gives the CPU cost of
 * one request on each side. A second `GET /me` run with `accessCacheSize` 0 shows the uncached cost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { login, registerUser, runTag } from './lib/city-client.ts';
import { CONNECTIONS, cpuPerRequestUs, DURATION_S, measureLoad, startServer } from './lib/load.ts';
import { report } from './lib/report.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'city-bench-http-'));
try {
  const hello = await startServer('hello-server.ts');
  const helloBefore = await hello.stats();
  const bare = await measureLoad({ url: `${hello.url}/` });
  const helloCpuUs = cpuPerRequestUs(helloBefore, await hello.stats());
  await hello.stop();

  const measureMe = async (env: Record<string, string>) => {
    const city = await startServer('city-server.ts', [dataDir], env);
    try {
      const user = await registerUser(city.url, runTag(), 0);
      const { accessToken } = await login(city.url, user);
      const headers = { authorization: `Bearer ${accessToken}` };
      const check = await fetch(`${city.url}/me`, { headers });
      if (check.status !== 200) throw new Error(`GET /me → ${check.status}`);
      const before = await city.stats();
      const load = await measureLoad({ url: `${city.url}/me`, headers });
      return { load, cpuUs: cpuPerRequestUs(before, await city.stats()) };
    } finally {
      await city.stop();
    }
  };
  const me = await measureMe({});
  const uncached = await measureMe({ CITY_ACCESS_CACHE_SIZE: '0' });

  report({
    name: 'http',
    title: `GET /me vs bare Fastify (autocannon, ${CONNECTIONS} connections, ${DURATION_S} s)`,
    peerName: 'bare Fastify hello-world',
    rows: [
      {
        metric: 'throughput',
        unit: 'req/s',
        ours: me.load.requestsPerSecond,
        peer: bare.requestsPerSecond,
        target: { on: 'ratio', op: '>=', value: 0.85 },
      },
      { metric: 'latency p50', unit: 'ms', ours: me.load.latencyP50Ms, peer: bare.latencyP50Ms },
      { metric: 'latency p99', unit: 'ms', ours: me.load.latencyP99Ms, peer: bare.latencyP99Ms },
      { metric: 'non-2xx responses', unit: 'count', ours: me.load.non2xx, peer: bare.non2xx },
      {
        metric: 'server CPU per request',
        unit: 'µs',
        ours: me.cpuUs,
        peer: helloCpuUs,
        note: 'process CPU time (all threads) per request served, warm-up included',
      },
      {
        metric: 'throughput, access cache off (accessCacheSize 0)',
        unit: 'req/s',
        ours: uncached.load.requestsPerSecond,
        peer: bare.requestsPerSecond,
      },
      {
        metric: 'server CPU per request, access cache off',
        unit: 'µs',
        ours: uncached.cpuUs,
        peer: helloCpuUs,
      },
    ],
    details: { me, uncached, bare, helloCpuUs },
  });
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
