/**
 * Access tokens: short-lived JWTs (RFC 7519) with header `typ: "at+jwt"` as in RFC 9068 §2.1,
 * signed by the key set's active key (RFC 7515 compact serialization).
 */
import { JwtError } from './jwt-error.js';
import type { KeySet } from './key-set.js';
import { issueToken } from './lib/issue-token.js';
import type { SignedToken, SignTokenOptions } from './signed-token.js';

/**
 * Default access-token lifetime: 15 minutes (short-lived, as RFC 9700 advises).
 *
 * @example `reply.header('cache-control', 'no-store').send({ expires_in: DEFAULT_ACCESS_TOKEN_TTL_SECONDS })`
 */
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 900;

/** Claims of an access token given by the caller. */
export interface AccessTokenClaims {
  /** Subject: the user's uuid. */
  sub: string;
  /** The device the session belongs to. */
  deviceId: string;
  roles?: string[];
  /** Session id, when sessions are tracked. */
  sid?: string;
  [claim: string]: unknown;
}

/**
 * Signs an access token with the active key of `keys`.
 *
 * @throws {JwtError} `INVALID_ARGUMENT` for a missing/empty `sub`, `deviceId`, `issuer` or `audience`, a bad
 *   `ttlSeconds`/`now`/`jti`, or an extra claim that would override a registered one; `KEY_INVALID` when the
 *   set has no signing key.
 * @example
 * ```ts
 * const { token, jti, expiresAt } = await signAccessToken(keys, { sub: userUuid, deviceId, roles: ['user'] },
 *   { issuer: 'https://auth.city.example', audience: 'city-api' });
 * ```
 */
export async function signAccessToken(
  keys: KeySet,
  claims: AccessTokenClaims,
  options: SignTokenOptions,
): Promise<SignedToken> {
  if (typeof claims !== 'object' || claims === null) {
    throw new JwtError('INVALID_ARGUMENT', '"claims" expected { sub, deviceId }');
  }
  const { sub, deviceId, ...extra } = claims;
  if (
    extra.roles !== undefined &&
    (!Array.isArray(extra.roles) || extra.roles.some((r) => typeof r !== 'string'))
  ) {
    throw new JwtError('INVALID_ARGUMENT', '"claims.roles" expected an array of strings');
  }
  if (extra.sid !== undefined && typeof extra.sid !== 'string') {
    throw new JwtError('INVALID_ARGUMENT', '"claims.sid" expected a string');
  }
  return issueToken(keys, 'access', sub, deviceId, extra, options, DEFAULT_ACCESS_TOKEN_TTL_SECONDS);
}
