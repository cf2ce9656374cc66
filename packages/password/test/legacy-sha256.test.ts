import { describe, expect, it } from 'vitest';
import { hashLegacySha256 } from '../src/hash-legacy-sha256.js';
import { verifyPassword } from '../src/verify-password.js';
import fixture from './fixtures/legacy-sha256.json' with { type: 'json' };

describe('legacy salted SHA-256 (vectors computed by Python hashlib)', () => {
  for (const v of fixture.vectors) {
    it(`hashLegacySha256 reproduces ${JSON.stringify(v.password)}`, () => {
      expect(hashLegacySha256(v.password, Buffer.from(v.saltHex, 'hex'))).toBe(v.stored);
    });
    it(`verifyPassword accepts ${JSON.stringify(v.password)} once and asks for a rehash`, async () => {
      expect(await verifyPassword(v.stored, v.password)).toEqual({ valid: true, needsRehash: true });
      expect(await verifyPassword(v.stored, `${v.password}!`)).toEqual({ valid: false, needsRehash: false });
    });
  }

  it('accepts upper-case hex as stored by other tools', async () => {
    const v = fixture.vectors[0]!;
    expect((await verifyPassword(v.stored.toUpperCase().replace('SHA256', 'sha256'), v.password)).valid).toBe(
      true,
    );
  });

  it('a legacy hash of a full-width password is matched against the raw input, as legacy clients hashed it', async () => {
    const v = fixture.vectors.find((x) => x.password.startsWith('Ｐ'))!;
    expect((await verifyPassword(v.stored, v.password)).valid).toBe(true);
    // The NFKC form is a different byte string and is only a second try; it must not match here.
    expect((await verifyPassword(v.stored, v.password.normalize('NFKC'))).valid).toBe(false);
  });

  it('defaults to a fresh 16-byte salt', () => {
    const a = hashLegacySha256('same');
    const b = hashLegacySha256('same');
    expect(a).toMatch(/^sha256\$[0-9a-f]{32}\$[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
  });
});
