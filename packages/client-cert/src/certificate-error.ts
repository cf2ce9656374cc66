/**
 * The error type thrown on purpose by `@city/client-cert`.
 *
 * Codes are stable (RFC 5280 path validation outcomes mapped to one code each) so the API can map them to
 * HTTP statuses in one table. Crypto failures carry fixed generic messages: they never echo key material or
 * say which byte of a signature was wrong.
 */
import { CityError } from '@city/errors';

/** Every code a {@link CertificateError} can carry. */
export type CertificateErrorCode =
  | 'CERT_MALFORMED'
  | 'CERT_SIGNATURE_INVALID'
  | 'CERT_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_REVOKED'
  | 'CERT_USAGE_INVALID'
  | 'CERT_FINGERPRINT_MALFORMED'
  | 'CERT_PKCS12_UNSUPPORTED'
  | 'CSR_MALFORMED'
  | 'CSR_SIGNATURE_INVALID'
  | 'KEY_ALGORITHM_UNSUPPORTED'
  | 'KEY_MALFORMED'
  | 'INVALID_ARGUMENT';

/**
 * A certificate, CSR, key or argument problem with a stable `code`.
 *
 * @example
 * ```ts
 * try { await verifyClientCertificate(pem, { ca }); }
 * catch (err) { if (err instanceof CertificateError && err.code === 'CERT_EXPIRED') renew(); }
 * ```
 */
export class CertificateError extends CityError {
  declare readonly code: CertificateErrorCode;
}
