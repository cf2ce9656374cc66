/**
 * Device-side PKCS#10 certification request (RFC 2986), signed with the device key so the CA can check
 * proof of possession. ML-DSA per FIPS 204 / RFC 9881 identifiers; built with pkijs, signed by `node:crypto`.
 */
import * as pkijs from 'pkijs';
import { signBytes, spkiDerOf } from './lib/_algorithms.js';
import { assertObject, invalidArgument } from './lib/_guards.js';
import { parsePrivateKeyPem } from './lib/_keys.js';
import { derToPem } from './lib/_pem.js';
import { buildName, OID, publicKeyInfoFromSpki, signStructure } from './lib/_x509.js';

/**
 * Creates a PKCS#10 CSR (PEM) for a device's own private key. The CA sets the final subject itself.
 *
 * @throws {CertificateError} `KEY_MALFORMED` / `KEY_ALGORITHM_UNSUPPORTED` for the key;
 *   `INVALID_ARGUMENT` for a bad `commonName`.
 * @example
 * ```ts
 * const { privateKeyPem } = await generateKeyPair('ecdsa-p256');
 * const csrPem = await createCertificateSigningRequest({ privateKeyPem, commonName: 'my-phone' });
 * ```
 */
export async function createCertificateSigningRequest(input: {
  privateKeyPem: string;
  commonName?: string;
}): Promise<string> {
  assertObject(input, 'input');
  const { key, algorithm } = parsePrivateKeyPem(input.privateKeyPem, 'input.privateKeyPem');
  const commonName = input.commonName ?? 'City Chain Auth device';
  if (typeof commonName !== 'string' || commonName.length === 0 || commonName.length > 64) {
    throw invalidArgument('"input.commonName" expected a string of 1 to 64 characters');
  }
  const csr = new pkijs.CertificationRequest();
  csr.version = 0;
  csr.subject = buildName([[OID.commonName, commonName]]);
  csr.subjectPublicKeyInfo = publicKeyInfoFromSpki(spkiDerOf(key));
  const der = signStructure(csr, algorithm, (tbs) => signBytes(algorithm, key, tbs));
  return derToPem(der, 'CERTIFICATE REQUEST');
}
