export type { RootKeyOptions } from './_load-secrets.js';
export type { AuthDeploymentConfig } from './open-auth-from-config.js';
export { openAuthFromConfig } from './open-auth-from-config.js';
export type { AuthRuntime, EmbeddedAuthOptions, EmbeddedStore } from './open-embedded-auth.js';
export { openEmbeddedAuth } from './open-embedded-auth.js';
export { SecretsError, type SecretsErrorCode } from './secrets-error.js';
