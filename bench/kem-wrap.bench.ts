/**
 * KEM wrap benchmark: key-pair generation, wrap and unwrap of a 96-byte master key per algorithm of
 * @city/ntru-keyvault. Run by `pnpm bench kem-wrap`, or standalone `node bench/kem-wrap.bench.ts` (Node 24
 * type stripping) after `pnpm --filter @city/ntru-keyvault build`. Prints a table, writes
 * bench/results/kem-wrap.json and kem-wrap.svg. No peer: the figures are the cost per algorithm.
 */
import { randomBytes } from 'node:crypto';
import { generateKemKeyPair, KEM_ALGORITHMS, unwrapKey, wrapKey } from '@city/ntru-keyvault';
import { type SampleStats, timeSequential } from './lib/measure.ts';
import { report } from './lib/report.ts';

const WARMUP = 5;
const KEYGEN_ITERATIONS = Number(process.env.BENCH_KEYGEN_ITERATIONS ?? 30);
const WRAP_ITERATIONS = Number(process.env.BENCH_WRAP_ITERATIONS ?? 200);

const masterKey = new Uint8Array(randomBytes(96));
const rows: {
  algorithm: string;
  capsuleBytes: number;
  publicKeyBase64Chars: number;
  keygen: SampleStats;
  wrap: SampleStats;
  unwrap: SampleStats;
}[] = [];
for (const algorithm of KEM_ALGORITHMS) {
  const keygen = await timeSequential(KEYGEN_ITERATIONS, () => generateKemKeyPair(algorithm), WARMUP);
  const pair = await generateKemKeyPair(algorithm);
  const capsule = await wrapKey(masterKey, pair.publicKey);
  const wrap = await timeSequential(WRAP_ITERATIONS, () => wrapKey(masterKey, pair.publicKey), WARMUP);
  const unwrap = await timeSequential(
    WRAP_ITERATIONS,
    async () => {
      const key = await unwrapKey(capsule, pair.privateKey);
      if (key.length !== 96) throw new Error('unwrap returned a wrong key');
    },
    WARMUP,
  );
  rows.push({
    algorithm,
    capsuleBytes: capsule.length,
    publicKeyBase64Chars: pair.publicKey.length,
    keygen,
    wrap,
    unwrap,
  });
}

const fmt = (n: number) => n.toFixed(3).padStart(9);
console.log(
  `${'algorithm'.padEnd(22)} ${'capsule B'.padStart(9)} ${'keygen ms'.padStart(9)} ${'wrap ms'.padStart(9)} ${'wrap p99'.padStart(9)} ${'unwrap ms'.padStart(9)} ${'unwrap p99'.padStart(10)} ${'unwrap/s'.padStart(9)}`,
);
for (const r of rows) {
  console.log(
    `${r.algorithm.padEnd(22)} ${String(r.capsuleBytes).padStart(9)} ${fmt(r.keygen.meanMs)} ${fmt(r.wrap.meanMs)} ${fmt(r.wrap.p99Ms)} ${fmt(r.unwrap.meanMs)} ${fmt(r.unwrap.p99Ms).padStart(10)} ${(1000 / r.unwrap.meanMs).toFixed(0).padStart(9)}`,
  );
}

report({
  name: 'kem-wrap',
  title: 'KEM wrap / unwrap of a 96-byte master key',
  peerName: '–',
  rows: rows.flatMap((r) => [
    { metric: `${r.algorithm} wrap`, unit: 'ms', ours: r.wrap.meanMs, peer: null },
    { metric: `${r.algorithm} unwrap`, unit: 'ms', ours: r.unwrap.meanMs, peer: null },
  ]),
  details: {
    wrappedKeyBytes: masterKey.length,
    iterations: { keygen: KEYGEN_ITERATIONS, wrap: WRAP_ITERATIONS, unwrap: WRAP_ITERATIONS, warmup: WARMUP },
    results: rows,
  },
});
