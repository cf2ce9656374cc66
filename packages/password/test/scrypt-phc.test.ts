import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../src/verify-password.js';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64').replace(/=+$/, '');

/** Builds passlib / @phc/scrypt form `$scrypt$ln=…,r=…,p=…$salt$hash` with node:crypto as the oracle. */
function scryptPhc(password: string, ln: number, r: number, p: number, saltLen = 16, keyLen = 32): string {
  const salt = randomBytes(saltLen);
  const hash = scryptSync(password, salt, keyLen, { N: 2 ** ln, r, p, maxmem: 256 * 1024 * 1024 });
  return `$scrypt$ln=${ln},r=${r},p=${p}$${b64(salt)}$${b64(hash)}`;
}

describe('scrypt PHC strings', () => {
  for (const [ln, r, p, keyLen] of [
    [4, 8, 1, 32],
    [10, 8, 1, 32],
    [14, 8, 1, 64],
    [8, 4, 2, 16],
  ] as const) {
    it(`ln=${ln},r=${r},p=${p} verifies and always needs a rehash`, async () => {
      const stored = scryptPhc('scrypt pässword', ln, r, p, 16, keyLen);
      expect(await verifyPassword(stored, 'scrypt pässword')).toEqual({ valid: true, needsRehash: true });
      expect(await verifyPassword(stored, 'scrypt passwordd')).toEqual({ valid: false, needsRehash: false });
    });
  }

  it('passlib documentation example parses and agrees with the node:crypto scrypt oracle', async () => {
    // From passlib's scrypt documentation: hash of "password".
    const stored = '$scrypt$ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E';
    const oracle = scryptSync('password', Buffer.from('aM15713r3Xsvxbi31lqr1Q', 'base64'), 32, {
      N: 2 ** 16,
      r: 8,
      p: 1,
      maxmem: 128 * 1024 * 1024,
    });
    const expected = b64(oracle) === 'nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E';
    expect((await verifyPassword(stored, 'password')).valid).toBe(expected);
  });
});
