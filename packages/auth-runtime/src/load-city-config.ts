/**
 * The one parser of the `CITY_*` variables that say where the service keeps its data and how the
 * core is configured, shared by the API and the CLI (12-factor, III): the storage mode, the data
 * and secrets directories, the embedded store, the AWS storage settings (db-integration's
 * `loadStorageConfigFromEnv`), the MongoDB connection and the core overrides (issuer, audience,
 * access cache, fingerprint login), the SQLite durability level, the audit retention, the outbox
 * size bound and the API worker count. Values
 * are trimmed; an empty value counts as unset. An invalid
 * value throws a {@link ConfigError} naming the variable. The same variables may come from a
 * configuration file (`CITY_CONFIG_FILE`, or the caller's `configFile`), which the environment
 * overrides. The HTTP server's settings are layered on top by `loadServerConfig`; every variable is
 * in the one list `CITY_VARIABLES`.
 */
import { type DynamoStoresConfig, loadStorageConfigFromEnv } from '@city/db-integration';
import { isCityError } from '@city/errors';
import type { AuthConfigOverrides } from '@city/registration-core';
import { cityEnvironment, withOrigins } from './_city-environment.js';
import type { RootKeyOptions } from './_load-secrets.js';
import { PII_ENCRYPTIONS, type PiiEncryption } from './_pii-encryption.js';
import { ConfigError } from './config-error.js';
import type { EmbeddedStore } from './open-embedded-auth.js';
import { type Env, readBaseUrl, readInteger, readOneOf, readOnOff, readVariable } from './read-env.js';

/** Storage back end (`CITY_MODE`). */
export type CityMode = 'embedded' | 'aws' | 'mongodb';

/** The storage modes, in the order the messages list them. */
export const CITY_MODES: readonly CityMode[] = ['embedded', 'aws', 'mongodb'];

/** The embedded record stores (`CITY_EMBEDDED_STORE`). */
export const EMBEDDED_STORES: readonly EmbeddedStore[] = ['sqlite', 'dynalite'];

/**
 * SQLite `synchronous` levels (`CITY_SQLITE_SYNCHRONOUS`): `auth` fsyncs the WAL at every commit
 * that changes auth state, `full` at every commit, `normal` at checkpoints only.
 */
type SqliteSynchronous = 'auth' | 'full' | 'normal';

/** The SQLite `synchronous` levels. */
const SQLITE_SYNCHRONOUS_LEVELS: readonly SqliteSynchronous[] = ['auth', 'full', 'normal'];

/** Audit events are kept this many days on the embedded SQLite store unless configured otherwise. */
const DEFAULT_AUDIT_RETENTION_DAYS = 400;
/** Longest audit retention (100 years). */
const MAX_AUDIT_RETENTION_DAYS = 36_500;
/** Each outbox file's size bound unless configured otherwise (64 MiB), and the accepted range. */
const DEFAULT_OUTBOX_MAX_BYTES = 64 * 1024 * 1024;
const MIN_OUTBOX_MAX_BYTES = 4096;
const MAX_OUTBOX_MAX_BYTES = 2 ** 40;

/** Most API processes `CITY_WORKERS` may ask for. */
const MAX_WORKERS = 256;

/** Where the service keeps its data and how the core is configured. */
export interface CityConfig {
  readonly mode: CityMode;
  /** Where the embedded mode keeps its data (`CITY_DATA_DIR`, default `./.city`). */
  readonly dataDir: string;
  /** The embedded mode's record store (`CITY_EMBEDDED_STORE`); unset = the choice for the directory's contents. */
  readonly embeddedStore?: EmbeddedStore | undefined;
  /** `aws` mode: DynamoDB/S3/SNS settings from db-integration's `loadStorageConfigFromEnv`. */
  readonly storage?: DynamoStoresConfig | undefined;
  /**
   * `mongodb` mode: connection (`MONGODB_URI`, `CITY_MONGODB_DB`, default `city`) and how personal data is
   * encrypted (`CITY_MONGODB_PII`: `auto` | `csfle` | `field-cipher`, default `auto`).
   */
  readonly mongodb?:
    | { readonly uri: string; readonly dbName: string; readonly piiEncryption: PiiEncryption }
    | undefined;
  /** `aws`/`mongodb` modes: directory with the CA, JWT keys and key vault files (`CITY_SECRETS_DIR`, default the data dir). */
  readonly secretsDir: string;
  /**
   * The root key (the key vault's KEM private key): a file (`CITY_ROOT_KEY_FILE`) or its text
   * (`CITY_KEM_PRIVATE_KEY`); unset = `keyvault-kem.key` in the secrets (embedded: data) directory.
   */
  readonly rootKey?: RootKeyOptions | undefined;
  /** JWT `iss` / `aud` overrides for the core (`CITY_ISSUER`, `CITY_AUDIENCE`). */
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
  /** The weak fingerprint-only device check (`CITY_FINGERPRINT_LOGIN=on`), off by default. */
  readonly fingerprintLogin: boolean;
  /** Verified access tokens kept in memory (`CITY_ACCESS_CACHE_SIZE`, 0 off); unset = the core default. */
  readonly accessCacheSize?: number | undefined;
  /** Embedded SQLite store: `synchronous` level (`CITY_SQLITE_SYNCHRONOUS`, default `auth`). */
  readonly sqliteSynchronous: SqliteSynchronous;
  /**
   * Embedded SQLite store: audit events older than this many days are deleted
   * (`CITY_AUDIT_RETENTION_DAYS`, default 400; 0 = the default).
   */
  readonly auditRetentionDays: number;
  /**
   * Size in bytes of each notification outbox file before it moves to its one previous generation
   * (`CITY_OUTBOX_MAX_BYTES`, default 64 MiB): at most twice this on disk per file.
   */
  readonly outboxMaxBytes: number;
  /**
   * API processes on one port (`CITY_WORKERS`): a count, or `auto` (one per core on the embedded
   * SQLite store, else 1). Default 1; more than 1 only on the embedded SQLite store.
   */
  readonly workers: number | 'auto';
  /** The configuration file read (`--config` or `CITY_CONFIG_FILE`), if any. */
  readonly configFile?: string | undefined;
  /**
   * Where people reach the web pages (`CITY_PUBLIC_BASE_URL`, e.g. `https://auth.example`): the
   * pairing QR code links to `<it>/pair?token=..`; unset = the API derives it from its own address.
   */
  readonly publicBaseUrl?: string | undefined;
}

/** Settings that come from elsewhere than the environment (e.g. a command-line flag). */
export interface CityConfigOverrides {
  /** Replaces `CITY_DATA_DIR` (and so the default of `CITY_SECRETS_DIR`). */
  readonly dataDir?: string | undefined;
  /** A configuration file (e.g. `--config`); replaces `CITY_CONFIG_FILE`. */
  readonly configFile?: string | undefined;
}

/**
 * Reads and validates the `CITY_*` storage and core variables from `env` over the configuration
 * file, if one is named.
 *
 * @throws {ConfigError} `CONFIG_INVALID` naming the first invalid variable (and the file and line
 *   it came from), an unknown key of the configuration file, or the unreadable file
 * @example
 * ```ts
 * const config = loadCityConfig(process.env, { configFile: '/etc/city/city.env' });
 * const runtime = await openAuthRuntime(config);
 * ```
 */
export function loadCityConfig(env: Env, overrides: CityConfigOverrides = {}): CityConfig {
  const source = cityEnvironment(env, overrides.configFile);
  return withOrigins(source, () => ({
    ...parseCityConfig(source.env, overrides),
    configFile: source.configFile,
  }));
}

/** The storage and core settings of an already merged environment (no file handling). */
export function parseCityConfig(env: Env, overrides: CityConfigOverrides): CityConfig {
  const mode = readOneOf(env, 'CITY_MODE', CITY_MODES, 'embedded');
  const dataDir = overrides.dataDir ?? readVariable(env, 'CITY_DATA_DIR') ?? './.city';
  let storage: DynamoStoresConfig | undefined;
  if (mode === 'aws') {
    try {
      storage = loadStorageConfigFromEnv(env);
    } catch (error) {
      if (!isCityError(error)) throw error;
      const issue = error.fields?.[0];
      throw new ConfigError(issue?.field ?? 'CITY_MODE', issue?.message ?? error.message);
    }
  }
  let mongodb: CityConfig['mongodb'];
  if (mode === 'mongodb') {
    const uri = readVariable(env, 'MONGODB_URI');
    if (uri === undefined) throw new ConfigError('MONGODB_URI', 'required when CITY_MODE=mongodb');
    if (!/^mongodb(\+srv)?:\/\//.test(uri)) {
      throw new ConfigError('MONGODB_URI', 'expected a mongodb:// or mongodb+srv:// URI');
    }
    const dbName = readVariable(env, 'CITY_MONGODB_DB') ?? 'city';
    if (!/^[A-Za-z0-9_-]{1,63}$/.test(dbName)) {
      throw new ConfigError('CITY_MONGODB_DB', `expected 1-63 letters, digits, "_" or "-", got "${dbName}"`);
    }
    const piiEncryption = readOneOf(env, 'CITY_MONGODB_PII', PII_ENCRYPTIONS, 'auto');
    mongodb = { uri, dbName, piiEncryption };
  }
  const rootKeyFile = readVariable(env, 'CITY_ROOT_KEY_FILE');
  const rootKeyPem = readVariable(env, 'CITY_KEM_PRIVATE_KEY');
  if (rootKeyFile !== undefined && rootKeyPem !== undefined) {
    throw new ConfigError('CITY_ROOT_KEY_FILE', 'set CITY_ROOT_KEY_FILE or CITY_KEM_PRIVATE_KEY, not both');
  }
  const rootKey =
    rootKeyFile !== undefined
      ? { file: rootKeyFile }
      : rootKeyPem !== undefined
        ? { pem: rootKeyPem }
        : undefined;
  const embeddedStore =
    readVariable(env, 'CITY_EMBEDDED_STORE') === undefined
      ? undefined
      : readOneOf(env, 'CITY_EMBEDDED_STORE', EMBEDDED_STORES, 'sqlite');
  const workers = readWorkers(env, mode, embeddedStore);
  return {
    mode,
    dataDir,
    embeddedStore,
    storage,
    mongodb,
    secretsDir: readVariable(env, 'CITY_SECRETS_DIR') ?? dataDir,
    rootKey,
    issuer: readVariable(env, 'CITY_ISSUER'),
    audience: readVariable(env, 'CITY_AUDIENCE'),
    fingerprintLogin: readOnOff(env, 'CITY_FINGERPRINT_LOGIN', false),
    accessCacheSize:
      readVariable(env, 'CITY_ACCESS_CACHE_SIZE') === undefined
        ? undefined
        : readInteger(env, 'CITY_ACCESS_CACHE_SIZE', 0, 0, 1_000_000),
    sqliteSynchronous: readOneOf(env, 'CITY_SQLITE_SYNCHRONOUS', SQLITE_SYNCHRONOUS_LEVELS, 'auth'),
    auditRetentionDays:
      readInteger(env, 'CITY_AUDIT_RETENTION_DAYS', 0, 0, MAX_AUDIT_RETENTION_DAYS) ||
      DEFAULT_AUDIT_RETENTION_DAYS,
    outboxMaxBytes: readInteger(
      env,
      'CITY_OUTBOX_MAX_BYTES',
      DEFAULT_OUTBOX_MAX_BYTES,
      MIN_OUTBOX_MAX_BYTES,
      MAX_OUTBOX_MAX_BYTES,
    ),
    workers,
    publicBaseUrl: readBaseUrl(env, 'CITY_PUBLIC_BASE_URL'),
  };
}

/**
 * `CITY_WORKERS`: `auto` or 1..{@link MAX_WORKERS}. Several processes share one store only through
 * SQLite's file locks; the other stores keep per-process state (dynalite's engine, the outbox
 * rewritten by the retry of aws and mongodb modes), so a count above 1 is refused for them.
 */
function readWorkers(env: Env, mode: CityMode, embeddedStore: EmbeddedStore | undefined): number | 'auto' {
  if (readVariable(env, 'CITY_WORKERS')?.toLowerCase() === 'auto') return 'auto';
  const workers = readInteger(env, 'CITY_WORKERS', 1, 1, MAX_WORKERS);
  if (workers > 1 && (mode !== 'embedded' || embeddedStore === 'dynalite')) {
    const store = mode === 'embedded' ? 'the embedded dynalite store' : `CITY_MODE=${mode}`;
    throw new ConfigError(
      'CITY_WORKERS',
      `more than one worker needs the embedded SQLite store; ${store} runs one process (run more instances instead)`,
    );
  }
  return workers;
}

/**
 * The core configuration overrides implied by a {@link CityConfig}.
 *
 * @throws never
 * @example
 * ```ts
 * createAuthService({ ...deps, config: authOverridesOf(loadCityConfig(process.env)) });
 * ```
 */
export function authOverridesOf(config: CityConfig): AuthConfigOverrides {
  return {
    ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
    ...(config.audience === undefined ? {} : { audience: config.audience }),
    ...(config.accessCacheSize === undefined ? {} : { accessCacheSize: config.accessCacheSize }),
    proofModes: { fingerprint: config.fingerprintLogin },
  };
}
