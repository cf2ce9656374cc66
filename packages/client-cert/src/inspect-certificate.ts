/**
 * Reading a certificate without trusting it (RFC 5280 fields). The subject layout of client certificates
 * is `CN=<userUuid>, UID=<deviceId>` (UID = 0.9.2342.19200300.100.1.1, RFC 4519), both UTF8String.
 */
import type { CertificateInfo } from './certificate-info.js';
import { invalidArgument, typeName } from './lib/_guards.js';
import { certificateInfo } from './lib/_info.js';
import { certificateDer, parseCertificate } from './lib/_x509.js';

/**
 * Parses a PEM certificate and describes it, without verifying anything.
 *
 * @throws {CertificateError} `CERT_MALFORMED` when `pem` is not one well-formed certificate;
 *   `INVALID_ARGUMENT` when it is not a string.
 * @example
 * ```ts
 * const { userUuid, deviceId, fingerprint } = inspectCertificate(issued.certificatePem);
 * ```
 */
export function inspectCertificate(pem: string): CertificateInfo {
  if (typeof pem !== 'string') throw invalidArgument(`"pem" expected a string, got ${typeName(pem)}`);
  const der = certificateDer(pem, 'pem');
  return certificateInfo(parseCertificate(der, 'pem'), der);
}
