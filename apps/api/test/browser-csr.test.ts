/**
 * The browser's PKCS#10 encoder (web/assets/csr.js, RFC 2986 + RFC 3279 §2.2.3), run under Node's WebCrypto.
 *
 * Oracles: the CA of @city/client-cert (pkijs + node:crypto) checks the request's proof of possession and
 * issues from it; OpenSSL (through node:crypto) verifies DER ECDSA signatures converted from P1363 form;
 * fixed DER vectors pin the INTEGER rules (leading zeros stripped, 0x00 added before a set high bit).
 */
import { generateKeyPairSync, sign, verify, X509Certificate } from 'node:crypto';
import { createCertificateAuthority, issueClientCertificate } from '@city/client-cert';
import { beforeAll, describe, expect, it } from 'vitest';

interface CsrModule {
  createCsrPem(keyPair: CryptoKeyPair, commonName: string): Promise<string>;
  ecdsaRawToDer(raw: Uint8Array): Uint8Array;
  derUnsignedInteger(magnitude: Uint8Array): Uint8Array;
  derObjectIdentifier(dotted: string): Uint8Array;
  derTlv(tag: number, contents: Uint8Array): Uint8Array;
}

const csrModuleUrl = new URL('../web/assets/csr.js', import.meta.url).href;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const fromHex = (text: string) => new Uint8Array(Buffer.from(text, 'hex'));

let csr: CsrModule;
beforeAll(async () => {
  csr = (await import(csrModuleUrl)) as CsrModule;
});

const generateBrowserKey = () =>
  crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ]) as Promise<CryptoKeyPair>;

describe('createCsrPem', () => {
  it('makes a request the CA accepts, and the certificate carries the same public key', async () => {
    const keyPair = await generateBrowserKey();
    const pem = await csr.createCsrPem(keyPair, 'hanako');
    expect(pem).toMatch(
      /^-----BEGIN CERTIFICATE REQUEST-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE REQUEST-----\n$/,
    );
    const ca = await createCertificateAuthority({ algorithm: 'ecdsa-p256' });
    const issued = await issueClientCertificate({
      ca,
      userUuid: '0b0e9d1c-3c3e-4f5e-8a9b-1c2d3e4f5a6b',
      deviceId: 'dev-1',
      csrPem: pem,
      algorithm: 'ecdsa-p256',
    });
    const certificate = new X509Certificate(issued.certificatePem);
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keyPair.publicKey));
    expect(hex(certificate.publicKey.export({ format: 'der', type: 'spki' }))).toBe(hex(spki));
    expect(certificate.verify(new X509Certificate(ca.certificatePem).publicKey)).toBe(true);
  });

  it('encodes the fixed request layout: version 0, CN, SPKI, empty attributes, ecdsa-with-SHA256', async () => {
    const keyPair = await generateBrowserKey();
    const der = Buffer.from(
      (await csr.createCsrPem(keyPair, 'device')).replace(/-----[A-Z ]+-----|\n/g, ''),
      'base64',
    );
    const spki = Buffer.from(await crypto.subtle.exportKey('spki', keyPair.publicKey));
    // version INTEGER 0, then Name { SET { SEQUENCE { 2.5.4.3, UTF8String "device" } } }
    expect(
      der.includes(
        Buffer.from(`0201003011310f300d06035504030c06${Buffer.from('device').toString('hex')}`, 'hex'),
      ),
    ).toBe(true);
    expect(der.includes(Buffer.concat([spki, Buffer.from('a000', 'hex')]))).toBe(true);
    expect(der.includes(Buffer.from('300a06082a8648ce3d040302', 'hex'))).toBe(true);
  });

  it('rejects a request whose signature was tampered with (the CA checks proof of possession)', async () => {
    const keyPair = await generateBrowserKey();
    const der = Buffer.from(
      (await csr.createCsrPem(keyPair, 'device')).replace(/-----[A-Z ]+-----|\n/g, ''),
      'base64',
    );
    const last = der.length - 1;
    der[last] = (der[last] ?? 0) ^ 0x01;
    const body = der
      .toString('base64')
      .match(/.{1,64}/g)
      ?.join('\n');
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${body}\n-----END CERTIFICATE REQUEST-----\n`;
    const ca = await createCertificateAuthority({ algorithm: 'ecdsa-p256' });
    await expect(
      issueClientCertificate({
        ca,
        userUuid: '0b0e9d1c-3c3e-4f5e-8a9b-1c2d3e4f5a6b',
        deviceId: 'dev-1',
        csrPem: tampered,
        algorithm: 'ecdsa-p256',
      }),
    ).rejects.toThrow();
  });

  it.each([
    ['an empty common name', ''],
    ['a common name over 64 characters', 'x'.repeat(65)],
    ['a non-string common name', 42],
  ])('rejects %s', async (_name, commonName) => {
    const keyPair = await generateBrowserKey();
    await expect(csr.createCsrPem(keyPair, commonName as string)).rejects.toThrow(TypeError);
  });

  it('rejects a key pair that is not ECDSA P-256', async () => {
    const ed = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const p384 = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    for (const pair of [ed, p384, undefined, {}]) {
      await expect(csr.createCsrPem(pair as CryptoKeyPair, 'device')).rejects.toThrow(TypeError);
    }
  });
});

describe('ecdsaRawToDer', () => {
  it.each([
    ['small values', `${'00'.repeat(31)}01`, `${'00'.repeat(31)}02`, '3006020101020102'],
    [
      'high bit set gets a 0x00 prefix',
      `80${'00'.repeat(31)}`,
      `ff${'11'.repeat(31)}`,
      `3046022100${`80${'00'.repeat(31)}`}022100${`ff${'11'.repeat(31)}`}`,
    ],
    [
      'leading zeros are stripped',
      `0000${'7f'.repeat(30)}`,
      `00${'01'.repeat(31)}`,
      `3041021e${'7f'.repeat(30)}021f${'01'.repeat(31)}`,
    ],
    [
      'a zero octet kept before a high bit after stripping',
      `00${'ff'.repeat(31)}`,
      `${'00'.repeat(32)}`,
      `3025022000${'ff'.repeat(31)}020100`,
    ],
  ])('encodes %s', (_name, r, s, expected) => {
    expect(hex(csr.ecdsaRawToDer(fromHex(r + s)))).toBe(expected);
  });

  it('agrees with OpenSSL on real signatures (DER verifies, P1363 re-encodes identically)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const data = Buffer.from('challenge text ✓');
    // 200 signatures cover high-bit r/s (about half) and usually a short component.
    for (let i = 0; i < 200; i += 1) {
      const raw = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const der = csr.ecdsaRawToDer(new Uint8Array(raw));
      expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, der)).toBe(true);
    }
  });

  it.each([
    ['63 octets', new Uint8Array(63)],
    ['65 octets', new Uint8Array(65)],
    ['an empty array', new Uint8Array(0)],
  ])('rejects %s with a RangeError', (_name, raw) => {
    expect(() => csr.ecdsaRawToDer(raw)).toThrow(RangeError);
  });

  it('rejects a non-Uint8Array with a RangeError', () => {
    expect(() => csr.ecdsaRawToDer([1, 2, 3] as unknown as Uint8Array)).toThrow(RangeError);
  });
});

describe('DER primitives', () => {
  it('encodes object identifiers with multi-octet arcs', () => {
    expect(hex(csr.derObjectIdentifier('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(hex(csr.derObjectIdentifier('2.5.4.3'))).toBe('0603550403');
  });

  it('uses the long length form from 128 octets on', () => {
    expect(hex(csr.derTlv(0x04, new Uint8Array(127))).slice(0, 4)).toBe('047f');
    expect(hex(csr.derTlv(0x04, new Uint8Array(128))).slice(0, 6)).toBe('048180');
    expect(hex(csr.derTlv(0x04, new Uint8Array(300))).slice(0, 8)).toBe('0482012c');
  });

  it('encodes zero and high-bit integers minimally', () => {
    expect(hex(csr.derUnsignedInteger(Uint8Array.of(0)))).toBe('020100');
    expect(hex(csr.derUnsignedInteger(Uint8Array.of(0, 0, 0)))).toBe('020100');
    expect(hex(csr.derUnsignedInteger(Uint8Array.of(0x80)))).toBe('02020080');
  });
});
