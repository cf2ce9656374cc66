import { isCityError } from '@city/errors';
import { describe, expect, it } from 'vitest';
import { AuthError } from '../src/auth-error.js';
import { isValidMyNumber, myNumberCheckDigit } from '../src/validation/my-number-check-digit.js';
import { validateBirthDate } from '../src/validation/validate-birth-date.js';
import { validateEmail } from '../src/validation/validate-email.js';
import { validateLoginInput } from '../src/validation/validate-login-input.js';
import { validatePairingInput } from '../src/validation/validate-pairing-input.js';
import { validatePhone } from '../src/validation/validate-phone.js';
import { validateRegisterInput } from '../src/validation/validate-register-input.js';
import { validateUsername } from '../src/validation/validate-username.js';
import fixture from './fixtures/mynumber-check-digits.json' with { type: 'json' };

const NOW = new Date('2026-11-21T12:00:00Z');

const validBody = {
  username: 'Alice.Smith',
  email: 'Alice@Example.COM',
  password: 'violet tractor umbrella 42',
  name: '山田 太郎',
  birth_date: '2000-01-01',
  address: '東京都千代田区1-1',
  mynumber: '983205673214',
  phone: '080-1234-5678',
  initial_harmony_token: '100',
};

function issues(fn: () => unknown): { field: string; code: string }[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    expect(isCityError(error)).toBe(true);
    const e = error as AuthError;
    expect(e.code).toBe('VALIDATION_FAILED');
    return (e.fields ?? []).map(({ field, code }) => ({ field, code }));
  }
  throw new Error('expected VALIDATION_FAILED');
}

describe('validateRegisterInput', () => {
  it('accepts the legacy body and normalises every field', () => {
    const v = validateRegisterInput(validBody, NOW);
    expect(v.username).toEqual({ display: 'Alice.Smith', key: 'alice.smith' });
    expect(v.email).toEqual({ address: 'Alice@example.com', canonical: 'alice@example.com' });
    expect(v.phone).toBe('+818012345678');
    expect(v.mynumber).toBe('983205673214');
    expect(v.initialHarmonyToken).toBe(100);
    expect(v.birthDate).toBe('2000-01-01');
    expect(v.name).toBe('山田 太郎');
  });

  it('needs only username, email and password; harmony token defaults to 0', () => {
    const v = validateRegisterInput(
      { username: 'bob', email: 'b@example.org', password: 'violet tractor umbrella' },
      NOW,
    );
    expect(v.initialHarmonyToken).toBe(0);
    expect(v.mynumber).toBeUndefined();
  });

  it('reports every bad field at once', () => {
    const found = issues(() =>
      validateRegisterInput(
        {
          username: 'a',
          email: 'nope',
          password: 'short',
          birth_date: '2030-01-01',
          mynumber: '983205673212',
          phone: '12',
          extra: 1,
        },
        NOW,
      ),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        { field: 'extra', code: 'UNKNOWN_FIELD' },
        { field: 'username', code: 'TOO_SHORT' },
        { field: 'email', code: 'INVALID_FORMAT' },
        { field: 'password', code: 'PASSWORD_TOO_SHORT' },
        { field: 'birth_date', code: 'OUT_OF_RANGE' },
        { field: 'mynumber', code: 'CHECK_DIGIT_MISMATCH' },
        { field: 'phone', code: 'INVALID_FORMAT' },
      ]),
    );
  });

  it('names each missing required field', () => {
    expect(issues(() => validateRegisterInput({}, NOW))).toEqual([
      { field: 'username', code: 'REQUIRED' },
      { field: 'email', code: 'REQUIRED' },
      { field: 'password', code: 'REQUIRED' },
    ]);
  });

  it.each([null, undefined, 'text', 42, [], [validBody], true])(
    'refuses a body that is not an object: %j',
    (body) => {
      expect(issues(() => validateRegisterInput(body, NOW))).toContainEqual({
        field: 'body',
        code: 'INVALID_TYPE',
      });
    },
  );

  const hostile: unknown[] = [{ $gt: '' }, { $ne: null }, ['a'], [], { toString: 'x' }];
  for (const field of Object.keys(validBody)) {
    it.each(hostile)(`refuses a non-primitive in "${field}": %j`, (value) => {
      expect(issues(() => validateRegisterInput({ ...validBody, [field]: value }, NOW))).toContainEqual({
        field,
        code: 'INVALID_TYPE',
      });
    });
    it(`refuses NUL in "${field}"`, () => {
      const value =
        field === 'initial_harmony_token'
          ? '1\u00000'
          : `${String(validBody[field as keyof typeof validBody])}\u0000`;
      const found = issues(() => validateRegisterInput({ ...validBody, [field]: value }, NOW));
      expect(found.some((i) => i.field === field)).toBe(true);
    });
  }

  it('treats __proto__ and constructor keys as unknown fields, never as prototypes', () => {
    const body = JSON.parse(
      `{"username":"alice","email":"a@example.com","password":"violet tractor umbrella","__proto__":{"admin":true},"constructor":1}`,
    );
    expect(issues(() => validateRegisterInput(body, NOW))).toEqual([
      { field: '__proto__', code: 'UNKNOWN_FIELD' },
      { field: 'constructor', code: 'UNKNOWN_FIELD' },
    ]);
  });

  it('refuses a password containing the username (policy from @city/password)', () => {
    expect(
      issues(() => validateRegisterInput({ ...validBody, password: 'alice.smith-rocks-2026' }, NOW)),
    ).toEqual([{ field: 'password', code: 'PASSWORD_CONTAINS_IDENTIFIER' }]);
  });

  it('refuses key_algorithm together with csr, and unknown algorithms', () => {
    const csr = '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n';
    expect(
      issues(() => validateRegisterInput({ ...validBody, csr, key_algorithm: 'ml-dsa-65' }, NOW)),
    ).toEqual([{ field: 'key_algorithm', code: 'CONFLICTING_FIELDS' }]);
    expect(issues(() => validateRegisterInput({ ...validBody, key_algorithm: 'dsa-1024' }, NOW))).toEqual([
      { field: 'key_algorithm', code: 'INVALID_FORMAT' },
    ]);
    expect(issues(() => validateRegisterInput({ ...validBody, csr: 'not a pem' }, NOW))).toEqual([
      { field: 'csr', code: 'INVALID_FORMAT' },
    ]);
  });

  it.each([
    [-1, 'OUT_OF_RANGE'],
    [1.5, 'INVALID_FORMAT'],
    [2 ** 53, 'OUT_OF_RANGE'],
    [Number.NaN, 'INVALID_FORMAT'],
    ['-1', 'INVALID_FORMAT'],
    ['1e3', 'INVALID_FORMAT'],
    ['99999999999999999', 'INVALID_FORMAT'],
    [true, 'INVALID_TYPE'],
  ])('refuses initial_harmony_token %j with %s', (value, code) => {
    expect(issues(() => validateRegisterInput({ ...validBody, initial_harmony_token: value }, NOW))).toEqual([
      { field: 'initial_harmony_token', code },
    ]);
  });

  it.each([
    ['name', 'x'.repeat(101), 'TOO_LONG'],
    ['name', 'a\u0007b', 'INVALID_CHARACTER'],
    ['name', '   ', 'TOO_SHORT'],
    ['address', 'y'.repeat(201), 'TOO_LONG'],
    ['address', 'line1\nline2', 'INVALID_CHARACTER'],
  ])('refuses %s = %j with %s', (field, value, code) => {
    expect(issues(() => validateRegisterInput({ ...validBody, [field]: value }, NOW))).toEqual([
      { field, code },
    ]);
  });

  it('counts name length in code points (100 emoji are fine)', () => {
    expect(validateRegisterInput({ ...validBody, name: '😀'.repeat(100) }, NOW).name).toBe('😀'.repeat(100));
  });
});

describe('validateUsername', () => {
  it.each([
    ['Ａｌｉｃｅ', 'alice'],
    ['bob_1-2.x', 'bob_1-2.x'],
    ['  Carol  ', 'carol'],
  ])('normalises %j to key %j', (input, key) => {
    const r = validateUsername(input);
    expect(r.ok && r.value.key).toBe(key);
  });
  it.each([
    ['ab', 'TOO_SHORT'],
    ['a'.repeat(33), 'TOO_LONG'],
    ['.alice', 'INVALID_FORMAT'],
    ['alice.', 'INVALID_FORMAT'],
    ['al ice', 'INVALID_FORMAT'],
    ['аlice', 'INVALID_FORMAT'], // Cyrillic а: a homoglyph
    ['alice@x', 'INVALID_FORMAT'],
    ['ali\u0000ce', 'INVALID_CHARACTER'],
  ])('refuses %j with %s', (input, code) => {
    const r = validateUsername(input);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.code).toBe(code);
  });
});

describe('validateEmail', () => {
  it.each([
    ['user@example.com', 'user@example.com'],
    ['First.Last+tag@Sub.Example.CO.JP', 'First.Last+tag@sub.example.co.jp'],
    ["o'brien@example.ie", "o'brien@example.ie"],
  ])('accepts %j', (input, address) => {
    const r = validateEmail(input);
    expect(r.ok && r.value.address).toBe(address);
  });
  it.each([
    'plain',
    '@example.com',
    'user@',
    'user@localhost',
    'user@@example.com',
    'us..er@example.com',
    '.user@example.com',
    'user@-example.com',
    'user@example.c',
    'user@exa_mple.com',
    '"quoted"@example.com',
    'user@[127.0.0.1]',
    `${'a'.repeat(65)}@example.com`,
    `a@${'b'.repeat(250)}.com`,
  ])('refuses %j', (input) => {
    expect(validateEmail(input).ok).toBe(false);
  });
});

describe('validateBirthDate', () => {
  it.each(['1900-01-01', '2000-02-29', '2026-11-21'])('accepts %s', (d) => {
    expect(validateBirthDate(d, NOW)).toEqual({ ok: true, value: d });
  });
  it('accepts today in the earliest time zone (UTC+14)', () => {
    expect(validateBirthDate('2026-11-22', NOW).ok).toBe(true);
    expect(validateBirthDate('2026-11-23', NOW).ok).toBe(false);
  });
  it.each([
    ['1899-12-31', 'OUT_OF_RANGE'],
    ['2027-01-01', 'OUT_OF_RANGE'],
    ['2001-02-29', 'INVALID_FORMAT'],
    ['2000-13-01', 'INVALID_FORMAT'],
    ['2000-04-31', 'INVALID_FORMAT'],
    ['2000-1-1', 'INVALID_FORMAT'],
    ['01/01/2000', 'INVALID_FORMAT'],
    ['2000-01-01T00:00:00Z', 'INVALID_FORMAT'],
    ['２０００-０１-０１', 'INVALID_FORMAT'],
  ])('refuses %s with %s', (d, code) => {
    const r = validateBirthDate(d, NOW);
    expect(!r.ok && r.code).toBe(code);
  });
});

describe('my number check digit', () => {
  it.each(fixture.valid)('accepts %s (independent oracle)', (n) => {
    expect(isValidMyNumber(n)).toBe(true);
    expect(myNumberCheckDigit(n.slice(0, 11))).toBe(Number(n[11]));
  });
  it.each(fixture.invalidCheckDigit)('refuses %s', (n) => {
    expect(isValidMyNumber(n)).toBe(false);
  });
  it('agrees with the weight-table formulation on every single-digit change of a valid number', () => {
    // Independent oracle: weights 6,5,4,3,2,7,6,5,4,3,2 left to right, 11 - sum mod 11, >= 10 -> 0.
    const weights = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    const oracle = (base: string) => {
      const r = 11 - (weights.reduce((s, w, i) => s + w * Number(base[i]), 0) % 11);
      return r >= 10 ? 0 : r;
    };
    let detected = 0;
    let total = 0;
    for (const n of fixture.valid) {
      for (let i = 0; i < 11; i++) {
        for (let d = 0; d <= 9; d++) {
          if (String(d) === n[i]) continue;
          const changed = `${n.slice(0, i)}${d}${n.slice(i + 1)}`;
          total++;
          expect(isValidMyNumber(changed)).toBe(oracle(changed.slice(0, 11)) === Number(n[11]));
          if (!isValidMyNumber(changed)) detected++;
        }
      }
    }
    // mod 11 folds remainders 0 and 1 together, so a few typos slip through; most are caught.
    expect(detected / total).toBeGreaterThan(0.85);
  });
  it('refuses the legacy sample 123456789012 (its check digit would be 8)', () => {
    expect(myNumberCheckDigit('12345678901')).toBe(8);
    expect(isValidMyNumber('123456789012')).toBe(false);
  });
  it.each(['12345', '1234567890123', 'abcdefghijkl', '', '９８３２０５６７３２１４'])(
    'isValidMyNumber(%j) is false',
    (n) => {
      expect(isValidMyNumber(n)).toBe(false);
    },
  );
  it('myNumberCheckDigit names its parameter for bad input', () => {
    expect(() => myNumberCheckDigit('123')).toThrow(/"base" expected 11 digits/);
    expect(() => myNumberCheckDigit(12345678901 as unknown as string)).toThrow(TypeError);
  });
  it('the mynumber field accepts full-width digits and separators', () => {
    const v = validateRegisterInput({ ...validBody, mynumber: '９８３２-０５６７-３２１４' }, NOW);
    expect(v.mynumber).toBe('983205673214');
  });
});

describe('validatePhone', () => {
  it.each([
    ['080-1234-5678', '+818012345678'],
    ['090 1234 5678', '+819012345678'],
    ['070(1234)5678', '+817012345678'],
    ['050-1234-5678', '+815012345678'],
    ['03-1234-5678', '+81312345678'],
    ['06-6123-4567', '+81661234567'],
    ['0120-123-456', '+81120123456'],
    ['0800-123-4567', '+818001234567'],
    ['011-234-5678', '+81112345678'],
    ['+81 90-1234-5678', '+819012345678'],
    ['+14155552671', '+14155552671'],
    ['０９０−１２３４−５６７８'.replace('−', '-').replace('−', '-'), '+819012345678'],
  ])('normalises %j to %s', (input, e164) => {
    expect(validatePhone(input)).toEqual({ ok: true, value: e164 });
  });
  it.each([
    '12',
    '090-1234-567',
    '03-1234-56789',
    '+0123456789',
    '+81 090 1234 5678',
    '+1234567890123456',
    '00819012345678',
    'phone',
    '090-1234-5678 ext 2',
    '1234567890',
  ])('refuses %j', (input) => {
    expect(validatePhone(input).ok).toBe(false);
  });
});

describe('validateLoginInput', () => {
  it('accepts identifier or the legacy username alias', () => {
    expect(validateLoginInput({ identifier: 'alice', password: 'x' }).identifier).toBe('alice');
    expect(validateLoginInput({ username: 'alice', password: 'x' }).identifier).toBe('alice');
  });
  it('accepts the legacy uuid field as an alias of identifier', () => {
    const uuid = '3f2b8c1e-0a4d-4e6f-9b7a-1c2d3e4f5a6b';
    expect(validateLoginInput({ uuid, password: 'x' }).identifier).toBe(uuid);
    expect(issues(() => validateLoginInput({ uuid: 42, password: 'x' }))).toEqual([
      { field: 'uuid', code: 'INVALID_TYPE' },
    ]);
    expect(issues(() => validateLoginInput({ password: 'x' }))).toEqual([
      { field: 'identifier', code: 'REQUIRED' },
    ]);
  });
  it('uuid is mutually exclusive with identifier and username', () => {
    expect(issues(() => validateLoginInput({ identifier: 'a', uuid: 'b', password: 'x' }))).toEqual([
      { field: 'uuid', code: 'CONFLICTING_FIELDS' },
    ]);
    expect(issues(() => validateLoginInput({ username: 'a', uuid: 'b', password: 'x' }))).toEqual([
      { field: 'uuid', code: 'CONFLICTING_FIELDS' },
    ]);
    expect(
      issues(() => validateLoginInput({ identifier: 'a', username: 'b', uuid: 'c', password: 'x' })),
    ).toEqual([
      { field: 'username', code: 'CONFLICTING_FIELDS' },
      { field: 'uuid', code: 'CONFLICTING_FIELDS' },
    ]);
  });
  it('refuses both, operators and unknown fields', () => {
    expect(issues(() => validateLoginInput({ identifier: 'a', username: 'b', password: 'x' }))).toEqual([
      { field: 'username', code: 'CONFLICTING_FIELDS' },
    ]);
    expect(issues(() => validateLoginInput({ identifier: { $gt: '' }, password: { $ne: null } }))).toEqual([
      { field: 'identifier', code: 'INVALID_TYPE' },
      { field: 'password', code: 'INVALID_TYPE' },
    ]);
    expect(issues(() => validateLoginInput({ identifier: 'a', password: 'x', admin: true }))).toEqual([
      { field: 'admin', code: 'UNKNOWN_FIELD' },
    ]);
    expect(issues(() => validateLoginInput({ identifier: 'a', password: 'x', proof: 'magic' }))).toEqual([
      { field: 'proof', code: 'INVALID_FORMAT' },
    ]);
  });
});

describe('validatePairingInput', () => {
  const token = 'A'.repeat(43);
  it('reads the token from the QR payload', () => {
    const v = validatePairingInput({
      qr_code: `city-auth:pair?v=1&uuid=u&token=${token}`,
      username: 'alice',
      password: 'pw',
    });
    expect(v.token).toBe(token);
  });
  it('asks precisely for username and password when only the token came', () => {
    try {
      validatePairingInput({ pairing_token: token });
      expect.unreachable();
    } catch (error) {
      expect((error as AuthError).code).toBe('PAIRING_CREDENTIALS_REQUIRED');
      expect((error as AuthError).fields?.map((f) => f.field)).toEqual(['username', 'password']);
    }
  });
  it('without any token it is a plain validation error', () => {
    expect(issues(() => validatePairingInput({ username: 'alice', password: 'pw' }))).toEqual([
      { field: 'pairing_token', code: 'REQUIRED' },
    ]);
    expect(
      issues(() => validatePairingInput({ pairing_token: { $gt: '' }, username: 'a', password: 'b' })),
    ).toEqual([{ field: 'pairing_token', code: 'INVALID_TYPE' }]);
    expect(
      issues(() =>
        validatePairingInput({ qr_code: 'city-auth:pair?token=short', username: 'a', password: 'b' }),
      ),
    ).toEqual([{ field: 'qr_code', code: 'INVALID_FORMAT' }]);
  });
});
