/** Building the public `CertificateInfo` view of a parsed certificate (RFC 5280 fields, our subject layout). */
import { createHash, createPublicKey } from 'node:crypto';
import type * as pkijs from 'pkijs';
import type { CertificateInfo } from '../certificate-info.js';
import { keyAlgorithmOf } from './_algorithms.js';
import { derToPem } from './_pem.js';
import { nameToString, OID, readName, serialToHex, spkiDerOfCertificate } from './_x509.js';

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function certificateInfo(cert: pkijs.Certificate, der: Uint8Array): CertificateInfo {
  const subject = readName(cert.subject);
  const issuer = readName(cert.issuer);
  const commonName = subject.find((a) => a.type === OID.commonName)?.value;
  const deviceId = subject.find((a) => a.type === OID.userId)?.value;
  const spkiDer = spkiDerOfCertificate(cert);
  let algorithm: string = cert.subjectPublicKeyInfo.algorithm.algorithmId;
  let publicKeyPem = derToPem(spkiDer, 'PUBLIC KEY');
  try {
    const key = createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' });
    algorithm = keyAlgorithmOf(key) ?? algorithm;
    publicKeyPem = key.export({ format: 'pem', type: 'spki' }).toString();
  } catch {
    // Keys OpenSSL cannot load are still described by their OID and raw SPKI.
  }
  return {
    subject: nameToString(subject),
    issuer: nameToString(issuer),
    ...(commonName !== undefined && UUID_PATTERN.test(commonName)
      ? { userUuid: commonName.toLowerCase() }
      : {}),
    ...(deviceId !== undefined ? { deviceId } : {}),
    algorithm,
    serialNumber: serialToHex(cert.serialNumber),
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    fingerprint: createHash('sha256').update(der).digest('hex'),
    publicKeyPem,
  };
}
