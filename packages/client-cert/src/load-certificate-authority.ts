/**
 * Loading a persisted certificate authority: the certificate must be a self-signed CA per RFC 5280
 * (basicConstraints cA, keyUsage keyCertSign, valid self-signature) and the private key (PKCS#8, RFC 5208;
 * ML-DSA per RFC 9881 / FIPS 204) must be the certificate's key.
 */
import { createHash } from 'node:crypto';
import type { CertificateAuthority } from './create-certificate-authority.js';
import { resolveAuthorityWithKey } from './lib/_authority.js';
import { derToPem } from './lib/_pem.js';

/**
 * Loads and checks a CA from its certificate and private key PEM.
 *
 * @throws {CertificateError} `CERT_MALFORMED` / `CERT_USAGE_INVALID` / `CERT_SIGNATURE_INVALID` for a bad CA
 *   certificate; `KEY_MALFORMED` for an unreadable key or one that does not match the certificate;
 *   `KEY_ALGORITHM_UNSUPPORTED` for other algorithms (and `ml-dsa-44`); `INVALID_ARGUMENT` for wrong types.
 * @example
 * ```ts
 * const ca = await loadCertificateAuthority({ certificatePem, privateKeyPem });
 * ```
 */
export async function loadCertificateAuthority(input: {
  certificatePem: string;
  privateKeyPem: string;
}): Promise<CertificateAuthority> {
  const resolved = resolveAuthorityWithKey(input, 'input');
  return {
    certificatePem: derToPem(resolved.der, 'CERTIFICATE'),
    privateKeyPem: input.privateKeyPem,
    algorithm: resolved.algorithm,
    fingerprint: createHash('sha256').update(resolved.der).digest('hex'),
  };
}
