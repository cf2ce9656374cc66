/**
 * Refresh tokens: JWTs (RFC 7519) with header `typ: "rt+jwt"`, carrying the token family and
 * generation used for rotation with reuse detection (RFC 9700 §4.14.2).
 */
import { JwtError } from './jwt-error.js';
import type { KeySet } from './key-set.js';
import { assertNonEmptyString, issueToken } from './lib/issue-token.js';
import type { SignedToken, SignTokenOptions } from './signed-token.js';

/**
 * Default refresh-token lifetime: 30 days.
 *
 * @example `cookie.maxAge = DEFAULT_REFRESH_TOKEN_TTL_SECONDS`
 */
export const DEFAULT_REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

/** Claims of a refresh token. */
export interface RefreshTokenClaims {
  sub: string;
  deviceId: string;
  /** The rotation family: all successors of one login share it; reuse revokes the family. */
  familyId: string;
  /** Position in the family, 0 for the token issued at login, +1 per rotation. */
  generation: number;
}

/**
 * Signs a refresh token with the active key of `keys`.
 *
 * @throws {JwtError} `INVALID_ARGUMENT` for missing claims, a non-integer or negative `generation`, or bad
 *   options (see `signAccessToken`); `KEY_INVALID` when the set has no signing key.
 * @example
 * ```ts
 * const rt = await signRefreshToken(keys, { sub, deviceId, familyId, generation: 0 }, { issuer, audience });
 * ```
 */
export async function signRefreshToken(
  keys: KeySet,
  claims: RefreshTokenClaims,
  options: SignTokenOptions,
): Promise<SignedToken> {
  if (typeof claims !== 'object' || claims === null) {
    throw new JwtError('INVALID_ARGUMENT', '"claims" expected { sub, deviceId, familyId, generation }');
  }
  assertNonEmptyString(claims.familyId, 'claims.familyId', 256);
  if (!Number.isSafeInteger(claims.generation) || claims.generation < 0) {
    throw new JwtError(
      'INVALID_ARGUMENT',
      `"claims.generation" expected a non-negative integer, got ${claims.generation}`,
    );
  }
  const extra = { familyId: claims.familyId, generation: claims.generation };
  return issueToken(
    keys,
    'refresh',
    claims.sub,
    claims.deviceId,
    extra,
    options,
    DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
  );
}
