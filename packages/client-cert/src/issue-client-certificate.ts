/**
 * Issuing end-entity client certificates per RFC 5280 under the profile documented in the README:
 * v3, subject `CN=<userUuid>, UID=<deviceId>`, basicConstraints cA=FALSE (critical), keyUsage
 * digitalSignature (critical), extKeyUsage id-kp-clientAuth, SKI (RFC 7093 method 1), AKI = CA SKI, 128-bit
 * CSPRNG serial. The key comes from a PKCS#10 request (RFC 2986, proof of possession checked) or is generated
 * here (ML-DSA per FIPS 204 / RFC 9881, ECDSA P-256, Ed25519, RSA-3072). The TBSCertificate is written as
 * DER directly from per-CA precomputed pieces (see lib/_client-certificate-der.ts) and signed by `node:crypto`.
 */
import { createHash } from 'node:crypto';
import type { CertificateAuthority } from './create-certificate-authority.js';
import type { KeyAlgorithm } from './key-algorithm.js';
import { signBytes } from './lib/_algorithms.js';
import { resolveAuthorityWithKey } from './lib/_authority.js';
import { encodeClientCertificateTbs, wrapSignedCertificate } from './lib/_client-certificate-der.js';
import { verifyCsr } from './lib/_csr.js';
import { assertKeyAlgorithm, assertObject, invalidArgument } from './lib/_guards.js';
import { UUID_PATTERN } from './lib/_info.js';
import { generateEncodedKeyPair } from './lib/_keygen.js';
import { derToPem } from './lib/_pem.js';
import { requestedValidity } from './lib/_validity.js';
import { randomSerialBytes, wholeSeconds } from './lib/_x509.js';

/** Device ids are opaque, but restricted to a safe alphabet so they survive every name rendering. */
const DEVICE_ID_PATTERN = /^[A-Za-z0-9._~:@+-]{1,128}$/;

/** Options for {@link issueClientCertificate}. */
export interface IssueClientCertificateOptions {
  readonly ca: CertificateAuthority;
  /** The user's UUID (RFC 9562 text form); becomes the subject CN in lower case. */
  readonly userUuid: string;
  /** The device id; becomes the subject UID attribute. 1–128 of `A-Z a-z 0-9 . _ ~ : @ + -`. */
  readonly deviceId: string;
  /** Key algorithm for a server-generated key (default `ml-dsa-65`); with a CSR it must match the CSR key. */
  readonly algorithm?: KeyAlgorithm;
  /** PKCS#10 request from the device; when present no private key is generated or returned. */
  readonly csrPem?: string;
  /** Validity in days (default 365, at most 3650); never extends past the CA's notAfter. */
  readonly validityDays?: number;
  readonly now?: Date;
}

/** A newly issued client certificate. */
export interface IssuedCertificate {
  readonly certificatePem: string;
  /** PKCS#8 PEM, only when the server generated the key. Hand it over once; do not store it. */
  readonly privateKeyPem?: string;
  /** SHA-256 of the DER, lower hex, no colons. */
  readonly fingerprint: string;
  /** Lower-case hex. */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly algorithm: KeyAlgorithm;
}

/**
 * Issues a client-authentication certificate for a user's device, from a CSR or a server-generated key.
 *
 * @throws {CertificateError} `INVALID_ARGUMENT` for a bad UUID, device id or option; `CSR_MALFORMED` /
 *   `CSR_SIGNATURE_INVALID` for a bad request; `KEY_ALGORITHM_UNSUPPORTED` for an unsupported CSR key;
 *   CA problems as in `loadCertificateAuthority`.
 * @example
 * ```ts
 * const issued = await issueClientCertificate({ ca, userUuid, deviceId: 'phone-1', csrPem });
 * ```
 */
export async function issueClientCertificate(
  options: IssueClientCertificateOptions,
): Promise<IssuedCertificate> {
  assertObject(options, 'options');
  const { userUuid, deviceId, csrPem } = options;
  if (typeof userUuid !== 'string' || !UUID_PATTERN.test(userUuid)) {
    throw invalidArgument('"options.userUuid" expected a UUID (8-4-4-4-12 hex digits)');
  }
  if (typeof deviceId !== 'string' || !DEVICE_ID_PATTERN.test(deviceId)) {
    throw invalidArgument('"options.deviceId" expected 1 to 128 characters of A-Z a-z 0-9 . _ ~ : @ + -');
  }
  if (options.algorithm !== undefined) assertKeyAlgorithm(options.algorithm, 'options.algorithm');
  const { notBefore, notAfter: requested } = requestedValidity(options, 365, 3650);
  const ca = resolveAuthorityWithKey(options.ca, 'options.ca');

  const csr = csrPem === undefined ? undefined : verifyCsr(csrPem, 'options.csrPem');
  if (csr !== undefined && options.algorithm !== undefined && options.algorithm !== csr.algorithm) {
    throw invalidArgument('"options.algorithm" does not match the key in "options.csrPem"');
  }

  const caNotAfter = ca.cert.notAfter.value;
  const notAfter = requested > caNotAfter ? wholeSeconds(caNotAfter) : requested;
  if (notAfter <= notBefore)
    throw invalidArgument('the CA certificate has expired or expires before "options.now"');

  let algorithm: KeyAlgorithm;
  let spkiDer: Uint8Array;
  let privateKeyPem: string | undefined;
  if (csr !== undefined) {
    algorithm = csr.algorithm;
    spkiDer = csr.spkiDer;
  } else {
    algorithm = options.algorithm ?? 'ml-dsa-65';
    // Generated on the thread pool. OpenSSL hands back the SPKI as DER, which goes into the certificate
    // unparsed; the private key PEM is made once, for the caller.
    const keys = await generateEncodedKeyPair(algorithm, 'der');
    privateKeyPem = keys.privateKeyPem;
    spkiDer = keys.publicKey;
  }

  const serial = randomSerialBytes();

  const tbs = encodeClientCertificateTbs(ca, {
    serial,
    notBefore,
    notAfter,
    commonName: userUuid.toLowerCase(),
    userId: deviceId,
    spkiDer,
  });
  const der = wrapSignedCertificate(ca, tbs, signBytes(ca.algorithm, ca.privateKey, tbs));
  return {
    certificatePem: derToPem(der, 'CERTIFICATE'),
    ...(privateKeyPem !== undefined ? { privateKeyPem } : {}),
    fingerprint: createHash('sha256').update(der).digest('hex'),
    serialNumber: serial.toString('hex'),
    notBefore,
    notAfter,
    algorithm,
  };
}
