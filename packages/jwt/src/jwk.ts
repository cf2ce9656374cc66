/**
 * JSON Web Key shapes (RFC 7517) used by this package, including the `AKP` key type of RFC 9964
 * for ML-DSA (`pub` = raw public key, `priv` = the 32-byte seed, both base64url).
 */
import type { JwtAlgorithm } from './jwt-algorithm.js';

/** A JSON Web Key (RFC 7517 §4), public or private. Unknown members are kept as-is. */
export interface Jwk {
  /** Key type: `OKP` (Ed25519), `EC` (P-256), `RSA`, `oct` (HMAC) or `AKP` (ML-DSA, RFC 9964). */
  kty: string;
  kid?: string;
  alg?: string;
  use?: string;
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
  /** RFC 9964 public key (base64url raw encoding). */
  pub?: string;
  [member: string]: unknown;
}

/** A JSON Web Key Set (RFC 7517 §5), as served at `/.well-known/jwks.json`. */
export interface Jwks {
  keys: Jwk[];
}

/**
 * A key in JSON-safe form for persistence (`SigningKey.exportPrivate()`); `importSigningKey`
 * accepts it back. `jwk` holds private material when the key can sign: store it encrypted.
 */
export interface SerializedKey {
  alg: JwtAlgorithm;
  kid: string;
  jwk: Jwk;
}
