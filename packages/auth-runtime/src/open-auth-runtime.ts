/**
 * Opens the auth service for a parsed {@link CityConfig}: the embedded default (SQLite + outbox
 * under the data directory, or the dynalite store), AWS (DynamoDB/S3/SNS) or MongoDB.
 */
import { authOverridesOf, type CityConfig } from './load-city-config.js';
import { openAuthFromConfig } from './open-auth-from-config.js';
import { type AuthRuntime, openEmbeddedAuth } from './open-embedded-auth.js';

/** Hooks of {@link openAuthRuntime}. */
export interface AuthRuntimeHooks {
  /** Called with failures a caller never sees (e.g. a notification that could not be queued). */
  readonly onInternalError?: ((error: unknown, where: string) => void) | undefined;
}

/**
 * Opens the auth runtime for `config.mode`.
 *
 * @throws whatever the composition throws: `CONFIG_INVALID` for an unusable data directory, store errors when the
 *   engine is unreachable, `SERVICE_UNAVAILABLE` when the dynalite store's engines are not installed
 * @example
 * ```ts
 * const runtime = await openAuthRuntime(loadCityConfig(process.env));
 * ```
 */
export async function openAuthRuntime(
  config: CityConfig,
  hooks: AuthRuntimeHooks = {},
): Promise<AuthRuntime> {
  const common = {
    config: authOverridesOf(config),
    rootKey: config.rootKey,
    onInternalError: hooks.onInternalError,
  };
  switch (config.mode) {
    case 'embedded':
      return openEmbeddedAuth({
        dataDir: config.dataDir,
        store: config.embeddedStore,
        sqliteSynchronous: config.sqliteSynchronous,
        auditRetentionDays: config.auditRetentionDays,
        outboxMaxBytes: config.outboxMaxBytes,
        ...common,
      });
    case 'aws':
      return openAuthFromConfig({
        mode: 'aws',
        storage: config.storage,
        secretsDir: config.secretsDir,
        outboxMaxBytes: config.outboxMaxBytes,
        ...common,
      });
    case 'mongodb':
      return openAuthFromConfig({
        mode: 'mongodb',
        uri: config.mongodb!.uri,
        dbName: config.mongodb!.dbName,
        piiEncryption: config.mongodb!.piiEncryption,
        secretsDir: config.secretsDir,
        outboxMaxBytes: config.outboxMaxBytes,
        ...common,
      });
  }
}
