import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  createCertificateSigningRequest,
  type GeneratedKeyPair,
  generateKeyPair,
  inspectCertificate,
  issueClientCertificate,
  KEY_ALGORITHMS,
  type KeyAlgorithm,
} from '../src/index.js';
import { codeOf, DEVICE_ID, hasOpenssl, openssl, USER_UUID } from './_support.js';

let ca: CertificateAuthority;
const keys = new Map<KeyAlgorithm, GeneratedKeyPair>();
beforeAll(async () => {
  ca = await createCertificateAuthority({ algorithm: 'ml-dsa-65' });
  for (const alg of KEY_ALGORITHMS) keys.set(alg, await generateKeyPair(alg));
}, 30_000);

function tamperCsr(csrPem: string): string {
  const body = csrPem.replace(/-----(BEGIN|END) CERTIFICATE REQUEST-----/g, '').replace(/\s+/g, '');
  const der = Buffer.from(body, 'base64');
  der[der.length - 1] = (der[der.length - 1] ?? 0) ^ 1;
  return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
}

describe('CSR round trip', () => {
  it.each(KEY_ALGORITHMS)(
    '%s: the device key ends up in the certificate; the CSR subject does not',
    async (alg) => {
      const key = keys.get(alg)!;
      const csrPem = await createCertificateSigningRequest({
        privateKeyPem: key.privateKeyPem,
        commonName: 'admin',
      });
      expect(csrPem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n/);
      const issued = await issueClientCertificate({ ca, userUuid: USER_UUID, deviceId: DEVICE_ID, csrPem });
      const info = inspectCertificate(issued.certificatePem);
      expect(info.publicKeyPem).toBe(key.publicKeyPem);
      expect(info.subject).toBe(`CN=${USER_UUID}, UID=${DEVICE_ID}`);
      expect(info.algorithm).toBe(alg);
    },
  );

  it.each(KEY_ALGORITHMS)('%s: a flipped signature byte gives CSR_SIGNATURE_INVALID', async (alg) => {
    const csrPem = await createCertificateSigningRequest({ privateKeyPem: keys.get(alg)!.privateKeyPem });
    expect(
      await codeOf(() =>
        issueClientCertificate({ ca, userUuid: USER_UUID, deviceId: DEVICE_ID, csrPem: tamperCsr(csrPem) }),
      ),
    ).toBe('CSR_SIGNATURE_INVALID');
  });

  it.each([
    ['garbage', 'hello'],
    ['a certificate instead', '-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----'],
    ['truncated DER', '-----BEGIN CERTIFICATE REQUEST-----\nMIIBAAA=\n-----END CERTIFICATE REQUEST-----'],
    ['bad base64', '-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----'],
  ])('%s gives CSR_MALFORMED', async (_label, csrPem) => {
    expect(
      await codeOf(() => issueClientCertificate({ ca, userUuid: USER_UUID, deviceId: DEVICE_ID, csrPem })),
    ).toBe('CSR_MALFORMED');
  });

  describe.skipIf(!hasOpenssl)('with the openssl CLI (install openssl to run)', () => {
    it('OpenSSL verifies our classical CSRs', async () => {
      for (const alg of ['ecdsa-p256', 'ed25519', 'rsa-3072'] as const) {
        const csrPem = await createCertificateSigningRequest({ privateKeyPem: keys.get(alg)!.privateKeyPem });
        expect(openssl(['req', '-verify', '-noout'], csrPem)).toBe('');
      }
    });

    it('refuses a P-384 CSR from OpenSSL with KEY_ALGORITHM_UNSUPPORTED and accepts its P-256 CSR', async () => {
      const make = (curve: string) =>
        openssl([
          'req',
          '-new',
          '-newkey',
          'ec',
          '-pkeyopt',
          `ec_paramgen_curve:${curve}`,
          '-nodes',
          '-subj',
          '/CN=x',
          '-keyout',
          '/dev/null',
        ]);
      const p384 = make('P-384');
      expect(
        await codeOf(() =>
          issueClientCertificate({ ca, userUuid: USER_UUID, deviceId: DEVICE_ID, csrPem: p384 }),
        ),
      ).toBe('KEY_ALGORITHM_UNSUPPORTED');
      const p256 = make('P-256');
      const issued = await issueClientCertificate({
        ca,
        userUuid: USER_UUID,
        deviceId: DEVICE_ID,
        csrPem: p256,
      });
      expect(issued.algorithm).toBe('ecdsa-p256');
    });
  });

  it('rejects bad key input', async () => {
    expect(await codeOf(() => createCertificateSigningRequest({ privateKeyPem: 'nope' }))).toBe(
      'KEY_MALFORMED',
    );
    expect(
      await codeOf(() =>
        createCertificateSigningRequest({ privateKeyPem: keys.get('ed25519')!.publicKeyPem }),
      ),
    ).toBe('KEY_MALFORMED');
    expect(
      await codeOf(() =>
        createCertificateSigningRequest({
          privateKeyPem: keys.get('ed25519')!.privateKeyPem,
          commonName: 'x'.repeat(65),
        }),
      ),
    ).toBe('INVALID_ARGUMENT');
  });
});
