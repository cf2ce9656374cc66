/**
 * HTTP: protected `GET /me` on the real API (buildApp + openEmbeddedAuth on a temp dir — the
 * embedded default, SQLite in the API process: bearer token verified, revocation and user/device
 * status checked, PII decrypted; repeated calls with one token answered by the access cache while
 * nothing changes) vs a bare Fastify hello-world, each in its own server process, same autocannon
 * settings, same run. Both servers report their CPU time, so the table also gives the CPU cost of
 * one request on each side. A second `GET /me` run with `accessCacheSize` 0 shows the uncached cost,
 * and a bare Fastify server sending GET /me's exact headers and body separates the cost of the
 * bytes on the wire from the cost of the work. The same load on better-auth's `GET
 * /api/auth/get-session` (session cookie from one email sign-in, node:sqlite) compares the
 * authenticated read with a peer that does the same job.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_PASSWORD, login, registerUser, runTag } from './lib/city-client.ts';
import { CONNECTIONS, DURATION_S, measureLoad, startServer } from './lib/load.ts';
import { report } from './lib/report.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'city-bench-http-'));
try {
  const hello = await startServer('hello-server.ts');
  const bare = await measureLoad({ url: `${hello.url}/` }, { server: hello });
  await hello.stop();

  // GET /me's response as sent (headers that describe this one response dropped), for the
  // same-bytes peer below.
  let sample: { headers: Record<string, string>; body: string } | undefined;
  const PER_RESPONSE = new Set(['date', 'connection', 'keep-alive', 'content-length', 'x-request-id']);
  const measureMe = async (env: Record<string, string>) => {
    const city = await startServer('city-server.ts', [dataDir], env);
    try {
      const user = await registerUser(city.url, runTag(), 0);
      const { accessToken } = await login(city.url, user);
      const headers = { authorization: `Bearer ${accessToken}` };
      const check = await fetch(`${city.url}/me`, { headers });
      if (check.status !== 200) throw new Error(`GET /me → ${check.status}`);
      sample ??= {
        headers: Object.fromEntries([...check.headers].filter(([name]) => !PER_RESPONSE.has(name))),
        body: await check.text(),
      };
      return await measureLoad({ url: `${city.url}/me`, headers }, { server: city });
    } finally {
      await city.stop();
    }
  };
  const me = await measureMe({});
  const uncached = await measureMe({ CITY_ACCESS_CACHE_SIZE: '0' });

  // An auth library's own session read: better-auth get-session with a signed-in cookie.
  const peerDir = mkdtempSync(join(tmpdir(), 'better-auth-bench-http-'));
  let peerSession: Awaited<ReturnType<typeof measureLoad>>;
  try {
    const peer = await startServer('better-auth-server.ts', [peerDir]);
    try {
      const origin = { 'content-type': 'application/json', origin: 'http://bench.example' };
      const email = `me${runTag()}@bench.example`;
      const body = JSON.stringify({ email, password: BENCH_PASSWORD, name: 'bench' });
      const signUp = await fetch(`${peer.url}/api/auth/sign-up/email`, {
        method: 'POST',
        headers: origin,
        body,
      });
      if (!signUp.ok) throw new Error(`better-auth sign-up → ${signUp.status}`);
      const signIn = await fetch(`${peer.url}/api/auth/sign-in/email`, {
        method: 'POST',
        headers: origin,
        body: JSON.stringify({ email, password: BENCH_PASSWORD }),
      });
      const cookie = signIn.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const headers = { cookie };
      const check = await fetch(`${peer.url}/api/auth/get-session`, { headers });
      const session = (await check.json()) as { user?: { email?: string } } | null;
      if (check.status !== 200 || session?.user?.email !== email) {
        throw new Error(`better-auth get-session → ${check.status} without the signed-in user`);
      }
      peerSession = await measureLoad({ url: `${peer.url}/api/auth/get-session`, headers }, { server: peer });
      if (peerSession.non2xx > 0)
        throw new Error(`better-auth get-session: ${peerSession.non2xx} non-2xx answers`);
    } finally {
      await peer.stop();
    }
  } finally {
    rmSync(peerDir, { recursive: true, force: true });
  }

  // The wire cost alone: bare Fastify sending GET /me's exact headers and body.
  const same = await startServer('hello-server.ts', [], { HELLO_RESPONSE: JSON.stringify(sample) });
  const sameBytes = await measureLoad({ url: `${same.url}/` }, { server: same });
  await same.stop();

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
        target: { on: 'ratio', op: '>=', value: 0.6 },
      },
      {
        metric: 'throughput vs better-auth get-session (session cookie)',
        unit: 'req/s',
        ours: me.requestsPerSecond,
        peer: peerSession.requestsPerSecond,
        target: { on: 'ratio', op: '>=', value: 15 },
      },
      {
        metric: 'server CPU per request vs better-auth get-session',
        unit: 'µs',
        ours: me.serverCpuUsPerRequest,
        peer: peerSession.serverCpuUsPerRequest,
      },
      { metric: 'latency p50', unit: 'ms', ours: me.latencyP50Ms, peer: bare.latencyP50Ms },
      { metric: 'latency p99', unit: 'ms', ours: me.latencyP99Ms, peer: bare.latencyP99Ms },
      { metric: 'non-2xx responses', unit: 'count', ours: me.non2xx, peer: bare.non2xx },
      {
        metric: 'server CPU per request',
        unit: 'µs',
        ours: me.serverCpuUsPerRequest,
        peer: bare.serverCpuUsPerRequest,
        note: 'process CPU time (all threads) per request received during the measured run',
      },
      {
        metric: "bare Fastify sending GET /me's exact headers and body: throughput",
        unit: 'req/s',
        ours: me.requestsPerSecond,
        peer: sameBytes.requestsPerSecond,
        note: `same bytes on the wire without the work (${(sample?.body.length ?? 0).toLocaleString('en-US')}-byte body, ${Object.keys(sample?.headers ?? {}).length} headers)`,
      },
      {
        metric: "bare Fastify sending GET /me's exact headers and body: CPU per request",
        unit: 'µs',
        ours: me.serverCpuUsPerRequest,
        peer: sameBytes.serverCpuUsPerRequest,
      },
      {
        metric: 'throughput, access cache off (accessCacheSize 0)',
        unit: 'req/s',
        ours: uncached.requestsPerSecond,
        peer: bare.requestsPerSecond,
      },
      {
        metric: 'server CPU per request, access cache off',
        unit: 'µs',
        ours: uncached.serverCpuUsPerRequest,
        peer: bare.serverCpuUsPerRequest,
      },
    ],
    details: {
      me,
      uncached,
      bare,
      peerSession,
      sameBytes,
      sampleResponse: { headers: Object.keys(sample?.headers ?? {}), bodyBytes: sample?.body.length ?? 0 },
    },
  });
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
