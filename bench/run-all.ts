/**
 * `pnpm bench [name...]`: runs each benchmark in its own Node process (so one cannot warm up or
 * starve the next), in order, then writes results/summary.md (every table) and results/summary.json.
 * Names: password, cert, jwt, kem-wrap, http, aws, auth-flow, scale, failure-paths, soak, workers. `--summary` runs nothing and only
 * rebuilds the summary and charts from the JSON results.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type ComparisonRow,
  formatNumber,
  formatRatio,
  formatTarget,
  RESULTS_DIR,
  renderSvg,
} from './lib/report.ts';

const BENCHES: readonly { name: string; file: string; about: string }[] = [
  { name: 'password', file: 'password.bench.ts', about: 'Argon2id hashPassword vs @node-rs/argon2' },
  { name: 'cert', file: 'cert.bench.ts', about: 'ML-DSA-65 certificate issuance vs @noble/post-quantum' },
  { name: 'jwt', file: 'jwt.bench.ts', about: 'JWT sign/verify vs jose' },
  { name: 'kem-wrap', file: 'kem-wrap.bench.ts', about: 'KEM keygen/wrap/unwrap per algorithm' },
  { name: 'http', file: 'http.bench.ts', about: 'GET /me vs bare Fastify hello-world' },
  {
    name: 'aws',
    file: 'aws.bench.ts',
    about: 'GET /me in aws mode with vs without the access cache; cross-instance logout bound',
  },
  { name: 'auth-flow', file: 'auth-flow.bench.ts', about: 'register/login vs CPU bound and better-auth' },
  { name: 'scale', file: 'scale.bench.ts', about: 'login p99 with 1,000 vs 100,000 users' },
  {
    name: 'failure-paths',
    file: 'failure-paths.bench.ts',
    about: 'login failure timing: right password + bad proof vs wrong password',
  },
  {
    name: 'soak',
    file: 'soak.bench.ts',
    about: 'a bounded mixed workload for 10 minutes: errors, event-loop p99, RSS and store growth',
  },
  {
    name: 'workers',
    file: 'workers.bench.ts',
    about: 'GET /me and login with 1 vs N workers; register/logout with SQLite synchronous FULL vs NORMAL',
  },
];

const here = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !BENCHES.some((b) => b.name === w));
if (unknown.length > 0) {
  console.error(
    `unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}`,
  );
  process.exit(2);
}
// `--summary` only rebuilds results/summary.md (and the charts) from the JSON files already there.
const summaryOnly = process.argv.includes('--summary');
const selected = summaryOnly
  ? []
  : wanted.length === 0
    ? BENCHES
    : BENCHES.filter((b) => wanted.includes(b.name));

const outcomes: { name: string; status: number | null; seconds: number }[] = [];
for (const bench of selected) {
  console.log(`\n=== ${bench.name}: ${bench.about}`);
  const start = Date.now();
  const child = spawnSync(process.execPath, ['--no-warnings=ExperimentalWarning', bench.file], {
    cwd: here,
    stdio: 'inherit',
    env: process.env,
  });
  const seconds = (Date.now() - start) / 1000;
  outcomes.push({ name: bench.name, status: child.status, seconds });
  console.log(
    `=== ${bench.name} ${child.status === 0 ? 'done' : `FAILED (exit ${child.status})`} in ${seconds.toFixed(0)} s`,
  );
}

// The summary always covers every benchmark that has a result file, so a partial run keeps the others.
const lines: string[] = ['# Benchmark results', ''];
const summary: Record<string, unknown> = {};
for (const bench of BENCHES) {
  const file = `${RESULTS_DIR}${bench.name}.json`;
  if (!existsSync(file)) continue;
  const doc = JSON.parse(readFileSync(file, 'utf8')) as {
    measuredAt: string;
    title?: string;
    peer?: string;
    rows?: ComparisonRow[];
    environment?: { loadAverage?: number[] };
  };
  summary[bench.name] = doc;
  if (doc.rows === undefined) continue;
  writeFileSync(
    `${RESULTS_DIR}${bench.name}.svg`,
    renderSvg(doc.title ?? bench.name, doc.peer ?? 'peer', doc.rows),
  );
  lines.push(
    `## ${doc.title ?? bench.name}`,
    '',
    `Measured ${doc.measuredAt}; load average at the end ${doc.environment?.loadAverage?.join(' / ') ?? '?'}. Chart: [${bench.name}.svg](${bench.name}.svg)`,
    '',
    `| metric | unit | ours | ${doc.peer ?? 'peer'} | ratio | target | met |`,
    '|---|---|---:|---:|---:|---|---|',
  );
  for (const r of doc.rows) {
    lines.push(
      `| ${r.metric} | ${r.unit} | ${formatNumber(r.ours)} | ${formatNumber(r.peer)} | ${formatRatio(r.ratio)} | ${formatTarget(r.target)} | ${r.met === undefined ? '' : r.met ? 'yes' : '**no**'} |`,
    );
  }
  lines.push('');
}
writeFileSync(`${RESULTS_DIR}summary.md`, `${lines.join('\n')}\n`);
writeFileSync(`${RESULTS_DIR}summary.json`, `${JSON.stringify(summary, null, 2)}\n`);
console.log(`\nwrote results/summary.md and results/summary.json`);
for (const o of outcomes)
  console.log(
    `${o.name.padEnd(10)} ${o.status === 0 ? 'ok    ' : 'FAILED'} ${o.seconds.toFixed(0).padStart(5)} s`,
  );
if (outcomes.some((o) => o.status !== 0)) process.exit(1);
