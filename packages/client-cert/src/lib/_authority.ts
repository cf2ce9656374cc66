/**
 * Resolving a CA certificate (and optionally its key) into the pieces issuing and verification need.
 * The CA is checked every time it is used (RFC 5280 4.2.1.9 basicConstraints cA, 4.2.1.3 keyCertSign,
 * self-signature), so a wrong file configured as CA fails loudly instead of issuing unusable certificates.
 */
import type { KeyObject } from 'node:crypto';
import type * as pkijs from 'pkijs';
import { CertificateError } from '../certificate-error.js';
import type { KeyAlgorithm } from '../key-algorithm.js';
import { spkiDerOf, verifyBytes } from './_algorithms.js';
import { assertObject } from './_guards.js';
import { parsePrivateKeyPem, parseSpkiDer } from './_keys.js';
import {
  certificateDer,
  isSignatureAlgorithm,
  KEY_USAGE,
  keyIdentifier,
  parseCertificate,
  readExtensions,
  spkiDerOfCertificate,
} from './_x509.js';

export interface ResolvedAuthority {
  readonly der: Uint8Array;
  readonly cert: pkijs.Certificate;
  readonly publicKey: KeyObject;
  readonly algorithm: KeyAlgorithm;
  readonly keyIdentifier: Uint8Array;
}

/** The CA certificate from `ca.certificatePem`, checked to be a usable, self-signed CA. */
export function resolveAuthority(ca: unknown, name = 'ca'): ResolvedAuthority {
  assertObject(ca, name);
  const der = certificateDer(ca.certificatePem, `${name}.certificatePem`);
  const cert = parseCertificate(der, `${name}.certificatePem`);
  const { key: publicKey, algorithm } = parseSpkiDer(spkiDerOfCertificate(cert));
  if (algorithm === 'ml-dsa-44') {
    throw new CertificateError(
      'KEY_ALGORITHM_UNSUPPORTED',
      'ml-dsa-44 is not accepted for a certificate authority',
    );
  }
  const ext = readExtensions(cert);
  if (
    ext.basicConstraints?.cA !== true ||
    ext.keyUsage === undefined ||
    !(ext.keyUsage & KEY_USAGE.keyCertSign)
  ) {
    throw new CertificateError('CERT_USAGE_INVALID', `"${name}" is not a certificate authority certificate`);
  }
  const selfSigned =
    isSignatureAlgorithm(cert.signatureAlgorithm, algorithm) &&
    isSignatureAlgorithm(cert.signature, algorithm) &&
    verifyBytes(algorithm, publicKey, cert.tbsView, cert.signatureValue.valueBlock.valueHexView);
  if (!selfSigned) throw new CertificateError('CERT_SIGNATURE_INVALID', 'signature verification failed');
  return {
    der,
    cert,
    publicKey,
    algorithm,
    keyIdentifier: ext.subjectKeyIdentifier ?? keyIdentifier(cert.subjectPublicKeyInfo),
  };
}

/** {@link resolveAuthority} plus the CA private key, checked to be the certificate's key. */
export function resolveAuthorityWithKey(
  ca: unknown,
  name = 'ca',
): ResolvedAuthority & { privateKey: KeyObject } {
  const resolved = resolveAuthority(ca, name);
  const { key: privateKey } = parsePrivateKeyPem(
    (ca as { privateKeyPem?: unknown }).privateKeyPem,
    `${name}.privateKeyPem`,
  );
  if (!Buffer.from(spkiDerOf(privateKey)).equals(Buffer.from(spkiDerOf(resolved.publicKey)))) {
    throw new CertificateError('KEY_MALFORMED', `"${name}.privateKeyPem" does not match the CA certificate`);
  }
  return { ...resolved, privateKey };
}
