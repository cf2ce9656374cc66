import { describe, expect, it, vi } from 'vitest';
import { hashPassword } from '../src/hash-password.js';
import { verifyDummyPassword } from '../src/verify-dummy-password.js';

/** Every stored hash verifyPassword is asked to check, so the dummy's own hash can be inspected. */
const verifiedHashes = vi.hoisted((): string[] => []);
vi.mock('../src/verify-password.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/verify-password.js')>();
  return {
    ...actual,
    verifyPassword: (...args: Parameters<typeof actual.verifyPassword>) => {
      verifiedHashes.push(args[0]);
      return actual.verifyPassword(...args);
    },
  };
});

// Behavioural checks only; the timing comparison itself lives in bench/ (no timing asserts here).
describe('user enumeration by timing: verifyDummyPassword', () => {
  it('always answers invalid, for any password, including one matching nothing in particular', async () => {
    for (const p of ['', 'password', 'ｐａｓｓ', 'x'.repeat(1024)]) {
      expect(await verifyDummyPassword(p)).toEqual({ valid: false, needsRehash: false });
    }
  });

  it('rejects the same inputs verifyPassword rejects', async () => {
    await expect(verifyDummyPassword('x'.repeat(1025))).rejects.toMatchObject({ code: 'PASSWORD_TOO_LONG' });
  });

  it('hashes at default parameters (same cost as a real default-parameter verify)', async () => {
    // The dummy is produced by hashPassword with no options; check that default output shape.
    expect(await hashPassword('probe')).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    // And the dummy really verifies against such a hash, not a cheaper one.
    verifiedHashes.length = 0;
    await verifyDummyPassword('probe');
    expect(verifiedHashes).toHaveLength(1);
    expect(verifiedHashes[0]).toMatch(
      /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/,
    );
  });
});
