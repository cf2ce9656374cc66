import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  exportPkcs12,
  type IssuedCertificate,
  issueClientCertificate,
} from '../src/index.js';
import { codeOf, DEVICE_ID, hasOpenssl, opensslWithDiagnostics, USER_UUID } from './_support.js';

const PASSWORD = 'correct hörse 電池';
let ca: CertificateAuthority;
const issued = new Map<string, IssuedCertificate>();
beforeAll(async () => {
  ca = await createCertificateAuthority({ algorithm: 'ecdsa-p256' });
  for (const algorithm of ['ecdsa-p256', 'rsa-3072', 'ml-dsa-65', 'ed25519'] as const) {
    issued.set(
      algorithm,
      await issueClientCertificate({ ca, userUuid: USER_UUID, deviceId: DEVICE_ID, algorithm }),
    );
  }
}, 30_000);

describe.skipIf(!hasOpenssl)('exportPkcs12 read back by openssl pkcs12 (install openssl to run)', () => {
  it.each(['ecdsa-p256', 'rsa-3072'])(
    '%s: OpenSSL decrypts the key and lists both certificates',
    async (alg) => {
      const cert = issued.get(alg)!;
      const p12 = await exportPkcs12({
        certificatePem: cert.certificatePem,
        privateKeyPem: cert.privateKeyPem!,
        caCertificatePem: ca.certificatePem,
        password: PASSWORD,
      });
      const file = join(mkdtempSync(join(tmpdir(), 'p12-')), 'device.p12');
      writeFileSync(file, p12);
      const out = opensslWithDiagnostics([
        'pkcs12',
        '-info',
        '-nodes',
        '-in',
        file,
        '-passin',
        `pass:${PASSWORD}`,
      ]);
      expect(out).toContain('MAC: sha256');
      expect(out).toMatch(/Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration \d+, PRF hmacWithSHA256/);
      expect(out.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
      expect(out).toContain(`subject=CN = ${USER_UUID}, UID = ${DEVICE_ID}`);
      const keyPem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n/.exec(out)?.[0];
      expect(keyPem).toBeDefined();
      const exported = createPrivateKey(keyPem!).export({ type: 'pkcs8', format: 'der' });
      expect(
        exported.equals(createPrivateKey(cert.privateKeyPem!).export({ type: 'pkcs8', format: 'der' })),
      ).toBe(true);
      expect(() =>
        opensslWithDiagnostics(['pkcs12', '-info', '-nodes', '-in', file, '-passin', 'pass:wrong']),
      ).toThrow();
    },
  );
});

describe('exportPkcs12 refusals', () => {
  it.each(['ml-dsa-65', 'ed25519'])('%s keys give CERT_PKCS12_UNSUPPORTED', async (alg) => {
    const cert = issued.get(alg)!;
    expect(
      await codeOf(() =>
        exportPkcs12({
          certificatePem: cert.certificatePem,
          privateKeyPem: cert.privateKeyPem!,
          password: PASSWORD,
        }),
      ),
    ).toBe('CERT_PKCS12_UNSUPPORTED');
  });

  it('refuses a key that is not the certificate key, bad certificates and empty passwords', async () => {
    const a = issued.get('ecdsa-p256')!;
    const b = await issueClientCertificate({
      ca,
      userUuid: USER_UUID,
      deviceId: DEVICE_ID,
      algorithm: 'ecdsa-p256',
    });
    expect(
      await codeOf(() =>
        exportPkcs12({ certificatePem: a.certificatePem, privateKeyPem: b.privateKeyPem!, password: 'x' }),
      ),
    ).toBe('KEY_MALFORMED');
    expect(
      await codeOf(() =>
        exportPkcs12({ certificatePem: 'junk', privateKeyPem: a.privateKeyPem!, password: 'x' }),
      ),
    ).toBe('CERT_MALFORMED');
    expect(
      await codeOf(() =>
        exportPkcs12({ certificatePem: a.certificatePem, privateKeyPem: a.privateKeyPem!, password: '' }),
      ),
    ).toBe('INVALID_ARGUMENT');
  });
});
