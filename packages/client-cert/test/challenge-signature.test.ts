import { createPrivateKey, createPublicKey, sign, webcrypto } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  type IssuedCertificate,
  issueClientCertificate,
  KEY_ALGORITHMS,
  type KeyAlgorithm,
  signChallenge,
  verifyChallengeSignature,
} from '../src/index.js';
import { codeOf, DEVICE_ID, USER_UUID } from './_support.js';

const CHALLENGE = 'login-nonce-6f1d0c2a';
let ca: CertificateAuthority;
const devices = new Map<KeyAlgorithm, IssuedCertificate>();
beforeAll(async () => {
  ca = await createCertificateAuthority({ algorithm: 'ml-dsa-65' });
  for (const algorithm of KEY_ALGORITHMS) {
    devices.set(
      algorithm,
      await issueClientCertificate({ ca, userUuid: USER_UUID, deviceId: DEVICE_ID, algorithm }),
    );
  }
}, 30_000);

function publicKeyPem(alg: KeyAlgorithm): string {
  return createPublicKey(devices.get(alg)!.privateKeyPem!).export({ format: 'pem', type: 'spki' }).toString();
}

describe.each(KEY_ALGORITHMS)('%s challenge signatures', (alg) => {
  it('verify against the certificate and the bare public key; not for another challenge or key', () => {
    const device = devices.get(alg)!;
    const signature = signChallenge(device.privateKeyPem!, CHALLENGE);
    expect(signature).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(verifyChallengeSignature(device.certificatePem, CHALLENGE, signature)).toBe(true);
    expect(verifyChallengeSignature(publicKeyPem(alg), new TextEncoder().encode(CHALLENGE), signature)).toBe(
      true,
    );
    expect(verifyChallengeSignature(device.certificatePem, `${CHALLENGE}x`, signature)).toBe(false);
    const other = alg === 'ed25519' ? 'ecdsa-p256' : 'ed25519';
    expect(verifyChallengeSignature(devices.get(other)!.certificatePem, CHALLENGE, signature)).toBe(false);
    const bytes = Buffer.from(signature, 'base64url');
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    expect(verifyChallengeSignature(device.certificatePem, CHALLENGE, bytes.toString('base64url'))).toBe(
      false,
    );
  });
});

describe('ECDSA P-256 encodings', () => {
  it('accepts a WebCrypto (IEEE P1363) signature made in a browser-like way', async () => {
    const der = createPrivateKey(devices.get('ecdsa-p256')!.privateKeyPem!).export({
      format: 'der',
      type: 'pkcs8',
    });
    const key = await webcrypto.subtle.importKey(
      'pkcs8',
      der,
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['sign'],
    );
    const raw = await webcrypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      key,
      new TextEncoder().encode(CHALLENGE),
    );
    expect(raw.byteLength).toBe(64);
    const b64u = Buffer.from(raw).toString('base64url');
    expect(verifyChallengeSignature(devices.get('ecdsa-p256')!.certificatePem, CHALLENGE, b64u)).toBe(true);
  });

  it('accepts a DER signature and produces P1363 itself', () => {
    const privateKeyPem = devices.get('ecdsa-p256')!.privateKeyPem!;
    const derSig = sign('sha256', Buffer.from(CHALLENGE), privateKeyPem).toString('base64url');
    expect(verifyChallengeSignature(devices.get('ecdsa-p256')!.certificatePem, CHALLENGE, derSig)).toBe(true);
    expect(Buffer.from(signChallenge(privateKeyPem, CHALLENGE), 'base64url')).toHaveLength(64);
  });

  it('accepts a WebCrypto Ed25519 signature', async () => {
    const der = createPrivateKey(devices.get('ed25519')!.privateKeyPem!).export({
      format: 'der',
      type: 'pkcs8',
    });
    const key = await webcrypto.subtle.importKey('pkcs8', der, { name: 'Ed25519' }, false, ['sign']);
    const raw = await webcrypto.subtle.sign({ name: 'Ed25519' }, key, new TextEncoder().encode(CHALLENGE));
    expect(
      verifyChallengeSignature(
        devices.get('ed25519')!.certificatePem,
        CHALLENGE,
        Buffer.from(raw).toString('base64url'),
      ),
    ).toBe(true);
  });
});

describe('garbage never throws', () => {
  it.each([
    ['empty signature', (cert: string) => verifyChallengeSignature(cert, CHALLENGE, '')],
    ['padded base64', (cert: string) => verifyChallengeSignature(cert, CHALLENGE, 'AAAA==')],
    ['standard base64 chars', (cert: string) => verifyChallengeSignature(cert, CHALLENGE, 'ab+/')],
    ['huge signature', (cert: string) => verifyChallengeSignature(cert, CHALLENGE, 'A'.repeat(1_000_000))],
    [
      'non-string signature',
      (cert: string) => verifyChallengeSignature(cert, CHALLENGE, 42 as unknown as string),
    ],
    ['empty challenge', (cert: string) => verifyChallengeSignature(cert, '', 'AAAA')],
    ['object challenge', (cert: string) => verifyChallengeSignature(cert, {} as unknown as string, 'AAAA')],
    [
      'garbage PEM',
      () =>
        verifyChallengeSignature(
          '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
          CHALLENGE,
          'AAAA',
        ),
    ],
    ['non-string key', () => verifyChallengeSignature(null as unknown as string, CHALLENGE, 'AAAA')],
    [
      'private key as public',
      () => verifyChallengeSignature(devices.get('ed25519')!.privateKeyPem!, CHALLENGE, 'AAAA'),
    ],
  ])('%s → false', (_label, fn) => {
    expect(fn(devices.get('ecdsa-p256')!.certificatePem)).toBe(false);
  });

  it('signChallenge rejects bad keys and challenges with codes', async () => {
    const pem = devices.get('ed25519')!.privateKeyPem!;
    expect(await codeOf(() => signChallenge('garbage', CHALLENGE))).toBe('KEY_MALFORMED');
    expect(await codeOf(() => signChallenge(42 as unknown as string, CHALLENGE))).toBe('INVALID_ARGUMENT');
    expect(
      await codeOf(() =>
        signChallenge('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----', CHALLENGE),
      ),
    ).toBe('KEY_MALFORMED');
    expect(await codeOf(() => signChallenge(pem, ''))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(() => signChallenge(pem, new Uint8Array(70_000)))).toBe('INVALID_ARGUMENT');
  });
});
