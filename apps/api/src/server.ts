/**
 * The `pnpm start` entry: loads the configuration, opens the auth runtime (embedded by default),
 * builds the app and listens. Bad configuration or a busy port is one clear line on stderr and
 * exit code 1; SIGTERM/SIGINT close the app (in-flight requests finish) and then the runtime.
 * stdout carries only the JSON log lines; the start banner and every error go to stderr.
 * `--help` and `--version` print and exit without opening anything.
 *
 * Worker mode (`CITY_WORKERS` above 1, or `auto` on the embedded SQLite store): this process
 * becomes the primary of a `node:cluster`. It opens the runtime once before forking, so a first
 * start creates the deployment (CA, keys, database) exactly once, closes it again, and forks the
 * workers, which each open the same SQLite store and listen on the one port the primary shares
 * with them. SQLite's locks serialise their writes and its `data_version` tells each worker's
 * access cache about the others' commits; rate limits and lockouts count in the shared store. A
 * worker that dies is replaced; SIGTERM/SIGINT are passed to every worker, each drains and stops,
 * and the primary exits when they all have. Metrics are the cluster's: the primary sums the
 * workers' registries at each scrape (`cluster-metrics.ts`) and serves them on the metrics port
 * itself; with `CITY_METRICS=on` the worker that takes `/metrics` asks the primary for that sum.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Server } from 'node:http';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { isCityError } from '@city/errors';
import { type ApiMetrics, createApiMetrics } from './api-metrics.js';
import { API_VERSION } from './api-version.js';
import { buildApp } from './build-app.js';
import {
  askPrimaryForClusterMetrics,
  collectClusterMetrics,
  serveClusterMetrics,
} from './cluster-metrics.js';
import { type ApiConfig, ConfigError, loadConfig } from './config.js';
import { listenMetrics } from './metrics-server.js';
import { type AuthRuntime, appOptionsOf, openAuthRuntime } from './open-auth-runtime.js';

const USAGE = `Usage: node dist/server.js [--config <file>] [--help] [--version]

Starts the City Chain Auth HTTP API. Configured by environment variables, or by a configuration
file holding the same variables (KEY=value lines or a JSON object; the environment wins), validated
at start (an invalid value or unknown key is named on stderr, with the file and line; exit code 1):

  CITY_CONFIG_FILE           the configuration file (the --config flag wins)
  HOST, PORT                 listen address (default 127.0.0.1:3000)
  CITY_MODE                  embedded (default), aws or mongodb
  CITY_DATA_DIR              embedded mode: data directory (default ./.city)
  CITY_SECRETS_DIR           aws/mongodb modes: key vault with the sealed CA and JWT keys (default the data directory)
  CITY_ROOT_KEY_FILE         the root key (KEM private key) file, kept outside the data directory
  CITY_KEM_PRIVATE_KEY       the root key's text instead of a file
  CITY_WORKERS               API processes on the port: a count or auto (one per core on the
                             embedded SQLite store); default 1
  CITY_SQLITE_SYNCHRONOUS    auth (default: auth writes survive a power loss), full or normal
  CITY_METRICS               off (default), on (GET /metrics on PORT) or a port of its own
  CITY_METRICS_HOST          address of that metrics port (default HOST)
  LOG_LEVEL                  fatal, error, warn, info (default), debug, trace, silent
  CITY_TLS_CERT, CITY_TLS_KEY  serve HTTPS (with mTLS unless CITY_MTLS=off)

Every variable is listed in the API README. stdout carries only the JSON request log; this
banner, the start-up lines and errors go to stderr.

Options:
  --config <file>  read the variables from this file too (env file or JSON)
  -h, --help     print this help
  -V, --version  print the version
`;

function fail(message: string): never {
  process.stderr.write(`city-api: ${message}\n`);
  process.exit(1);
}

/** What the command line asks for: start (with an optional configuration file) or nothing more. */
type Invocation =
  | { readonly start: true; readonly configFile?: string | undefined }
  | { readonly start: false };

/** Handles the command line. */
function handleArguments(args: readonly string[]): Invocation {
  if (args.length === 0) return { start: true };
  const [first, second] = args;
  if (first === '--config' && args.length === 2 && second !== undefined && second !== '') {
    return { start: true, configFile: second };
  }
  if (first?.startsWith('--config=') && args.length === 1 && first.length > '--config='.length) {
    return { start: true, configFile: first.slice('--config='.length) };
  }
  if (first === '--config' || first === '--config=') {
    process.stderr.write('city-api: --config expects a file (see --help)\n');
    process.exitCode = 2;
    return { start: false };
  }
  if (args.length === 1 && (first === '--help' || first === '-h')) {
    process.stdout.write(USAGE);
    return { start: false };
  }
  if (args.length === 1 && (first === '--version' || first === '-V')) {
    process.stdout.write(`${API_VERSION}\n`);
    return { start: false };
  }
  process.stderr.write(`city-api: unknown argument ${JSON.stringify(args.join(' '))} (see --help)\n`);
  process.exitCode = 2;
  return { start: false };
}

/** `outbox.jsonl` of the runtime's notification outbox (see registration-core's compositions). */
function outboxFileOf(config: ApiConfig): string {
  return join(config.mode === 'embedded' ? config.dataDir : config.secretsDir, 'outbox', 'outbox.jsonl');
}

async function main(): Promise<void> {
  // Workers are forked with the primary's arguments, which the primary has already accepted.
  const invocation = handleArguments(process.argv.slice(2));
  if (!invocation.start) return;
  let config: ApiConfig;
  try {
    config = loadConfig(process.env, { configFile: invocation.configFile });
  } catch (error) {
    if (error instanceof ConfigError) fail(`invalid configuration: ${error.message}`);
    throw error;
  }
  if (cluster.isPrimary && config.workers !== 1 && config.mode === 'embedded') {
    await runPrimary(config);
    return;
  }
  await serve(config, await openOrFail(config));
}

/** Opens the runtime, or exits 1 with what is wrong. */
async function openOrFail(config: ApiConfig): Promise<AuthRuntime> {
  try {
    return await openAuthRuntime(config);
  } catch (error) {
    if (isCityError(error) && error.code === 'CONFIG_INVALID')
      fail(`invalid configuration: ${error.message}`);
    // The secrets do not fit this store (or are missing, locked, unreadable): the code and what to do.
    if (isCityError(error) && error.code.startsWith('SECRETS_')) fail(`${error.code}: ${error.message}`);
    fail(
      `cannot open the auth store (${config.mode}): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

const hostText = (host: string) => (host.includes(':') ? `[${host}]` : host);

/** The start-up lines after the listening line: where the data is. */
function writeDescription(config: ApiConfig, runtime: AuthRuntime): void {
  if (config.configFile !== undefined) process.stderr.write(`configuration: ${resolve(config.configFile)}\n`);
  if (config.mode === 'embedded') process.stderr.write(`data directory: ${resolve(config.dataDir)}\n`);
  for (const [key, value] of Object.entries(runtime.describe)) process.stderr.write(`  ${key}: ${value}\n`);
}

/** Where `/metrics` is served, when it is. */
function writeMetricsLine(config: ApiConfig, apiOrigin: string, metricsPort: number | undefined): void {
  if (config.metrics.mode === 'on') process.stderr.write(`metrics: ${apiOrigin}/metrics\n`);
  if (config.metrics.mode === 'port' && metricsPort !== undefined) {
    process.stderr.write(`metrics: http://${hostText(config.metrics.host)}:${metricsPort}/metrics\n`);
  }
}

/** Listens on the metrics port; a busy port is the error code `METRICS_PORT_IN_USE`. */
function listenMetricsPort(metrics: Pick<ApiMetrics, 'render'>, host: string, port: number): Promise<Server> {
  return listenMetrics(metrics, { host, port }).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    throw Object.assign(new Error(`metrics port ${port} on ${host}: ${code ?? String(error)}`), {
      code: code === 'EADDRINUSE' ? 'METRICS_PORT_IN_USE' : code,
    });
  });
}

/** Serves the API in this process (alone, or as one worker of a cluster) until SIGTERM/SIGINT. */
async function serve(config: ApiConfig, runtime: AuthRuntime): Promise<void> {
  const inWorker = cluster.isWorker;
  const metrics: ApiMetrics | undefined =
    config.metrics.mode === 'off'
      ? undefined
      : createApiMetrics({ version: API_VERSION, outboxFile: outboxFileOf(config) });
  // A worker's own counts are a part of the cluster's: `/metrics` on the API port answers the sum
  // the primary collects from every worker, whichever worker takes the request.
  const served: ApiMetrics | undefined =
    metrics !== undefined && inWorker
      ? {
          ...metrics,
          render: async () => ({
            contentType: metrics.registry.contentType,
            body: await askPrimaryForClusterMetrics(),
          }),
        }
      : metrics;
  const app = await buildApp({ ...appOptionsOf(runtime), config, metrics: served });
  let metricsServer: Server | undefined;
  try {
    await app.listen({ host: config.host, port: config.port });
    // In worker mode the primary listens on the metrics port and asks each worker for its registry.
    if (metrics !== undefined && inWorker) serveClusterMetrics(metrics.registry);
    if (metrics !== undefined && !inWorker && config.metrics.mode === 'port') {
      const { host, port } = config.metrics;
      metricsServer = await listenMetricsPort(metrics, host, port);
    }
  } catch (error) {
    await app.close().catch(() => {});
    await runtime.close().catch(() => {});
    if ((error as NodeJS.ErrnoException).code === 'METRICS_PORT_IN_USE') {
      fail(`${(error as Error).message} (set CITY_METRICS to another port)`);
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') fail(`port ${config.port} on ${config.host} is already in use (set PORT)`);
    if (code === 'EADDRNOTAVAIL') fail(`cannot listen on ${config.host} (set HOST)`);
    fail(`cannot listen: ${error instanceof Error ? error.message : String(error)}`);
  }

  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const scheme = config.tls === undefined ? 'http' : 'https';
  // In worker mode the primary writes the start-up lines once for all workers.
  if (!inWorker) {
    process.stderr.write(
      `City Chain Auth API ${API_VERSION} listening on ${scheme}://${hostText(config.host)}:${port}\n`,
    );
    writeDescription(config, runtime);
    const metricsAddress = metricsServer?.address();
    writeMetricsLine(
      config,
      `${scheme}://${hostText(config.host)}:${port}`,
      typeof metricsAddress === 'object' && metricsAddress !== null ? metricsAddress.port : undefined,
    );
  }

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    void (async () => {
      let exitCode = 0;
      metricsServer?.close();
      try {
        await app.close();
      } catch (error) {
        app.log.error({ err: error }, 'error while closing the HTTP server');
        exitCode = 1;
      }
      try {
        await runtime.close();
      } catch (error) {
        app.log.error({ err: error }, 'error while closing the auth store');
        exitCode = 1;
      }
      process.exit(exitCode);
    })();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** How many workers `CITY_WORKERS` asks for once the store is known (`auto`: one per core on SQLite). */
function workerCount(config: ApiConfig, store: string | undefined): number {
  if (config.workers === 'auto') return store === 'sqlite' ? availableParallelism() : 1;
  if (config.workers > 1 && store !== 'sqlite') {
    fail(
      `invalid configuration: CITY_WORKERS: more than one worker needs the embedded SQLite store; ${resolve(config.dataDir)} holds the dynalite store`,
    );
  }
  return config.workers;
}

/** A replacement for a worker that died within this long of the previous replacement waits this long. */
const RESTART_PAUSE_MS = 1_000;

/**
 * The cluster primary: creates or checks the deployment once, forks the workers, writes the
 * start-up lines when all listen, replaces a worker that dies, and passes SIGTERM/SIGINT on.
 * A worker that exits before every worker listens (a busy port, a bad store) stops the start:
 * the others are stopped and the primary exits 1 after the worker's own error line.
 */
async function runPrimary(config: ApiConfig): Promise<void> {
  // A first start creates the CA, keys and database here, before any worker can race for them.
  const runtime = await openOrFail(config);
  const count = workerCount(config, runtime.describe.store);
  if (count === 1) {
    await serve(config, runtime);
    return;
  }
  const describe = { ...runtime.describe };
  await runtime.close();

  // The cluster's metrics: collected from the workers at each scrape, served here on a port of
  // their own (opened before forking, so a busy port stops the start) or to a worker that asks.
  const collector = config.metrics.mode === 'off' ? undefined : collectClusterMetrics(cluster);
  let metricsServer: Server | undefined;
  if (collector !== undefined && config.metrics.mode === 'port') {
    const { host, port } = config.metrics;
    metricsServer = await listenMetricsPort({ render: () => collector.collect() }, host, port).catch(
      (error: Error) => fail(`${error.message} (set CITY_METRICS to another port)`),
    );
  }
  const metricsAddress = metricsServer?.address();
  const metricsPort =
    typeof metricsAddress === 'object' && metricsAddress !== null ? metricsAddress.port : undefined;

  const workers = new Set<Worker>();
  let listening = 0;
  let started = false;
  let stopping = false;
  let exitCode = 0;
  let lastRestart = Number.NEGATIVE_INFINITY;

  const fork = (): void => {
    workers.add(cluster.fork());
  };
  const stopAll = (signal: NodeJS.Signals): void => {
    stopping = true;
    metricsServer?.close();
    if (workers.size === 0) process.exit(exitCode);
    for (const worker of workers) worker.process.kill(signal);
  };

  cluster.on('listening', (worker, address) => {
    if (stopping) return;
    process.stderr.write(`worker ${worker.id} listening (pid ${worker.process.pid})\n`);
    listening += 1;
    if (started || listening < count) return;
    started = true;
    const scheme = config.tls === undefined ? 'http' : 'https';
    const origin = `${scheme}://${hostText(config.host)}:${address.port}`;
    process.stderr.write(`City Chain Auth API ${API_VERSION} listening on ${origin} (${count} workers)\n`);
    process.stderr.write(`data directory: ${resolve(config.dataDir)}\n`);
    for (const [key, value] of Object.entries(describe)) process.stderr.write(`  ${key}: ${value}\n`);
    process.stderr.write(`  workers: ${count}\n`);
    writeMetricsLine(config, origin, metricsPort);
  });

  cluster.on('exit', (worker, code, signal) => {
    workers.delete(worker);
    const how = signal === null ? `exit code ${code}` : `signal ${signal}`;
    if (stopping) {
      if (code !== 0) exitCode = 1;
      if (workers.size === 0) process.exit(exitCode);
      return;
    }
    if (!started) {
      process.stderr.write(`city-api: worker ${worker.id} stopped during start-up (${how}); stopping\n`);
      exitCode = 1;
      stopAll('SIGTERM');
      return;
    }
    process.stderr.write(
      `city-api: worker ${worker.id} (pid ${worker.process.pid}) ended (${how}); starting another\n`,
    );
    const now = performance.now();
    const pause = now - lastRestart < RESTART_PAUSE_MS ? RESTART_PAUSE_MS : 0;
    lastRestart = now + pause;
    setTimeout(() => {
      if (!stopping) fork();
    }, pause);
  });

  process.on('SIGTERM', () => stopAll('SIGTERM'));
  process.on('SIGINT', () => stopAll('SIGINT'));
  for (let i = 0; i < count; i += 1) fork();
}

main().catch((error: unknown) => {
  fail(`start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
});
