/**
 * Failure-path timing of login: a right password with a bad device proof must take as long as a
 * wrong password (and as an unknown user), so the time of a failure tells nothing about which factor
 * was wrong. Calls the use case in process (`openEmbeddedAuth`, SQLite, signature proof), one login
 * at a time; each login's challenge is fetched and signed before its timer starts, and the paths are
 * measured interleaved, rotating which goes first, so drift in machine load hits every path alike.
 * Lockout thresholds are set out of reach so every attempt does the full work. Run by
 * `pnpm bench failure-paths`, or `node bench/failure-paths.bench.ts` after building the packages.
 * Writes bench/results/failure-paths.json and .svg. Target: median and p90 ratio within 1.00 ± 0.05.
 * The process CPU time of each login is reported beside the wall time: it is the work done, and
 * stays readable when a busy machine makes wall times noisy. BENCH_FAILURE_SAMPLES (300) per path.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openEmbeddedAuth } from '@city/auth-runtime';
import { signChallenge } from '@city/client-cert';
import { report } from './lib/report.ts';

const SAMPLES = Number(process.env.BENCH_FAILURE_SAMPLES ?? 300);
const WARMUP = 20;
const PASSWORD = 'violet tractor umbrella 42';

const dir = mkdtempSync(join(tmpdir(), 'city-bench-failure-'));
const runtime = await openEmbeddedAuth({
  dataDir: join(dir, 'data'),
  config: {
    lockout: {
      accountFreeAttempts: 1_000_000,
      deviceFreeAttempts: 1_000_000,
      ipMaxFailures: 1_000_000,
      alertThreshold: 1_000_000,
    },
  },
});
const auth = runtime.auth;
const registered = await auth.register({
  username: 'timing.subject',
  email: 'timing.subject@example.com',
  password: PASSWORD,
  key_algorithm: 'ml-dsa-65',
});
const ownKey = registered.privateKeyPem as string;
// A key of the same algorithm that no device of the account holds: a bad proof.
const strangerKey = generateKeyPairSync('ml-dsa-65').privateKey.export({
  type: 'pkcs8',
  format: 'pem',
}) as string;

interface Path {
  readonly name: string;
  readonly identifier: string;
  readonly password: string;
  readonly key: string;
}
const paths: readonly Path[] = [
  {
    name: 'right password + bad proof',
    identifier: registered.username,
    password: PASSWORD,
    key: strangerKey,
  },
  { name: 'wrong password', identifier: registered.username, password: 'not the password 0917', key: ownKey },
  {
    name: 'wrong password + bad proof',
    identifier: registered.username,
    password: 'not the password 0917',
    key: strangerKey,
  },
  { name: 'unknown user', identifier: 'nobody.at.all', password: PASSWORD, key: ownKey },
];

/** Wall time and process CPU time (all threads: Argon2id runs on the libuv pool) of one login, ms. */
async function once(path: Path): Promise<{ wall: number; cpu: number }> {
  const challenge = await auth.createLoginChallenge();
  const body = {
    identifier: path.identifier,
    password: path.password,
    challenge_id: challenge.challengeId,
    signature: signChallenge(path.key, challenge.challenge),
    device_id: registered.deviceId,
  };
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  try {
    await auth.login(body, { ip: '192.0.2.1' });
  } catch (error) {
    const wall = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    if ((error as { code?: string }).code !== 'INVALID_CREDENTIALS') throw error;
    return { wall, cpu: (cpu.user + cpu.system) / 1000 };
  }
  throw new Error(`${path.name}: the login succeeded`);
}

for (let i = 0; i < WARMUP; i++) for (const path of paths) await once(path);
const samples = new Map<string, number[]>(paths.map((p) => [p.name, []]));
const cpuSamples = new Map<string, number[]>(paths.map((p) => [p.name, []]));
for (let i = 0; i < SAMPLES; i++) {
  for (let j = 0; j < paths.length; j++) {
    const path = paths[(i + j) % paths.length]!;
    const { wall, cpu } = await once(path);
    samples.get(path.name)!.push(wall);
    cpuSamples.get(path.name)!.push(cpu);
  }
}
await runtime.close();
rmSync(dir, { recursive: true, force: true });

const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const stats = Object.fromEntries(
  [...samples].map(([name, values]) => [
    name,
    {
      n: values.length,
      p50Ms: quantile(values, 0.5),
      p90Ms: quantile(values, 0.9),
      minMs: quantile(values, 0),
    },
  ]),
);
const cpuStats = Object.fromEntries(
  [...cpuSamples].map(([name, values]) => [
    name,
    {
      n: values.length,
      p50Ms: quantile(values, 0.5),
      p90Ms: quantile(values, 0.9),
      minMs: quantile(values, 0),
    },
  ]),
);
const base = stats['wrong password']!;
const cpuBase = cpuStats['wrong password']!;
const rows = paths
  .filter((p) => p.name !== 'wrong password')
  .flatMap((p) => [
    {
      metric: `${p.name} median`,
      unit: 'ms',
      ours: stats[p.name]!.p50Ms,
      peer: base.p50Ms,
      peerName: 'wrong password',
      target: { on: 'ratio' as const, op: '<=' as const, value: 1.05 },
      note: 'ratio ≥ 0.95 too',
    },
    {
      metric: `${p.name} p90`,
      unit: 'ms',
      ours: stats[p.name]!.p90Ms,
      peer: base.p90Ms,
      peerName: 'wrong password',
      target: { on: 'ratio' as const, op: '<=' as const, value: 1.05 },
      note: 'ratio ≥ 0.95 too',
    },
    {
      metric: `${p.name} CPU median`,
      unit: 'ms',
      ours: cpuStats[p.name]!.p50Ms,
      peer: cpuBase.p50Ms,
      peerName: 'wrong password',
      note: 'process CPU, all threads',
    },
  ]);

report({
  name: 'failure-paths',
  title: 'Login failure paths: time of each failure vs a wrong password',
  peerName: 'wrong password',
  rows,
  details: { samplesPerPath: SAMPLES, warmupPerPath: WARMUP, wall: stats, cpu: cpuStats },
});
