/**
 * The cluster scrape's protocol, with in-process workers on a fake cluster: the primary sums the
 * registries of the workers that serve (counters and histograms added, the outbox backlog and build
 * info taken once), a worker that exits mid-scrape is left out, a worker that does not answer in
 * time or cannot read its registry fails the scrape with `METRICS_UNAVAILABLE`, and the metrics
 * port answers that failure with the API's error body and 503.
 */
import type { Worker } from 'node:cluster';
import { EventEmitter, once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ApiMetrics, createApiMetrics } from '../src/api-metrics.js';
import {
  askPrimaryForClusterMetrics,
  ClusterMetricsError,
  collectClusterMetrics,
  type PrimaryChannel,
  serveClusterMetrics,
} from '../src/cluster-metrics.js';
import { listenMetrics } from '../src/metrics-server.js';

/** A worker process as the primary sees it, wired to a channel the worker side listens on. */
interface FakeWorker {
  readonly worker: Worker;
  readonly channel: PrimaryChannel;
  /** Emits `message` with each message the worker sends the primary. */
  readonly sent: EventEmitter;
  /** Stops the worker from answering (a hung event loop). */
  mute(): void;
}

function fakeCluster() {
  const cluster = new EventEmitter();
  let ids = 0;
  const spawn = (): FakeWorker => {
    const id = ++ids;
    const inbox = new EventEmitter();
    const sent = new EventEmitter();
    let muted = false;
    const worker = {
      id,
      isConnected: () => true,
      // The primary's message reaches the worker on a later tick, as over IPC.
      send: (message: unknown) => setImmediate(() => muted || inbox.emit('message', message)),
    } as unknown as Worker;
    const channel: PrimaryChannel = {
      send: (message) => {
        sent.emit('message', message);
        setImmediate(() => cluster.emit('message', worker, message));
      },
      on: (event, listener) => inbox.on(event, listener),
      off: (event, listener) => inbox.off(event, listener),
    };
    return {
      worker,
      channel,
      sent,
      mute: () => {
        muted = true;
      },
    };
  };
  return { cluster, spawn };
}

interface Sample {
  readonly name: string;
  readonly labels: string;
  readonly value: number;
}

function samples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      return { name: match[1] as string, labels: match[2] ?? '', value: Number(match[3]) };
    });
}

function sampleValue(text: string, name: string, labels = ''): number | undefined {
  return samples(text).find((s) => s.name === name && s.labels.includes(labels))?.value;
}

let dir: string;
let outboxFile: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'city-api-cluster-metrics-'));
  outboxFile = join(dir, 'outbox.jsonl');
  await writeFile(outboxFile, '{"a":1}\n{"b":2}\n{"c":3}\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.useRealTimers();
});

function workerWithMetrics(spawn: () => FakeWorker, file = outboxFile): FakeWorker & { metrics: ApiMetrics } {
  const fake = spawn();
  const metrics = createApiMetrics({ version: '9.9.9', outboxFile: file });
  serveClusterMetrics(metrics.registry, fake.channel);
  return { ...fake, metrics };
}

const ready = () => new Promise((resolve) => setImmediate(resolve));

describe('cluster metrics', () => {
  it('sums counters and histograms over the workers, and takes the backlog and build info once', async () => {
    const { cluster, spawn } = fakeCluster();
    const collector = collectClusterMetrics(cluster as never);
    const first = workerWithMetrics(spawn);
    const second = workerWithMetrics(spawn);
    await ready();
    expect(collector.serving.size).toBe(2);
    for (let i = 0; i < 3; i += 1) {
      first.metrics.observe({ method: 'GET', route: '/health', status: 200, seconds: 0.001 });
    }
    second.metrics.observe({ method: 'GET', route: '/health', status: 200, seconds: 0.001 });
    second.metrics.observe({ method: 'GET', route: undefined, status: 404, seconds: 0.001 });
    const { contentType, body } = await collector.collect();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sampleValue(body, 'city_http_requests_total', 'route="/health"')).toBe(4);
    expect(sampleValue(body, 'city_http_requests_total', 'route="unmatched"')).toBe(1);
    expect(sampleValue(body, 'city_http_request_duration_seconds_count', 'route="/health"')).toBe(4);
    expect(sampleValue(body, 'city_notification_outbox_backlog')).toBe(3);
    expect(sampleValue(body, 'city_build_info')).toBe(1);
    expect(sampleValue(body, 'nodejs_version_info')).toBe(1);
    // Each worker's own registry still counts only its own requests.
    expect(sampleValue(await first.metrics.registry.metrics(), 'city_http_requests_total')).toBe(3);
  });

  it('answers a worker that asks for the cluster sum (CITY_METRICS=on)', async () => {
    const { cluster, spawn } = fakeCluster();
    collectClusterMetrics(cluster as never);
    const first = workerWithMetrics(spawn);
    const second = workerWithMetrics(spawn);
    await ready();
    first.metrics.observe({ method: 'GET', route: '/health', status: 200, seconds: 0.001 });
    second.metrics.observe({ method: 'GET', route: '/health', status: 200, seconds: 0.001 });
    const body = await askPrimaryForClusterMetrics(second.channel);
    expect(sampleValue(body, 'city_http_requests_total', 'route="/health"')).toBe(2);
  });

  it('leaves out a worker that exits mid-scrape', async () => {
    const { cluster, spawn } = fakeCluster();
    const collector = collectClusterMetrics(cluster as never);
    const staying = workerWithMetrics(spawn);
    const leaving = workerWithMetrics(spawn);
    await ready();
    leaving.mute();
    staying.metrics.observe({ method: 'GET', route: '/health', status: 200, seconds: 0.001 });
    leaving.metrics.observe({ method: 'GET', route: '/health', status: 200, seconds: 0.001 });
    const scrape = collector.collect();
    cluster.emit('exit', leaving.worker);
    expect(sampleValue((await scrape).body, 'city_http_requests_total', 'route="/health"')).toBe(1);
    expect(collector.serving.has(leaving.worker)).toBe(false);
  });

  it('fails the scrape with METRICS_UNAVAILABLE when a worker does not answer in time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { cluster, spawn } = fakeCluster();
    const collector = collectClusterMetrics(cluster as never, { timeoutMs: 1_000 });
    const healthy = workerWithMetrics(spawn);
    const hung = workerWithMetrics(spawn);
    await ready();
    hung.mute();
    const answered = once(healthy.sent, 'message');
    const scrape = collector.collect();
    const failure = expect(scrape).rejects.toMatchObject({
      code: 'METRICS_UNAVAILABLE',
      message: `worker ${hung.worker.id} did not answer within 1000 ms`,
    });
    await answered;
    await ready();
    await vi.advanceTimersByTimeAsync(1_000);
    await failure;
  });

  it('fails the scrape when a worker cannot read its registry, and when no worker serves', async () => {
    const { cluster, spawn } = fakeCluster();
    const collector = collectClusterMetrics(cluster as never);
    await expect(collector.collect()).rejects.toMatchObject({ code: 'METRICS_UNAVAILABLE' });
    workerWithMetrics(spawn);
    // The outbox path is a directory: reading it fails in the gauge's collect().
    workerWithMetrics(spawn, dir);
    await ready();
    await expect(collector.collect()).rejects.toMatchObject({
      code: 'METRICS_UNAVAILABLE',
      message: expect.stringMatching(/^worker 2 could not collect its metrics/),
    });
  });

  it('a worker asking a primary that does not answer gets METRICS_UNAVAILABLE', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const silent: PrimaryChannel = { send: () => true, on: () => silent, off: () => silent };
    const asked = askPrimaryForClusterMetrics(silent, 500);
    const failure = expect(asked).rejects.toBeInstanceOf(ClusterMetricsError);
    await vi.advanceTimersByTimeAsync(500);
    await failure;
  });
});

describe('the metrics port when the cluster scrape fails', () => {
  let server: Server;
  afterEach(() => server?.close());

  it('answers 503 with the error body METRICS_UNAVAILABLE', async () => {
    server = await listenMetrics(
      { render: () => Promise.reject(new ClusterMetricsError('worker 1 did not answer within 3000 ms')) },
      { host: '127.0.0.1', port: 0 },
    );
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toEqual({
      error: {
        code: 'METRICS_UNAVAILABLE',
        message: 'The metrics of every worker could not be collected; try again later.',
      },
    });
  });
});
