/**
 * Metrics of a worker-mode cluster as one scrape: the primary asks every worker that serves for
 * its registry (`getMetricsAsJSON`, over the cluster's IPC channel) and merges the answers with
 * prom-client's `AggregatorRegistry.aggregate`, so counters and histograms are the cluster's sums
 * and each gauge follows its `aggregator` (the outbox backlog and build info are not multiplied
 * by the number of workers).
 *
 * Why not `AggregatorRegistry.clusterMetrics()` itself: it asks every connected worker, including
 * one just forked that has no registry yet (its request is lost, so every scrape while a
 * replacement starts waits out the fixed 5 s timeout and fails), it keeps waiting for a worker
 * that exited mid-scrape, and its timeout cannot be set. Here only workers that said they serve
 * are asked, a worker that exits mid-scrape is dropped (its counts vanish, as they do once it is
 * gone: Prometheus reads that as a counter reset), and a worker that does not answer in time
 * fails the whole scrape (`METRICS_UNAVAILABLE`, 503) rather than answering a partial sum that
 * would look like a reset followed by a jump.
 *
 * A worker with `CITY_METRICS=on` answers `/metrics` by asking the primary for this aggregate
 * ({@link askPrimaryForClusterMetrics}): only the primary can reach every worker.
 */
import type { Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

/** How long the primary waits for every worker's registry. */
export const CLUSTER_METRICS_TIMEOUT_MS = 3_000;

const READY = 'city:metrics-ready';
const COLLECT = 'city:metrics-collect';
const COLLECTED = 'city:metrics-collected';
const ASK = 'city:metrics-ask';
const ANSWER = 'city:metrics-answer';

interface Message {
  readonly type?: unknown;
  readonly id?: unknown;
  readonly metrics?: unknown;
  readonly body?: unknown;
  readonly error?: unknown;
}

const isMessage = (value: unknown): value is Message => typeof value === 'object' && value !== null;

/** Why a cluster scrape could not be answered. */
export class ClusterMetricsError extends Error {
  readonly code = 'METRICS_UNAVAILABLE';
}

/** The cluster as the primary sees it (`node:cluster` in the server; fakes in tests). */
export interface MetricsCluster {
  on(event: 'message', listener: (worker: Worker, message: unknown) => void): unknown;
  on(event: 'exit', listener: (worker: Worker) => void): unknown;
}

/** The primary's side: collects the aggregate and answers workers that ask for it. */
export interface ClusterMetricsCollector {
  /** The cluster's metrics in the text exposition format. */
  collect(): Promise<{ contentType: string; body: string }>;
  /** Workers that serve and are asked at each scrape. */
  readonly serving: ReadonlySet<Worker>;
}

/**
 * Starts answering cluster scrapes in the primary.
 *
 * @throws never; `collect()` rejects with a {@link ClusterMetricsError} when no worker serves or
 *   one does not answer within `timeoutMs`
 * @example
 * ```ts
 * const collector = collectClusterMetrics(cluster);
 * const { body } = await collector.collect();
 * ```
 */
export function collectClusterMetrics(
  cluster: MetricsCluster,
  options: { timeoutMs?: number } = {},
): ClusterMetricsCollector {
  const timeoutMs = options.timeoutMs ?? CLUSTER_METRICS_TIMEOUT_MS;
  const serving = new Set<Worker>();
  const pending = new Map<
    number,
    { waiting: Set<Worker>; answers: unknown[]; settle: () => void; fail: (why: string) => void }
  >();
  let nextId = 0;

  const collect = (): Promise<{ contentType: string; body: string }> =>
    new Promise((resolve, reject) => {
      const asked = [...serving].filter((worker) => worker.isConnected());
      if (asked.length === 0) {
        reject(new ClusterMetricsError('no worker serves'));
        return;
      }
      const id = nextId++;
      const entry = {
        waiting: new Set(asked),
        answers: [] as unknown[],
        settle: () => {},
        fail: (why: string) => {
          clearTimeout(timer);
          pending.delete(id);
          reject(new ClusterMetricsError(why));
        },
      };
      const timer = setTimeout(() => {
        const late = [...entry.waiting].map((worker) => worker.id).join(', ');
        entry.fail(`worker ${late} did not answer within ${timeoutMs} ms`);
      }, timeoutMs);
      entry.settle = () => {
        if (entry.waiting.size > 0) return;
        clearTimeout(timer);
        pending.delete(id);
        try {
          const registry = AggregatorRegistry.aggregate(entry.answers as object[]);
          registry.metrics().then(
            (body) => resolve({ contentType: registry.contentType, body }),
            (error: unknown) => reject(new ClusterMetricsError(String(error))),
          );
        } catch (error) {
          reject(new ClusterMetricsError(error instanceof Error ? error.message : String(error)));
        }
      };
      pending.set(id, entry);
      for (const worker of asked) sendQuietly(worker, { type: COLLECT, id });
    });

  cluster.on('message', (worker, message) => {
    if (!isMessage(message)) return;
    if (message.type === READY) serving.add(worker);
    if (message.type === COLLECTED && typeof message.id === 'number') {
      const entry = pending.get(message.id);
      if (entry === undefined || !entry.waiting.delete(worker)) return;
      if (!Array.isArray(message.metrics)) {
        entry.fail(`worker ${worker.id} could not collect its metrics: ${String(message.error)}`);
        return;
      }
      entry.answers.push(message.metrics);
      entry.settle();
    }
    if (message.type === ASK && typeof message.id === 'number') {
      const id = message.id;
      collect().then(
        ({ body }) => sendQuietly(worker, { type: ANSWER, id, body }),
        (error: unknown) =>
          sendQuietly(worker, {
            type: ANSWER,
            id,
            error: error instanceof Error ? error.message : String(error),
          }),
      );
    }
  });
  cluster.on('exit', (worker) => {
    serving.delete(worker);
    // A worker gone mid-scrape: its counts are gone with it, the others' answers still add up.
    for (const entry of pending.values()) if (entry.waiting.delete(worker)) entry.settle();
  });

  return { collect, serving };
}

/**
 * Sends to a worker that may be exiting: a failed send is no error event in the primary (which
 * would end it); the worker's `exit` takes it out of the scrape.
 */
function sendQuietly(worker: Worker, message: object): void {
  if (worker.isConnected()) worker.send(message, undefined, () => {});
}

/** A worker's channel to the primary (`process` in a worker; fakes in tests). */
export interface PrimaryChannel {
  send(message: object): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

/**
 * In a worker: answers the primary's scrapes from `registry`, then tells the primary this worker
 * serves (call it once the worker listens).
 *
 * @throws never
 * @example
 * ```ts
 * serveClusterMetrics(metrics.registry);
 * ```
 */
export function serveClusterMetrics(registry: Registry, channel: PrimaryChannel = processChannel()): void {
  channel.on('message', (message) => {
    if (!isMessage(message) || message.type !== COLLECT) return;
    const id = message.id;
    registry.getMetricsAsJSON().then(
      (metrics) => channel.send({ type: COLLECTED, id, metrics }),
      // As in a single process, a registry that cannot be read fails the scrape.
      (error: unknown) =>
        channel.send({ type: COLLECTED, id, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  channel.send({ type: READY });
}

/**
 * In a worker: the cluster's metrics, collected by the primary.
 *
 * @throws {ClusterMetricsError} when the primary answers with a failure or not within the timeout
 * @example
 * ```ts
 * const body = await askPrimaryForClusterMetrics();
 * ```
 */
export function askPrimaryForClusterMetrics(
  channel: PrimaryChannel = processChannel(),
  timeoutMs = CLUSTER_METRICS_TIMEOUT_MS + 1_000,
): Promise<string> {
  const id = askCounter++;
  return new Promise((resolve, reject) => {
    const listener = (message: unknown): void => {
      if (!isMessage(message) || message.type !== ANSWER || message.id !== id) return;
      clearTimeout(timer);
      channel.off('message', listener);
      if (typeof message.body === 'string') resolve(message.body);
      else reject(new ClusterMetricsError(String(message.error ?? 'no answer')));
    };
    const timer = setTimeout(() => {
      channel.off('message', listener);
      reject(new ClusterMetricsError(`the primary did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    channel.on('message', listener);
    channel.send({ type: ASK, id });
  });
}

let askCounter = 0;

function processChannel(): PrimaryChannel {
  const send = process.send?.bind(process);
  if (send === undefined) throw new TypeError('"process.send" expected in a cluster worker, got undefined');
  return {
    send: (message) => send(message),
    on: (event, listener) => process.on(event, listener),
    off: (event, listener) => process.off(event, listener),
  };
}
