/** Wrong-input matrix: every public function answers hostile input with a CertificateError code, never a crash. */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateAuthority,
  CertificateError,
  certificateFingerprint,
  createCertificateAuthority,
  generateKeyPair,
  inspectCertificate,
  issueClientCertificate,
  loadCertificateAuthority,
  verifyClientCertificate,
} from '../src/index.js';
import { codeOf, DEVICE_ID, USER_UUID } from './_support.js';

let ca: CertificateAuthority;
beforeAll(async () => {
  ca = await createCertificateAuthority({ algorithm: 'ed25519' });
});

const GARBAGE_PEMS: [string, unknown, string][] = [
  ['empty string', '', 'CERT_MALFORMED'],
  ['plain text', 'hello world', 'CERT_MALFORMED'],
  ['bad base64', '-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----', 'CERT_MALFORMED'],
  [
    'valid base64, not DER',
    '-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----',
    'CERT_MALFORMED',
  ],
  ['empty SEQUENCE', '-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----', 'CERT_MALFORMED'],
  ['unterminated', '-----BEGIN CERTIFICATE-----\nMAA=\n', 'CERT_MALFORMED'],
  [
    'huge',
    `-----BEGIN CERTIFICATE-----\n${'A'.repeat(2_000_000)}\n-----END CERTIFICATE-----`,
    'CERT_MALFORMED',
  ],
  [
    'deep nesting',
    `-----BEGIN CERTIFICATE-----\n${Buffer.from(
      '30'
        .repeat(4000)
        .match(/../g)!
        .map((x, i) => (i % 2 ? '80' : x))
        .join(''),
      'hex',
    ).toString('base64')}\n-----END CERTIFICATE-----`,
    'CERT_MALFORMED',
  ],
  ['number', 42, 'INVALID_ARGUMENT'],
  ['null', null, 'INVALID_ARGUMENT'],
  ['object', {}, 'INVALID_ARGUMENT'],
];

describe.each(GARBAGE_PEMS)('certificate input: %s', (_label, input, code) => {
  it('inspectCertificate', async () => {
    expect(await codeOf(() => inspectCertificate(input as string))).toBe(code);
  });
  it('certificateFingerprint', async () => {
    expect(await codeOf(() => certificateFingerprint(input as string))).toBe(code);
  });
  it('verifyClientCertificate', async () => {
    expect(await codeOf(() => verifyClientCertificate(input as string, { ca }))).toBe(code);
  });
  it('loadCertificateAuthority', async () => {
    const err = await codeOf(() =>
      loadCertificateAuthority({ certificatePem: input as string, privateKeyPem: ca.privateKeyPem }),
    );
    expect(err).toBe(code);
  });
});

describe('issueClientCertificate options', () => {
  it.each([
    ['missing options', undefined, 'INVALID_ARGUMENT'],
    ['bad uuid', { userUuid: 'alice' }, 'INVALID_ARGUMENT'],
    ['uuid with braces', { userUuid: `{${USER_UUID}}` }, 'INVALID_ARGUMENT'],
    ['uuid number', { userUuid: 1 }, 'INVALID_ARGUMENT'],
    ['empty device id', { deviceId: '' }, 'INVALID_ARGUMENT'],
    ['device id with comma', { deviceId: 'a,CN=admin' }, 'INVALID_ARGUMENT'],
    ['device id too long', { deviceId: 'd'.repeat(129) }, 'INVALID_ARGUMENT'],
    ['unknown algorithm', { algorithm: 'rsa-1024' }, 'INVALID_ARGUMENT'],
    ['zero validity', { validityDays: 0 }, 'INVALID_ARGUMENT'],
    ['fractional validity', { validityDays: 1.5 }, 'INVALID_ARGUMENT'],
    ['invalid now', { now: new Date('x') }, 'INVALID_ARGUMENT'],
    ['csr not a string', { csrPem: 5 }, 'INVALID_ARGUMENT'],
    ['ca missing', { ca: undefined }, 'INVALID_ARGUMENT'],
    ['ca without key', { ca: { certificatePem: 'x' } }, 'CERT_MALFORMED'],
  ])('%s → %s', async (_label, patch, code) => {
    const options =
      patch === undefined
        ? undefined
        : { ca, userUuid: USER_UUID, deviceId: DEVICE_ID, algorithm: 'ed25519', ...patch };
    expect(await codeOf(() => issueClientCertificate(options as never))).toBe(code);
  });
});

describe('other entry points', () => {
  it('generateKeyPair rejects unknown algorithms', async () => {
    for (const alg of ['ecdsa-p384', '', undefined, 7]) {
      expect(await codeOf(() => generateKeyPair(alg as never))).toBe('INVALID_ARGUMENT');
    }
  });

  it('createCertificateAuthority rejects bad options', async () => {
    expect(await codeOf(() => createCertificateAuthority({ commonName: '' }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(() => createCertificateAuthority({ commonName: 'a\u0000b' }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(await codeOf(() => createCertificateAuthority({ validityDays: -1 }))).toBe('INVALID_ARGUMENT');
  });

  it('loadCertificateAuthority rejects a client certificate and an encrypted key', async () => {
    const issued = await issueClientCertificate({
      ca,
      userUuid: USER_UUID,
      deviceId: DEVICE_ID,
      algorithm: 'ed25519',
    });
    expect(
      await codeOf(() =>
        loadCertificateAuthority({
          certificatePem: issued.certificatePem,
          privateKeyPem: issued.privateKeyPem!,
        }),
      ),
    ).toBe('CERT_USAGE_INVALID');
    const encrypted = '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----';
    expect(
      await codeOf(() =>
        loadCertificateAuthority({ certificatePem: ca.certificatePem, privateKeyPem: encrypted }),
      ),
    ).toBe('KEY_MALFORMED');
  });

  it('errors are CertificateError with stable codes and no key material in messages', async () => {
    try {
      await loadCertificateAuthority({ certificatePem: ca.certificatePem, privateKeyPem: 'secret-ish' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CertificateError);
      expect((err as Error).message).not.toContain('secret-ish');
    }
  });
});
