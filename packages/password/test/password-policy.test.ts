import { describe, expect, it } from 'vitest';
import { assertPasswordPolicy } from '../src/assert-password-policy.js';
import { checkPasswordPolicy } from '../src/check-password-policy.js';
import { commonPasswords } from '../src/data/common-passwords.js';
import { normalizePassword } from '../src/normalize-password.js';
import { PasswordError, PasswordPolicyError } from '../src/password-error.js';

const COMMON_PASSWORDS = commonPasswords();

const codeOf = (p: string, ctx?: { username?: string; email?: string }) => {
  const r = checkPasswordPolicy(p, ctx);
  return r.ok ? 'OK' : r.code;
};

describe('NIST SP 800-63B length bounds, in code points after NFKC', () => {
  it('8 code points pass, 7 fail', () => {
    expect(codeOf('zq8#kL2v')).toBe('OK');
    expect(codeOf('zq8#kL2')).toBe('PASSWORD_TOO_SHORT');
    expect(codeOf('')).toBe('PASSWORD_TOO_SHORT');
  });

  it('counts code points, not UTF-16 units: 7 emoji (14 units) is too short, 8 pass', () => {
    expect(codeOf('🔐🌸🗻🍣🎌🚄🌊')).toBe('PASSWORD_TOO_SHORT');
    expect(codeOf('🔐🌸🗻🍣🎌🚄🌊🍵')).toBe('OK');
  });

  it('128 code points pass, 129 fail', () => {
    const base = 'Vq7!mZ2@xR9#pL4$';
    expect(codeOf(base.repeat(8))).toBe('OK');
    expect(codeOf(`${base.repeat(8)}x`)).toBe('PASSWORD_TOO_LONG');
    expect(codeOf('x'.repeat(1_000_000))).toBe('PASSWORD_TOO_LONG');
  });

  it('128 four-byte code points (512 UTF-8 bytes) pass: the byte cap never bites below 128 code points', () => {
    const fourByte = String.fromCodePoint(...Array.from({ length: 128 }, (_, i) => 0x1f300 + i));
    expect(Buffer.byteLength(fourByte)).toBe(512);
    expect(codeOf(fourByte)).toBe('OK');
  });

  it('NFKC expansion is measured after normalisation', () => {
    // U+FDFA is one code point that NFKC expands to 18.
    expect([...normalizePassword('\uFDFA'.repeat(7))].length).toBe(126);
    expect(codeOf('\uFDFA'.repeat(7))).toBe('OK');
    expect(codeOf('\uFDFA'.repeat(8))).toBe('PASSWORD_TOO_LONG');
  });
});

describe('NFKC normalisation', () => {
  it('full-width and compatibility forms fold to the same password', () => {
    expect(normalizePassword('ｐａｓｓｗｏｒｄ１２３')).toBe('password123');
    expect(normalizePassword('ﬁnancial')).toBe('financial');
    expect(normalizePassword('Å')).toBe(normalizePassword('Å'));
  });

  it('the policy returns the NFKC form', () => {
    const r = checkPasswordPolicy('ｋｏｎｎｉｃｈｉｗａ　世界');
    expect(r).toEqual({ ok: true, normalized: 'konnichiwa 世界' });
  });

  it('no composition rules: spaces, all-lowercase, all-digit-free, Japanese and emoji are allowed', () => {
    for (const p of [
      'correct horse battery staple',
      'すもももももももものうち',
      'just lowercase words here',
      '🐱 neko no te 🐾',
    ]) {
      expect(codeOf(p)).toBe('OK');
    }
  });
});

describe('common passwords (shipped list)', () => {
  it('ships thousands of entries, all NFKC lower-case and unique', () => {
    expect(COMMON_PASSWORDS.length).toBeGreaterThanOrEqual(5000);
    expect(new Set(COMMON_PASSWORDS).size).toBe(COMMON_PASSWORDS.length);
    for (const p of COMMON_PASSWORDS) expect(p).toBe(p.normalize('NFKC').toLowerCase());
  });

  for (const p of [
    'password',
    'PASSWORD',
    'Password',
    '12345678',
    'iloveyou',
    'football',
    'ｐａｓｓｗｏｒｄ',
    'baseball',
    'qwertyui',
  ]) {
    it(`rejects ${p}`, () => {
      expect(codeOf(p)).toBe('PASSWORD_TOO_COMMON');
    });
  }

  it('an uncommon password of the same shape passes', () => {
    expect(codeOf('passw0rdz-kyoto')).toBe('OK');
  });
});

describe('predictable passwords: common words with decoration, look-alikes, walks, runs, sequences', () => {
  // Each weak entry is absent from the shipped list as written; the pattern rules must catch it.
  const weak = [
    'password123',
    'Password2026!',
    '!!password!!',
    'p@ssw0rd',
    'p@ssw0rd1',
    'P4$$w0rd2026',
    '$ecret123',
    'monkey1234',
    'dragon-2026',
    'iloveyou2026',
    'qwertyuiop[]',
    'poiuytrewq',
    '1qaz2wsx3edc',
    'zxcvbnm!2026',
    'asdfghjkl;',
    'qwertyasdfgh',
    '1111111111111',
    'aaaaaaaa1',
    '20262026',
    'qwerqwerqwer',
    'abcabcabc',
    'abcdefghi',
    'abcdefghijkl',
    '876543210',
    'hgfedcba1',
    'zyxwvutsrq',
  ];
  for (const p of weak) {
    it(`rejects ${p} as PASSWORD_TOO_COMMON`, () => {
      expect(COMMON_PASSWORDS).not.toContain(p.toLowerCase());
      expect(codeOf(p)).toBe('PASSWORD_TOO_COMMON');
    });
  }

  const acceptable = [
    'correct horse battery staple',
    'zq8#kL2v',
    'passw0rdz-kyoto',
    'kyoto-tower-1964',
    'hanako-sakura-77',
    'qwerty-kyoto-99',
    'ilovekyoto99',
    'Vq7!mZ2@xR9#pL4$',
    'すもももももももものうち',
    '🔐🌸🗻🍣🎌🚄🌊🍵',
    'tsukimi dango 15',
    'abc-river-otter',
  ];
  for (const p of acceptable) {
    it(`accepts ${p}`, () => {
      expect(codeOf(p)).toBe('OK');
    });
  }

  it('the pattern rules keep the stable code and say why', () => {
    const r = checkPasswordPolicy('password123');
    expect(r).toMatchObject({ ok: false, code: 'PASSWORD_TOO_COMMON' });
    expect(r.ok ? '' : r.message).toMatch(/predictable/);
  });
});

describe('identifiers', () => {
  it('rejects the username behind look-alike substitutions', () => {
    expect(codeOf('t4k3sh1-in-kyoto', { username: 'takeshi' })).toBe('PASSWORD_CONTAINS_IDENTIFIER');
  });

  it('rejects passwords containing the username, case-insensitively and after NFKC', () => {
    expect(codeOf('my-Takeshi-2026!', { username: 'takeshi' })).toBe('PASSWORD_CONTAINS_IDENTIFIER');
    expect(codeOf('my-ＴＡＫＥＳＨＩ-2026!', { username: 'Takeshi' })).toBe('PASSWORD_CONTAINS_IDENTIFIER');
  });

  it('rejects passwords containing the e-mail local part, not the domain', () => {
    expect(codeOf('hello-hanako.y-99', { email: 'Hanako.Y@example.jp' })).toBe(
      'PASSWORD_CONTAINS_IDENTIFIER',
    );
    expect(codeOf('example-rocks-99', { email: 'hanako@example.jp' })).toBe('OK');
  });

  it('very short identifiers are not matched (they would forbid too much)', () => {
    expect(codeOf('albatross-winter', { username: 'al' })).toBe('OK');
  });

  it('without context nothing is matched', () => {
    expect(codeOf('my-takeshi-2026!')).toBe('OK');
  });
});

describe('assertPasswordPolicy', () => {
  it('returns the normalized password', () => {
    expect(assertPasswordPolicy('ｇｏｏｄ　ｐａｓｓｐｈｒａｓｅ')).toBe('good passphrase');
  });

  for (const [input, code] of [
    ['short', 'PASSWORD_TOO_SHORT'],
    ['x'.repeat(129), 'PASSWORD_TOO_LONG'],
    ['password1', 'PASSWORD_TOO_COMMON'],
    ['password123', 'PASSWORD_TOO_COMMON'],
  ] as const) {
    it(`throws PasswordPolicyError ${code}`, () => {
      try {
        assertPasswordPolicy(input);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(PasswordPolicyError);
        expect(err).toBeInstanceOf(PasswordError);
        expect((err as PasswordPolicyError).code).toBe(code);
      }
    });
  }
});
