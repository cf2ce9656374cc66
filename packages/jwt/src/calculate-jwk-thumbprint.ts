/**
 * JWK Thumbprint, RFC 7638: SHA-256 over the JSON of the required public members in
 * lexicographic order with no whitespace, base64url-encoded. Required members per key type:
 * RFC 7638 §3.2 (EC, RSA, oct), RFC 8037 §2 (OKP) and RFC 9964 (AKP: `alg`, `kty`, `pub`).
 */
import { createHash } from 'node:crypto';
import type { Jwk } from './jwk.js';
import { JwtError } from './jwt-error.js';

const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  AKP: ['alg', 'kty', 'pub'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
  oct: ['k', 'kty'],
};

/**
 * The RFC 7638 SHA-256 thumbprint of a JWK (used as the default `kid`).
 *
 * @throws {JwtError} `KEY_INVALID` when `kty` is unsupported or a required member is missing.
 * @example
 * ```ts
 * calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' });
 * // 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k' (RFC 8037 §A.3)
 * ```
 */
export function calculateJwkThumbprint(jwk: Jwk): string {
  if (typeof jwk !== 'object' || jwk === null || typeof jwk.kty !== 'string') {
    throw new JwtError('KEY_INVALID', '"jwk" expected an object with a string "kty"');
  }
  const members = Object.hasOwn(REQUIRED_MEMBERS, jwk.kty) ? REQUIRED_MEMBERS[jwk.kty] : undefined;
  if (members === undefined)
    throw new JwtError('KEY_INVALID', `unsupported JWK "kty" ${JSON.stringify(jwk.kty)}`);
  const required: Record<string, string> = {};
  for (const name of members) {
    const value = jwk[name];
    if (typeof value !== 'string' || value === '') {
      throw new JwtError('KEY_INVALID', `JWK member "${name}" missing or not a string`);
    }
    required[name] = value;
  }
  return createHash('sha256').update(JSON.stringify(required)).digest('base64url');
}
