/** Throwing form of the NIST SP 800-63B password policy check. */
import { checkPasswordPolicy, type PasswordPolicyContext } from './check-password-policy.js';
import { PasswordPolicyError } from './password-error.js';

/**
 * Returns the NFKC-normalised password, or throws when it breaks the policy.
 *
 * @throws PasswordPolicyError `PASSWORD_TOO_SHORT`, `PASSWORD_TOO_LONG`, `PASSWORD_TOO_COMMON`,
 *   `PASSWORD_CONTAINS_IDENTIFIER`; PasswordError `INVALID_ARGUMENT` for wrong types.
 * @example
 * ```ts
 * const normalized = assertPasswordPolicy(input, { username });
 * const stored = await hashPassword(normalized);
 * ```
 */
export function assertPasswordPolicy(password: string, context?: PasswordPolicyContext): string {
  const result = checkPasswordPolicy(password, context);
  if (!result.ok) throw new PasswordPolicyError(result.code, result.message);
  return result.normalized;
}
