/**
 * Registration and login throughput on the embedded default (buildApp + openEmbeddedAuth: SQLite in
 * the API process), compared
 * with (a) the CPU bound of the cryptography each request must do on this machine and (b) better-auth
 * 1.7.25 email/password sign-up and sign-in with the same Argon2id parameters, each server in its own
 * process, same autocannon settings.
 *
 * CPU bound: Argon2id hashes/s with 2 in flight (one per core) gives the Argon2 CPU time per request;
 * registration adds an ML-DSA-65 key + certificate, login an ML-DSA-65 challenge-signature check and
 * two EdDSA token signatures. bound = cores / (cores / H2 + crypto ms on the main thread).
 * Login bodies carry a fresh challenge signed with the device key, prepared before the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createCertificateAuthority,
  issueClientCertificate,
  signChallenge,
  verifyChallengeSignature,
} from '@city/client-cert';
import { generateSigningKey, KeySet, signAccessToken, signRefreshToken } from '@city/jwt';
import { hashPassword } from '@city/password';
import {
  BENCH_PASSWORD,
  type CityUser,
  mapLimit,
  registerBody,
  registerUser,
  runTag,
  signedLoginBody,
} from './lib/city-client.ts';
import {
  CONNECTIONS,
  DURATION_S,
  type LoadResult,
  measureLoad,
  preparedPosts,
  startServer,
  WARMUP_S,
} from './lib/load.ts';
import { throughput, timeSequential } from './lib/measure.ts';
import { report } from './lib/report.ts';

const CORES = availableParallelism();
const JSON_HEADERS = { 'content-type': 'application/json' };

// --- (a) the CPU bound of the cryptography, measured here ---------------------------------------
const ca = await createCertificateAuthority();
const uuid = '6f1c2a7e-2b1d-4c8a-9a53-0c8e4b1f2d3a';
const device = await issueClientCertificate({ ca, userUuid: uuid, deviceId: 'd1' });
const challenge = 'bench-challenge-0123456789abcdef0123456789abcdef';
const signature = signChallenge(device.privateKeyPem ?? '', challenge);
const keys = KeySet.create([await generateSigningKey('EdDSA')]);
const tokenOptions = { issuer: 'city-chain-auth', audience: 'city-chain' };

interface CryptoCosts {
  argon2PerSecond: number;
  issueMs: number;
  verifyMs: number;
  tokensMs: number;
}

async function measureCryptoCosts(): Promise<CryptoCosts> {
  const argon2PerSecond = (await throughput(() => hashPassword(BENCH_PASSWORD), 4000, CORES)).opsPerSecond;
  const issue = await timeSequential(20, () =>
    issueClientCertificate({ ca, userUuid: uuid, deviceId: 'd1' }),
  );
  const verifySig = await timeSequential(200, () => {
    if (!verifyChallengeSignature(device.certificatePem, challenge, signature))
      throw new Error('bad signature');
  });
  const tokens = await timeSequential(200, async () => {
    await signAccessToken(keys, { sub: uuid, deviceId: 'd1', roles: ['user'] }, tokenOptions);
    await signRefreshToken(keys, { sub: uuid, deviceId: 'd1', familyId: 'f', generation: 0 }, tokenOptions);
  });
  return { argon2PerSecond, issueMs: issue.meanMs, verifyMs: verifySig.meanMs, tokensMs: tokens.meanMs };
}

// Measured before and after the HTTP runs; the faster of the two is the bound (other work on the
// machine can only make a measurement slower, and a higher bound is the stricter test for us).
const costsBefore = await measureCryptoCosts();
function autocannonBodies(method: 'POST', path: string, next: () => string, headers: Record<string, string>) {
  return {
    requests: [
      {
        method,
        path,
        headers,
        setupRequest: (request: Record<string, unknown>) => ({ ...request, body: next() }),
      },
    ],
  };
}

// --- City Chain Auth ---------------------------------------------------------------------------
const cityDir = mkdtempSync(join(tmpdir(), 'city-bench-flow-'));
let cityRegister: LoadResult;
let cityLogin: LoadResult;
let loginBodiesPrepared = 0;
try {
  const city = await startServer('city-server.ts', [cityDir]);
  const tag = runTag();
  let n = 0;
  cityRegister = await measureLoad(
    {
      url: city.url,
      ...autocannonBodies('POST', '/register', () => JSON.stringify(registerBody(tag, n++)), JSON_HEADERS),
    },
    { server: city },
  );
  const users: CityUser[] = await mapLimit(
    Array.from({ length: CONNECTIONS }, (_, i) => i),
    4,
    (i) => registerUser(city.url, `${tag}l`, i),
  );
  // One fresh signed challenge per login request; well above what the Argon2 rate allows, at least 600.
  const roughLoginBound = costsBefore.argon2PerSecond * 1.5;
  loginBodiesPrepared = Math.max(600, Math.ceil(roughLoginBound * (WARMUP_S + DURATION_S) * 1.3));
  const bodies = await mapLimit(
    Array.from({ length: loginBodiesPrepared }, (_, i) => i),
    8,
    (i) => signedLoginBody(city.url, users[i % users.length] as CityUser),
  );
  const logins = preparedPosts('/login', bodies);
  cityLogin = await measureLoad({ url: city.url, requests: logins.requests }, { server: city });
  logins.assertEnough();
  await city.stop();
} finally {
  rmSync(cityDir, { recursive: true, force: true });
}

// --- better-auth -------------------------------------------------------------------------------
const peerDir = mkdtempSync(join(tmpdir(), 'better-auth-bench-'));
let peerSignUp: LoadResult;
let peerSignIn: LoadResult;
try {
  const peer = await startServer('better-auth-server.ts', [peerDir]);
  const headers = { ...JSON_HEADERS, origin: 'http://bench.example' };
  const tag = runTag();
  let n = 0;
  peerSignUp = await measureLoad(
    {
      url: peer.url,
      ...autocannonBodies(
        'POST',
        '/api/auth/sign-up/email',
        () =>
          JSON.stringify({ email: `s${tag}${n}@bench.example`, password: BENCH_PASSWORD, name: `s${n++}` }),
        headers,
      ),
    },
    { server: peer },
  );
  const emails = Array.from({ length: CONNECTIONS }, (_, i) => `l${tag}${i}@bench.example`);
  await mapLimit(emails, 4, async (email) => {
    const r = await fetch(`${peer.url}/api/auth/sign-up/email`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ email, password: BENCH_PASSWORD, name: 'bench' }),
    });
    if (!r.ok) throw new Error(`better-auth sign-up → ${r.status}`);
  });
  let m = 0;
  peerSignIn = await measureLoad(
    {
      url: peer.url,
      ...autocannonBodies(
        'POST',
        '/api/auth/sign-in/email',
        () => JSON.stringify({ email: emails[m++ % emails.length], password: BENCH_PASSWORD }),
        headers,
      ),
    },
    { server: peer },
  );
  await peer.stop();
} finally {
  rmSync(peerDir, { recursive: true, force: true });
}

const costsAfter = await measureCryptoCosts();
const best: CryptoCosts = {
  argon2PerSecond: Math.max(costsBefore.argon2PerSecond, costsAfter.argon2PerSecond),
  issueMs: Math.min(costsBefore.issueMs, costsAfter.issueMs),
  verifyMs: Math.min(costsBefore.verifyMs, costsAfter.verifyMs),
  tokensMs: Math.min(costsBefore.tokensMs, costsAfter.tokensMs),
};
const argon2CpuMs = (CORES * 1000) / best.argon2PerSecond;
const registerBound = (CORES * 1000) / (argon2CpuMs + best.issueMs);
const loginBound = (CORES * 1000) / (argon2CpuMs + best.verifyMs + best.tokensMs);
console.log(
  `CPU bound: Argon2id ${best.argon2PerSecond.toFixed(1)}/s with ${CORES} in flight; issue ${best.issueMs.toFixed(2)} ms; ` +
    `verify ${best.verifyMs.toFixed(2)} ms; tokens ${best.tokensMs.toFixed(2)} ms → register ≤ ${registerBound.toFixed(0)}/s, login ≤ ${loginBound.toFixed(0)}/s`,
);

const registerCryptoMs = argon2CpuMs + best.issueMs;
const loginCryptoMs = argon2CpuMs + best.verifyMs + best.tokensMs;
/** Targets: registration ≥ 0.75× its CPU bound and ≥ 1.5× better-auth; login ≥ 0.85× and ≥ 1.0×. */
const TARGETS = {
  register: { bound: 0.75, peer: 1.5 },
  login: { bound: 0.85, peer: 1.0 },
} as const;
const flowRows = (
  name: keyof typeof TARGETS,
  ours: LoadResult,
  peer: LoadResult,
  bound: number,
  cryptoMs: number,
) => [
  {
    metric: `${name}: throughput vs CPU bound (${bound.toFixed(0)}/s)`,
    unit: 'req/s',
    ours: ours.requestsPerSecond,
    peer: bound,
    peerName: 'CPU bound',
    target: { on: 'ratio', op: '>=', value: TARGETS[name].bound } as const,
  },
  {
    metric: `${name}: throughput vs better-auth`,
    unit: 'req/s',
    ours: ours.requestsPerSecond,
    peer: peer.requestsPerSecond,
    target: { on: 'ratio', op: '>=', value: TARGETS[name].peer } as const,
  },
  { metric: `${name}: latency p50`, unit: 'ms', ours: ours.latencyP50Ms, peer: peer.latencyP50Ms },
  { metric: `${name}: latency p99`, unit: 'ms', ours: ours.latencyP99Ms, peer: peer.latencyP99Ms },
  { metric: `${name}: non-2xx`, unit: 'count', ours: ours.non2xx, peer: peer.non2xx },
  {
    metric: `${name}: server CPU per request vs better-auth`,
    unit: 'ms',
    ours: ours.serverCpuUsPerRequest / 1000,
    peer: peer.serverCpuUsPerRequest / 1000,
    note: 'server process CPU time (all threads) per request received during the measured run',
  },
  {
    metric: `${name}: server CPU per request vs its crypto alone`,
    unit: 'ms',
    ours: ours.serverCpuUsPerRequest / 1000,
    peer: cryptoMs,
    peerName: 'CPU bound',
    note: 'the crypto: Argon2id core time per hash + issuance (register) or signature check + tokens (login)',
  },
];

report({
  name: 'auth-flow',
  title: `Registration and login (autocannon, ${CONNECTIONS} connections, ${DURATION_S} s)`,
  peerName: 'better-auth 1.7.25 / CPU bound',
  rows: [
    ...flowRows('register', cityRegister, peerSignUp, registerBound, registerCryptoMs),
    ...flowRows('login', cityLogin, peerSignIn, loginBound, loginCryptoMs),
  ],
  details: {
    cpuBound: {
      cores: CORES,
      before: costsBefore,
      after: costsAfter,
      used: best,
      argon2CpuMs,
      registerBound,
      loginBound,
    },
    city: {
      register: cityRegister,
      login: cityLogin,
      loginBodiesPrepared,
    },
    betterAuth: {
      signUp: peerSignUp,
      signIn: peerSignIn,
    },
  },
});
