/**
 * Reading a certificate without trusting it (RFC 5280 fields). The subject layout of client certificates
 * is `CN=<userUuid>, UID=<deviceId>` (UID = 0.9.2342.19200300.100.1.1, RFC 4519), both UTF8String.
 */
import type { KeyAlgorithm } from './key-algorithm.js';
import { invalidArgument, typeName } from './lib/_guards.js';
import { certificateInfo } from './lib/_info.js';
import { certificateDer, parseCertificate } from './lib/_x509.js';

/** What a certificate says about itself. Nothing here is verified: use `verifyClientCertificate` for that. */
export interface CertificateInfo {
  /** RFC 4514-style subject, in encoding order (`CN=…, UID=…`). */
  readonly subject: string;
  readonly issuer: string;
  /** The subject CN when it is a UUID (lower case). */
  readonly userUuid?: string;
  /** The subject UID attribute. */
  readonly deviceId?: string;
  /** Subject key algorithm, or the SPKI algorithm OID when it is not a supported one. */
  readonly algorithm: KeyAlgorithm | string;
  /** Serial number, lower-case hex magnitude. */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SHA-256 of the DER, lower hex, no colons (see `certificateFingerprint`). */
  readonly fingerprint: string;
  /** Subject public key, SPKI PEM. */
  readonly publicKeyPem: string;
}

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
