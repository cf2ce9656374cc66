/**
 * The API's configuration, read once at start-up by `@city/auth-runtime`'s `loadServerConfig`: the
 * storage and core variables (`loadCityConfig`, exactly as the CLI reads them) with the HTTP ones
 * layered on top, from the environment over an optional configuration file (`--config` or
 * `CITY_CONFIG_FILE`). An invalid value or an unknown key of the file throws a {@link ConfigError}
 * naming it (and the file and line), and the server prints that one line and exits with code 1.
 * Every variable is in `CITY_VARIABLES` and in the table of apps/api/README.md.
 */
import { fileURLToPath } from 'node:url';
import { ConfigError, type Env, loadServerConfig, type ServerConfig } from '@city/auth-runtime';

export type { CityMode, LogLevel, TlsConfig } from '@city/auth-runtime';
export { DEFAULT_TLS_GROUPS } from '@city/auth-runtime';
export { ConfigError };

/** Everything the API process is configured with: the shared storage and core settings plus HTTP. */
export interface ApiConfig extends ServerConfig {
  /** Directory of the web pages (`web/index.html`, `web/assets/...`). */
  readonly webRoot: string;
}

function defaultWebRoot(): string {
  // dist/config.js and src/config.ts both sit one level below the package root.
  return fileURLToPath(new URL('../web', import.meta.url));
}

/**
 * Reads and validates the API configuration from `env` (over `configFile` or `CITY_CONFIG_FILE`).
 *
 * @throws {ConfigError} `CONFIG_INVALID` naming the first invalid variable
 * @example
 * ```ts
 * const config = loadConfig({ PORT: '8080', CITY_DATA_DIR: '/var/lib/city' });
 * ```
 */
export function loadConfig(env: Env = process.env, options: { configFile?: string } = {}): ApiConfig {
  const config = loadServerConfig(env, { configFile: options.configFile });
  return { ...config, webRoot: config.webRoot ?? defaultWebRoot() };
}
