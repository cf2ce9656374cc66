/**
 * CA substitution after first use: the checked CA is cached per object, so a key or certificate swapped
 * into the same object (or a look-alike object) later must be checked again, never served from the cache.
 */
import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  createCertificateRevocationList,
  issueClientCertificate,
  verifyClientCertificate,
} from '../src/index.js';
import { codeOf, DEVICE_ID, USER_UUID } from './_support.js';

const NOW = new Date('2026-06-01T12:00:00Z');

let ca: CertificateAuthority;
let otherCa: CertificateAuthority;

beforeAll(async () => {
  ca = await createCertificateAuthority({ algorithm: 'ecdsa-p256', now: NOW });
  otherCa = await createCertificateAuthority({ algorithm: 'ecdsa-p256', now: NOW });
});

const issue = (authority: CertificateAuthority) =>
  issueClientCertificate({ ca: authority, userUuid: USER_UUID, deviceId: DEVICE_ID, now: NOW });

describe('CA substitution after the CA has been checked once', () => {
  it('a look-alike object with a foreign private key is refused', async () => {
    await issue(ca);
    expect(await codeOf(() => issue({ ...ca, privateKeyPem: otherCa.privateKeyPem }))).toBe('KEY_MALFORMED');
    expect(
      await codeOf(() =>
        createCertificateRevocationList({
          ca: { ...ca, privateKeyPem: otherCa.privateKeyPem },
          revoked: [],
          now: NOW,
        }),
      ),
    ).toBe('KEY_MALFORMED');
  });

  it('a private key swapped into the same object is checked again', async () => {
    const mutable = { ...ca };
    await issue(mutable);
    mutable.privateKeyPem = otherCa.privateKeyPem;
    expect(await codeOf(() => issue(mutable))).toBe('KEY_MALFORMED');
    mutable.privateKeyPem = ca.privateKeyPem;
    await expect(issue(mutable)).resolves.toBeDefined();
  });

  it('a certificate swapped into the same object is checked again (issue and verify)', async () => {
    const mutable = { ...ca };
    const issued = await issue(mutable);
    await verifyClientCertificate(issued.certificatePem, { ca: mutable, now: NOW });
    // A client certificate is not a CA: the swap must fail the CA checks, not reuse the old result.
    mutable.certificatePem = issued.certificatePem;
    expect(await codeOf(() => issue(mutable))).toBe('CERT_USAGE_INVALID');
    expect(
      await codeOf(() => verifyClientCertificate(issued.certificatePem, { ca: mutable, now: NOW })),
    ).toBe('CERT_USAGE_INVALID');
    // Swapping in another real CA (with its key) signs under that CA from then on.
    mutable.certificatePem = otherCa.certificatePem;
    mutable.privateKeyPem = otherCa.privateKeyPem;
    const fromOther = await issue(mutable);
    expect(
      new X509Certificate(fromOther.certificatePem).verify(
        new X509Certificate(otherCa.certificatePem).publicKey,
      ),
    ).toBe(true);
    expect(await codeOf(() => verifyClientCertificate(fromOther.certificatePem, { ca, now: NOW }))).toBe(
      'CERT_SIGNATURE_INVALID',
    );
  });

  it('a plain { certificatePem } object verifies only what its CA issued, on every call', async () => {
    const issued = await issue(ca);
    for (let i = 0; i < 3; i++) {
      await verifyClientCertificate(issued.certificatePem, {
        ca: { certificatePem: ca.certificatePem },
        now: NOW,
      });
      expect(
        await codeOf(() =>
          verifyClientCertificate(issued.certificatePem, {
            ca: { certificatePem: otherCa.certificatePem },
            now: NOW,
          }),
        ),
      ).toBe('CERT_SIGNATURE_INVALID');
    }
  });

  it('a rejected CA stays rejected (failures are not remembered as success)', async () => {
    const notCa = { ...ca, certificatePem: (await issue(ca)).certificatePem };
    for (let i = 0; i < 2; i++) expect(await codeOf(() => issue(notCa))).toBe('CERT_USAGE_INVALID');
  });
});
