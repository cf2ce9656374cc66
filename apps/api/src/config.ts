/**
 * The API's configuration, read once from environment variables (12-factor, III) and validated
 * at start-up: an invalid value throws a {@link ConfigError} naming the variable, and the server
 * prints that one line and exits with code 1. The storage and core variables (`CITY_MODE`,
 * `CITY_DATA_DIR`, ...) are read by `@city/auth-runtime`'s `loadCityConfig`, exactly as the CLI
 * reads them; this module adds the HTTP ones. Every variable is listed in apps/api/README.md.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  type CityConfig,
  ConfigError,
  type Env,
  loadCityConfig,
  readInteger,
  readOneOf,
  readOnOff,
  readVariable,
} from '@city/auth-runtime';

export type { CityMode } from '@city/auth-runtime';
export { ConfigError };

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

/** Everything the API process is configured with: the shared storage and core settings plus HTTP. */
export interface ApiConfig extends CityConfig {
  readonly host: string;
  readonly port: number;
  /** Addresses of reverse proxies allowed to set X-Forwarded-For and X-Client-Cert. */
  readonly trustedProxies: readonly string[];
  readonly tls?: TlsConfig | undefined;
  /** Largest accepted request body in bytes. */
  readonly bodyLimit: number;
  readonly logLevel: LogLevel;
  /** Requests per minute per client address on every route; 0 disables. */
  readonly rateLimitPerMinute: number;
  /** Requests per minute per client address on credential routes (register, login, refresh, pairing); 0 disables. */
  readonly credentialRateLimitPerMinute: number;
  /** Directory of the web pages (`web/index.html`, `web/assets/...`). */
  readonly webRoot: string;
  /**
   * Prometheus metrics (`CITY_METRICS`): `off` (default), `on` (`GET /metrics` on the API's own
   * port), or a port number (`/metrics` served only there, on `CITY_METRICS_HOST`, default `HOST`).
   */
  readonly metrics: MetricsConfig;
}

/** Where `/metrics` is served, if anywhere. */
export type MetricsConfig =
  | { readonly mode: 'off' }
  | { readonly mode: 'on' }
  | { readonly mode: 'port'; readonly host: string; readonly port: number };

/** TLS 1.3 groups offered when `CITY_TLS_GROUPS` is not set: the ML-KEM hybrid first. */
export const DEFAULT_TLS_GROUPS = 'X25519MLKEM768:X25519:P-256';

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function pemFile(env: Env, name: string, marker: RegExp): string {
  const path = readVariable(env, name)!;
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
  const cert = readVariable(env, 'CITY_TLS_CERT');
  const key = readVariable(env, 'CITY_TLS_KEY');
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined) throw new ConfigError('CITY_TLS_CERT', 'required when CITY_TLS_KEY is set');
  if (key === undefined) throw new ConfigError('CITY_TLS_KEY', 'required when CITY_TLS_CERT is set');
  return {
    certPem: pemFile(env, 'CITY_TLS_CERT', /-----BEGIN CERTIFICATE-----/),
    keyPem: pemFile(env, 'CITY_TLS_KEY', /-----BEGIN [A-Z ]*PRIVATE KEY-----/),
    requestClientCertificate: readOnOff(env, 'CITY_MTLS', true),
    groups: readVariable(env, 'CITY_TLS_GROUPS') ?? DEFAULT_TLS_GROUPS,
  };
}

function trustedProxies(env: Env): string[] {
  const raw = readVariable(env, 'TRUSTED_PROXY');
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
  const raw = readVariable(env, 'CITY_METRICS')?.toLowerCase();
  if (raw === undefined || raw === 'off') return { mode: 'off' };
  if (raw === 'on') return { mode: 'on' };
  if (!/^[0-9]{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 65_535) {
    throw new ConfigError('CITY_METRICS', `expected off, on or a port from 1 to 65535, got "${raw}"`);
  }
  const port = Number(raw);
  if (port === apiPort) {
    throw new ConfigError('CITY_METRICS', `port ${port} is the API's own PORT; use on, or another port`);
  }
  const metricsHost = readVariable(env, 'CITY_METRICS_HOST') ?? host;
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
  const host = readVariable(env, 'HOST') ?? '127.0.0.1';
  if (isIP(host) === 0 && !/^[A-Za-z0-9.-]+$/.test(host)) {
    throw new ConfigError('HOST', `expected an IP address or host name, got "${host}"`);
  }
  const port = readInteger(env, 'PORT', 3000, 0, 65_535);
  return {
    ...loadCityConfig(env),
    host,
    port,
    trustedProxies: trustedProxies(env),
    tls: tlsConfig(env),
    bodyLimit: readInteger(env, 'CITY_BODY_LIMIT', 65_536, 1_024, 16 * 1_048_576),
    logLevel: readOneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    rateLimitPerMinute: readInteger(env, 'CITY_RATE_LIMIT', 600, 0, 1_000_000),
    credentialRateLimitPerMinute: readInteger(env, 'CITY_CREDENTIAL_RATE_LIMIT', 60, 0, 1_000_000),
    webRoot: readVariable(env, 'CITY_WEB_DIR') ?? defaultWebRoot(),
    metrics: metricsConfig(env, host, port),
  };
}
