/**
 * Self-signed root certificate authority per RFC 5280: X.509 v3, basicConstraints cA=TRUE pathLen=0
 * (critical), keyUsage keyCertSign|cRLSign (critical), subjectKeyIdentifier (RFC 7093 method 1).
 * ML-DSA keys and signatures per FIPS 204 with the RFC 9881 identifiers; the certificate structure is built
 * by pkijs and signed with native `node:crypto`.
 */
import { createHash, createPrivateKey } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { KeyAlgorithm } from './key-algorithm.js';
import { signBytes } from './lib/_algorithms.js';
import { assertAuthorityAlgorithm } from './lib/_authority.js';
import { assertKeyAlgorithm, assertObject, invalidArgument } from './lib/_guards.js';
import { generateEncodedKeyPair } from './lib/_keygen.js';
import { derToPem } from './lib/_pem.js';
import { requestedValidity } from './lib/_validity.js';
import {
  algorithmIdentifier,
  buildName,
  extension,
  KEY_USAGE,
  keyIdentifier,
  keyUsageValue,
  OID,
  publicKeyInfoFromSpki,
  randomSerial,
  signStructure,
  timeOf,
} from './lib/_x509.js';

/** A certificate authority: its certificate, its private key and derived facts. */
export interface CertificateAuthority {
  /** The self-signed CA certificate (PEM). Public: clients and verifiers pin it. */
  readonly certificatePem: string;
  /** The CA private key (PKCS#8 PEM). Secret: keep it in the key vault. */
  readonly privateKeyPem: string;
  readonly algorithm: KeyAlgorithm;
  /** SHA-256 fingerprint of the CA certificate (lower hex, no colons). */
  readonly fingerprint: string;
}

/** Options for {@link createCertificateAuthority}. */
export interface CreateCertificateAuthorityOptions {
  /** Key algorithm; default `ml-dsa-65`. `ml-dsa-44` is refused for a long-lived root. */
  readonly algorithm?: KeyAlgorithm;
  /** Subject common name; default `City Chain Auth Root CA`. At most 64 characters (RFC 5280 ub-common-name). */
  readonly commonName?: string;
  /** Validity in days from `now`; default 3650. */
  readonly validityDays?: number;
  readonly now?: Date;
}

/**
 * Creates a new self-signed root CA with a freshly generated key.
 *
 * @throws {CertificateError} `INVALID_ARGUMENT` for bad options; `KEY_ALGORITHM_UNSUPPORTED` for `ml-dsa-44`.
 * @example
 * ```ts
 * const ca = await createCertificateAuthority({ algorithm: 'ml-dsa-65', commonName: 'City Chain Auth CA' });
 * ```
 */
export async function createCertificateAuthority(
  options: CreateCertificateAuthorityOptions = {},
): Promise<CertificateAuthority> {
  assertObject(options, 'options');
  const algorithm = options.algorithm ?? 'ml-dsa-65';
  assertKeyAlgorithm(algorithm, 'options.algorithm');
  assertAuthorityAlgorithm(algorithm);
  const commonName = options.commonName ?? 'City Chain Auth Root CA';
  if (typeof commonName !== 'string' || commonName.length === 0 || commonName.length > 64) {
    throw invalidArgument('"options.commonName" expected a string of 1 to 64 characters');
  }
  if (/[^ -~\u0080-\uffff]/.test(commonName)) {
    throw invalidArgument('"options.commonName" must not contain control characters');
  }
  const { notBefore, notAfter } = requestedValidity(options, 3650, 36500);

  // As for issued keys: OpenSSL hands back the SPKI as DER while generating, so it is not derived again.
  const keys = await generateEncodedKeyPair(algorithm, 'der');
  const privateKey = createPrivateKey(keys.privateKeyPem);
  const spki = publicKeyInfoFromSpki(keys.publicKey);
  const name = buildName([[OID.commonName, commonName]]);
  const ski = keyIdentifier(spki);

  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = randomSerial().integer;
  cert.signature = algorithmIdentifier(algorithm);
  cert.issuer = name;
  cert.subject = buildName([[OID.commonName, commonName]]);
  cert.notBefore = timeOf(notBefore);
  cert.notAfter = timeOf(notAfter);
  cert.subjectPublicKeyInfo = spki;
  cert.extensions = [
    extension(
      OID.basicConstraints,
      true,
      new pkijs.BasicConstraints({ cA: true, pathLenConstraint: 0 }).toSchema(),
    ),
    extension(OID.keyUsage, true, keyUsageValue(KEY_USAGE.keyCertSign | KEY_USAGE.cRLSign)),
    extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: ski })),
  ];
  const der = signStructure(cert, algorithm, (tbs) => signBytes(algorithm, privateKey, tbs));
  return {
    certificatePem: derToPem(der, 'CERTIFICATE'),
    privateKeyPem: keys.privateKeyPem,
    algorithm,
    fingerprint: createHash('sha256').update(der).digest('hex'),
  };
}
