import { describe, expect, it } from 'vitest';

describe('public API', () => {
  it('exports exactly these names', async () => {
    expect(Object.keys(await import('../src/index.js')).sort()).toEqual([
      'DEFAULT_ARGON2_OPTIONS',
      'PasswordError',
      'PasswordPolicyError',
      'argon2Engine',
      'assertPasswordPolicy',
      'checkPasswordPolicy',
      'generateSalt',
      'hashLegacySha256',
      'hashPassword',
      'normalizePassword',
      'verifyDummyPassword',
      'verifyPassword',
    ]);
  });

  it('defaults are OWASP Argon2id minimums and frozen', async () => {
    const { DEFAULT_ARGON2_OPTIONS } = await import('../src/index.js');
    expect(DEFAULT_ARGON2_OPTIONS).toEqual({
      memory: 19456,
      passes: 2,
      parallelism: 1,
      tagLength: 32,
      saltLength: 16,
    });
    expect(Object.isFrozen(DEFAULT_ARGON2_OPTIONS)).toBe(true);
  });
});
