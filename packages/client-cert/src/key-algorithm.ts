/**
 * Key algorithms supported for certificate authorities, client certificates and challenge signatures.
 *
 * ML-DSA per FIPS 204 with X.509 identifiers from RFC 9881; ECDSA P-256, Ed25519 (RFC 8410) and RSA-3072
 * per RFC 5280 / RFC 4055 for clients that cannot do post-quantum signatures yet (browsers, PKCS#12 readers).
 */

/** A key algorithm name, as used throughout `@city/client-cert`. */
export type KeyAlgorithm = 'ml-dsa-44' | 'ml-dsa-65' | 'ml-dsa-87' | 'ecdsa-p256' | 'ed25519' | 'rsa-3072';

/**
 * Every supported {@link KeyAlgorithm}, strongest post-quantum default first.
 *
 * @example
 * ```ts
 * for (const alg of KEY_ALGORITHMS) await generateKeyPair(alg);
 * ```
 */
export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = Object.freeze([
  'ml-dsa-65',
  'ml-dsa-44',
  'ml-dsa-87',
  'ecdsa-p256',
  'ed25519',
  'rsa-3072',
]);
