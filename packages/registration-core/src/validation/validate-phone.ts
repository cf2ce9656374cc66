/**
 * Phone numbers: ITU-T E.164 (`+` country code and subscriber number, at most 15 digits) or a
 * Japanese domestic number (trunk prefix 0: mobile/IP/free-dial `0X0` with 11 digits, fixed lines
 * and `0120` with 10 digits), normalised to E.164 (`090-1234-5678` → `+819012345678`).
 * Spaces, hyphens, dots and parentheses are separators; full-width forms are folded by NFKC.
 */
import { type FieldResult, fail, hasForbiddenCharacter, pass } from './_field-result.js';

const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * Validates a phone number and returns its E.164 form.
 *
 * @throws never (returns a failure with a field issue code instead)
 * @example
 * ```ts
 * validatePhone('03-1234-5678'); // { ok: true, value: '+81312345678' }
 * ```
 */
export function validatePhone(value: string): FieldResult<string> {
  if (hasForbiddenCharacter(value)) return fail('INVALID_CHARACTER', 'phone contains a control character');
  const folded = value.normalize('NFKC').trim();
  if (!/^\+?[\d\s().-]+$/.test(folded)) {
    return fail('INVALID_FORMAT', 'phone may contain only digits, "+", spaces, hyphens and parentheses');
  }
  const compact = folded.replace(/[\s().-]/g, '');
  if (compact.startsWith('+')) {
    if (!E164.test(compact))
      return fail('INVALID_FORMAT', 'phone in international form must be + and 7 to 15 digits');
    if (compact.startsWith('+810')) return fail('INVALID_FORMAT', 'phone after +81 must not start with 0');
    return pass(compact);
  }
  if (!compact.startsWith('0') || compact.startsWith('00')) {
    return fail(
      'INVALID_FORMAT',
      'phone must be in E.164 form (+81...) or a Japanese number starting with 0',
    );
  }
  // 0X0 (070/080/090 mobile, 050 IP, 020 pager/M2M) and 0800 free dial have 11 digits; other
  // numbers (fixed lines, 0120) have 10.
  const elevenDigits = /^0[2-9]0/.test(compact) && !compact.startsWith('0120');
  const expected = elevenDigits ? 11 : 10;
  if (compact.length !== expected) {
    return fail('INVALID_FORMAT', `this Japanese phone number must have ${expected} digits`);
  }
  return pass(`+81${compact.slice(1)}`);
}
