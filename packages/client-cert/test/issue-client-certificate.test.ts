/**
 * Every certificate we issue, for every CA and subject key algorithm, is checked by an independent oracle:
 * Node's `X509Certificate` (OpenSSL 3.5) verifies the signature against the CA key and the issuer link.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCertificateSigningRequest } from '../src/create-certificate-signing-request.js';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  type GeneratedKeyPair,
  generateKeyPair,
  type KeyAlgorithm,
  normalizeFingerprint,
  verifyClientCertificate,
} from '../src/index.js';
import { inspectCertificate } from '../src/inspect-certificate.js';
import { issueClientCertificate } from '../src/issue-client-certificate.js';
import { loadCertificateAuthority } from '../src/load-certificate-authority.js';
import { codeOf, DEVICE_ID, hasOpenssl, openssl, USER_UUID } from './_support.js';

const CA_ALGORITHMS: KeyAlgorithm[] = ['ml-dsa-65', 'ml-dsa-87', 'ecdsa-p256', 'ed25519', 'rsa-3072'];
const SUBJECT_ALGORITHMS: KeyAlgorithm[] = [
  'ml-dsa-44',
  'ml-dsa-65',
  'ml-dsa-87',
  'ecdsa-p256',
  'ed25519',
  'rsa-3072',
];
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const NOW = new Date('2026-06-01T12:00:00Z');

const cas = new Map<KeyAlgorithm, CertificateAuthority>();
const deviceKeys = new Map<KeyAlgorithm, GeneratedKeyPair>();

beforeAll(async () => {
  for (const alg of CA_ALGORITHMS)
    cas.set(alg, await createCertificateAuthority({ algorithm: alg, now: NOW }));
  for (const alg of SUBJECT_ALGORITHMS) deviceKeys.set(alg, await generateKeyPair(alg));
}, 60_000);

describe.each(CA_ALGORITHMS)('CA %s', (caAlg) => {
  it('is a self-signed v3 CA that OpenSSL accepts', () => {
    const ca = cas.get(caAlg)!;
    const cert = new X509Certificate(ca.certificatePem);
    expect(cert.ca).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkIssued(cert)).toBe(true);
    expect(cert.subject).toBe('CN=City Chain Auth Root CA');
    expect(normalizeFingerprint(cert.fingerprint256)).toBe(ca.fingerprint);
    expect(cert.validFromDate).toEqual(NOW);
    expect(ca.algorithm).toBe(caAlg);
  });

  it('loads back and rejects a key that is not its own', async () => {
    const ca = cas.get(caAlg)!;
    await expect(loadCertificateAuthority(ca)).resolves.toEqual(ca);
    const other = caAlg === 'ml-dsa-65' ? 'ecdsa-p256' : 'ml-dsa-65';
    const wrongKey = { certificatePem: ca.certificatePem, privateKeyPem: cas.get(other)!.privateKeyPem };
    expect(await codeOf(() => loadCertificateAuthority(wrongKey))).toBe('KEY_MALFORMED');
  });

  it.each(SUBJECT_ALGORITHMS)(
    'issues a client certificate for a %s CSR that OpenSSL verifies',
    async (alg) => {
      const ca = cas.get(caAlg)!;
      const csrPem = await createCertificateSigningRequest({
        privateKeyPem: deviceKeys.get(alg)!.privateKeyPem,
      });
      const issued = await issueClientCertificate({
        ca,
        userUuid: USER_UUID,
        deviceId: DEVICE_ID,
        csrPem,
        now: NOW,
      });
      expect(issued.privateKeyPem).toBeUndefined();
      expect(issued.algorithm).toBe(alg);

      const caCert = new X509Certificate(ca.certificatePem);
      const cert = new X509Certificate(issued.certificatePem);
      expect(cert.verify(caCert.publicKey)).toBe(true);
      expect(cert.checkIssued(caCert)).toBe(true);
      expect(cert.ca).toBe(false);
      expect(cert.subject).toBe(`CN=${USER_UUID}\nUID=${DEVICE_ID}`);
      expect(cert.issuer).toBe(caCert.subject);
      expect(cert.keyUsage).toEqual([CLIENT_AUTH]);
      expect(cert.serialNumber.toLowerCase()).toBe(issued.serialNumber);
      expect(issued.serialNumber).toMatch(/^[0-9a-f]{32}$/);
      expect(normalizeFingerprint(cert.fingerprint256)).toBe(issued.fingerprint);
      expect(cert.validFromDate).toEqual(issued.notBefore);
      expect(cert.validToDate).toEqual(issued.notAfter);
      expect(issued.notAfter.getTime() - issued.notBefore.getTime()).toBe(365 * 86_400_000);
      expect(cert.publicKey.export({ type: 'spki', format: 'pem' })).toBe(deviceKeys.get(alg)!.publicKeyPem);

      const info = await verifyClientCertificate(issued.certificatePem, { ca, now: NOW });
      expect(info).toMatchObject({
        userUuid: USER_UUID,
        deviceId: DEVICE_ID,
        algorithm: alg,
        serialNumber: issued.serialNumber,
        fingerprint: issued.fingerprint,
      });
      expect(inspectCertificate(issued.certificatePem)).toEqual(info);
    },
  );
});

describe('server-generated keys', () => {
  it.each(SUBJECT_ALGORITHMS)('%s: returns a PKCS#8 key matching the certificate', async (alg) => {
    const ca = cas.get('ml-dsa-65')!;
    const issued = await issueClientCertificate({
      ca,
      userUuid: USER_UUID,
      deviceId: DEVICE_ID,
      algorithm: alg,
    });
    expect(issued.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const cert = new X509Certificate(issued.certificatePem);
    expect(cert.checkPrivateKey(createPrivateKey(issued.privateKeyPem!))).toBe(true);
    expect(cert.verify(new X509Certificate(ca.certificatePem).publicKey)).toBe(true);
  });

  it('defaults to ml-dsa-65 and 128-bit serials that differ', async () => {
    const ca = cas.get('ed25519')!;
    const a = await issueClientCertificate({ ca, userUuid: USER_UUID, deviceId: DEVICE_ID });
    const b = await issueClientCertificate({ ca, userUuid: USER_UUID, deviceId: DEVICE_ID });
    expect(a.algorithm).toBe('ml-dsa-65');
    expect(a.serialNumber).not.toBe(b.serialNumber);
  });

  it('lower-cases the UUID and never outlives the CA', async () => {
    const ca = await createCertificateAuthority({ algorithm: 'ed25519', validityDays: 30, now: NOW });
    const issued = await issueClientCertificate({
      ca,
      userUuid: USER_UUID.toUpperCase(),
      deviceId: DEVICE_ID,
      algorithm: 'ed25519',
      now: NOW,
    });
    expect(inspectCertificate(issued.certificatePem).userUuid).toBe(USER_UUID);
    expect(issued.notAfter).toEqual(new X509Certificate(ca.certificatePem).validToDate);
  });

  it('refuses ml-dsa-44 for a CA and a CSR whose key differs from options.algorithm', async () => {
    expect(await codeOf(() => createCertificateAuthority({ algorithm: 'ml-dsa-44' }))).toBe(
      'KEY_ALGORITHM_UNSUPPORTED',
    );
    const csrPem = await createCertificateSigningRequest({
      privateKeyPem: deviceKeys.get('ed25519')!.privateKeyPem,
    });
    const ca = cas.get('ml-dsa-65')!;
    expect(
      await codeOf(() =>
        issueClientCertificate({
          ca,
          userUuid: USER_UUID,
          deviceId: DEVICE_ID,
          csrPem,
          algorithm: 'ecdsa-p256',
        }),
      ),
    ).toBe('INVALID_ARGUMENT');
  });
});

describe.skipIf(!hasOpenssl)('extension profile (openssl CLI; install openssl to run)', () => {
  it('has the documented critical flags, key usages and key identifiers', async () => {
    const ca = cas.get('ecdsa-p256')!;
    const issued = await issueClientCertificate({
      ca,
      userUuid: USER_UUID,
      deviceId: DEVICE_ID,
      algorithm: 'ecdsa-p256',
    });
    const text = openssl(['x509', '-noout', '-text'], issued.certificatePem);
    expect(text).toContain('Version: 3 (0x2)');
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage: ?\s+TLS Web Client Authentication\n/);
    const caText = openssl(['x509', '-noout', '-text'], ca.certificatePem);
    expect(caText).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(caText).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign\n/);
    const caSki = /Subject Key Identifier: ?\s+([0-9A-F:]+)/.exec(caText)?.[1];
    expect(caSki).toBeDefined();
    expect(text).toMatch(new RegExp(`Authority Key Identifier: ?\\s+(keyid:)?${caSki}`));
    const dir = mkdtempSync(join(tmpdir(), 'client-cert-'));
    writeFileSync(join(dir, 'ca.pem'), ca.certificatePem);
    expect(
      openssl(['verify', '-purpose', 'sslclient', '-CAfile', join(dir, 'ca.pem')], issued.certificatePem),
    ).toBe('stdin: OK\n');
  });
});
