/**
 * node:crypto.argon2 (OpenSSL) as the independent oracle: our default engine is @node-rs/argon2, so
 * our hashes are recomputed here by OpenSSL from a PHC string parsed by this test, not by our parser.
 */
import { argon2 } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { hashPassword } from '../src/hash-password.js';
import { verifyPassword } from '../src/verify-password.js';

const openssl = promisify(argon2);

/** An independent reading of `$argon2xx$v=19$m=..,t=..,p=..$salt$hash`. */
function parsePhc(stored: string) {
  const match =
    /^\$(argon2(?:id|i|d))\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(stored);
  if (match === null) throw new Error(`not an argon2 v=19 PHC string: ${stored}`);
  const [, algorithm, m, t, p, salt, hash] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    algorithm: algorithm as 'argon2id' | 'argon2i' | 'argon2d',
    memory: Number(m),
    passes: Number(t),
    parallelism: Number(p),
    salt: Buffer.from(salt, 'base64'),
    hash: Buffer.from(hash, 'base64'),
  };
}

function toPhc(algorithm: string, m: number, t: number, p: number, salt: Buffer, hash: Buffer): string {
  const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
  return `$${algorithm}$v=19$m=${m},t=${t},p=${p}$${b64(salt)}$${b64(hash)}`;
}

describe('our Argon2id hashes recomputed by node:crypto.argon2', () => {
  const cases = [
    { password: 'correct horse battery staple', options: undefined },
    {
      password: 'パスワード🔐',
      options: { memory: 256, passes: 3, parallelism: 2, tagLength: 64, saltLength: 32 },
    },
    {
      password: ' spaces  inside ',
      options: { memory: 1024, passes: 1, parallelism: 4, tagLength: 16, saltLength: 8 },
    },
  ];
  for (const { password, options } of cases) {
    it(`${JSON.stringify(password)} ${JSON.stringify(options ?? 'defaults')}`, async () => {
      const stored = await hashPassword(password, options);
      const phc = parsePhc(stored);
      expect(phc.algorithm).toBe('argon2id');
      const expected = await openssl('argon2id', {
        message: Buffer.from(password.normalize('NFKC')),
        nonce: phc.salt,
        memory: phc.memory,
        passes: phc.passes,
        parallelism: phc.parallelism,
        tagLength: phc.hash.length,
      });
      expect(phc.hash.toString('hex')).toBe(expected.toString('hex'));
    });
  }
});

describe('node:crypto.argon2 hashes verify with ours', () => {
  const costs = [
    { m: 64, t: 1, p: 1, tag: 32, salt: 16 },
    { m: 256, t: 3, p: 4, tag: 16, salt: 8 },
    { m: 1024, t: 2, p: 2, tag: 64, salt: 64 },
  ];
  for (const algorithm of ['argon2id', 'argon2i', 'argon2d'] as const) {
    for (const c of costs) {
      it(`${algorithm} m=${c.m},t=${c.t},p=${c.p}, ${c.tag}-byte tag, ${c.salt}-byte salt`, async () => {
        const password = 'their-password-ü';
        const salt = Buffer.alloc(c.salt, 0xa5);
        const hash = await openssl(algorithm, {
          message: Buffer.from(password),
          nonce: salt,
          memory: c.m,
          passes: c.t,
          parallelism: c.p,
          tagLength: c.tag,
        });
        const stored = toPhc(algorithm, c.m, c.t, c.p, salt, hash);
        expect((await verifyPassword(stored, password)).valid).toBe(true);
        expect((await verifyPassword(stored, 'their-password-u')).valid).toBe(false);
      });
    }
  }
});
