/**
 * Password policy per NIST SP 800-63B section 5.1.1.2 (memorized secrets): at least 8 and at most 128
 * code points after NFKC normalisation, no composition rules (any characters, spaces and emoji
 * allowed), not one of the 10,000 most common passwords nor one of them with digits or symbols added
 * or letters swapped for look-alikes, not only keyboard walks, sequences or repetitions, and not
 * containing the user's name or e-mail local part.
 */
import { commonPasswords as readCommonPasswords } from './data/common-passwords.js';
import { assertPlainObject, assertString, assertWellFormedPassword } from './lib/_guards.js';
import { MAX_PASSWORD_BYTES } from './lib/_limits.js';
import { nfkc } from './lib/_normalize.js';
import { isPredictablePassword, unleet } from './lib/_predictable-password.js';

/** Minimum length in Unicode code points (NIST SP 800-63B: at least 8). */
const MIN_CODE_POINTS = 8;
/** Maximum length in Unicode code points (NIST SP 800-63B: allow at least 64). */
const MAX_CODE_POINTS = 128;
/** Identifiers shorter than this are too likely to appear by chance ("al", "jo"). */
const MIN_IDENTIFIER_CODE_POINTS = 3;

let commonPasswords: ReadonlySet<string> | undefined;

/** Who the password belongs to, so it can be checked for containing their identifiers. */
export interface PasswordPolicyContext {
  readonly username?: string;
  readonly email?: string;
}

/** The outcome of {@link checkPasswordPolicy}: the normalised password, or a code and message. */
export type PolicyResult =
  | { readonly ok: true; readonly normalized: string }
  | { readonly ok: false; readonly code: string; readonly message: string };

function fail(code: string, message: string): PolicyResult {
  return { ok: false, code, message };
}

function identifiers(context: PasswordPolicyContext | undefined): string[] {
  if (context === undefined) return [];
  assertPlainObject(context, 'context');
  const found: string[] = [];
  if (context.username !== undefined) {
    assertString(context.username, 'context.username');
    found.push(context.username);
  }
  if (context.email !== undefined) {
    assertString(context.email, 'context.email');
    const at = context.email.lastIndexOf('@');
    found.push(at === -1 ? context.email : context.email.slice(0, at));
  }
  return found
    .map((id) => nfkc(id).toLowerCase().trim())
    .filter((id) => [...id].length >= MIN_IDENTIFIER_CODE_POINTS);
}

/**
 * Checks `password` against the policy and returns its NFKC form when it passes.
 *
 * @throws PasswordError `INVALID_ARGUMENT` when `password` or a context field is not a string (a
 *   policy failure is returned, not thrown).
 * @example
 * ```ts
 * const result = checkPasswordPolicy(input, { username: 'alice', email: 'alice@example.jp' });
 * if (!result.ok) return reply(400, result.code);
 * ```
 */
export function checkPasswordPolicy(password: string, context?: PasswordPolicyContext): PolicyResult {
  assertWellFormedPassword(password, 'password');
  const ids = identifiers(context);
  const tooLong = `password must be at most ${MAX_CODE_POINTS} characters`;
  // Measure the raw input first: normalising a megabyte string is work an attacker could buy.
  if (password.length > 4 * MAX_PASSWORD_BYTES) return fail('PASSWORD_TOO_LONG', tooLong);
  const normalized = nfkc(password);
  const codePoints = [...normalized].length;
  if (codePoints < MIN_CODE_POINTS) {
    return fail('PASSWORD_TOO_SHORT', `password must be at least ${MIN_CODE_POINTS} characters`);
  }
  if (codePoints > MAX_CODE_POINTS || Buffer.byteLength(normalized, 'utf8') > MAX_PASSWORD_BYTES) {
    return fail('PASSWORD_TOO_LONG', tooLong);
  }
  const folded = normalized.toLowerCase();
  commonPasswords ??= new Set(readCommonPasswords());
  if (commonPasswords.has(folded)) {
    return fail('PASSWORD_TOO_COMMON', 'password is too common; choose a less predictable one');
  }
  if (isPredictablePassword(folded, commonPasswords)) {
    return fail(
      'PASSWORD_TOO_COMMON',
      'password is too predictable (a common password with digits or symbols added, a keyboard walk, a sequence or a repetition); choose a less predictable one',
    );
  }
  const unleeted = unleet(folded);
  if (ids.some((id) => folded.includes(id) || unleeted.includes(id))) {
    return fail('PASSWORD_CONTAINS_IDENTIFIER', 'password must not contain the username or e-mail name');
  }
  return { ok: true, normalized };
}
