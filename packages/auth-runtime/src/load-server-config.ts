/**
 * The HTTP server's settings, layered on the storage and core ones of `loadCityConfig` and read
 * from the same environment and configuration file: listen address, proxies, TLS (RFC 8446, 1.3
 * only) and mTLS, body and rate limits, log level, Prometheus metrics and the web pages' directory.
 * Each variable is in `CITY_VARIABLES` with scope `server`.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { cityEnvironment, withOrigins } from './_city-environment.js';
import { ConfigError } from './config-error.js';
import { type CityConfig, type CityConfigOverrides, parseCityConfig } from './load-city-config.js';
import { type Env, readInteger, readOneOf, readOnOff, readVariable } from './read-env.js';

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

/** Where `/metrics` is served, if anywhere. */
export type MetricsConfig =
  | { readonly mode: 'off' }
  | { readonly mode: 'on' }
  | { readonly mode: 'port'; readonly host: string; readonly port: number };

/** The storage and core settings plus the HTTP server's. */
export interface ServerConfig extends CityConfig {
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
  /** Directory of the web pages (`CITY_WEB_DIR`); unset = the app's own. */
  readonly webRoot?: string | undefined;
  /**
   * Prometheus metrics (`CITY_METRICS`): `off` (default), `on` (`GET /metrics` on the API's own
   * port), or a port number (`/metrics` served only there, on `CITY_METRICS_HOST`, default `HOST`).
   */
  readonly metrics: MetricsConfig;
}

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

/**
 * Reads and validates the server configuration from `env` over the configuration file, if one is
 * named (the environment wins).
 *
 * @throws {ConfigError} `CONFIG_INVALID` naming the first invalid variable (and the file and line
 *   it came from), an unknown key of the configuration file, or the unreadable file
 * @example
 * ```ts
 * const config = loadServerConfig(process.env, { configFile: '/etc/city/city.env' });
 * ```
 */
export function loadServerConfig(env: Env, overrides: CityConfigOverrides = {}): ServerConfig {
  const source = cityEnvironment(env, overrides.configFile);
  return withOrigins(source, () => {
    const merged = source.env;
    const host = readVariable(merged, 'HOST') ?? '127.0.0.1';
    if (isIP(host) === 0 && !/^[A-Za-z0-9.-]+$/.test(host)) {
      throw new ConfigError('HOST', `expected an IP address or host name, got "${host}"`);
    }
    const port = readInteger(merged, 'PORT', 3000, 0, 65_535);
    return {
      ...parseCityConfig(merged, overrides),
      configFile: source.configFile,
      host,
      port,
      trustedProxies: trustedProxies(merged),
      tls: tlsConfig(merged),
      bodyLimit: readInteger(merged, 'CITY_BODY_LIMIT', 65_536, 1_024, 16 * 1_048_576),
      logLevel: readOneOf(merged, 'LOG_LEVEL', LOG_LEVELS, 'info'),
      rateLimitPerMinute: readInteger(merged, 'CITY_RATE_LIMIT', 600, 0, 1_000_000),
      credentialRateLimitPerMinute: readInteger(merged, 'CITY_CREDENTIAL_RATE_LIMIT', 60, 0, 1_000_000),
      webRoot: readVariable(merged, 'CITY_WEB_DIR'),
      metrics: metricsConfig(merged, host, port),
    };
  });
}
