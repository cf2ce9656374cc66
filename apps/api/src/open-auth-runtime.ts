/**
 * Opens registration-core for the configured mode: the embedded default (SQLite + outbox under
 * the data directory), AWS (DynamoDB/S3/SNS from the storage env vars) or MongoDB.
 */

import { openAuthFromConfig, openEmbeddedAuth } from '@city/auth-runtime';
import type { AuthConfigOverrides } from '@city/registration-core';
import type { BuildAppOptions } from './build-app.js';
import type { ApiConfig } from './config.js';

/** What @city/auth-runtime's openers return. */
export type AuthRuntime = Awaited<ReturnType<typeof openEmbeddedAuth>>;

/** The core configuration overrides implied by the API configuration. */
export function authOverridesOf(config: ApiConfig): AuthConfigOverrides {
  return {
    ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
    ...(config.audience === undefined ? {} : { audience: config.audience }),
    ...(config.accessCacheSize === undefined ? {} : { accessCacheSize: config.accessCacheSize }),
    proofModes: { fingerprint: config.fingerprintLogin },
  };
}

/**
 * Opens the auth runtime for `config.mode`.
 *
 * @throws whatever the composition throws (unreadable keys, unreachable stores, bad storage config)
 * @example
 * ```ts
 * const runtime = await openAuthRuntime(loadConfig());
 * ```
 */
export async function openAuthRuntime(
  config: ApiConfig,
  hooks: { onInternalError?: (error: unknown, where: string) => void } = {},
): Promise<AuthRuntime> {
  const common = {
    config: authOverridesOf(config),
    rootKey: config.rootKey,
    onInternalError: hooks.onInternalError,
  };
  switch (config.mode) {
    case 'embedded':
      return openEmbeddedAuth({ dataDir: config.dataDir, store: config.embeddedStore, ...common });
    case 'aws':
      return openAuthFromConfig({
        mode: 'aws',
        storage: config.storage,
        secretsDir: config.secretsDir,
        ...common,
      });
    case 'mongodb':
      return openAuthFromConfig({
        mode: 'mongodb',
        uri: config.mongodb!.uri,
        dbName: config.mongodb!.dbName,
        secretsDir: config.secretsDir,
        ...common,
      });
  }
}

/**
 * What `buildApp` needs from a runtime: the use cases, the store's counters (rate limits shared by
 * every instance on the same store) and the JWT keys with their issuer and audience.
 *
 * @throws never
 * @example
 * ```ts
 * const app = await buildApp({ ...appOptionsOf(runtime), config });
 * ```
 */
export function appOptionsOf(runtime: AuthRuntime): Pick<BuildAppOptions, 'auth' | 'counters' | 'jwt'> {
  return { auth: runtime.auth, counters: runtime.counters, jwt: runtime.jwt };
}
