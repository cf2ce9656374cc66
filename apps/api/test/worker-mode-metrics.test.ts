/**
 * Metrics in worker mode (`CITY_WORKERS=2`), as real processes: requests spread over both workers
 * are counted once each in every scrape (the cluster's sum, not the share of whichever worker took
 * the scrape), the outbox backlog is the file's line count (not twice it) and build info is 1;
 * with a metrics port the primary serves it, with `CITY_METRICS=on` either worker answers the same
 * sum; a worker killed with SIGKILL leaves the sum and its replacement is asked; SIGTERM stops the workers, the primary and its metrics port; a busy metrics port stops the
 * start before any worker is forked.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiProcess,
  alive,
  compileServer,
  PinnedConnection,
  startApi,
  waitFor,
} from './support/api-process.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

/** The value of one sample line `name{labels} value` (labels as written), or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    if (match?.[1] === name && (match[2] ?? '') === labels) return Number(match[3]);
  }
  return undefined;
}

/** Lines of the outbox file, counted here: what a single process reports as the backlog. */
async function outboxLines(file: string): Promise<number> {
  return (await readFile(file, 'utf8')).split('\n').filter((line) => line.trim() !== '').length;
}

interface Cluster {
  readonly api: ApiProcess;
  readonly dataDir: string;
  /** The API's origin, once it listens. */
  url: string;
  readonly outboxFile: string;
  /** One keep-alive connection to each worker. */
  readonly workers: PinnedConnection[];
  /** `GET /health` requests made so far, on any connection. */
  health: number;
  /** Unmatched `GET` requests (404) made so far. */
  unmatched: number;
  /** The same two counts per worker number. */
  readonly byWorker: Map<number, { health: number; unmatched: number }>;
}

/** Notes a request answered by `worker`. */
function counted(cluster: Cluster, worker: number | undefined, kind: 'health' | 'unmatched'): void {
  cluster[kind] += 1;
  if (worker === undefined) return;
  const counts = cluster.byWorker.get(worker) ?? { health: 0, unmatched: 0 };
  counts[kind] += 1;
  cluster.byWorker.set(worker, counts);
}

/**
 * Starts two workers, writes a three-line outbox and sends requests through both workers; if any
 * step fails, the processes started are stopped before the error is passed on.
 */
async function startCluster(metrics: string): Promise<Cluster> {
  compileServer();
  const dataDir = await mkdtemp(join(tmpdir(), 'city-api-worker-metrics-'));
  const cluster: Cluster = {
    api: startApi({ CITY_WORKERS: '2', CITY_DATA_DIR: dataDir, CITY_RATE_LIMIT: '0', CITY_METRICS: metrics }),
    dataDir,
    url: '',
    outboxFile: join(dataDir, 'outbox', 'outbox.jsonl'),
    workers: [],
    health: 0,
    unmatched: 0,
    byWorker: new Map(),
  };
  try {
    cluster.url = await cluster.api.url();
    await mkdir(join(dataDir, 'outbox'), { recursive: true });
    await writeFile(cluster.outboxFile, '{"n":1}\n{"n":2}\n{"n":3}\n');
    await sendThroughBothWorkers(cluster);
  } catch (error) {
    await stopCluster(cluster);
    throw error;
  }
  return cluster;
}

async function sendThroughBothWorkers(cluster: Cluster): Promise<void> {
  const { url } = cluster;
  // New connections until both workers answered: each costs one GET /health.
  const byWorker = new Map<number, PinnedConnection>();
  for (let attempt = 0; attempt < 40 && byWorker.size < 2; attempt += 1) {
    const connection = await PinnedConnection.open(url);
    counted(cluster, connection.worker, 'health');
    if (connection.worker !== undefined && !byWorker.has(connection.worker)) {
      byWorker.set(connection.worker, connection);
    } else {
      connection.close();
    }
  }
  cluster.workers.push(...byWorker.values());
  expect(cluster.workers).toHaveLength(2);
  for (const on of cluster.workers) {
    for (let i = 0; i < 10; i += 1) {
      expect((await on.send('GET', '/health')).status).toBe(200);
      counted(cluster, on.worker, 'health');
    }
    for (let i = 0; i < 2; i += 1) {
      expect((await on.send('GET', `/no/such/path/${i}`)).status).toBe(404);
      counted(cluster, on.worker, 'unmatched');
    }
  }
}

async function stopCluster(cluster: Cluster | undefined): Promise<void> {
  if (cluster === undefined) return;
  for (const connection of cluster.workers) connection.close();
  if (cluster.api.child.exitCode === null) {
    cluster.api.child.kill('SIGKILL');
    for (const pid of cluster.api.workerPids().values()) if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  await rm(cluster.dataDir, { recursive: true, force: true });
}

/** What every scrape of a cluster must show, whichever process answered it. */
async function expectClusterTotals(cluster: Cluster, text: string): Promise<void> {
  expect(cluster.workers.map((on) => on.worker)).toHaveLength(2);
  expect(sample(text, 'city_http_requests_total', '{method="GET",route="/health",status="200"}')).toBe(
    cluster.health,
  );
  expect(sample(text, 'city_http_requests_total', '{method="GET",route="unmatched",status="404"}')).toBe(
    cluster.unmatched,
  );
  expect(
    sample(text, 'city_http_request_duration_seconds_count', '{method="GET",route="/health",status="200"}'),
  ).toBe(cluster.health);
  expect(sample(text, 'city_notification_outbox_backlog')).toBe(await outboxLines(cluster.outboxFile));
  expect(
    sample(
      text,
      'city_build_info',
      `{version="${/API (\S+) listening/.exec(cluster.api.output())?.[1]}",node="${process.versions.node}"}`,
    ),
  ).toBe(1);
}

async function expectStopsOnSigterm(cluster: Cluster): Promise<void> {
  const pids = [...cluster.api.workerPids().values()].filter(alive);
  expect(pids).toHaveLength(2);
  for (const connection of cluster.workers) connection.close();
  cluster.api.child.kill('SIGTERM');
  expect(await cluster.api.exit).toBe(0);
  for (const pid of pids) expect(alive(pid), `worker pid ${pid}`).toBe(false);
}

describe('worker mode with a metrics port', () => {
  let cluster: Cluster | undefined;
  let metricsPort: number;
  beforeAll(async () => {
    metricsPort = await freePort();
    cluster = await startCluster(String(metricsPort));
  }, 120_000);
  afterAll(() => stopCluster(cluster));

  it('answers every scrape with the sum over both workers', async () => {
    const on = cluster as Cluster;
    expect(on.api.output()).toContain(`metrics: http://127.0.0.1:${metricsPort}/metrics`);
    for (let scrape = 0; scrape < 4; scrape += 1) {
      // A fresh connection each time: with per-worker metrics, scrapes would land on either worker.
      const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, {
        headers: { connection: 'close' },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      await expectClusterTotals(on, await response.text());
    }
    // The metrics port answers nothing but /metrics; the API port does not serve metrics.
    expect((await fetch(`http://127.0.0.1:${metricsPort}/other`)).status).toBe(404);
    expect((await on.workers[0]?.send('GET', '/metrics'))?.status).toBe(404);
    counted(on, on.workers[0]?.worker, 'unmatched');
    expect(on.api.output()).not.toContain('per worker');
  });

  it('leaves a worker killed with SIGKILL out of the sum, and answers again once it is replaced', async () => {
    const on = cluster as Cluster;
    const [survivor, victim] = on.workers.map((connection) => connection.worker) as [number, number];
    const before = on.api.workerPids();
    process.kill(before.get(victim) as number, 'SIGKILL');
    await waitFor(() => on.api.workerPids().size > before.size, 'a replacement worker');
    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, {
      headers: { connection: 'close' },
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    // The victim's counts went with it; the replacement has counted nothing yet.
    const left = on.byWorker.get(survivor);
    expect(left?.health).toBeLessThan(on.health);
    expect(sample(text, 'city_http_requests_total', '{method="GET",route="/health",status="200"}')).toBe(
      left?.health,
    );
    expect(sample(text, 'city_http_requests_total', '{method="GET",route="unmatched",status="404"}')).toBe(
      left?.unmatched,
    );
    expect(sample(text, 'city_notification_outbox_backlog')).toBe(await outboxLines(on.outboxFile));
  });

  it('SIGTERM stops the workers, the primary and the metrics port', async () => {
    const on = cluster as Cluster;
    await expectStopsOnSigterm(on);
    await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow();
  });
});

describe('worker mode with a busy metrics port', () => {
  it('stops the start with exit 1 before any worker is forked', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const dataDir = await mkdtemp(join(tmpdir(), 'city-api-worker-metrics-busy-'));
    let api: ApiProcess | undefined;
    try {
      compileServer();
      api = startApi({ CITY_WORKERS: '2', CITY_DATA_DIR: dataDir, CITY_METRICS: String(port) });
      expect(await api.exit).toBe(1);
      expect(api.output()).toContain(
        `metrics port ${port} on 127.0.0.1: EADDRINUSE (set CITY_METRICS to another port)`,
      );
      expect(api.workerPids().size).toBe(0);
    } finally {
      blocker.close();
      if (api !== undefined && api.child.exitCode === null) {
        api.child.kill('SIGKILL');
        for (const pid of api.workerPids().values()) if (alive(pid)) process.kill(pid, 'SIGKILL');
      }
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('worker mode with CITY_METRICS=on', () => {
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    cluster = await startCluster('on');
  }, 120_000);
  afterAll(() => stopCluster(cluster));

  it('answers /metrics on either worker with the sum over both workers', async () => {
    const on = cluster as Cluster;
    expect(on.api.output()).toContain(`metrics: ${on.url}/metrics`);
    for (let scrape = 0; scrape < 4; scrape += 1) {
      const worker = on.workers[scrape % 2] as PinnedConnection;
      const answer = await worker.send('GET', '/metrics');
      expect(answer.status).toBe(200);
      const text = answer.body as string;
      await expectClusterTotals(on, text);
      // The scrapes before this one, taken by both workers, are counted once each.
      expect(sample(text, 'city_http_requests_total', '{method="GET",route="/metrics",status="200"}')).toBe(
        scrape === 0 ? undefined : scrape,
      );
    }
    expect(on.api.output()).not.toContain('per worker');
  });

  it('SIGTERM stops the workers and the primary', async () => {
    await expectStopsOnSigterm(cluster as Cluster);
    await waitFor(() => (cluster as Cluster).api.child.exitCode !== null, 'the primary to exit');
  });
});
