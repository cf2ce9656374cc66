/**
 * The API's configuration, read once from environment variables (12-factor, III) and validated
 * at start-up: an invalid value throws a {@link ConfigError} naming the variable, and the server
 * prints that one line and exits with code 1. Every variable is listed in apps/api/README.md.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { EmbeddedStore } from '@city/auth-runtime';
import { type DynamoStoresConfig, loadStorageConfigFromEnv } from '@city/db-integration';
import { CityError, isCityError } from '@city/errors';

/** Storage back end. */
export type CityMode = 'embedded' | 'aws' | 'mongodb';

/** pino levels accepted in `LOG_LEVEL`. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** HTTPS with optional mutual TLS. */
export interface TlsConfig {
  /** Server certificate chain (PEM), read from `CITY_TLS_CERT`. */
  readonly certPem: string;
  /** Server private key (PEM), read from `CITY_TLS_KEY`. */
  readonly keyPem: string;
  /** Ask clients for a certificate issued by our device CA (`CITY_MTLS`, default on). */
  readonly requestClientCertificate: boolean;
  /** Key-exchange groups to offer, most preferred first (`CITY_TLS_GROUPS`). */
  readonly groups: string;
}

/** Everything the API process is configured with. */
export interface ApiConfig {
  readonly mode: CityMode;
  /** Where the embedded mode keeps its data (`CITY_DATA_DIR`). */
  readonly dataDir: string;
  /** The embedded mode's record store (`CITY_EMBEDDED_STORE`: `sqlite` or `dynalite`); unset = @city/auth-runtime's choice for the directory. */
  readonly embeddedStore?: EmbeddedStore | undefined;
  readonly host: string;
  readonly port: number;
  /** JWT `iss` / `aud` overrides for the core (`CITY_ISSUER`, `CITY_AUDIENCE`). */
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
  /** Addresses of reverse proxies allowed to set X-Forwarded-For and X-Client-Cert. */
  readonly trustedProxies: readonly string[];
  readonly tls?: TlsConfig | undefined;
  /** The seeds' weak fingerprint login (`CITY_FINGERPRINT_LOGIN=on`), off by default. */
  readonly fingerprintLogin: boolean;
  /** Verified access tokens kept in memory (`CITY_ACCESS_CACHE_SIZE`, 0 off); unset = the core default. */
  readonly accessCacheSize?: number | undefined;
  /** Largest accepted request body in bytes. */
  readonly bodyLimit: number;
  readonly logLevel: LogLevel;
  /** Requests per minute per client address on every route; 0 disables. */
  readonly rateLimitPerMinute: number;
  /** Requests per minute per client address on credential routes (register, login, refresh, pairing); 0 disables. */
  readonly credentialRateLimitPerMinute: number;
  /** Directory of the web pages (`web/index.html`, `web/assets/...`). */
  readonly webRoot: string;
  /** `aws` mode: DynamoDB/S3/SNS settings from db-integration's `loadStorageConfigFromEnv`. */
  readonly storage?: DynamoStoresConfig | undefined;
  /** `mongodb` mode: connection (`MONGODB_URI`, `CITY_MONGODB_DB`). */
  readonly mongodb?: { readonly uri: string; readonly dbName: string } | undefined;
  /**
   * Prometheus metrics (`CITY_METRICS`): `off` (default), `on` (`GET /metrics` on the API's own
   * port), or a port number (`/metrics` served only there, on `CITY_METRICS_HOST`, default `HOST`).
   */
  readonly metrics: MetricsConfig;
  /** `aws`/`mongodb` modes: directory of the key vault files and the creation lock (`CITY_SECRETS_DIR`, default the data dir). */
  readonly secretsDir: string;
  /**
   * The root key (the key vault's KEM private key): a file (`CITY_ROOT_KEY_FILE`) or its text
   * (`CITY_KEM_PRIVATE_KEY`); unset = `keyvault-kem.key` in the secrets (embedded: data) directory.
   */
  readonly rootKey?: { readonly file?: string; readonly pem?: string } | undefined;
}

/** Where `/metrics` is served, if anywhere. */
export type MetricsConfig =
  | { readonly mode: 'off' }
  | { readonly mode: 'on' }
  | { readonly mode: 'port'; readonly host: string; readonly port: number };

/** TLS 1.3 groups offered when `CITY_TLS_GROUPS` is not set: the ML-KEM hybrid first. */
export const DEFAULT_TLS_GROUPS = 'X25519MLKEM768:X25519:P-256';

/** Thrown for a missing or invalid environment variable; `variable` names it. */
export class ConfigError extends CityError {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super('CONFIG_INVALID', `${variable}: ${message}`);
    this.variable = variable;
  }
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const MODES: readonly CityMode[] = ['embedded', 'aws', 'mongodb'];
const EMBEDDED_STORES: readonly EmbeddedStore[] = ['sqlite', 'dynalite'];

type Env = Readonly<Record<string, string | undefined>>;

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^[0-9]+$/.test(raw)) throw new ConfigError(name, `expected an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(name, `expected an integer from ${min} to ${max}, got ${raw}`);
  }
  return value;
}

function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['on', 'true', '1', 'yes'].includes(raw)) return true;
  if (['off', 'false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `expected on or off, got "${raw}"`);
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!(values as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `expected one of ${values.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function pemFile(env: Env, name: string, marker: RegExp): string {
  const path = read(env, name)!;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      name,
      `cannot read "${path}" (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  if (!marker.test(text)) throw new ConfigError(name, `"${path}" does not contain the expected PEM block`);
  return text;
}

function tlsConfig(env: Env): TlsConfig | undefined {
  const cert = read(env, 'CITY_TLS_CERT');
  const key = read(env, 'CITY_TLS_KEY');
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined) throw new ConfigError('CITY_TLS_CERT', 'required when CITY_TLS_KEY is set');
  if (key === undefined) throw new ConfigError('CITY_TLS_KEY', 'required when CITY_TLS_CERT is set');
  return {
    certPem: pemFile(env, 'CITY_TLS_CERT', /-----BEGIN CERTIFICATE-----/),
    keyPem: pemFile(env, 'CITY_TLS_KEY', /-----BEGIN [A-Z ]*PRIVATE KEY-----/),
    requestClientCertificate: onOff(env, 'CITY_MTLS', true),
    groups: read(env, 'CITY_TLS_GROUPS') ?? DEFAULT_TLS_GROUPS,
  };
}

function trustedProxies(env: Env): string[] {
  const raw = read(env, 'TRUSTED_PROXY');
  if (raw === undefined) return [];
  const list = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const address of list) {
    if (isIP(address) === 0) {
      throw new ConfigError('TRUSTED_PROXY', `expected IP addresses separated by commas, got "${address}"`);
    }
  }
  return list;
}

function metricsConfig(env: Env, host: string, apiPort: number): MetricsConfig {
  const raw = read(env, 'CITY_METRICS')?.toLowerCase();
  if (raw === undefined || raw === 'off') return { mode: 'off' };
  if (raw === 'on') return { mode: 'on' };
  if (!/^[0-9]{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 65_535) {
    throw new ConfigError('CITY_METRICS', `expected off, on or a port from 1 to 65535, got "${raw}"`);
  }
  const port = Number(raw);
  if (port === apiPort) {
    throw new ConfigError('CITY_METRICS', `port ${port} is the API's own PORT; use on, or another port`);
  }
  const metricsHost = read(env, 'CITY_METRICS_HOST') ?? host;
  if (isIP(metricsHost) === 0 && !/^[A-Za-z0-9.-]+$/.test(metricsHost)) {
    throw new ConfigError('CITY_METRICS_HOST', `expected an IP address or host name, got "${metricsHost}"`);
  }
  return { mode: 'port', host: metricsHost, port };
}

function defaultWebRoot(): string {
  // dist/config.js and src/config.ts both sit one level below the package root.
  return fileURLToPath(new URL('../web', import.meta.url));
}

/**
 * Reads and validates the API configuration from `env`.
 *
 * @throws {ConfigError} `CONFIG_INVALID` naming the first invalid variable
 * @example
 * ```ts
 * const config = loadConfig({ PORT: '8080', CITY_DATA_DIR: '/var/lib/city' });
 * ```
 */
export function loadConfig(env: Env = process.env): ApiConfig {
  const host = read(env, 'HOST') ?? '127.0.0.1';
  if (isIP(host) === 0 && !/^[A-Za-z0-9.-]+$/.test(host)) {
    throw new ConfigError('HOST', `expected an IP address or host name, got "${host}"`);
  }
  const issuer = read(env, 'CITY_ISSUER');
  const audience = read(env, 'CITY_AUDIENCE');
  const mode = oneOf(env, 'CITY_MODE', MODES, 'embedded');
  const dataDir = read(env, 'CITY_DATA_DIR') ?? './.city';
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
  let mongodb: ApiConfig['mongodb'];
  if (mode === 'mongodb') {
    const uri = read(env, 'MONGODB_URI');
    if (uri === undefined) throw new ConfigError('MONGODB_URI', 'required when CITY_MODE=mongodb');
    if (!/^mongodb(\+srv)?:\/\//.test(uri)) {
      throw new ConfigError('MONGODB_URI', 'expected a mongodb:// or mongodb+srv:// URI');
    }
    const dbName = read(env, 'CITY_MONGODB_DB') ?? 'city';
    if (!/^[A-Za-z0-9_-]{1,63}$/.test(dbName)) {
      throw new ConfigError('CITY_MONGODB_DB', `expected 1-63 letters, digits, "_" or "-", got "${dbName}"`);
    }
    mongodb = { uri, dbName };
  }
  const port = integer(env, 'PORT', 3000, 0, 65_535);
  const rootKeyFile = read(env, 'CITY_ROOT_KEY_FILE');
  const rootKeyPem = read(env, 'CITY_KEM_PRIVATE_KEY');
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
    read(env, 'CITY_EMBEDDED_STORE') === undefined
      ? undefined
      : oneOf(env, 'CITY_EMBEDDED_STORE', EMBEDDED_STORES, 'sqlite');
  return {
    mode,
    dataDir,
    embeddedStore,
    storage,
    mongodb,
    secretsDir: read(env, 'CITY_SECRETS_DIR') ?? dataDir,
    rootKey,
    host,
    port,
    issuer,
    audience,
    trustedProxies: trustedProxies(env),
    tls: tlsConfig(env),
    fingerprintLogin: onOff(env, 'CITY_FINGERPRINT_LOGIN', false),
    accessCacheSize:
      read(env, 'CITY_ACCESS_CACHE_SIZE') === undefined
        ? undefined
        : integer(env, 'CITY_ACCESS_CACHE_SIZE', 0, 0, 1_000_000),
    bodyLimit: integer(env, 'CITY_BODY_LIMIT', 65_536, 1_024, 16 * 1_048_576),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    rateLimitPerMinute: integer(env, 'CITY_RATE_LIMIT', 600, 0, 1_000_000),
    credentialRateLimitPerMinute: integer(env, 'CITY_CREDENTIAL_RATE_LIMIT', 60, 0, 1_000_000),
    webRoot: read(env, 'CITY_WEB_DIR') ?? defaultWebRoot(),
    metrics: metricsConfig(env, host, port),
  };
}
