import { argon2Sync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ARGON2_OPTIONS } from '../src/argon2-options.js';
import { hashLegacySha256 } from '../src/hash-legacy-sha256.js';
import { hashPassword } from '../src/hash-password.js';
import { verifyPassword } from '../src/verify-password.js';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64').replace(/=+$/, '');

function argon2Phc(opts: {
  alg?: 'argon2id' | 'argon2i' | 'argon2d';
  m: number;
  t: number;
  p: number;
  salt?: number;
  tag?: number;
  data?: Buffer;
}): string {
  const alg = opts.alg ?? 'argon2id';
  const nonce = randomBytes(opts.salt ?? 16);
  const tag = argon2Sync(alg, {
    message: 'pw',
    nonce,
    memory: opts.m,
    passes: opts.t,
    parallelism: opts.p,
    tagLength: opts.tag ?? 32,
    ...(opts.data ? { associatedData: opts.data } : {}),
  });
  const data = opts.data ? `,data=${b64(opts.data)}` : '';
  return `$${alg}$v=19$m=${opts.m},t=${opts.t},p=${opts.p}${data}$${b64(nonce)}$${b64(tag)}`;
}

describe('needsRehash matrix', () => {
  const D = DEFAULT_ARGON2_OPTIONS;
  const cases: Array<[string, () => string | Promise<string>, boolean]> = [
    ['our default hash', () => hashPassword('pw'), false],
    ['stronger memory and passes', () => argon2Phc({ m: D.memory * 2, t: 3, p: 1 }), false],
    ['more lanes at default memory', () => argon2Phc({ m: D.memory, t: 2, p: 4 }), false],
    ['memory below the minimum', () => argon2Phc({ m: D.memory - 1, t: 2, p: 1 }), true],
    ['passes below the minimum', () => argon2Phc({ m: D.memory, t: 1, p: 1 }), true],
    ['16-byte tag', () => argon2Phc({ m: D.memory, t: 2, p: 1, tag: 16 }), true],
    ['8-byte salt', () => argon2Phc({ m: D.memory, t: 2, p: 1, salt: 8 }), true],
    ['argon2i', () => argon2Phc({ alg: 'argon2i', m: D.memory, t: 2, p: 1 }), true],
    ['argon2d', () => argon2Phc({ alg: 'argon2d', m: D.memory, t: 2, p: 1 }), true],
    ['associated data field', () => argon2Phc({ m: D.memory, t: 2, p: 1, data: Buffer.from('ctx') }), true],
    ['legacy sha256', () => hashLegacySha256('pw'), true],
  ];
  for (const [name, make, expected] of cases) {
    it(`${name} → needsRehash ${expected}`, async () => {
      const stored = await make();
      expect(await verifyPassword(stored, 'pw')).toEqual({ valid: true, needsRehash: expected });
    });
  }

  it('a caller minimum above the defaults flags our default hashes', async () => {
    const stored = await hashPassword('pw');
    expect(await verifyPassword(stored, 'pw', { minimum: { memory: 65536 } })).toEqual({
      valid: true,
      needsRehash: true,
    });
    expect(await verifyPassword(stored, 'pw', { minimum: { passes: 3 } })).toEqual({
      valid: true,
      needsRehash: true,
    });
  });

  it('a caller minimum below the stored costs accepts cheaper hashes', async () => {
    const stored = await hashPassword('pw', { memory: 1024, passes: 1 });
    expect(await verifyPassword(stored, 'pw', { minimum: { memory: 1024, passes: 1 } })).toEqual({
      valid: true,
      needsRehash: false,
    });
  });

  it('an invalid password never reports needsRehash', async () => {
    expect(await verifyPassword(hashLegacySha256('pw'), 'other')).toEqual({
      valid: false,
      needsRehash: false,
    });
  });
});
