/**
 * The JWS algorithms this package signs and verifies.
 *
 * - `EdDSA` (Ed25519 only) — RFC 8037 §3.1; the default.
 * - `ES256` (P-256, SHA-256, raw `r‖s` signature) — RFC 7518 §3.4.
 * - `RS256` (RSASSA-PKCS1-v1_5, SHA-256, modulus ≥ 2048 bits) — RFC 7518 §3.3.
 * - `HS256` (HMAC-SHA-256, secret ≥ 32 bytes) — RFC 7518 §3.2.
 * - `ML-DSA-65` (FIPS 204) — RFC 9964, JWK `kty: "AKP"`.
 *
 * `none` is deliberately absent: there is no way to ask this package for an unsigned token.
 */

/** A JWS `alg` value this package supports. */
export type JwtAlgorithm = 'EdDSA' | 'ES256' | 'RS256' | 'HS256' | 'ML-DSA-65';

/**
 * The supported algorithms, in order of preference (the first is the default).
 *
 * @example `JWT_ALGORITHMS.includes(alg)`
 */
export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = Object.freeze([
  'EdDSA',
  'ES256',
  'RS256',
  'HS256',
  'ML-DSA-65',
]);

/**
 * True when `value` is one of {@link JWT_ALGORITHMS} (exact, case-sensitive match as RFC 7515 §4.1.1 requires).
 *
 * @throws never.
 * @example
 * ```ts
 * isJwtAlgorithm('EdDSA'); // true
 * isJwtAlgorithm('none');  // false
 * ```
 */
export function isJwtAlgorithm(value: unknown): value is JwtAlgorithm {
  return typeof value === 'string' && (JWT_ALGORITHMS as readonly string[]).includes(value);
}
