/**
 * Password hashing: @city/password `hashPassword` (with whichever Argon2 engine it picked, reported by
 * `argon2Engine()`: `@node-rs/argon2`, or `node:crypto` as its fallback) vs `@node-rs/argon2` `hash`
 * at identical parameters (Argon2id, m=19456 KiB, t=2, p=1, 32-byte tag, 16-byte salt; RFC 9106,
 * OWASP minimum). Three figures each: time per hash (sequential), throughput with 64 hashes in
 * flight, and the event-loop p99 delay while those 64 run.
 */

import { argon2, randomBytes } from 'node:crypto';
import { argon2Engine, DEFAULT_ARGON2_OPTIONS, hashPassword, verifyPassword } from '@city/password';
import { Algorithm, hash as nodeRsHash } from '@node-rs/argon2';
import { type ConcurrentRun, runConcurrentBatches, type SampleStats, sampleStats } from './lib/measure.ts';
import { report } from './lib/report.ts';

const SEQUENTIAL = Number(process.env.BENCH_PASSWORD_SEQUENTIAL ?? 40);
const CONCURRENCY = 64;
const ROUNDS = Number(process.env.BENCH_PASSWORD_ROUNDS ?? 3);
const PASSWORD = 'correct horse battery staple';

const ours = () => hashPassword(PASSWORD);
const peer = () =>
  nodeRsHash(PASSWORD, {
    algorithm: Algorithm.Argon2id,
    memoryCost: DEFAULT_ARGON2_OPTIONS.memory,
    timeCost: DEFAULT_ARGON2_OPTIONS.passes,
    parallelism: DEFAULT_ARGON2_OPTIONS.parallelism,
    outputLen: DEFAULT_ARGON2_OPTIONS.tagLength,
  });

// Same parameters, and each side's output is a valid hash for the other: checked before timing.
const peerPhc = await peer();
const ourPhc = await ours();
if (
  !peerPhc.startsWith('$argon2id$v=19$m=19456,t=2,p=1$') ||
  !ourPhc.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')
) {
  throw new Error(`parameter mismatch: ${ourPhc.slice(0, 32)} / ${peerPhc.slice(0, 32)}`);
}
if (!(await verifyPassword(peerPhc, PASSWORD)).valid) throw new Error('@node-rs/argon2 hash does not verify');

// Interleave the two implementations in small blocks so machine drift hits both equally.
const seqOurs: number[] = [];
const seqPeer: number[] = [];
for (let i = 0; i < 3; i++) {
  await ours();
  await peer();
}
for (let i = 0; i < SEQUENTIAL; i += 5) {
  for (const [task, out] of [
    [ours, seqOurs],
    [peer, seqPeer],
  ] as const) {
    for (let j = 0; j < 5; j++) {
      const start = performance.now();
      await task();
      out.push(performance.now() - start);
    }
  }
}
const sequential: { ours: SampleStats; peer: SampleStats } = {
  ours: sampleStats(seqOurs),
  peer: sampleStats(seqPeer),
};

const concurrent: { ours: ConcurrentRun[]; peer: ConcurrentRun[] } = { ours: [], peer: [] };
for (let r = 0; r < ROUNDS; r++) {
  concurrent.ours.push(await runConcurrentBatches(ours, CONCURRENCY, 1));
  concurrent.peer.push(await runConcurrentBatches(peer, CONCURRENCY, 1));
}
const ENGINE = argon2Engine();
// Diagnostics: the raw node:crypto.argon2 call, @city/password's fallback engine (OpenSSL's portable
// Argon2), to show what the fallback would cost next to the Rust argon2 crate in @node-rs.
const rawSalt = randomBytes(16);
const rawMessage = Buffer.from(PASSWORD);
const raw = () =>
  new Promise<Buffer>((resolve, reject) =>
    argon2(
      'argon2id',
      { message: rawMessage, nonce: rawSalt, parallelism: 1, tagLength: 32, memory: 19456, passes: 2 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
const seqRaw: number[] = [];
for (let i = 0; i < Math.min(SEQUENTIAL, 20); i++) {
  const start = performance.now();
  await raw();
  seqRaw.push(performance.now() - start);
}
const rawStats = sampleStats(seqRaw);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const throughput = (runs: ConcurrentRun[]) => median(runs.map((r) => r.opsPerSecond));
const loopP99 = (runs: ConcurrentRun[]) => Math.max(...runs.map((r) => r.eventLoopP99Ms));

report({
  name: 'password',
  title: `Argon2id hashPassword (m=19456, t=2, p=1; our engine: ${ENGINE})`,
  peerName: '@node-rs/argon2',
  rows: [
    {
      metric: 'time per hash, sequential (mean)',
      unit: 'ms',
      ours: sequential.ours.meanMs,
      peer: sequential.peer.meanMs,
      target: { on: 'ratio', op: '<=', value: 1.05 },
    },
    {
      metric: 'time per hash, sequential (p50)',
      unit: 'ms',
      ours: sequential.ours.p50Ms,
      peer: sequential.peer.p50Ms,
    },
    {
      metric: `throughput, ${CONCURRENCY} concurrent`,
      unit: 'hashes/s',
      ours: throughput(concurrent.ours),
      peer: throughput(concurrent.peer),
      target: { on: 'ratio', op: '>=', value: 0.952 },
    },
    {
      metric: `event-loop p99 delay, ${CONCURRENCY} concurrent`,
      unit: 'ms',
      ours: loopP99(concurrent.ours),
      peer: loopP99(concurrent.peer),
      target: { on: 'ours', op: '<', value: 20 },
    },
    {
      metric: 'fallback engine: raw node:crypto.argon2, sequential (p50)',
      unit: 'ms',
      ours: rawStats.p50Ms,
      peer: sequential.peer.p50Ms,
      note: "@city/password's fallback engine alone, without hashPassword; peer = @node-rs/argon2 p50 above",
    },
  ],
  details: {
    sequential,
    concurrent,
    concurrency: CONCURRENCY,
    rounds: ROUNDS,
    params: DEFAULT_ARGON2_OPTIONS,
    engine: ENGINE,
  },
});
