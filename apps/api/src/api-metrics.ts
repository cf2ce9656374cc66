/**
 * Prometheus metrics of the API (text exposition format 0.0.4, through prom-client): requests by
 * route and status with a latency histogram, login outcomes, lockouts, refresh-token reuse
 * detections, store errors, the notification outbox backlog, build info and the process defaults.
 *
 * Labels are bounded: the route is Fastify's route pattern (`/devices/:id`, never the raw URL; an
 * unknown URL is `unmatched`), and a failed login's `reason` is the error code the caller was
 * answered (`INVALID_CREDENTIALS`, `ACCOUNT_LOCKED`, ...), never the precise reason the audit trail
 * keeps: a metrics reader learns nothing a caller was not told (no "unknown user" vs "wrong
 * password" oracle), even where `/metrics` is reachable by strangers.
 *
 * In worker mode the primary sums the workers' registries (`cluster-metrics.ts`), so every metric
 * says how to aggregate: counters and histograms are summed; `city_build_info` and the outbox
 * backlog (one file, read by every worker) take one worker's value instead of N times it; the
 * process defaults are summed into the cluster's CPU seconds, memory, handles and GC time, except
 * those prom-client marks otherwise (event-loop lag averaged, `nodejs_version_info` first,
 * `process_start_time_seconds` left out) and `process_max_fds`, a per-process limit (max).
 */
import { readFile } from 'node:fs/promises';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Options of {@link createApiMetrics}. */
export interface ApiMetricsOptions {
  /** The API version, in `city_build_info`. */
  readonly version: string;
  /**
   * `outbox.jsonl` of the notification outbox, counted at each scrape with its previous generation
   * (`outbox.1.jsonl` beside it); absent: no backlog gauge.
   */
  readonly outboxFile?: string | undefined;
}

/** What one finished request reports. */
export interface ObservedRequest {
  readonly method: string;
  /** Route pattern, or undefined for a URL no route matched. */
  readonly route: string | undefined;
  readonly status: number;
  readonly seconds: number;
  /** The error code answered, if any. */
  readonly errorCode?: string | undefined;
}

/** The API's metric registry and the one way requests are recorded into it. */
export interface ApiMetrics {
  readonly registry: Registry;
  observe(request: ObservedRequest): void;
  /** The exposition text and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

const LOGIN_ROUTES = new Set(['/login']);
const REFRESH_ROUTES = new Set(['/token/refresh']);
const LOCKOUT_CODES = new Set(['ACCOUNT_LOCKED']);

/**
 * Creates a registry with the API's metrics (one per app: nothing global).
 *
 * @throws never
 * @example
 * ```ts
 * const metrics = createApiMetrics({ version: '0.1.0' });
 * metrics.observe({ method: 'GET', route: '/health', status: 200, seconds: 0.001 });
 * ```
 */
export function createApiMetrics(options: ApiMetricsOptions): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const maxFds = registry.getSingleMetric('process_max_fds') as { aggregator?: string } | undefined;
  if (maxFds !== undefined) maxFds.aggregator = 'max';
  const requests = new Counter({
    name: 'city_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'city_http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const logins = new Counter({
    name: 'city_logins_total',
    help: 'Login attempts: result ok, or failed with the error code answered as reason',
    labelNames: ['result', 'reason'] as const,
    registers: [registry],
  });
  const lockouts = new Counter({
    name: 'city_lockouts_total',
    help: 'Requests refused because the account is locked after repeated failures (ACCOUNT_LOCKED)',
    labelNames: ['route'] as const,
    registers: [registry],
  });
  const reuse = new Counter({
    name: 'city_refresh_token_reuse_total',
    help: 'Rotated refresh tokens presented again (the session was revoked)',
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: 'city_store_errors_total',
    help: 'Requests answered 503 STORE_UNAVAILABLE, by route pattern',
    labelNames: ['route'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'city_build_info',
    help: 'Build information; the value is always 1',
    labelNames: ['version', 'node'] as const,
    registers: [registry],
    aggregator: 'first',
  }).set({ version: options.version, node: process.versions.node }, 1);
  const outboxFile = options.outboxFile;
  if (outboxFile !== undefined) {
    new Gauge({
      name: 'city_notification_outbox_backlog',
      help: 'Notifications waiting in the outbox for delivery',
      registers: [registry],
      // Every worker counts the same file: the cluster's backlog is that count, not N times it.
      aggregator: 'max',
      async collect() {
        const previous = outboxFile.replace(/\.jsonl$/, '.1.jsonl');
        this.set((await countLines(outboxFile)) + (previous === outboxFile ? 0 : await countLines(previous)));
      },
    });
  }

  return {
    registry,
    observe(request) {
      const route = request.route ?? 'unmatched';
      const labels = { method: request.method, route, status: String(request.status) };
      requests.inc(labels);
      duration.observe(labels, request.seconds);
      const code = request.errorCode;
      if (request.method === 'POST' && LOGIN_ROUTES.has(route)) {
        if (request.status < 400) logins.inc({ result: 'ok', reason: '' });
        else logins.inc({ result: 'failed', reason: code ?? `HTTP_${request.status}` });
      }
      if (code !== undefined && LOCKOUT_CODES.has(code)) lockouts.inc({ route });
      if (code === 'REFRESH_TOKEN_REUSED' && REFRESH_ROUTES.has(route)) reuse.inc();
      if (code === 'STORE_UNAVAILABLE') storeErrors.inc({ route });
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/** Lines of a JSON-lines file (one queued notification each); a missing file is an empty queue. */
async function countLines(file: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let count = 0;
  for (const line of text.split('\n')) if (line.trim() !== '') count += 1;
  return count;
}
