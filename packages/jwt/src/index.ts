/**
 * @city/jwt — access and refresh tokens for City Chain Auth.
 *
 * JWS compact serialization (RFC 7515) of JWTs (RFC 7519) with EdDSA/Ed25519 (RFC 8037), ES256,
 * RS256, HS256 (RFC 7518) and ML-DSA-65 (RFC 9964) over native `node:crypto`; `typ` headers in the
 * style of RFC 9068; JWK Sets (RFC 7517) with RFC 7638 thumbprint key ids; refresh-token rotation
 * with reuse detection per RFC 9700 §4.14.2; remote JWK Sets fetched from an issuer's `jwks_uri`.
 */
export { calculateJwkThumbprint } from './calculate-jwk-thumbprint.js';
export {
  DEFAULT_REFRESH_GRACE_SECONDS,
  decideRefresh,
  type RefreshDecision,
  type RefreshFamilyState,
} from './decide-refresh.js';
export {
  type FastifyJwtDecodedToken,
  type FastifyJwtOptions,
  fastifyJwtOptions,
} from './fastify-jwt-options.js';
export { type GenerateSigningKeyOptions, generateSigningKey } from './generate-signing-key.js';
export { type ImportSigningKeyInput, importSigningKey } from './import-signing-key.js';
export type { Jwk, Jwks, SerializedKey } from './jwk.js';
export { isJwtAlgorithm, JWT_ALGORITHMS, type JwtAlgorithm } from './jwt-algorithm.js';
export { JWT_ERROR_CODES, JwtError, type JwtErrorCode } from './jwt-error.js';
export { KeySet, type SerializedKeySet } from './key-set.js';
export { RemoteKeySet, type RemoteKeySetOptions } from './remote-key-set.js';
export {
  type AccessTokenClaims,
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  signAccessToken,
} from './sign-access-token.js';
export {
  DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
  type RefreshTokenClaims,
  signRefreshToken,
} from './sign-refresh-token.js';
export type { SignedToken, SignTokenOptions } from './signed-token.js';
export type { SigningKey } from './signing-key.js';
export {
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  MAX_TOKEN_LENGTH,
  type VerifiedToken,
  type VerifiedTokenClaims,
  type VerifiedTokenHeader,
  type VerifyTokenOptions,
  verifyToken,
} from './verify-token.js';
