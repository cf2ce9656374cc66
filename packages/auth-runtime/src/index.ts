export type { RootKeyOptions } from './_load-secrets.js';
export {
  CITY_VARIABLE_NAMES,
  CITY_VARIABLES,
  type CityVariable,
  type CityVariableScope,
} from './city-variables.js';
export { ConfigError, type ConfigOrigin } from './config-error.js';
export {
  authOverridesOf,
  CITY_MODES,
  type CityConfig,
  type CityConfigOverrides,
  type CityMode,
  EMBEDDED_STORES,
  loadCityConfig,
} from './load-city-config.js';
export {
  DEFAULT_TLS_GROUPS,
  type LogLevel,
  loadServerConfig,
  type MetricsConfig,
  type ServerConfig,
  type TlsConfig,
} from './load-server-config.js';
export type { AuthDeploymentConfig } from './open-auth-from-config.js';
export { openAuthFromConfig } from './open-auth-from-config.js';
export { type AuthRuntimeHooks, openAuthRuntime } from './open-auth-runtime.js';
export type { AuthRuntime, EmbeddedAuthOptions, EmbeddedStore } from './open-embedded-auth.js';
export { openEmbeddedAuth } from './open-embedded-auth.js';
export {
  type CityConfigFile,
  type CityConfigFileEntry,
  readCityConfigFile,
} from './read-city-config-file.js';
export { type Env, readBaseUrl, readInteger, readOneOf, readOnOff, readVariable } from './read-env.js';
export { SecretsError, type SecretsErrorCode } from './secrets-error.js';
