/**
 * The error type of `@city/jwt`.
 *
 * Codes are stable and mapped to HTTP statuses by the API; messages are for people. Signature
 * failures always carry the same fixed message so an attacker learns nothing about why a forged
 * token failed (RFC 7515 §5.2 leaves the reason to the implementation; we give none).
 */
import { CityError, type CityErrorOptions } from '@city/errors';

/**
 * Every code a {@link JwtError} can carry (the API maps each to an HTTP status).
 *
 * @example `for (const code of JWT_ERROR_CODES) assert(statusFor(code))`
 */
export const JWT_ERROR_CODES = [
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
] as const;

/** A stable machine code of a {@link JwtError}. */
export type JwtErrorCode = (typeof JWT_ERROR_CODES)[number];

/**
 * An error thrown by `@city/jwt` on purpose, with a stable {@link JwtErrorCode}.
 *
 * @throws never — this is the thrown type itself.
 * @example
 * ```ts
 * try { await verifyToken(keys, token, opts); }
 * catch (err) { if (err instanceof JwtError && err.code === 'TOKEN_EXPIRED') refresh(); }
 * ```
 */
export class JwtError extends CityError {
  declare readonly code: JwtErrorCode;

  constructor(code: JwtErrorCode, message: string, options?: CityErrorOptions) {
    super(code, message, options);
  }
}
