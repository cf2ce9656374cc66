/** CRLs are checked with pkijs-independent means: `node:crypto` verifies the signature over the raw TBS, and
 * the openssl CLI (3.0 here, no ML-DSA) verifies the classical ones. */
import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  createCertificateRevocationList,
  type KeyAlgorithm,
} from '../src/index.js';
import { codeOf, hasOpenssl, openssl } from './_support.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const ALGS: KeyAlgorithm[] = ['ml-dsa-65', 'ml-dsa-87', 'ecdsa-p256', 'ed25519'];
const cas = new Map<KeyAlgorithm, CertificateAuthority>();
beforeAll(async () => {
  for (const alg of ALGS) cas.set(alg, await createCertificateAuthority({ algorithm: alg, now: NOW }));
});

const REVOKED = [
  {
    serialNumber: '8a1b2c3d4e5f60718293a4b5c6d7e8f9',
    revokedAt: new Date('2026-05-30T00:00:00Z'),
    reason: 'keyCompromise',
  },
  { serialNumber: '0102', revokedAt: new Date('2026-05-31T00:00:00Z') },
];

/** Splits the CRL DER with asn1js only: [tbs bytes, signature bytes]. */
function splitCrl(pem: string): { tbs: Uint8Array; signature: Uint8Array } {
  const der = Buffer.from(pem.replace(/-----(BEGIN|END) X509 CRL-----/g, '').replace(/\s+/g, ''), 'base64');
  const top = asn1js.fromBER(der).result as asn1js.Sequence;
  const [tbs, , sig] = top.valueBlock.value as [asn1js.Sequence, asn1js.Sequence, asn1js.BitString];
  return {
    tbs: new Uint8Array(tbs.valueBeforeDecodeView),
    signature: new Uint8Array(sig.valueBlock.valueHexView),
  };
}

describe.each(ALGS)('CRL signed by a %s CA', (alg) => {
  it('verifies with node:crypto against the CA public key', async () => {
    const ca = cas.get(alg)!;
    const crl = await createCertificateRevocationList({ ca, revoked: REVOKED, now: NOW });
    expect(crl).toMatch(/^-----BEGIN X509 CRL-----\n/);
    const { tbs, signature } = splitCrl(crl);
    const key = new X509Certificate(ca.certificatePem).publicKey;
    expect(verify(alg === 'ecdsa-p256' ? 'sha256' : null, tbs, key, signature)).toBe(true);
    const other = cas.get(alg === 'ed25519' ? 'ml-dsa-65' : 'ed25519')!;
    expect(verify(null, tbs, createPublicKey(other.privateKeyPem), signature)).toBe(false);
  });
});

describe.skipIf(!hasOpenssl)('openssl crl (install openssl to run)', () => {
  it.each(['ecdsa-p256', 'ed25519'] as const)(
    '%s: verifies and lists serials, reasons and times',
    async (alg) => {
      const ca = cas.get(alg)!;
      const dir = mkdtempSync(join(tmpdir(), 'crl-'));
      writeFileSync(join(dir, 'ca.pem'), ca.certificatePem);
      const crl = await createCertificateRevocationList({
        ca,
        revoked: REVOKED,
        now: NOW,
        nextUpdateHours: 48,
      });
      const text = openssl(['crl', '-CAfile', join(dir, 'ca.pem'), '-noout', '-text'], crl);
      expect(text).toContain('Version 2 (0x1)');
      expect(text).toContain('Serial Number: 8A1B2C3D4E5F60718293A4B5C6D7E8F9');
      expect(text).toContain('Serial Number: 0102');
      expect(text).toContain('Key Compromise');
      expect(text).toContain('Last Update: Jun  1 12:00:00 2026 GMT');
      expect(text).toContain('Next Update: Jun  3 12:00:00 2026 GMT');
      expect(text).toContain('X509v3 CRL Number');
      expect(text).toContain('X509v3 Authority Key Identifier');
      const verified = openssl(['crl', '-CAfile', join(dir, 'ca.pem'), '-noout', '-verify'], crl);
      expect(verified).toBe('');
    },
  );

  it('an empty CRL has no revokedCertificates field', async () => {
    const crl = await createCertificateRevocationList({ ca: cas.get('ecdsa-p256')!, revoked: [], now: NOW });
    expect(openssl(['crl', '-noout', '-text'], crl)).toContain('No Revoked Certificates.');
  });
});

describe('input checks', () => {
  it.each([
    ['bad serial', [{ serialNumber: 'xyz', revokedAt: NOW }]],
    ['too long serial', [{ serialNumber: 'a'.repeat(41), revokedAt: NOW }]],
    ['bad date', [{ serialNumber: '01', revokedAt: new Date(Number.NaN) }]],
    ['unknown reason', [{ serialNumber: '01', revokedAt: NOW, reason: 'lostPhone' }]],
    ['prototype reason', [{ serialNumber: '01', revokedAt: NOW, reason: 'toString' }]],
    ['not an array', 'nope'],
  ])('%s gives INVALID_ARGUMENT', async (_label, revoked) => {
    const ca = cas.get('ed25519')!;
    expect(
      await codeOf(() => createCertificateRevocationList({ ca, revoked: revoked as never, now: NOW })),
    ).toBe('INVALID_ARGUMENT');
  });

  it('refuses a CA without its key', async () => {
    const ca = { ...cas.get('ed25519')!, privateKeyPem: '' };
    expect(await codeOf(() => createCertificateRevocationList({ ca, revoked: [] }))).toBe('INVALID_ARGUMENT');
  });
});
