/**
 * Device proof of possession: a signature over the server's login challenge with the device key.
 * ML-DSA is "pure" ML-DSA per FIPS 204 (empty context), Ed25519 per RFC 8032, ECDSA P-256 with SHA-256 in
 * IEEE P1363 form (r‖s, 64 octets, what WebCrypto produces), RSA PKCS#1 v1.5 with SHA-256 (RFC 8017).
 */
import { sign } from 'node:crypto';
import { SIGNATURE_PROFILES } from './lib/_algorithms.js';
import { challengeBytes } from './lib/_challenge.js';
import { parsePrivateKeyPem } from './lib/_keys.js';

/**
 * Signs a challenge with a device private key and returns the base64url signature.
 *
 * @throws {CertificateError} `KEY_MALFORMED` / `KEY_ALGORITHM_UNSUPPORTED` for the key; `INVALID_ARGUMENT`
 *   for an empty, over-long (> 64 KiB) or wrongly typed challenge.
 * @example
 * ```ts
 * const signature = signChallenge(device.privateKeyPem, challenge.nonce);
 * ```
 */
export function signChallenge(privateKeyPem: string, challenge: string | Uint8Array): string {
  const { key, algorithm } = parsePrivateKeyPem(privateKeyPem);
  const data = challengeBytes(challenge);
  const signature = sign(
    SIGNATURE_PROFILES[algorithm].digest,
    data,
    algorithm === 'ecdsa-p256' ? { key, dsaEncoding: 'ieee-p1363' } : key,
  );
  return signature.toString('base64url');
}
