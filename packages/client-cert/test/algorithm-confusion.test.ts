/**
 * Algorithm confusion: the signature algorithm written in a certificate must not choose how it is verified.
 * An attacker rewriting the identifier (ML-DSA-65 → ML-DSA-44, or to an algorithm matching a key they hold)
 * must get CERT_SIGNATURE_INVALID, not a verification under their chosen algorithm.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  createCertificateSigningRequest,
  generateKeyPair,
  issueClientCertificate,
  verifyClientCertificate,
} from '../src/index.js';
import { codeOf, DEVICE_ID, derPem, pemDer, USER_UUID } from './_support.js';

const ML_DSA_65 = Buffer.from('0609608648016503040312', 'hex');
const ML_DSA_44 = Buffer.from('0609608648016503040311', 'hex');

let ca: CertificateAuthority;
beforeAll(async () => {
  ca = await createCertificateAuthority({ algorithm: 'ml-dsa-65' });
});

function replaceAll(der: Buffer, from: Buffer, to: Buffer): Buffer {
  const out = Buffer.from(der);
  for (let i = out.indexOf(from); i >= 0; i = out.indexOf(from, i + 1)) to.copy(out, i);
  return out;
}

describe('algorithm confusion', () => {
  it('rejects a certificate whose ML-DSA-65 identifiers were rewritten to ML-DSA-44', async () => {
    const issued = await issueClientCertificate({
      ca,
      userUuid: USER_UUID,
      deviceId: DEVICE_ID,
      algorithm: 'ed25519',
    });
    const der = pemDer(issued.certificatePem);
    const rewritten = replaceAll(der, ML_DSA_65, ML_DSA_44);
    expect(rewritten.equals(der)).toBe(false);
    expect(await codeOf(() => verifyClientCertificate(derPem(rewritten), { ca }))).toBe(
      'CERT_SIGNATURE_INVALID',
    );
  });

  it('rejects a certificate signed by the subject key itself under the CA name', async () => {
    // A device holding its own certificate key re-signs a forged TBS: the CA key must still be the verifier.
    const device = await generateKeyPair('ml-dsa-65');
    const csrPem = await createCertificateSigningRequest({ privateKeyPem: device.privateKeyPem });
    const forgedCa = { ...ca, privateKeyPem: device.privateKeyPem };
    expect(
      await codeOf(() =>
        issueClientCertificate({ ca: forgedCa, userUuid: USER_UUID, deviceId: DEVICE_ID, csrPem }),
      ),
    ).toBe('KEY_MALFORMED');
  });
});
