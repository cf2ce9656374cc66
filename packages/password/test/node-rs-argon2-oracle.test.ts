/**
 * Cross-checks with @node-rs/argon2's own PHC encoder and verifier. @node-rs/argon2 also computes our
 * tags by default, so these tests pin the PHC strings (ours read by it, its read by ours); the
 * independent check of the tags themselves is node-crypto-argon2-oracle.test.ts (OpenSSL).
 */
import { hash as nrHash, verify as nrVerify } from '@node-rs/argon2';

// @node-rs/argon2 declares these as ambient const enums, which verbatimModuleSyntax cannot import.
const Algorithm = { Argon2d: 0, Argon2i: 1, Argon2id: 2 } as const;
const Version = { V0x10: 0, V0x13: 1 } as const;

import { describe, expect, it } from 'vitest';
import { hashPassword } from '../src/hash-password.js';
import { verifyPassword } from '../src/verify-password.js';

const FAST = { memory: 64, passes: 1, parallelism: 1 };

describe('our Argon2id hashes verify with @node-rs/argon2', () => {
  for (const password of ['correct horse battery staple', 'パスワード🔐', ' spaces  inside ']) {
    it(`default parameters: ${JSON.stringify(password)}`, async () => {
      const stored = await hashPassword(password);
      expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
      expect(await nrVerify(stored, password)).toBe(true);
      expect(await nrVerify(stored, `${password}x`)).toBe(false);
    });
  }

  it('custom parameters, tag and salt lengths', async () => {
    const stored = await hashPassword('pw-custom', {
      memory: 256,
      passes: 3,
      parallelism: 2,
      tagLength: 64,
      saltLength: 32,
    });
    expect(stored.startsWith('$argon2id$v=19$m=256,t=3,p=2$')).toBe(true);
    expect(await nrVerify(stored, 'pw-custom')).toBe(true);
  });

  it('hashes the NFKC form, so a full-width password verifies with the oracle in its plain form', async () => {
    const stored = await hashPassword('ｐａｓｓｗｏｒｄ１');
    expect(await nrVerify(stored, 'password1')).toBe(true);
  });
});

describe('@node-rs/argon2 hashes verify with ours', () => {
  const algorithms = [
    ['argon2id', Algorithm.Argon2id],
    ['argon2i', Algorithm.Argon2i],
    ['argon2d', Algorithm.Argon2d],
  ] as const;
  const costs = [
    { memoryCost: 64, timeCost: 1, parallelism: 1, outputLen: 32 },
    { memoryCost: 256, timeCost: 3, parallelism: 4, outputLen: 16 },
    { memoryCost: 1024, timeCost: 2, parallelism: 2, outputLen: 64 },
  ];
  for (const [name, algorithm] of algorithms) {
    for (const version of [Version.V0x13, Version.V0x10]) {
      for (const cost of costs) {
        it(`${name} v=${version === Version.V0x13 ? 19 : 16} m=${cost.memoryCost},t=${cost.timeCost},p=${cost.parallelism}`, async () => {
          const password = 'their-password-ü';
          const stored = await nrHash(password, { algorithm, version, ...cost });
          expect(stored.startsWith(`$${name}$v=${version === Version.V0x13 ? 19 : 16}$`)).toBe(true);
          const ok = await verifyPassword(stored, password);
          expect(ok.valid).toBe(true);
          expect(ok.needsRehash).toBe(true);
          expect(await verifyPassword(stored, 'their-password-u')).toEqual({
            valid: false,
            needsRehash: false,
          });
        });
      }
    }
  }

  it('an argon2id v=19 hash at our defaults needs no rehash', async () => {
    const stored = await nrHash('pw', {
      algorithm: Algorithm.Argon2id,
      memoryCost: 19456,
      timeCost: 2,
      parallelism: 1,
    });
    expect(await verifyPassword(stored, 'pw')).toEqual({ valid: true, needsRehash: false });
  });

  it('a hash of a non-NFKC password made elsewhere still verifies (raw form is tried too)', async () => {
    const stored = await nrHash('ｐａｓｓ', {
      algorithm: Algorithm.Argon2id,
      ...{ memoryCost: 64, timeCost: 1 },
    });
    expect((await verifyPassword(stored, 'ｐａｓｓ')).valid).toBe(true);
  });

  it('a hash whose v= field is omitted is read as version 16, as the reference implementation does', async () => {
    const stored = await nrHash('pw', {
      algorithm: Algorithm.Argon2id,
      version: Version.V0x10,
      memoryCost: 64,
      timeCost: 1,
    });
    const withoutVersion = stored.replace('$v=16', '');
    expect((await verifyPassword(withoutVersion, 'pw')).valid).toBe(true);
  });

  it('fast parameters of our own round-trip', async () => {
    const stored = await hashPassword('round trip', FAST);
    expect(await verifyPassword(stored, 'round trip')).toEqual({ valid: true, needsRehash: true });
  });
});
