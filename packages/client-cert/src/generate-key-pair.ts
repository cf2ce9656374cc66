/**
 * Key pair generation with native `node:crypto` (OpenSSL 3.5): ML-DSA per FIPS 204 (keys encoded per
 * RFC 9881), ECDSA P-256, Ed25519 (RFC 8410) and RSA-3072. Private keys are PKCS#8 PEM (RFC 5208), public
 * keys SPKI PEM (RFC 5280).
 */
import type { KeyAlgorithm } from './key-algorithm.js';
import { assertKeyAlgorithm } from './lib/_guards.js';
import { generateEncodedKeyPair } from './lib/_keygen.js';

/** A freshly generated key pair in PEM form. */
export interface GeneratedKeyPair {
  readonly algorithm: KeyAlgorithm;
  /** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), unencrypted: protect it at rest. */
  readonly privateKeyPem: string;
  /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`). */
  readonly publicKeyPem: string;
}

/**
 * Generates a key pair for `algorithm` off the event loop.
 *
 * @throws {CertificateError} `INVALID_ARGUMENT` when `algorithm` is not a {@link KeyAlgorithm}.
 * @example
 * ```ts
 * const { privateKeyPem, publicKeyPem } = await generateKeyPair('ml-dsa-65');
 * ```
 */
export async function generateKeyPair(algorithm: KeyAlgorithm): Promise<GeneratedKeyPair> {
  assertKeyAlgorithm(algorithm, 'algorithm');
  const { publicKey, privateKeyPem } = await generateEncodedKeyPair(algorithm, 'pem');
  return { algorithm, privateKeyPem, publicKeyPem: publicKey };
}
