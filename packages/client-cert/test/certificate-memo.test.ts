/**
 * The certificate memo must be invisible: every answer with a warm memo is the answer without it, and
 * whatever depends on time, the CA or the revocation list is still decided on every call.
 */
import { X509Certificate } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type CertificateAuthority,
  type CertificateInfo,
  createCertificateAuthority,
  type IssuedCertificate,
  issueClientCertificate,
  signChallenge,
  type VerifyClientCertificateOptions,
  verifyChallengeSignature,
  verifyClientCertificate,
} from '../src/index.js';
import { CertificateMemo, certificateMemo, MAX_MEMOISED_CERTIFICATES } from '../src/lib/_certificate-memo.js';
import { DEVICE_ID, derPem, flipDerByte, pemDer, USER_UUID } from './_support.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const SECOND = 1000;
const CHALLENGE = 'login-challenge-7f3a';

let ca: CertificateAuthority;
let otherCa: CertificateAuthority;
let issued: IssuedCertificate;
let signature: string;

beforeAll(async () => {
  ca = await createCertificateAuthority({ now: NOW });
  // Same subject name as `ca`: only the key identifier and the signature can tell them apart.
  otherCa = await createCertificateAuthority({ now: NOW });
  issued = await issueClientCertificate({
    ca,
    userUuid: USER_UUID,
    deviceId: DEVICE_ID,
    algorithm: 'ml-dsa-65',
    now: NOW,
    validityDays: 30,
  });
  signature = signChallenge(issued.privateKeyPem as string, CHALLENGE);
});

beforeEach(() => certificateMemo.clear());

type Outcome = { readonly info: CertificateInfo } | { readonly code: string; readonly message: string };

async function outcome(pem: string, options: VerifyClientCertificateOptions): Promise<Outcome> {
  try {
    return { info: await verifyClientCertificate(pem, options) };
  } catch (err) {
    const { code, message } = err as { code: string; message: string };
    return { code, message };
  }
}

/** The outcome with an empty memo, then twice more with the memo warmed by that first call. */
async function coldWarm(pem: string, options: VerifyClientCertificateOptions) {
  certificateMemo.clear();
  const cold = await outcome(pem, options);
  const warm = await outcome(pem, options);
  const warmer = await outcome(pem, options);
  return { cold, warm, warmer };
}

/** PEM of the certificate with its version field (TBS `[0] INTEGER 2`) set to `version`. */
function withVersion(pem: string, version: number): string {
  const der = pemDer(pem);
  const at = der.indexOf(Buffer.from([0xa0, 0x03, 0x02, 0x01, 0x02]));
  expect(at).toBeGreaterThan(0);
  der[at + 4] = version;
  return derPem(der);
}

describe('certificate memo: same answers cold and warm', () => {
  const cases: readonly (readonly [string, () => string, () => VerifyClientCertificateOptions, string])[] = [
    ['valid', () => issued.certificatePem, () => ({ ca, now: NOW }), 'OK'],
    [
      'valid, CA as a bare certificate',
      () => issued.certificatePem,
      () => ({ ca: { certificatePem: ca.certificatePem }, now: NOW }),
      'OK',
    ],
    [
      'expired',
      () => issued.certificatePem,
      () => ({ ca, now: new Date(issued.notAfter.getTime() + SECOND) }),
      'CERT_EXPIRED',
    ],
    [
      'not yet valid',
      () => issued.certificatePem,
      () => ({ ca, now: new Date(issued.notBefore.getTime() - SECOND) }),
      'CERT_NOT_YET_VALID',
    ],
    [
      'revoked',
      () => issued.certificatePem,
      () => ({ ca, now: NOW, isRevoked: (serial: string) => serial === issued.serialNumber }),
      'CERT_REVOKED',
    ],
    ['foreign CA', () => issued.certificatePem, () => ({ ca: otherCa, now: NOW }), 'CERT_SIGNATURE_INVALID'],
    [
      'foreign CA and expired (signature is checked first)',
      () => issued.certificatePem,
      () => ({ ca: otherCa, now: new Date(issued.notAfter.getTime() + SECOND) }),
      'CERT_SIGNATURE_INVALID',
    ],
    [
      'tampered signature byte',
      () => flipDerByte(issued.certificatePem, -1),
      () => ({ ca, now: NOW }),
      'CERT_SIGNATURE_INVALID',
    ],
    ['garbage PEM', () => 'not a certificate', () => ({ ca, now: NOW }), 'CERT_MALFORMED'],
    [
      'garbage inside PEM armour',
      () => '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
      () => ({ ca, now: NOW }),
      'CERT_MALFORMED',
    ],
    [
      'not X.509 v3 (unmemoised profile)',
      () => withVersion(issued.certificatePem, 1),
      () => ({ ca, now: NOW }),
      'CERT_MALFORMED',
    ],
  ];

  it.each(cases)('%s', async (_name, pem, options, expected) => {
    const { cold, warm, warmer } = await coldWarm(pem(), options());
    expect(warm).toEqual(cold);
    expect(warmer).toEqual(cold);
    expect('info' in cold ? 'OK' : cold.code).toBe(expected);
  });

  it('verifyChallengeSignature answers the same cold and warm, for the same inputs as above', () => {
    const pems = [
      issued.certificatePem,
      flipDerByte(issued.certificatePem, -1),
      withVersion(issued.certificatePem, 1),
      'not a certificate',
      '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
    ];
    for (const pem of pems) {
      for (const sig of [signature, `${signature.slice(0, -2)}AA`]) {
        certificateMemo.clear();
        const cold = verifyChallengeSignature(pem, CHALLENGE, sig);
        expect(verifyChallengeSignature(pem, CHALLENGE, sig)).toBe(cold);
        expect(verifyChallengeSignature(pem, CHALLENGE, sig)).toBe(cold);
      }
    }
    certificateMemo.clear();
    expect(verifyChallengeSignature(issued.certificatePem, CHALLENGE, signature)).toBe(true);
    expect(verifyChallengeSignature(issued.certificatePem, CHALLENGE, signature)).toBe(true);
    expect(verifyChallengeSignature(issued.certificatePem, 'another challenge', signature)).toBe(false);
  });

  it('a valid answer agrees with OpenSSL (node:crypto X509Certificate) when served from the memo', async () => {
    await verifyClientCertificate(issued.certificatePem, { ca, now: NOW });
    const info = await verifyClientCertificate(issued.certificatePem, { ca, now: NOW });
    const oracle = new X509Certificate(issued.certificatePem);
    expect(info.fingerprint).toBe(oracle.fingerprint256.replaceAll(':', '').toLowerCase());
    expect(info.serialNumber).toBe(oracle.serialNumber.toLowerCase().replace(/^(00)+/, ''));
    expect(info.notAfter.getTime()).toBe(new Date(oracle.validTo).getTime());
    expect(info.userUuid).toBe(USER_UUID);
    expect(info.deviceId).toBe(DEVICE_ID);
  });
});

describe('certificate memo: time, revocation and CA are decided on every call', () => {
  it('a certificate valid on the first call is expired on a later call past notAfter', async () => {
    await expect(verifyClientCertificate(issued.certificatePem, { ca, now: NOW })).resolves.toBeDefined();
    await expect(
      verifyClientCertificate(issued.certificatePem, {
        ca,
        now: new Date(issued.notAfter.getTime() + SECOND),
      }),
    ).rejects.toMatchObject({ code: 'CERT_EXPIRED', message: 'certificate has expired' });
    await expect(
      verifyClientCertificate(issued.certificatePem, {
        ca,
        now: new Date(issued.notBefore.getTime() - SECOND),
      }),
    ).rejects.toMatchObject({ code: 'CERT_NOT_YET_VALID', message: 'certificate is not yet valid' });
    await expect(
      verifyClientCertificate(issued.certificatePem, { ca, now: issued.notAfter }),
    ).resolves.toBeDefined();
  });

  it('a certificate revoked after a successful login is refused on the next one', async () => {
    const revoked = new Set<string>();
    const asked: string[] = [];
    const isRevoked = async (serial: string) => {
      asked.push(serial);
      return revoked.has(serial);
    };
    await expect(
      verifyClientCertificate(issued.certificatePem, { ca, now: NOW, isRevoked }),
    ).resolves.toBeDefined();
    revoked.add(issued.serialNumber);
    await expect(
      verifyClientCertificate(issued.certificatePem, { ca, now: NOW, isRevoked }),
    ).rejects.toMatchObject({
      code: 'CERT_REVOKED',
    });
    revoked.clear();
    await expect(
      verifyClientCertificate(issued.certificatePem, { ca, now: NOW, isRevoked }),
    ).resolves.toBeDefined();
    expect(asked).toEqual([issued.serialNumber, issued.serialNumber, issued.serialNumber]);
  });

  it('a certificate verified under CA A does not verify under CA B, in either order', async () => {
    await expect(verifyClientCertificate(issued.certificatePem, { ca, now: NOW })).resolves.toBeDefined();
    for (const other of [otherCa, { certificatePem: otherCa.certificatePem }]) {
      await expect(
        verifyClientCertificate(issued.certificatePem, { ca: other, now: NOW }),
      ).rejects.toMatchObject({
        code: 'CERT_SIGNATURE_INVALID',
        message: 'signature verification failed',
      });
    }
    certificateMemo.clear();
    await expect(
      verifyClientCertificate(issued.certificatePem, { ca: otherCa, now: NOW }),
    ).rejects.toMatchObject({ code: 'CERT_SIGNATURE_INVALID' });
    await expect(verifyClientCertificate(issued.certificatePem, { ca, now: NOW })).resolves.toBeDefined();
  });

  it('a CA swapped into the same object after a verification is used for the next one', async () => {
    const mutable = { certificatePem: ca.certificatePem };
    await expect(
      verifyClientCertificate(issued.certificatePem, { ca: mutable, now: NOW }),
    ).resolves.toBeDefined();
    mutable.certificatePem = otherCa.certificatePem;
    await expect(
      verifyClientCertificate(issued.certificatePem, { ca: mutable, now: NOW }),
    ).rejects.toMatchObject({
      code: 'CERT_SIGNATURE_INVALID',
    });
  });

  it('a tampered copy of a memoised certificate is refused, and does not disturb the original', async () => {
    await verifyClientCertificate(issued.certificatePem, { ca, now: NOW });
    for (const offset of [-1, -100]) {
      const tampered = flipDerByte(issued.certificatePem, offset);
      await expect(verifyClientCertificate(tampered, { ca, now: NOW })).rejects.toMatchObject({
        code: 'CERT_SIGNATURE_INVALID',
      });
    }
    await expect(verifyClientCertificate(issued.certificatePem, { ca, now: NOW })).resolves.toBeDefined();
  });

  it('garbage is never memoised', async () => {
    const before = certificateMemo.size;
    for (let i = 0; i < 3; i++) {
      await expect(verifyClientCertificate(`garbage ${i}`, { ca, now: NOW })).rejects.toMatchObject({
        code: 'CERT_MALFORMED',
      });
      expect(
        verifyChallengeSignature(
          `-----BEGIN CERTIFICATE-----\nAAA${i}\n-----END CERTIFICATE-----`,
          CHALLENGE,
          signature,
        ),
      ).toBe(false);
    }
    expect(certificateMemo.size).toBe(before);
  });
});

describe('certificate memo: no shared mutable state', () => {
  it('changing a returned info object does not change the next answer', async () => {
    const first = await verifyClientCertificate(issued.certificatePem, { ca, now: NOW });
    const snapshot = structuredClone(first);
    first.notAfter.setTime(0);
    first.notBefore.setTime(0);
    (first as { userUuid?: string }).userUuid = 'someone-else';
    (first as { serialNumber: string }).serialNumber = '01';
    const second = await verifyClientCertificate(issued.certificatePem, { ca, now: NOW });
    expect(second).not.toBe(first);
    expect(second.notAfter).not.toBe(first.notAfter);
    expect(second).toEqual(snapshot);
    // The time checks still use the certificate's own window, not the caller's changed copy.
    await expect(
      verifyClientCertificate(issued.certificatePem, {
        ca,
        now: new Date(issued.notAfter.getTime() + SECOND),
      }),
    ).rejects.toMatchObject({ code: 'CERT_EXPIRED' });
  });

  it('the memoised entry is frozen', () => {
    const entry = certificateMemo.get(issued.certificatePem, 'pem');
    expect(Object.isFrozen(entry)).toBe(true);
    expect(Object.isFrozen(entry.profile)).toBe(true);
    expect(Object.isFrozen(entry.profile?.info)).toBe(true);
    expect(Object.isFrozen(entry.key)).toBe(true);
  });

  it('a certificate whose profile does not read is memoised without one (verification re-reads it)', () => {
    expect(certificateMemo.get(withVersion(issued.certificatePem, 1), 'pem').profile).toBeUndefined();
  });
});

describe('certificate memo: bound', () => {
  // A small certificate keeps the thousands of parses below quick.
  let small: IssuedCertificate;
  let smallSignature: string;
  beforeAll(async () => {
    small = await issueClientCertificate({
      ca,
      userUuid: USER_UUID,
      deviceId: DEVICE_ID,
      algorithm: 'ed25519',
      now: NOW,
    });
    smallSignature = signChallenge(small.privateKeyPem as string, CHALLENGE);
  });
  // Distinct PEM texts of one certificate (trailing text after the armour is ignored by the parser).
  const variant = (i: number) => `${small.certificatePem}${' '.repeat(i)}`;

  it('evicts the least recently used entry once full', () => {
    const memo = new CertificateMemo(4);
    const kept = memo.get(variant(0), 'pem');
    for (let i = 1; i < 4; i++) memo.get(variant(i), 'pem');
    expect(memo.size).toBe(4);
    // Used again: it becomes the newest, so the next insertion evicts variant(1) instead.
    expect(memo.get(variant(0), 'pem')).toBe(kept);
    const third = memo.get(variant(2), 'pem');
    memo.get(variant(4), 'pem');
    expect(memo.size).toBe(4);
    expect(memo.get(variant(0), 'pem')).toBe(kept);
    expect(memo.get(variant(2), 'pem')).toBe(third);
    for (let i = 5; i < 9; i++) memo.get(variant(i), 'pem');
    expect(memo.size).toBe(4);
    expect(memo.get(variant(0), 'pem')).not.toBe(kept);
  });

  it('the process-wide memo holds at most MAX_MEMOISED_CERTIFICATES, and an evicted certificate verifies the same', {
    timeout: 120_000,
  }, async () => {
    expect(MAX_MEMOISED_CERTIFICATES).toBeGreaterThanOrEqual(1000);
    expect(MAX_MEMOISED_CERTIFICATES).toBeLessThanOrEqual(5000);
    const first = await verifyClientCertificate(variant(0), { ca, now: NOW });
    for (let i = 1; i <= MAX_MEMOISED_CERTIFICATES + 10; i++) {
      expect(verifyChallengeSignature(variant(i), CHALLENGE, smallSignature)).toBe(true);
    }
    expect(certificateMemo.size).toBe(MAX_MEMOISED_CERTIFICATES);
    expect(await verifyClientCertificate(variant(0), { ca, now: NOW })).toEqual(first);
    expect(certificateMemo.size).toBe(MAX_MEMOISED_CERTIFICATES);
  });
});
