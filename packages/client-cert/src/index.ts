/**
 * @city/client-cert — certificate authority, X.509 client certificates (RFC 5280; ML-DSA per FIPS 204 and
 * RFC 9881), PKCS#10 requests (RFC 2986), CRLs, PKCS#12 export (RFC 7292), fingerprints and device
 * challenge signatures.
 */
export type { CertificateErrorCode } from './certificate-error.js';
export { CertificateError } from './certificate-error.js';
export { certificateFingerprint } from './certificate-fingerprint.js';
export type { CertificateInfo } from './certificate-info.js';
export type {
  CertificateAuthority,
  CreateCertificateAuthorityOptions,
} from './create-certificate-authority.js';
export { createCertificateAuthority } from './create-certificate-authority.js';
export type {
  CreateCertificateRevocationListOptions,
  RevocationReason,
  RevokedCertificateEntry,
} from './create-certificate-revocation-list.js';
export { createCertificateRevocationList } from './create-certificate-revocation-list.js';
export { createCertificateSigningRequest } from './create-certificate-signing-request.js';
export type { ExportPkcs12Input } from './export-pkcs12.js';
export { exportPkcs12 } from './export-pkcs12.js';
export type { GeneratedKeyPair } from './generate-key-pair.js';
export { generateKeyPair } from './generate-key-pair.js';
export { inspectCertificate } from './inspect-certificate.js';
export type { IssueClientCertificateOptions, IssuedCertificate } from './issue-client-certificate.js';
export { issueClientCertificate } from './issue-client-certificate.js';
export type { KeyAlgorithm } from './key-algorithm.js';
export { KEY_ALGORITHMS } from './key-algorithm.js';
export { loadCertificateAuthority } from './load-certificate-authority.js';
export { normalizeFingerprint } from './normalize-fingerprint.js';
export { signChallenge } from './sign-challenge.js';
export { verifyChallengeSignature } from './verify-challenge-signature.js';
export type { VerifyClientCertificateOptions } from './verify-client-certificate.js';
export { verifyClientCertificate } from './verify-client-certificate.js';
