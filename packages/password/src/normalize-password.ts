/** Unicode normalisation of passwords: NFKC, per NIST SP 800-63B section 5.1.1.2. */
import { assertWellFormedPassword } from './lib/_guards.js';
import { nfkc } from './lib/_normalize.js';

/**
 * Returns the NFKC form of `password` (full-width and compatibility characters fold to their plain form).
 *
 * @throws PasswordError `INVALID_ARGUMENT` when `password` is not a well-formed string.
 * @example
 * ```ts
 * normalizePassword('ｐａｓｓ'); // 'pass'
 * ```
 */
export function normalizePassword(password: string): string {
  assertWellFormedPassword(password, 'password');
  return nfkc(password);
}
