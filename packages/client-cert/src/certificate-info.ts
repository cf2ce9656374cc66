/** What a certificate says about itself (RFC 5280 fields), as `inspectCertificate` reads it. */
import type { KeyAlgorithm } from './key-algorithm.js';

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
