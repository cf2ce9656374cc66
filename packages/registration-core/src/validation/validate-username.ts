/**
 * Usernames: NFKC (Unicode UAX #15) so full-width and compatibility forms collapse, then lower
 * case for the uniqueness key. Charset `[a-z0-9._-]` after lower-casing (ASCII only, so no
 * homoglyph look-alikes), 3–32 characters, no leading or trailing dot.
 */
import { type FieldResult, fail, hasForbiddenCharacter, pass } from './_field-result.js';

/** A valid username: the display form and the canonical key. */
export interface NormalizedUsername {
  /** NFKC form, case kept (shown to people). */
  readonly display: string;
  /** NFKC + lower case (unique, used for lookup). */
  readonly key: string;
}

const USERNAME_KEY = /^[a-z0-9._-]+$/;

/**
 * Validates and normalises a username.
 *
 * @throws never (returns a failure with a field issue code instead)
 * @example
 * ```ts
 * validateUsername('Ａｌｉｃｅ'); // { ok: true, value: { display: 'Alice', key: 'alice' } }
 * ```
 */
export function validateUsername(value: string): FieldResult<NormalizedUsername> {
  if (hasForbiddenCharacter(value)) return fail('INVALID_CHARACTER', 'username contains a control character');
  const display = value.normalize('NFKC').trim();
  const key = display.toLowerCase();
  if (key.length < 3) return fail('TOO_SHORT', 'username must be at least 3 characters');
  if (key.length > 32) return fail('TOO_LONG', 'username must be at most 32 characters');
  if (!USERNAME_KEY.test(key)) {
    return fail('INVALID_FORMAT', 'username may contain only letters a-z, digits, ".", "_" and "-"');
  }
  if (key.startsWith('.') || key.endsWith('.')) {
    return fail('INVALID_FORMAT', 'username must not start or end with "."');
  }
  return pass({ display, key });
}
