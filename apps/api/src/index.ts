export { ApiError } from './api-error.js';
export type { BuildAppOptions, LogDestination } from './build-app.js';
export { buildApp, REDACTED_LOG_PATHS } from './build-app.js';
export type { ApiConfig, CityMode, LogLevel, TlsConfig } from './config.js';
export { ConfigError, DEFAULT_TLS_GROUPS, loadConfig } from './config.js';
export type {
  RateLimitChildOptions,
  RateLimitRoute,
  RateLimitStore,
  RateLimitStoreClass,
} from './counter-rate-limit-store.js';
export { counterRateLimitStore } from './counter-rate-limit-store.js';
export type { ApiErrorCode, ApiOwnErrorCode, ErrorRegistryEntry } from './error-registry.js';
export { ERROR_REGISTRY, FIELD_ISSUE_MESSAGES_JA, isApiErrorCode } from './error-registry.js';
export type { ErrorBody, ErrorResponse } from './error-response.js';
export { toErrorResponse } from './error-response.js';
export type { AuthRuntime } from './open-auth-runtime.js';
export { appOptionsOf, authOverridesOf, openAuthRuntime } from './open-auth-runtime.js';
export { isTrustedProxy, peerCertificateOf } from './peer-certificate.js';
export type { ApiLanguage } from './preferred-language.js';
export { preferredLanguage } from './preferred-language.js';
export type { TlsServerOptions } from './tls-server-options.js';
export { tlsServerOptions } from './tls-server-options.js';
