/**
 * Resolving a CA certificate (and optionally its key) into the pieces issuing and verification need.
 * The CA is checked the first time it is used (RFC 5280 4.2.1.9 basicConstraints cA, 4.2.1.3 keyCertSign,
 * self-signature, private key matching the certificate), so a wrong file configured as CA fails loudly
 * instead of issuing unusable certificates. The checked result is cached per CA object (and, for the
 * public part only, per certificate PEM) so issuing and verifying do not re-parse the CA on every call; a
 * cached entry is used only while the object still holds the exact PEM strings it was resolved from, and
 * failures are never cached. Private keys are cached only against the CA object (a WeakMap), never
 * against their PEM text, so no secret outlives the object that carried it.
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
  /** DER of the CA subject Name, compared against the issuer of certificates being verified. */
  readonly subjectDer: Uint8Array;
  readonly cert: pkijs.Certificate;
  readonly publicKey: KeyObject;
  readonly algorithm: KeyAlgorithm;
  readonly keyIdentifier: Uint8Array;
}

interface CachedAuthority {
  readonly certificatePem: string;
  readonly resolved: ResolvedAuthority;
  privateKeyPem?: string;
  /** The resolved CA with its checked key; one object per CA object, so per-CA caches can key on it. */
  withKey?: AuthorityWithKey;
}

export type AuthorityWithKey = ResolvedAuthority & { readonly privateKey: KeyObject };

/** Resolved CAs by the object the caller passes (`CertificateAuthority` or `{ certificatePem }`). */
const byObject = new WeakMap<object, CachedAuthority>();
/** Resolved CA certificates by PEM text, for callers that build a fresh `{ certificatePem }` per call. */
const byCertificatePem = new Map<string, ResolvedAuthority>();
/** A deployment trusts one CA, a few during rotation; tests create many. Oldest entries go first. */
const MAX_CERTIFICATE_PEM_ENTRIES = 16;

/** The CA certificate from `ca.certificatePem`, checked to be a usable, self-signed CA. */
export function resolveAuthority(ca: unknown, name = 'ca'): ResolvedAuthority {
  assertObject(ca, name);
  const certificatePem = ca.certificatePem;
  // Only PEM strings are cached: DER bytes could be changed in place after the check.
  if (typeof certificatePem !== 'string') return checkAuthority(certificatePem, name);
  const cached = byObject.get(ca);
  if (cached !== undefined && cached.certificatePem === certificatePem) return cached.resolved;
  let resolved = byCertificatePem.get(certificatePem);
  if (resolved === undefined) {
    resolved = checkAuthority(certificatePem, name);
    if (byCertificatePem.size >= MAX_CERTIFICATE_PEM_ENTRIES) {
      const oldest = byCertificatePem.keys().next().value;
      if (oldest !== undefined) byCertificatePem.delete(oldest);
    }
    byCertificatePem.set(certificatePem, resolved);
  }
  byObject.set(ca, { certificatePem, resolved });
  return resolved;
}

/** {@link resolveAuthority} plus the CA private key, checked to be the certificate's key. */
export function resolveAuthorityWithKey(ca: unknown, name = 'ca'): AuthorityWithKey {
  const resolved = resolveAuthority(ca, name);
  const privateKeyPem = (ca as { privateKeyPem?: unknown }).privateKeyPem;
  const cached = byObject.get(ca as object);
  if (
    cached?.withKey !== undefined &&
    cached.resolved === resolved &&
    cached.privateKeyPem === privateKeyPem
  ) {
    return cached.withKey;
  }
  const { key: privateKey } = parsePrivateKeyPem(privateKeyPem, `${name}.privateKeyPem`);
  if (!Buffer.from(spkiDerOf(privateKey)).equals(Buffer.from(spkiDerOf(resolved.publicKey)))) {
    throw new CertificateError('KEY_MALFORMED', `"${name}.privateKeyPem" does not match the CA certificate`);
  }
  const withKey: AuthorityWithKey = Object.freeze({ ...resolved, privateKey });
  if (cached !== undefined && cached.resolved === resolved && typeof privateKeyPem === 'string') {
    cached.privateKeyPem = privateKeyPem;
    cached.withKey = withKey;
  }
  return withKey;
}

/** `KEY_ALGORITHM_UNSUPPORTED` for ml-dsa-44 (NIST category 2): too weak for a long-lived root. */
export function assertAuthorityAlgorithm(algorithm: KeyAlgorithm): void {
  if (algorithm === 'ml-dsa-44') {
    throw new CertificateError(
      'KEY_ALGORITHM_UNSUPPORTED',
      'ml-dsa-44 is not accepted for a certificate authority',
    );
  }
}

function checkAuthority(certificatePem: unknown, name: string): ResolvedAuthority {
  const der = certificateDer(certificatePem, `${name}.certificatePem`);
  const cert = parseCertificate(der, `${name}.certificatePem`);
  const { key: publicKey, algorithm } = parseSpkiDer(spkiDerOfCertificate(cert));
  assertAuthorityAlgorithm(algorithm);
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
  return Object.freeze({
    der,
    subjectDer: new Uint8Array(cert.subject.toSchema().toBER(false)),
    cert,
    publicKey,
    algorithm,
    keyIdentifier: ext.subjectKeyIdentifier ?? keyIdentifier(cert.subjectPublicKeyInfo),
  });
}
