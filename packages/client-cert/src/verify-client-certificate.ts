/**
 * Client certificate validation against our single-level hierarchy (RFC 5280 section 6, reduced to one CA):
 * issuer name and AKI match the CA, the signature algorithm is the CA key's (RFC 9881 for ML-DSA, checked
 * against the key, never chosen by the certificate), the signature verifies with `node:crypto`, the validity
 * window contains `now`, the profile allows client authentication (cA=FALSE, keyUsage digitalSignature,
 * EKU id-kp-clientAuth), and the serial is not revoked.
 */
import { CertificateError } from './certificate-error.js';
import type { CertificateInfo } from './certificate-info.js';
import type { CertificateAuthority } from './create-certificate-authority.js';
import { verifyBytes } from './lib/_algorithms.js';
import { type ResolvedAuthority, resolveAuthority } from './lib/_authority.js';
import { certificateMemo, isIssuedBy } from './lib/_certificate-memo.js';
import { assertObject, assertOptionalDate, invalidArgument, typeName } from './lib/_guards.js';
import { certificateInfo } from './lib/_info.js';
import { parseSpkiDer } from './lib/_keys.js';
import {
  certificateDer,
  isSignatureAlgorithm,
  KEY_USAGE,
  OID,
  parseCertificate,
  readExtensions,
  serialToHex,
  spkiDerOfCertificate,
} from './lib/_x509.js';

/** Options for {@link verifyClientCertificate}. */
export interface VerifyClientCertificateOptions {
  /** The issuing CA; only its certificate is used. */
  readonly ca: CertificateAuthority | { readonly certificatePem: string };
  readonly now?: Date;
  /** Revocation lookup by lower-case hex serial number. */
  readonly isRevoked?: (serialNumber: string) => boolean | Promise<boolean>;
}

/**
 * Verifies a client certificate issued by `ca` and returns what it certifies.
 *
 * @throws {CertificateError} `CERT_MALFORMED` (not a v3 certificate), `CERT_SIGNATURE_INVALID` (tampered or
 *   issued by another CA), `CERT_EXPIRED`, `CERT_NOT_YET_VALID`, `CERT_USAGE_INVALID` (not a client-auth
 *   end-entity certificate), `CERT_REVOKED`; `INVALID_ARGUMENT` for wrong argument types.
 * @example
 * ```ts
 * const info = await verifyClientCertificate(pem, { ca, isRevoked: (s) => revoked.has(s) });
 * info.userUuid; info.deviceId;
 * ```
 */
export async function verifyClientCertificate(
  pem: string,
  options: VerifyClientCertificateOptions,
): Promise<CertificateInfo> {
  if (typeof pem !== 'string') throw invalidArgument(`"pem" expected a string, got ${typeName(pem)}`);
  assertObject(options, 'options');
  const now = assertOptionalDate(options.now, 'options.now');
  if (options.isRevoked !== undefined && typeof options.isRevoked !== 'function') {
    throw invalidArgument('"options.isRevoked" expected a function');
  }
  const ca = resolveAuthority(options.ca, 'options.ca');

  // The bytes-only work (parse, description, CA signature per CA) comes from the memo; the time- and
  // state-dependent checks below run on every call, in the same order as the unmemoised path.
  const certificate = certificateMemo.get(pem, 'pem');
  const profile = certificate.profile;
  if (profile === undefined) return verifyUnmemoised(pem, ca, now, options.isRevoked);
  if (!isIssuedBy(certificate, ca)) {
    throw new CertificateError('CERT_SIGNATURE_INVALID', 'signature verification failed');
  }
  if (now.getTime() < profile.notBeforeMs) {
    throw new CertificateError('CERT_NOT_YET_VALID', 'certificate is not yet valid');
  }
  if (now.getTime() > profile.notAfterMs) {
    throw new CertificateError('CERT_EXPIRED', 'certificate has expired');
  }
  if (!profile.clientAuth) {
    throw new CertificateError('CERT_USAGE_INVALID', 'certificate is not valid for client authentication');
  }
  if (certificate.key === undefined) {
    try {
      parseSpkiDer(certificate.spkiDer);
    } catch (cause) {
      throw new CertificateError('CERT_USAGE_INVALID', 'certificate key algorithm is not supported', {
        cause,
      });
    }
  }
  if (options.isRevoked !== undefined && (await options.isRevoked(profile.serialNumber))) {
    throw new CertificateError('CERT_REVOKED', 'certificate has been revoked');
  }
  // A fresh object with fresh Dates: a caller changing what it got must not change the next answer.
  const { info } = profile;
  return {
    ...info,
    notBefore: new Date(info.notBefore.getTime()),
    notAfter: new Date(info.notAfter.getTime()),
  };
}

/**
 * The full check without the memo, for certificates whose profile could not be read: it throws exactly
 * what it always threw (not v3, malformed or repeated extensions, unknown critical extension).
 */
async function verifyUnmemoised(
  pem: string,
  ca: ResolvedAuthority,
  now: Date,
  isRevoked: VerifyClientCertificateOptions['isRevoked'],
): Promise<CertificateInfo> {
  const der = certificateDer(pem, 'pem');
  const cert = parseCertificate(der, 'pem');
  if (cert.version !== 2) throw new CertificateError('CERT_MALFORMED', 'certificate is not X.509 v3');
  const ext = readExtensions(cert);
  const info = certificateInfo(cert, der);

  const issuedByCa =
    Buffer.from(cert.issuer.toSchema().toBER(false)).equals(ca.subjectDer) &&
    (ext.authorityKeyIdentifier === undefined ||
      Buffer.from(ext.authorityKeyIdentifier).equals(Buffer.from(ca.keyIdentifier))) &&
    isSignatureAlgorithm(cert.signatureAlgorithm, ca.algorithm) &&
    isSignatureAlgorithm(cert.signature, ca.algorithm) &&
    verifyBytes(ca.algorithm, ca.publicKey, cert.tbsView, cert.signatureValue.valueBlock.valueHexView);
  if (!issuedByCa) throw new CertificateError('CERT_SIGNATURE_INVALID', 'signature verification failed');

  if (now.getTime() < cert.notBefore.value.getTime()) {
    throw new CertificateError('CERT_NOT_YET_VALID', 'certificate is not yet valid');
  }
  if (now.getTime() > cert.notAfter.value.getTime()) {
    throw new CertificateError('CERT_EXPIRED', 'certificate has expired');
  }

  const clientAuth =
    ext.basicConstraints !== undefined &&
    !ext.basicConstraints.cA &&
    ext.keyUsage !== undefined &&
    (ext.keyUsage & KEY_USAGE.digitalSignature) !== 0 &&
    ext.extKeyUsage?.includes(OID.clientAuth) === true;
  if (!clientAuth) {
    throw new CertificateError('CERT_USAGE_INVALID', 'certificate is not valid for client authentication');
  }
  try {
    parseSpkiDer(spkiDerOfCertificate(cert));
  } catch (cause) {
    throw new CertificateError('CERT_USAGE_INVALID', 'certificate key algorithm is not supported', { cause });
  }

  if (isRevoked !== undefined && (await isRevoked(serialToHex(cert.serialNumber)))) {
    throw new CertificateError('CERT_REVOKED', 'certificate has been revoked');
  }
  return info;
}
