/**
 * The one certificate fingerprint definition: SHA-256 over the certificate's DER encoding (RFC 5280
 * Certificate, as transported in PEM per RFC 7468), lower-case hex, no separators. The same value as
 * OpenSSL's `x509 -fingerprint -sha256` and Node's `X509Certificate.fingerprint256` once normalised.
 */
import { createHash } from 'node:crypto';
import { certificateDer, parseCertificate } from './lib/_x509.js';

/**
 * SHA-256 fingerprint of a certificate (PEM text or DER bytes) as 64 lower-case hex characters.
 *
 * @throws {CertificateError} `CERT_MALFORMED` when the input is not one well-formed certificate;
 *   `INVALID_ARGUMENT` when it is neither a string nor a Uint8Array.
 * @example
 * ```ts
 * certificateFingerprint(issued.certificatePem); // 'a3f1…' (64 hex chars)
 * ```
 */
export function certificateFingerprint(pemOrDer: string | Uint8Array): string {
  const der = certificateDer(pemOrDer, 'pemOrDer');
  // Parsing first means a fingerprint is never computed over something that is not a certificate.
  parseCertificate(der, 'pemOrDer');
  return createHash('sha256').update(der).digest('hex');
}
