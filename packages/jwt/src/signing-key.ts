/**
 * The signing key abstraction: one JWS key (RFC 7515 §4.1.4 `kid`, RFC 7517 JWK) bound to
 * exactly one algorithm. Binding the algorithm to the key — instead of trusting the token's
 * `alg` — is what defeats algorithm confusion (RFC 8725 §2.1, §3.1).
 */
import type { Jwk, SerializedKey } from './jwk.js';
import type { JwtAlgorithm } from './jwt-algorithm.js';

/**
 * One key with its algorithm and id. Create with `generateSigningKey` or `importSigningKey`;
 * objects built any other way are refused by `KeySet`.
 *
 * @example
 * ```ts
 * const key = await generateSigningKey('EdDSA');
 * key.kid;         // RFC 7638 thumbprint
 * key.publicJwk(); // { kty: 'OKP', crv: 'Ed25519', x, kid, alg: 'EdDSA', use: 'sig' }
 * ```
 */
export interface SigningKey {
  /** Key id placed in every token's header (`kid`). */
  readonly kid: string;
  /** The one algorithm this key signs and verifies with. */
  readonly alg: JwtAlgorithm;
  /** True when the private key (or HMAC secret) is present. */
  readonly canSign: boolean;
  /**
   * The public JWK with `kid`, `alg` and `use: "sig"`; `undefined` for HS256 (a secret is never published).
   * @throws never.
   * @example `jwks.keys.push(key.publicJwk()!)`
   */
  publicJwk(): Jwk | undefined;
  /**
   * The SPKI PEM of the public key; `undefined` for HS256.
   * @throws never.
   * @example `fs.writeFileSync('jwt.pub.pem', key.publicKeyPem()!)`
   */
  publicKeyPem(): string | undefined;
  /**
   * JSON-safe export including private material (when present), for persistence.
   * @throws never.
   * @example `await importSigningKey(key.exportPrivate())`
   */
  exportPrivate(): SerializedKey;
}
