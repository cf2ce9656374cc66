/**
 * Direct mode: opens registration-core in-process through `@city/auth-runtime`, configured by the
 * same `CITY_*` variables the API reads (one parser, `loadCityConfig`): by default the embedded
 * deployment in the data directory (keys, key vault and the SQLite `city.db` under one directory;
 * `CITY_EMBEDDED_STORE=dynalite` for the DynamoDB-compatible engines); `CITY_MODE=aws` (DynamoDB +
 * S3 + SNS from the storage environment variables) or `CITY_MODE=mongodb` (`MONGODB_URI`,
 * `CITY_MONGODB_DB`) with CA, JWT keys and key vault in `CITY_SECRETS_DIR` (default the data
 * directory), the root key included (`CITY_ROOT_KEY_FILE` or `CITY_KEM_PRIVATE_KEY`). Loaded lazily so commands that need no service start fast.
 * Creating a new embedded deployment in a missing or empty directory is announced on stderr, naming
 * the directory.
 */
import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AuthRuntime, CityConfig } from '@city/auth-runtime';
import type { AuthService } from '@city/registration-core';
import type { AuthClient } from './auth-client.js';
import { CliError } from './cli-error.js';
import { createDirectAuthClient } from './direct-auth-client.js';
import type { CliIo } from './lib/_terminal.js';

/** The service opened in-process on the deployment's stores, and how to release them. */
export interface DirectService {
  readonly auth: AuthService;
  close(): Promise<void>;
}

/** The command line's say in direct mode: `--data-dir` wins over CITY_DATA_DIR, `--config` over CITY_CONFIG_FILE. */
export interface DirectOptions {
  readonly dataDir?: string | undefined;
  readonly configFile?: string | undefined;
}

/** Variables whose bad value is a usage error (exit 2): they choose how the command runs at all. */
const USAGE_VARIABLES: ReadonlySet<string> = new Set([
  'CITY_MODE',
  'CITY_EMBEDDED_STORE',
  'MONGODB_URI',
  'CITY_ROOT_KEY_FILE',
]);

/**
 * Opens the service for direct mode.
 *
 * @throws CliError `USAGE_ERROR` for an unknown CITY_MODE or CITY_EMBEDDED_STORE or a missing or malformed
 *   MONGODB_URI; `CONFIG_INVALID` naming any other bad variable; the composition's errors (`STORE_UNAVAILABLE`,
 *   `CONFIG_INVALID`, ...)
 * @example
 * ```ts
 * const client = await openDirectAuth(io, { dataDir: '/var/lib/city' });
 * ```
 */
export async function openDirectAuth(io: CliIo, options: DirectOptions): Promise<AuthClient> {
  const service = await openDirectService(io, options);
  return createDirectAuthClient(service.auth, () => service.close(), { userAgent: 'city-cli' });
}

/**
 * Opens the deployment's `AuthService` itself, for the operator commands (`city admin ...`) that
 * act on the stores without a session.
 *
 * @throws CliError `USAGE_ERROR` as {@link openDirectAuth}; the composition's errors
 * @example
 * ```ts
 * const { auth, close } = await openDirectService(io, { configFile: '/etc/city/city.env' });
 * ```
 */
export async function openDirectService(io: CliIo, options: DirectOptions): Promise<DirectService> {
  return openDirectRuntime(io, await loadDirectConfig(io, options));
}

/**
 * The deployment's configuration as direct mode reads it (`loadCityConfig` over the environment,
 * `--config` and `--data-dir`), for commands that look at the secrets directory before opening.
 *
 * @throws CliError `USAGE_ERROR` as {@link openDirectAuth}; `CONFIG_INVALID` naming any other bad variable
 * @example
 * ```ts
 * const config = await loadDirectConfig(io, { dataDir: '/var/lib/city' });
 * ```
 */
export async function loadDirectConfig(io: CliIo, options: DirectOptions): Promise<CityConfig> {
  const runtimeModule = await import('@city/auth-runtime');
  try {
    return runtimeModule.loadCityConfig(io.env, options);
  } catch (error) {
    if (error instanceof runtimeModule.ConfigError && USAGE_VARIABLES.has(error.variable)) {
      throw new CliError('USAGE_ERROR', error.message);
    }
    throw error;
  }
}

/**
 * Opens the runtime of a configuration from {@link loadDirectConfig}: the service and the key set it
 * signs with.
 *
 * @throws the composition's errors (`STORE_UNAVAILABLE`, `CONFIG_INVALID`, `SECRETS_*`, ...)
 * @example
 * ```ts
 * const runtime = await openDirectRuntime(io, await loadDirectConfig(io, {}));
 * ```
 */
export async function openDirectRuntime(io: CliIo, config: CityConfig): Promise<AuthRuntime> {
  const runtimeModule = await import('@city/auth-runtime');
  const wasEmpty = config.mode === 'embedded' && (await isMissingOrEmpty(config.dataDir));
  const runtime = await runtimeModule.openAuthRuntime(config);
  // A mistyped --data-dir would otherwise silently start an empty deployment beside the real one.
  if (wasEmpty) {
    io.stderr.write(
      `created a new deployment (CA, JWT signing key, key vault, database) in ${resolve(config.dataDir)}\n`,
    );
  }
  return runtime;
}

/** True when `dir` does not exist or holds nothing yet (a deployment is about to be created). */
async function isMissingOrEmpty(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
