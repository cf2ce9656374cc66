/** PKCS#10 certification request parsing and proof-of-possession check (RFC 2986 section 3). */
import * as pkijs from 'pkijs';
import { CertificateError } from '../certificate-error.js';
import { verifyBytes } from './_algorithms.js';
import { assertString } from './_guards.js';
import { type ParsedKey, parseSpkiDer } from './_keys.js';
import { pemToDer } from './_pem.js';
import { isSignatureAlgorithm, isSingleDerValue } from './_x509.js';

export interface VerifiedCsr extends ParsedKey {
  readonly spkiDer: Uint8Array;
}

/** The CSR's public key, after checking its self-signature with that key. */
export function verifyCsr(csrPem: unknown, name = 'csrPem'): VerifiedCsr {
  assertString(csrPem, name);
  const der = pemToDer(csrPem, 'CERTIFICATE REQUEST') ?? pemToDer(csrPem, 'NEW CERTIFICATE REQUEST');
  if (der === undefined) throw malformed(name);
  let csr: pkijs.CertificationRequest;
  let spkiDer: Uint8Array;
  try {
    if (!isSingleDerValue(der)) throw new Error('not a single DER value');
    csr = pkijs.CertificationRequest.fromBER(der);
    if (csr.version !== 0) throw new Error('unsupported CSR version');
    spkiDer = new Uint8Array(csr.subjectPublicKeyInfo.toSchema().toBER(false));
  } catch (cause) {
    throw malformed(name, cause);
  }
  const parsed = parseSpkiDer(spkiDer);
  const ok =
    isSignatureAlgorithm(csr.signatureAlgorithm, parsed.algorithm) &&
    verifyBytes(parsed.algorithm, parsed.key, csr.tbsView, csr.signatureValue.valueBlock.valueHexView);
  if (!ok) throw new CertificateError('CSR_SIGNATURE_INVALID', 'signature verification failed');
  return { ...parsed, spkiDer };
}

function malformed(name: string, cause?: unknown): CertificateError {
  return new CertificateError('CSR_MALFORMED', `"${name}" is not a well-formed PKCS#10 request`, { cause });
}
