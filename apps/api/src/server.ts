/**
 * The `pnpm start` entry: loads the configuration, opens the auth runtime (embedded by default),
 * builds the app and listens. Bad configuration or a busy port is one clear line on stderr and
 * exit code 1; SIGTERM/SIGINT close the app (in-flight requests finish) and then the runtime.
 */
import { resolve } from 'node:path';
import { isCityError } from '@city/errors';
import { buildApp } from './build-app.js';
import { type ApiConfig, ConfigError, loadConfig } from './config.js';
import { type AuthRuntime, appOptionsOf, openAuthRuntime } from './open-auth-runtime.js';

function fail(message: string): never {
  process.stderr.write(`city-api: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
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
    fail(
      `cannot open the auth store (${config.mode}): ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  const app = await buildApp({ ...appOptionsOf(runtime), config });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await runtime.close().catch(() => {});
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') fail(`port ${config.port} on ${config.host} is already in use (set PORT)`);
    if (code === 'EADDRNOTAVAIL') fail(`cannot listen on ${config.host} (set HOST)`);
    fail(`cannot listen: ${error instanceof Error ? error.message : String(error)}`);
  }

  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const scheme = config.tls === undefined ? 'http' : 'https';
  process.stdout.write(
    `City Chain Auth API listening on ${scheme}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}\n`,
  );
  if (config.mode === 'embedded') process.stdout.write(`data directory: ${resolve(config.dataDir)}\n`);
  for (const [key, value] of Object.entries(runtime.describe)) process.stdout.write(`  ${key}: ${value}\n`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    void (async () => {
      let exitCode = 0;
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
