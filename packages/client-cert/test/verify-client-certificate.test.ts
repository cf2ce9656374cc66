import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  type IssuedCertificate,
  issueClientCertificate,
  verifyClientCertificate,
} from '../src/index.js';
import { codeOf, DEVICE_ID, derPem, flipDerByte, pemDer, USER_UUID } from './_support.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const DAY = 86_400_000;

let ca: CertificateAuthority;
let otherCa: CertificateAuthority;
let issued: IssuedCertificate;

beforeAll(async () => {
  ca = await createCertificateAuthority({ now: NOW });
  // Same subject name as `ca`: only the signature can tell them apart.
  otherCa = await createCertificateAuthority({ now: NOW });
  issued = await issueClientCertificate({
    ca,
    userUuid: USER_UUID,
    deviceId: DEVICE_ID,
    algorithm: 'ecdsa-p256',
    now: NOW,
  });
});

describe('verifyClientCertificate', () => {
  it('accepts a good certificate inside its validity window, with only the CA certificate', async () => {
    const info = await verifyClientCertificate(issued.certificatePem, {
      ca: { certificatePem: ca.certificatePem },
      now: new Date(NOW.getTime() + 10 * DAY),
      isRevoked: () => false,
    });
    expect(info.userUuid).toBe(USER_UUID);
    expect(info.deviceId).toBe(DEVICE_ID);
  });

  it('accepts the first and last second of validity', async () => {
    await expect(
      verifyClientCertificate(issued.certificatePem, { ca, now: issued.notBefore }),
    ).resolves.toBeDefined();
    await expect(
      verifyClientCertificate(issued.certificatePem, { ca, now: issued.notAfter }),
    ).resolves.toBeDefined();
  });

  it('rejects a flipped byte in the signature with CERT_SIGNATURE_INVALID', async () => {
    const tampered = flipDerByte(issued.certificatePem, -1);
    expect(await codeOf(() => verifyClientCertificate(tampered, { ca, now: NOW }))).toBe(
      'CERT_SIGNATURE_INVALID',
    );
  });

  it('rejects a flipped byte in the TBS (subject UUID) with CERT_SIGNATURE_INVALID', async () => {
    const der = pemDer(issued.certificatePem);
    const at = der.indexOf(Buffer.from(USER_UUID));
    expect(at).toBeGreaterThan(0);
    der[at] = '3'.charCodeAt(0) === der[at] ? '4'.charCodeAt(0) : '3'.charCodeAt(0);
    expect(await codeOf(() => verifyClientCertificate(derPem(der), { ca, now: NOW }))).toBe(
      'CERT_SIGNATURE_INVALID',
    );
  });

  it('rejects a certificate from another CA with the same name', async () => {
    expect(
      await codeOf(() => verifyClientCertificate(issued.certificatePem, { ca: otherCa, now: NOW })),
    ).toBe('CERT_SIGNATURE_INVALID');
  });

  it('rejects expired and not-yet-valid certificates with distinct codes', async () => {
    const after = new Date(issued.notAfter.getTime() + 1000);
    const before = new Date(issued.notBefore.getTime() - 1000);
    expect(await codeOf(() => verifyClientCertificate(issued.certificatePem, { ca, now: after }))).toBe(
      'CERT_EXPIRED',
    );
    expect(await codeOf(() => verifyClientCertificate(issued.certificatePem, { ca, now: before }))).toBe(
      'CERT_NOT_YET_VALID',
    );
  });

  it('asks isRevoked with the lower-case hex serial and rejects revoked certificates', async () => {
    const asked: string[] = [];
    const code = await codeOf(() =>
      verifyClientCertificate(issued.certificatePem, {
        ca,
        now: NOW,
        isRevoked: async (serial) => {
          asked.push(serial);
          return serial === issued.serialNumber;
        },
      }),
    );
    expect(code).toBe('CERT_REVOKED');
    expect(asked).toEqual([issued.serialNumber]);
  });

  it('rejects the CA certificate presented as a client certificate with CERT_USAGE_INVALID', async () => {
    expect(await codeOf(() => verifyClientCertificate(ca.certificatePem, { ca, now: NOW }))).toBe(
      'CERT_USAGE_INVALID',
    );
  });

  it('gives five distinct codes for the five failure kinds', async () => {
    const codes = new Set([
      await codeOf(() => verifyClientCertificate(flipDerByte(issued.certificatePem, -1), { ca, now: NOW })),
      await codeOf(() =>
        verifyClientCertificate(issued.certificatePem, { ca, now: new Date(NOW.getTime() + 400 * DAY) }),
      ),
      await codeOf(() =>
        verifyClientCertificate(issued.certificatePem, { ca, now: new Date(NOW.getTime() - DAY) }),
      ),
      await codeOf(() =>
        verifyClientCertificate(issued.certificatePem, { ca, now: NOW, isRevoked: () => true }),
      ),
      await codeOf(() =>
        verifyClientCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', { ca }),
      ),
    ]);
    expect([...codes].sort()).toEqual([
      'CERT_EXPIRED',
      'CERT_MALFORMED',
      'CERT_NOT_YET_VALID',
      'CERT_REVOKED',
      'CERT_SIGNATURE_INVALID',
    ]);
  });

  it('rejects trailing bytes after the certificate', async () => {
    const der = Buffer.concat([pemDer(issued.certificatePem), Buffer.from([0])]);
    expect(await codeOf(() => verifyClientCertificate(derPem(der), { ca, now: NOW }))).toBe('CERT_MALFORMED');
  });
});
