import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { certificateFingerprint, createCertificateAuthority, normalizeFingerprint } from '../src/index.js';
import { codeOf, pemDer } from './_support.js';

let pem: string;
beforeAll(async () => {
  pem = (await createCertificateAuthority({ algorithm: 'ed25519' })).certificatePem;
});

const HEX = '5a7a0896e05fbfd9cd44019e2f23dae59c59db681b16d1ee2915a65befb39d62';
const BYTES = Buffer.from(HEX, 'hex');

describe('certificateFingerprint', () => {
  it('equals OpenSSL fingerprint256, normalised, for PEM and DER input', () => {
    const expected = new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();
    expect(certificateFingerprint(pem)).toBe(expected);
    expect(certificateFingerprint(pemDer(pem))).toBe(expected);
    expect(certificateFingerprint(`\r\n${pem.replace(/\n/g, '\r\n')}`)).toBe(expected);
  });

  it.each([
    ['garbage', 'not a certificate', 'CERT_MALFORMED'],
    ['empty', '', 'CERT_MALFORMED'],
    ['random DER', new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]), 'CERT_MALFORMED'],
    ['number', 42, 'INVALID_ARGUMENT'],
  ])('rejects %s', async (_label, input, code) => {
    expect(await codeOf(() => certificateFingerprint(input as string))).toBe(code);
  });
});

describe('normalizeFingerprint', () => {
  it.each([
    ['lower hex', HEX],
    ['upper hex', HEX.toUpperCase()],
    ['colon hex (OpenSSL)', HEX.toUpperCase().match(/../g)!.join(':')],
    ['space hex', HEX.match(/../g)!.join(' ')],
    ['surrounding whitespace', `  ${HEX}\n`],
    ['sha256 prefix', `SHA256 Fingerprint=${HEX.toUpperCase().match(/../g)!.join(':')}`],
    ['sha256: prefix', `sha256:${HEX}`],
    ['base64url', BYTES.toString('base64url')],
    ['base64 padded', BYTES.toString('base64')],
    ['base64 unpadded', BYTES.toString('base64').replace(/=$/, '')],
  ])('accepts %s', (_label, input) => {
    expect(normalizeFingerprint(input)).toBe(HEX);
  });

  it.each([
    ['empty', ''],
    ['63 hex digits', HEX.slice(1)],
    ['65 hex digits', `${HEX}0`],
    ['non-hex', `${HEX.slice(0, 63)}g`],
    ['mixed separators', HEX.match(/../g)!.join(':').replace(':', ' ')],
    ['SHA-1 length', 'a'.repeat(40)],
    ['base64 of 31 bytes', BYTES.subarray(1).toString('base64url')],
    ['non-canonical base64url', `${BYTES.toString('base64url').slice(0, 42)}B`],
    ['huge', 'a'.repeat(100_000)],
  ])('rejects %s with CERT_FINGERPRINT_MALFORMED', async (_label, input) => {
    expect(await codeOf(() => normalizeFingerprint(input))).toBe('CERT_FINGERPRINT_MALFORMED');
  });

  it('rejects non-strings with INVALID_ARGUMENT', async () => {
    expect(await codeOf(() => normalizeFingerprint(BYTES as unknown as string))).toBe('INVALID_ARGUMENT');
  });
});
