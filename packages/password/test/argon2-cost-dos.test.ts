import { describe, expect, it } from 'vitest';
import { hashPassword } from '../src/hash-password.js';
import { verifyPassword } from '../src/verify-password.js';

const SALT = 'c29tZXNhbHRzb21lc2FsdA';
const HASH = 'ZmFrZWhhc2hmYWtlaGFzaGZha2VoYXNoZmFrZWhhc2g';

async function code(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

describe('denial of service through stored hash costs', () => {
  for (const [name, params] of [
    ['m = 4 GiB', 'm=4194304,t=2,p=1'],
    ['m = 2^32-1 KiB', 'm=4294967295,t=2,p=1'],
    ['t = 101', 'm=19456,t=101,p=1'],
    ['t = 10^9', 'm=19456,t=1000000000,p=1'],
    ['p = 65', 'm=19456,t=2,p=65'],
  ]) {
    it(`argon2id ${name} is refused before hashing`, async () => {
      expect(await code(verifyPassword(`$argon2id$v=19$${params}$${SALT}$${HASH}`, 'pw'))).toBe(
        'PASSWORD_HASH_UNSUPPORTED',
      );
    });
  }

  it('version 16 (computed in JavaScript) has tighter caps', async () => {
    expect(await code(verifyPassword(`$argon2id$v=16$m=131072,t=2,p=1$${SALT}$${HASH}`, 'pw'))).toBe(
      'PASSWORD_HASH_UNSUPPORTED',
    );
    expect(await code(verifyPassword(`$argon2id$v=16$m=1024,t=11,p=1$${SALT}$${HASH}`, 'pw'))).toBe(
      'PASSWORD_HASH_UNSUPPORTED',
    );
  });

  it('numbers beyond 32 bits are malformed, not parsed as huge costs', async () => {
    expect(await code(verifyPassword(`$argon2id$v=19$m=99999999999,t=2,p=1$${SALT}$${HASH}`, 'pw'))).toBe(
      'PASSWORD_HASH_MALFORMED',
    );
  });

  for (const [name, params] of [
    ['ln = 21', 'ln=21,r=8,p=1'],
    ['r = 33', 'ln=10,r=33,p=1'],
    ['128·N·r over 256 MiB', 'ln=18,r=16,p=1'],
    ['p = 17', 'ln=10,r=8,p=17'],
  ]) {
    it(`scrypt ${name} is refused before hashing`, async () => {
      expect(await code(verifyPassword(`$scrypt$${params}$${SALT}$${HASH}`, 'pw'))).toBe(
        'PASSWORD_HASH_UNSUPPORTED',
      );
    });
  }

  it('over-long passwords are refused before hashing or verifying (PASSWORD_TOO_LONG)', async () => {
    const long = 'a'.repeat(1025);
    const longMultiByte = 'é'.repeat(513); // 1026 bytes, 513 code units
    expect(await code(hashPassword(long))).toBe('PASSWORD_TOO_LONG');
    expect(await code(hashPassword(longMultiByte))).toBe('PASSWORD_TOO_LONG');
    expect(await code(verifyPassword(`$argon2id$v=19$m=19456,t=2,p=1$${SALT}$${HASH}`, long))).toBe(
      'PASSWORD_TOO_LONG',
    );
    expect(await code(hashPassword('a'.repeat(10_000_000)))).toBe('PASSWORD_TOO_LONG');
  });

  it('exactly 1024 bytes is accepted', async () => {
    const stored = await hashPassword('a'.repeat(1024), { memory: 64, passes: 1 });
    expect((await verifyPassword(stored, 'a'.repeat(1024))).valid).toBe(true);
  });

  it('NFKC expansion past the limit is caught too (U+FDFA expands to 18 code points)', async () => {
    const expanding = '\uFDFA'.repeat(60); // 180 bytes raw, over 2000 bytes after NFKC
    expect(Buffer.byteLength(expanding)).toBeLessThan(1024);
    expect(await code(hashPassword(expanding))).toBe('PASSWORD_TOO_LONG');
  });
});
