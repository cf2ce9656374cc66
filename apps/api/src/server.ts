/**
 * The `pnpm start` entry: loads the configuration, opens the auth runtime (embedded by default),
 * builds the app and listens. Bad configuration or a busy port is one clear line on stderr and
 * exit code 1; SIGTERM/SIGINT close the app (in-flight requests finish) and then the runtime.
 * stdout carries only the JSON log lines; the start banner and every error go to stderr.
 * `--help` and `--version` print and exit without opening anything.
 */
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { isCityError } from '@city/errors';
import { type ApiMetrics, createApiMetrics } from './api-metrics.js';
import { API_VERSION } from './api-version.js';
import { buildApp } from './build-app.js';
import { type ApiConfig, ConfigError, loadConfig } from './config.js';
import { listenMetrics } from './metrics-server.js';
import { type AuthRuntime, appOptionsOf, openAuthRuntime } from './open-auth-runtime.js';

const USAGE = `Usage: node dist/server.js [--help] [--version]

Starts the City Chain Auth HTTP API. Configured by environment variables, validated at start
(an invalid one is named on stderr, exit code 1):

  HOST, PORT                 listen address (default 127.0.0.1:3000)
  CITY_MODE                  embedded (default), aws or mongodb
  CITY_DATA_DIR              embedded mode: data directory (default ./.city)
  CITY_SECRETS_DIR           aws/mongodb modes: key vault with the sealed CA and JWT keys (default the data directory)
  CITY_ROOT_KEY_FILE         the root key (KEM private key) file, kept outside the data directory
  CITY_KEM_PRIVATE_KEY       the root key's text instead of a file
  CITY_METRICS               off (default), on (GET /metrics on PORT) or a port of its own
  CITY_METRICS_HOST          address of that metrics port (default HOST)
  LOG_LEVEL                  fatal, error, warn, info (default), debug, trace, silent
  CITY_TLS_CERT, CITY_TLS_KEY  serve HTTPS (with mTLS unless CITY_MTLS=off)

Every variable is listed in the API README. stdout carries only the JSON request log; this
banner, the start-up lines and errors go to stderr.

Options:
  -h, --help     print this help
  -V, --version  print the version
`;

function fail(message: string): never {
  process.stderr.write(`city-api: ${message}\n`);
  process.exit(1);
}

/** Handles the command line; true when the process should start the server. */
function handleArguments(args: readonly string[]): boolean {
  if (args.length === 0) return true;
  const [first] = args;
  if (args.length === 1 && (first === '--help' || first === '-h')) {
    process.stdout.write(USAGE);
    return false;
  }
  if (args.length === 1 && (first === '--version' || first === '-V')) {
    process.stdout.write(`${API_VERSION}\n`);
    return false;
  }
  process.stderr.write(`city-api: unknown argument ${JSON.stringify(args.join(' '))} (see --help)\n`);
  process.exitCode = 2;
  return false;
}

/** `outbox.jsonl` of the runtime's notification outbox (see registration-core's compositions). */
function outboxFileOf(config: ApiConfig): string {
  return join(config.mode === 'embedded' ? config.dataDir : config.secretsDir, 'outbox', 'outbox.jsonl');
}

async function main(): Promise<void> {
  if (!handleArguments(process.argv.slice(2))) return;
  let config: ApiConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(`invalid configuration: ${error.message}`);
    throw error;
  }

  let runtime: AuthRuntime;
  try {
    runtime = await openAuthRuntime(config);
  } catch (error) {
    if (isCityError(error) && error.code === 'CONFIG_INVALID')
      fail(`invalid configuration: ${error.message}`);
    // The secrets do not fit this store (or are missing, locked, unreadable): the code and what to do.
    if (isCityError(error) && error.code.startsWith('SECRETS_')) fail(`${error.code}: ${error.message}`);
    fail(
      `cannot open the auth store (${config.mode}): ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  const metrics: ApiMetrics | undefined =
    config.metrics.mode === 'off'
      ? undefined
      : createApiMetrics({ version: API_VERSION, outboxFile: outboxFileOf(config) });
  const app = await buildApp({ ...appOptionsOf(runtime), config, metrics });
  let metricsServer: Server | undefined;
  try {
    await app.listen({ host: config.host, port: config.port });
    if (metrics !== undefined && config.metrics.mode === 'port') {
      const { host, port } = config.metrics;
      metricsServer = await listenMetrics(metrics, { host, port }).catch((error: unknown) => {
        const code = (error as NodeJS.ErrnoException).code;
        throw Object.assign(new Error(`metrics port ${port} on ${host}: ${code ?? String(error)}`), {
          code: code === 'EADDRINUSE' ? 'METRICS_PORT_IN_USE' : code,
        });
      });
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
  const hostText = (host: string) => (host.includes(':') ? `[${host}]` : host);
  process.stderr.write(
    `City Chain Auth API ${API_VERSION} listening on ${scheme}://${hostText(config.host)}:${port}\n`,
  );
  if (config.mode === 'embedded') process.stderr.write(`data directory: ${resolve(config.dataDir)}\n`);
  for (const [key, value] of Object.entries(runtime.describe)) process.stderr.write(`  ${key}: ${value}\n`);
  if (config.metrics.mode === 'on')
    process.stderr.write(`metrics: ${scheme}://${hostText(config.host)}:${port}/metrics\n`);
  const metricsAddress = metricsServer?.address();
  if (typeof metricsAddress === 'object' && metricsAddress !== null && config.metrics.mode === 'port') {
    process.stderr.write(`metrics: http://${hostText(config.metrics.host)}:${metricsAddress.port}/metrics\n`);
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

main().catch((error: unknown) => {
  fail(`start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
});
