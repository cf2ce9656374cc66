/**
 * KEM wrap benchmark: key-pair generation, wrap and unwrap of a 96-byte master key per algorithm of
 * @city/ntru-keyvault. Run by `pnpm bench kem-wrap`, or standalone `node bench/kem-wrap.bench.ts` (Node 24
 * type stripping) after `pnpm --filter @city/ntru-keyvault build`. Prints a table, writes
 * bench/results/kem-wrap.json and kem-wrap.svg. No peer: the figures are the cost per algorithm.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, platform, release } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { generateKemKeyPair, KEM_ALGORITHMS, unwrapKey, wrapKey } from '@city/ntru-keyvault';
import { evaluate, renderSvg } from './lib/report.ts';

const WARMUP = 5;
const KEYGEN_ITERATIONS = Number(process.env.BENCH_KEYGEN_ITERATIONS ?? 30);
const WRAP_ITERATIONS = Number(process.env.BENCH_WRAP_ITERATIONS ?? 200);

interface Stats {
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly opsPerSecond: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const mean = samples.reduce((sum, x) => sum + x, 0) / samples.length;
  return { meanMs: mean, p50Ms: at(0.5), p99Ms: at(0.99), opsPerSecond: 1000 / mean };
}

async function measure(iterations: number, task: () => Promise<unknown>): Promise<Stats> {
  for (let i = 0; i < WARMUP; i++) await task();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await task();
    samples.push(performance.now() - start);
  }
  return stats(samples);
}

const masterKey = new Uint8Array(randomBytes(96));
const rows: Record<string, unknown>[] = [];
for (const algorithm of KEM_ALGORITHMS) {
  const keygen = await measure(KEYGEN_ITERATIONS, () => generateKemKeyPair(algorithm));
  const pair = await generateKemKeyPair(algorithm);
  const capsule = await wrapKey(masterKey, pair.publicKey);
  const wrap = await measure(WRAP_ITERATIONS, () => wrapKey(masterKey, pair.publicKey));
  const unwrap = await measure(WRAP_ITERATIONS, async () => {
    const key = await unwrapKey(capsule, pair.privateKey);
    if (key.length !== 96) throw new Error('unwrap returned a wrong key');
  });
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
for (const row of rows) {
  const r = row as { algorithm: string; capsuleBytes: number; keygen: Stats; wrap: Stats; unwrap: Stats };
  console.log(
    `${r.algorithm.padEnd(22)} ${String(r.capsuleBytes).padStart(9)} ${fmt(r.keygen.meanMs)} ${fmt(r.wrap.meanMs)} ${fmt(r.wrap.p99Ms)} ${fmt(r.unwrap.meanMs)} ${fmt(r.unwrap.p99Ms).padStart(10)} ${r.unwrap.opsPerSecond.toFixed(0).padStart(9)}`,
  );
}

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
await mkdir(resultsDir, { recursive: true });
const report = {
  benchmark: 'kem-wrap',
  measuredAt: new Date().toISOString(),
  node: process.version,
  openssl: process.versions.openssl,
  platform: `${platform()} ${release()}`,
  cpu: cpus()[0]?.model ?? 'unknown',
  cpus: cpus().length,
  wrappedKeyBytes: masterKey.length,
  iterations: { keygen: KEYGEN_ITERATIONS, wrap: WRAP_ITERATIONS, unwrap: WRAP_ITERATIONS, warmup: WARMUP },
  results: rows,
  // The shared table shape (no peer), for results/summary.md and the chart.
  title: 'KEM wrap / unwrap of a 96-byte master key',
  peer: '–',
  rows: evaluate(
    rows.flatMap((row) => {
      const r = row as { algorithm: string; keygen: Stats; wrap: Stats; unwrap: Stats };
      return [
        { metric: `${r.algorithm} wrap`, unit: 'ms', ours: r.wrap.meanMs, peer: null },
        { metric: `${r.algorithm} unwrap`, unit: 'ms', ours: r.unwrap.meanMs, peer: null },
      ];
    }),
  ),
};
await writeFile(`${resultsDir}kem-wrap.json`, `${JSON.stringify(report, null, 2)}\n`);
await writeFile(`${resultsDir}kem-wrap.svg`, renderSvg(report.title, 'no peer', report.rows));
console.log(`\nwrote ${resultsDir}kem-wrap.json and kem-wrap.svg`);
