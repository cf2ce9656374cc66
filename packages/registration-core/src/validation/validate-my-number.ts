/**
 * My Number field: NFKC (full-width digits allowed), spaces and hyphens removed, then 12 digits
 * with the official check digit (see my-number-check-digit.ts).
 */
import { type FieldResult, fail, hasForbiddenCharacter, pass } from './_field-result.js';
import { isValidMyNumber } from './my-number-check-digit.js';

/**
 * Validates and normalises a My Number to its 12 digits.
 *
 * @throws never (returns a failure with a field issue code instead)
 * @example
 * ```ts
 * validateMyNumber('9832 0567 3214'); // { ok: true, value: '983205673214' }
 * ```
 */
export function validateMyNumber(value: string): FieldResult<string> {
  if (hasForbiddenCharacter(value)) return fail('INVALID_CHARACTER', 'mynumber contains a control character');
  const digits = value.normalize('NFKC').replace(/[\s-]/g, '');
  if (!/^\d+$/.test(digits)) return fail('INVALID_FORMAT', 'mynumber must consist of digits');
  if (digits.length !== 12) return fail('INVALID_FORMAT', 'mynumber must have exactly 12 digits');
  if (!isValidMyNumber(digits)) return fail('CHECK_DIGIT_MISMATCH', 'mynumber check digit is wrong');
  return pass(digits);
}
