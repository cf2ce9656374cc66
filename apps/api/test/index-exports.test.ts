import { expect, it } from 'vitest';

it('exports exactly the public API', async () => {
  expect(Object.keys(await import('../src/index.js')).sort()).toEqual([
    'ApiError',
    'ConfigError',
    'DEFAULT_TLS_GROUPS',
    'ERROR_REGISTRY',
    'FIELD_ISSUE_MESSAGES_JA',
    'REDACTED_LOG_PATHS',
    'appOptionsOf',
    'authOverridesOf',
    'buildApp',
    'counterRateLimitStore',
    'isApiErrorCode',
    'isTrustedProxy',
    'loadConfig',
    'openAuthRuntime',
    'peerCertificateOf',
    'preferredLanguage',
    'tlsServerOptions',
    'toErrorResponse',
  ]);
});
