import { describe, expect, it } from 'vitest';

describe('public API', () => {
  it('exports exactly the documented names', async () => {
    expect(Object.keys(await import('../src/index.js')).sort()).toEqual([
      'CertificateError',
      'KEY_ALGORITHMS',
      'certificateFingerprint',
      'createCertificateAuthority',
      'createCertificateRevocationList',
      'createCertificateSigningRequest',
      'exportPkcs12',
      'generateKeyPair',
      'inspectCertificate',
      'issueClientCertificate',
      'loadCertificateAuthority',
      'normalizeFingerprint',
      'signChallenge',
      'verifyChallengeSignature',
      'verifyClientCertificate',
    ]);
  });
});
