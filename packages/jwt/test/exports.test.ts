import { describe, expect, it } from 'vitest';

describe('public exports', () => {
  it('are exactly the documented names', async () => {
    expect(Object.keys(await import('../src/index.js')).sort()).toEqual([
      'DEFAULT_ACCESS_TOKEN_TTL_SECONDS',
      'DEFAULT_CLOCK_TOLERANCE_SECONDS',
      'DEFAULT_REFRESH_GRACE_SECONDS',
      'DEFAULT_REFRESH_TOKEN_TTL_SECONDS',
      'JWT_ALGORITHMS',
      'JWT_ERROR_CODES',
      'JwtError',
      'KeySet',
      'MAX_TOKEN_LENGTH',
      'RemoteKeySet',
      'calculateJwkThumbprint',
      'decideRefresh',
      'fastifyJwtOptions',
      'generateSigningKey',
      'importSigningKey',
      'isJwtAlgorithm',
      'signAccessToken',
      'signRefreshToken',
      'verifyToken',
    ]);
  });

  it('JwtError is a CityError with the contract codes', async () => {
    const { CityError } = await import('@city/errors');
    const { JwtError, JWT_ERROR_CODES } = await import('../src/index.js');
    const err = new JwtError('TOKEN_EXPIRED', 'token has expired');
    expect(err).toBeInstanceOf(CityError);
    expect(err.code).toBe('TOKEN_EXPIRED');
    expect(err.name).toBe('JwtError');
    expect([...JWT_ERROR_CODES].sort()).toEqual(
      [
        'TOKEN_MALFORMED',
        'TOKEN_ALG_NOT_ALLOWED',
        'TOKEN_SIGNATURE_INVALID',
        'TOKEN_EXPIRED',
        'TOKEN_NOT_YET_VALID',
        'TOKEN_AUDIENCE_INVALID',
        'TOKEN_ISSUER_INVALID',
        'TOKEN_TYPE_INVALID',
        'TOKEN_KID_UNKNOWN',
        'TOKEN_REVOKED',
        'TOKEN_CLAIM_INVALID',
        'TOKEN_LIFETIME_EXCEEDED',
        'JWKS_FETCH_FAILED',
        'JWKS_TIMEOUT',
        'JWKS_INVALID',
        'JWKS_NO_MATCHING_KEY',
        'KEY_INVALID',
        'INVALID_ARGUMENT',
      ].sort(),
    );
  });

  it('every error code is documented in the README table', async () => {
    const { readFileSync } = await import('node:fs');
    const { JWT_ERROR_CODES } = await import('../src/index.js');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const code of JWT_ERROR_CODES) expect(readme).toMatch(new RegExp(`^\\| \`${code}\` +\\|`, 'm'));
  });
});
