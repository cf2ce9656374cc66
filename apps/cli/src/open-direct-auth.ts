/**
 * Direct mode: opens registration-core in-process. By default the embedded deployment in the data
 * directory (`openEmbeddedAuth`: keys, key vault and the SQLite `city.db` under one directory;
 * `CITY_EMBEDDED_STORE=dynalite` for the DynamoDB-compatible engines, as the API reads it). With
 * `CITY_MODE=aws` (DynamoDB + S3 + SNS from the storage environment variables) or `CITY_MODE=mongodb`
 * (`MONGODB_URI`, `CITY_MONGODB_DB`), `openAuthFromConfig` with CA, JWT keys and key vault in
 * `CITY_SECRETS_DIR` (default the data directory) — the same variables the API reads, the root key
 * included (`CITY_ROOT_KEY_FILE` or `CITY_KEM_PRIVATE_KEY`).
 * Loaded lazily so commands that need no service start fast.
 */
import type { EmbeddedStore, RootKeyOptions } from '@city/auth-runtime';
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

/**
 * Opens the service for direct mode.
 *
 * @throws CliError `USAGE_ERROR` for an unknown CITY_MODE or CITY_EMBEDDED_STORE or a missing MONGODB_URI; the composition's
 *   errors (`STORE_UNAVAILABLE`, `CONFIG_INVALID`, ...)
 * @example
 * ```ts
 * const client = await openDirectAuth(io, '/var/lib/city');
 * ```
 */
export async function openDirectAuth(io: CliIo, dataDir: string): Promise<AuthClient> {
  const service = await openDirectService(io, dataDir);
  return createDirectAuthClient(service.auth, () => service.close(), { userAgent: 'city-cli' });
}

/**
 * Opens the deployment's `AuthService` itself, for the operator commands (`city admin ...`) that
 * act on the stores without a session.
 *
 * @throws CliError `USAGE_ERROR` as {@link openDirectAuth}; the composition's errors
 * @example
 * ```ts
 * const { auth, close } = await openDirectService(io, '/var/lib/city');
 * ```
 */
export async function openDirectService(io: CliIo, dataDir: string): Promise<DirectService> {
  const core = await import('@city/auth-runtime');
  const mode = io.env.CITY_MODE ?? '';
  if (mode === '' || mode === 'embedded') {
    return core.openEmbeddedAuth({ dataDir, store: embeddedStore(io), rootKey: rootKey(io) });
  }
  if (mode === 'aws') {
    const { loadStorageConfigFromEnv } = await import('@city/db-integration');
    return core.openAuthFromConfig({
      mode: 'aws',
      secretsDir: secretsDir(io, dataDir),
      rootKey: rootKey(io),
      storage: loadStorageConfigFromEnv({ ...io.env }),
    });
  }
  if (mode === 'mongodb') {
    const uri = io.env.MONGODB_URI;
    if (uri === undefined || uri === '')
      throw new CliError('USAGE_ERROR', 'CITY_MODE=mongodb needs MONGODB_URI');
    return core.openAuthFromConfig({
      mode: 'mongodb',
      uri,
      dbName: io.env.CITY_MONGODB_DB ?? 'city',
      secretsDir: secretsDir(io, dataDir),
      rootKey: rootKey(io),
    });
  }
  throw new CliError(
    'USAGE_ERROR',
    `CITY_MODE expects embedded, aws or mongodb, got ${JSON.stringify(mode)}`,
  );
}

/** CITY_EMBEDDED_STORE as the API reads it; unset leaves the choice to the directory's contents. */
function embeddedStore(io: CliIo): EmbeddedStore | undefined {
  const store = io.env.CITY_EMBEDDED_STORE ?? '';
  if (store === '') return undefined;
  if (store === 'sqlite' || store === 'dynalite') return store;
  throw new CliError(
    'USAGE_ERROR',
    `CITY_EMBEDDED_STORE expects sqlite or dynalite, got ${JSON.stringify(store)}`,
  );
}

/** The root key as the API reads it: CITY_ROOT_KEY_FILE, or the key itself in CITY_KEM_PRIVATE_KEY. */
function rootKey(io: CliIo): RootKeyOptions | undefined {
  const file = io.env.CITY_ROOT_KEY_FILE ?? '';
  const pem = io.env.CITY_KEM_PRIVATE_KEY ?? '';
  if (file !== '' && pem !== '') {
    throw new CliError('USAGE_ERROR', 'set CITY_ROOT_KEY_FILE or CITY_KEM_PRIVATE_KEY, not both');
  }
  if (file !== '') return { file };
  return pem === '' ? undefined : { pem };
}

function secretsDir(io: CliIo, dataDir: string): string {
  const dir = io.env.CITY_SECRETS_DIR;
  return dir !== undefined && dir !== '' ? dir : dataDir;
}
